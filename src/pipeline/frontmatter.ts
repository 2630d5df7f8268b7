/**
 * YAML front-matter: parse safely, find translatable values, patch in place.
 *
 * The `yaml` Document API keeps every node's source range, so a translated `title` or a set
 * `lang` replaces just that value's bytes: every other key keeps its bytes, order, quoting and
 * comments (docs/decisions.md §10). Parsing is deliberately strict: core schema (no custom tags
 * constructed), unique keys, and no aliases at all (S6, S7, S9).
 */

import {type Document, isMap, isScalar, type Pair, parseDocument, type Scalar, visit} from 'yaml'
import {lineAt, NoteError} from './read.js'

/** A note's YAML front-matter. */
export interface Frontmatter {
  /** The parsed YAML (ranges are relative to `contentStart`). */
  document: Document.Parsed
  /** Offsets in the note text of the YAML between the fences. */
  contentStart: number
  contentEnd: number
  /** The YAML source between the fences. */
  yaml: string
  /** The line ending used inside the front-matter (for appended keys). */
  eol: string
}

/**
 * The YAML with every bare CR made a LF: YAML 1.2 breaks lines at LF, CRLF or a bare CR, the `yaml`
 * package at the first two only. Same length, so every range into one indexes the other.
 */
export function withLineFeeds(yaml: string): string {
  return yaml.replace(/\r(?!\n)/g, '\n')
}

/** A translatable front-matter value. */
export interface FrontmatterValue {
  key: string
  value: string
  /** Offsets in the note text of the value's source (quotes and block indicators included). */
  start: number
  end: number
}

/** Values written by `patchFrontmatter`. */
export type FrontmatterScalar = string | number | boolean | null

/**
 * A note that opens front-matter on line 1 (`---` then a `key:` line) but never closes it would be
 * read as Markdown: its keys translated as prose, its `lang` ignored. Refuse it instead.
 */
function rejectUnclosedFrontmatter(text: string, file: string): void {
  if (!/^---[ \t]*\r?\n[ \t]*[\w"'-][^\n:]*:(?:[ \t]|\r?\n)/.test(text)) return
  if (/\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.test(text.slice(3))) return
  throw new NoteError(
    file,
    'the front-matter opened by `---` on line 1 is never closed',
    'Add a closing `---` line after the last front-matter key'
  )
}

/**
 * Reject front-matter that some tools would execute (`---js`, `---javascript`, any `---<lang>`
 * opener closed by `---`): remark does not recognise it, so without this check it would be
 * translated as Markdown (and the JavaScript evaluated by whoever reads the output with
 * gray-matter).
 */
export function rejectForeignFrontmatter(text: string, file: string): void {
  rejectUnclosedFrontmatter(text, file)
  const opener = /^---[ \t]*([A-Za-z][\w-]*)[ \t]*\r?\n/.exec(text)
  if (!opener || !/\r?\n---[ \t]*(?:\r?\n|$)/.test(text.slice(opener[0].length - 1))) return
  throw new NoteError(
    file,
    `front-matter opened with \`---${opener[1]}\` on line 1 is not supported (it is not YAML and must never be evaluated)`,
    'Convert it to YAML front-matter between `---` lines'
  )
}

/**
 * Parse the YAML of a front-matter block.
 *
 * @param start offset of the block's opening `---` in `text`
 * @param end offset just after its closing `---`
 * @throws {NoteError} on invalid YAML (with the file line), duplicate keys or aliases
 */
export function parseFrontmatter(text: string, start: number, end: number, file: string): Frontmatter {
  // Line endings are LF, CRLF or a bare CR (CommonMark accepts all three).
  const lineBreak = /\r\n?|\n/g
  lineBreak.lastIndex = start
  const firstBreak = lineBreak.exec(text)
  const contentStart = !firstBreak || firstBreak.index >= end ? end : firstBreak.index + firstBreak[0].length
  const lastLine = Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1)) + 1
  const contentEnd = Math.max(contentStart, lastLine)
  const yaml = text.slice(contentStart, contentEnd)
  const eol = firstBreak?.[0] ?? '\n'
  const firstLine = lineAt(text, contentStart)

  const document = parseDocument(withLineFeeds(yaml), {schema: 'core', uniqueKeys: true, prettyErrors: true})
  const error = document.errors[0]
  if (error) {
    const line = error.linePos?.[0].line
    const where = line === undefined ? '' : ` on line ${firstLine + line - 1}`
    throw new NoteError(
      file,
      `invalid YAML front-matter${where}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      'Fix the YAML between the `---` lines (quote values that contain `: ` or start with a special character)'
    )
  }
  visit(document, {
    Alias(_key, node) {
      const line = node.range ? lineAt(text, contentStart + node.range[0]) : firstLine
      throw new NoteError(
        file,
        `YAML alias \`*${node.source}\` in the front-matter on line ${line}: aliases are not allowed`,
        'Write the value out instead of referring to an anchor'
      )
    }
  })
  return {document, contentStart, contentEnd, yaml, eol}
}

/**
 * The configured keys whose values are non-empty, untagged strings, in document order.
 * A key whose value is anything else (a number, a list, a tagged value) is skipped.
 */
export function translatableValues(frontmatter: Frontmatter, keys: readonly string[]): FrontmatterValue[] {
  const contents = frontmatter.document.contents
  if (!isMap(contents)) return []
  const wanted = new Set(keys)
  const values: FrontmatterValue[] = []
  for (const pair of contents.items) {
    const key = keyOf(pair)
    const value = pair.value
    if (key === undefined || !wanted.has(key) || !isScalar(value) || !value.range) continue
    if (typeof value.value !== 'string' || value.value.trim() === '' || value.tag) continue
    values.push({
      key,
      value: value.value,
      start: frontmatter.contentStart + value.range[0],
      end: frontmatter.contentStart + scalarEnd(frontmatter, value)
    })
  }
  return values
}

/**
 * Patch the front-matter YAML: `translated` values replace those keys' values (keeping the key
 * and, where safe, the quoting style); `set` keys are replaced or appended; `drop` keys are
 * removed with their line. Everything else keeps its bytes.
 *
 * @returns the new YAML between the fences
 * @throws {NoteError} when keys must be set or dropped but the front-matter is not a mapping
 */
export function patchFrontmatter(
  frontmatter: Frontmatter,
  file: string,
  edits: {
    translated?: ReadonlyMap<string, string>
    set?: Readonly<Record<string, FrontmatterScalar>>
    drop?: readonly string[]
    /** Raw YAML lines appended after the set keys (lines a human added to a translation). */
    append?: string
  }
): string {
  // Patched with LF line breaks (the document's ranges and the line scans below count those), and
  // given back the note's bare CRs at the end.
  const yaml = withLineFeeds(frontmatter.yaml)
  const cr = (patched: string) => (frontmatter.eol === '\r' ? patched.replaceAll('\n', '\r') : patched)
  const contents = frontmatter.document.contents
  const set = new Map(Object.entries(edits.set ?? {}))
  const drop = new Set(edits.drop ?? [])
  const translated = edits.translated ?? new Map<string, string>()
  if (contents !== null && !isMap(contents)) {
    if (set.size === 0 && drop.size === 0) return frontmatter.yaml
    throw new NoteError(
      file,
      'front-matter is not a mapping of keys to values, so keys cannot be set or removed',
      'Write the front-matter as `key: value` lines'
    )
  }

  // A flow mapping (`{title: x}`) has no lines to splice keys into: the edits go through the
  // Document API and the mapping is printed again by `yaml`, which quotes for flow context.
  if (isMap(contents) && contents.flow)
    return patchFlowMapping(frontmatter, {set, drop, translated, append: edits.append})

  const replacements: Array<{start: number; end: number; value: string}> = []
  for (const pair of isMap(contents) ? contents.items : []) {
    const key = keyOf(pair)
    if (key === undefined) continue
    const value = pair.value
    if (drop.has(key)) {
      replacements.push(lineRange(yaml, pair))
      set.delete(key)
      continue
    }
    const next = set.has(key) ? set.get(key)! : translated.get(key)
    if (next === undefined && !set.has(key)) continue
    set.delete(key)
    const range = (value as {range?: [number, number, number]} | null)?.range
    if (!range) {
      // `key:` with no value: write after the colon.
      const at = (pair.key as Scalar).range![1]
      const colon = yaml.indexOf(':', at)
      replacements.push({start: colon + 1, end: colon + 1, value: ` ${renderValue(next ?? null)}`})
      continue
    }
    const style = isScalar(value) ? value.type : undefined
    replacements.push({
      start: range[0],
      end: isScalar(value) ? scalarEnd(frontmatter, value) : trimLineBreaks(yaml, range[1]),
      value: renderValue(next ?? null, style)
    })
  }

  let patched = yaml
  for (const replacement of replacements.sort((a, b) => b.start - a.start)) {
    patched = patched.slice(0, replacement.start) + replacement.value + patched.slice(replacement.end)
  }
  if (set.size > 0) {
    if (patched !== '' && !/[\r\n]$/.test(patched)) patched += frontmatter.eol
    for (const [key, value] of set) patched += `${renderKey(key)}: ${renderValue(value)}${frontmatter.eol}`
  }
  if (edits.append) {
    if (patched !== '' && !/[\r\n]$/.test(patched)) patched += frontmatter.eol
    patched += edits.append
  }
  return cr(patched)
}

/** `patchFrontmatter` for a flow mapping: set/delete on a copy of the document, printed by `yaml`. */
function patchFlowMapping(
  frontmatter: Frontmatter,
  edits: {
    set: ReadonlyMap<string, FrontmatterScalar>
    drop: ReadonlySet<string>
    translated: ReadonlyMap<string, string>
    append?: string | undefined
  }
): string {
  const document = frontmatter.document.clone()
  for (const [key, value] of edits.translated) if (document.has(key)) document.set(key, value)
  for (const key of edits.drop) document.delete(key)
  for (const [key, value] of edits.set) document.set(key, value)
  if (edits.append) {
    const added = parseDocument(edits.append, {schema: 'core', uniqueKeys: true})
    for (const pair of isMap(added.contents) ? added.contents.items : []) {
      const key = keyOf(pair)
      if (key !== undefined && !document.has(key)) document.set(key, pair.value)
    }
  }
  // `yaml` prints a string plain whenever a YAML 1.2 reader reads it back as that string; a YAML 1.1
  // reader (Jekyll's Psych, PyYAML, go-yaml v2) reads plain `no`, `on`, `y` or `~` as a boolean
  // or null. Every string the mapping prints (keys too: `on:` is `true:` there) is double-quoted
  // unless both read it back as itself, as `renderValue` does for block mappings.
  visit(document, {
    Scalar(_key, node) {
      if (
        typeof node.value === 'string' &&
        (node.type === undefined || node.type === 'PLAIN') &&
        !plainIsSafe(node.value)
      )
        node.type = 'QUOTE_DOUBLE'
    }
  })
  let printed = document.toString({lineWidth: 0})
  if (!/[\r\n]$/.test(frontmatter.yaml)) printed = printed.replace(/\n$/, '')
  return frontmatter.eol === '\n' ? printed : printed.replaceAll('\n', frontmatter.eol)
}

/**
 * The lines of top-level keys that `target` has and `source` does not, except `exclude`d ones,
 * byte for byte: what a human added to a translation's
 * front-matter (`reviewed_by: maria`). Empty when there are none.
 */
export function addedLines(
  source: Frontmatter | undefined,
  target: Frontmatter | undefined,
  exclude: ReadonlySet<string>
): string {
  const contents = target?.document.contents
  if (!target || !isMap(contents)) return ''
  const sourceContents = source?.document.contents
  const present = new Set<string>()
  for (const pair of isMap(sourceContents) ? sourceContents.items : []) {
    const key = keyOf(pair)
    if (key !== undefined) present.add(key)
  }
  let lines = ''
  for (const pair of contents.items) {
    const key = keyOf(pair)
    if (key === undefined || present.has(key) || exclude.has(key)) continue
    const yaml = withLineFeeds(target.yaml)
    const range = lineRange(yaml, pair)
    lines += yaml.slice(range.start, range.end)
  }
  if (lines !== '' && !/[\r\n]$/.test(lines)) lines += target.eol
  return lines
}

/**
 * YAML for a value: the source's quoting style when it can carry the value, else a safe
 * double-quoted scalar (block scalars are always re-emitted quoted: trap 12, Q24).
 *
 * A translated value comes from a model, so it is written so that a YAML 1.2 reader (this tool,
 * js-yaml 4) *and* a YAML 1.1 reader (Jekyll's Psych, PyYAML, go-yaml v2) read back exactly this
 * one string: never a boolean (`No`, `On`, `y`), null (`~`), number (`0x1F`, `1:20`, `0o17`) or date
 * in either, and never a line break those readers know (U+0085, U+2028, U+2029 end a line in
 * YAML 1.1) that could start a new key. See docs/providers.md, "Hostile reply content".
 */
export function renderValue(value: FrontmatterScalar, style?: Scalar.Type): string {
  if (value === null) return 'null'
  if (typeof value !== 'string') return String(value)
  if (style === 'QUOTE_SINGLE' && singleIsSafe(value)) return `'${value.replaceAll("'", "''")}'`
  if ((style === 'PLAIN' || style === undefined) && plainIsSafe(value)) return value
  return doubleQuoted(value)
}

/**
 * Characters that may appear unescaped inside a quoted scalar for every reader: printable in
 * YAML 1.1 and 1.2 (tab, #x20–#x7E, #xA0–#xD7FF, #xE000–#xFFFD, astral) minus the line breaks
 * of YAML 1.1 (U+0085, U+2028, U+2029) and the byte-order mark. Everything else is escaped.
 */
const UNSAFE_IN_QUOTES = /[^\t\u0020-\u007E\u00A0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u

/** Whether `value` can be written single-quoted unchanged: no escapes exist there. */
function singleIsSafe(value: string): boolean {
  return !UNSAFE_IN_QUOTES.test(value) && !value.includes('\t')
}

/** A double-quoted scalar with every unsafe character escaped (`\uXXXX`, read alike by 1.1 and 1.2). */
function doubleQuoted(value: string): string {
  let result = '"'
  for (const character of value) {
    if (character === '"') result += '\\"'
    else if (character === '\\') result += '\\\\'
    else if (character === '\n') result += '\\n'
    else if (character === '\t') result += '\\t'
    else if (UNSAFE_IN_QUOTES.test(character)) {
      // Lone surrogates and any other code point: \uXXXX per UTF-16 unit is valid in both versions
      // for the BMP; astral characters are printable and never reach here.
      result += `\\u${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
    } else result += character
  }
  return `${result}"`
}

/**
 * Words and shapes that YAML 1.1 resolves to something other than a string (booleans, nulls,
 * numbers in any base, sexagesimal, dates, merge keys, `=`), checked besides the parse below
 * because 1.1 readers differ in the details (PyYAML reads `1_000` and `.5` as numbers).
 */
const YAML11_NOT_A_STRING =
  /^(?:[yYnN~=]|<<|y(?:es)?|Y(?:es|ES)?|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$|^[-+]?(?:\.|\d)|^\.(?:inf|Inf|INF|nan|NaN|NAN)$/

/** Whether `value` reads back as the same string when written plain, in YAML 1.1 and 1.2. */
function plainIsSafe(value: string): boolean {
  if (value === '' || value !== value.trim() || UNSAFE_IN_QUOTES.test(value) || /[\t\n]/.test(value)) return false
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value) || /: |\s#/.test(value) || value.endsWith(':')) return false
  if (YAML11_NOT_A_STRING.test(value) || /^\d{4}-\d\d?-\d\d?(?:[Tt\s]|$)/.test(value)) return false
  for (const version of ['1.1', '1.2'] as const) {
    const document = parseDocument(`k: ${value}\n`, {version})
    if (document.errors.length > 0) return false
    const parsed: unknown = document.toJS()
    if (typeof parsed !== 'object' || parsed === null || (parsed as Record<string, unknown>).k !== value) return false
  }
  return true
}

function renderKey(key: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(key) ? key : JSON.stringify(key)
}

function keyOf(pair: Pair): string | undefined {
  const key = pair.key
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value)
  return undefined
}

/** End of a scalar's value, without the line break block scalars include. */
function scalarEnd(frontmatter: Frontmatter, value: Scalar): number {
  const end = value.range![1]
  if (value.type !== 'BLOCK_FOLDED' && value.type !== 'BLOCK_LITERAL') return end
  return trimLineBreaks(frontmatter.yaml, end)
}

function trimLineBreaks(yaml: string, end: number): number {
  let index = end
  while (index > 0 && (yaml.charAt(index - 1) === '\n' || yaml.charAt(index - 1) === '\r')) index--
  return index
}

/** The whole lines a pair occupies, including its line ending. */
function lineRange(yaml: string, pair: Pair): {start: number; end: number; value: string} {
  const keyRange = (pair.key as {range?: [number, number, number]}).range!
  const valueRange = (pair.value as {range?: [number, number, number]} | null)?.range
  const start = yaml.lastIndexOf('\n', keyRange[0] - 1) + 1
  let end = valueRange ? valueRange[2] : keyRange[2]
  if (end > 0 && yaml.charAt(end - 1) === '\n') return {start, end, value: ''}
  const lineEnd = yaml.indexOf('\n', end)
  end = lineEnd === -1 ? yaml.length : lineEnd + 1
  return {start, end, value: ''}
}
