/**
 * gettext PO for reviewers: one entry per segment, `msgctxt` = `<note>#<segment id>` (unique),
 * `msgid` = the protected source with its `⟦n⟧` tokens, a `#.` comment explaining every token,
 * `#:` the source location, `#|` the previous source of a changed segment, `#, fuzzy` for
 * segments that need review.
 *
 * Written in msgcat's canonical layout (field order, escapes, 79-column wrapping), so gettext
 * tools leave an exported file unchanged. Pure: text in, text out.
 */

import {type Token, UserError} from '../types.js'
import {describeToken, type ImportedUnit, type ReviewUnit} from './unit.js'

export interface PoOptions {
  sourceLocale: string
  targetLocale: string
  /** `PO-Revision-Date` (`2026-01-31 12:00+0000`); the caller owns the clock. */
  revisionDate?: string
  /** Column width for wrapping strings, as msgcat's `--width`; `false` writes each line whole. */
  wrap?: number | false
}

/** msgcat's default page width. */
const PAGE_WIDTH = 79

/** Serialise units as a PO file. */
export function toPo(units: readonly ReviewUnit[], options: PoOptions): string {
  const width = options.wrap ?? PAGE_WIDTH
  const header = [
    'Project-Id-Version: notes-l10n',
    `PO-Revision-Date: ${options.revisionDate ?? '1970-01-01 00:00+0000'}`,
    'Last-Translator: notes-l10n export',
    `Language-Team: ${options.targetLocale}`,
    `Language: ${options.targetLocale}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    `X-Source-Language: ${options.sourceLocale}`
  ]
    .map((field) => `${field}\n`)
    .join('')
  const entries = [[...field('msgid', '', width), ...field('msgstr', header, width)].join('\n')]
  for (const unit of units) entries.push(entry(unit, width).join('\n'))
  return `${entries.join('\n\n')}\n`
}

function entry(unit: ReviewUnit, width: number | false): string[] {
  const lines: string[] = []
  for (const comment of tokenComments(unit.tokens)) lines.push(`#. ${comment}`)
  if (unit.comment !== undefined) for (const line of unit.comment.split('\n')) lines.push(`#. ${line}`)
  lines.push(`#: ${reference(unit.note)}:${unit.line}`)
  // gettext drops the flag from an entry without a translation: there is nothing to be fuzzy.
  if ((unit.state === 'needs-review' || unit.state === 'stale') && unit.target !== undefined && unit.target !== '') {
    lines.push('#, fuzzy')
  }
  if (unit.previousSource !== undefined) {
    // msgcat wraps previous strings to the page width minus their `#| ` prefix.
    const previousWidth = width === false ? false : width - 3
    lines.push(...field('msgid', unit.previousSource, previousWidth).map((line) => `#| ${line}`))
  }
  lines.push(...field('msgctxt', `${unit.note}#${unit.id}`, width))
  lines.push(...field('msgid', unit.source, width))
  lines.push(...field('msgstr', unit.target ?? '', width))
  return lines
}

/**
 * One `#.` line per token, saying what it stands for and what to do with it. msgcat does not
 * wrap `#.` lines, so the canonical form is one comment per line however long.
 */
function tokenComments(tokens: readonly Token[]): string[] {
  if (tokens.length === 0) return []
  return [
    'Copy each ⟦n⟧ exactly once; keep text between ⟦n⟧ and ⟦/n⟧ inside them.',
    ...tokens.map((token) =>
      token.shape === 'pair'
        ? `⟦${token.n}⟧…⟦/${token.n}⟧ = ${describeToken(token)}: translate the text inside`
        : `⟦${token.n}⟧ = ${describeToken(token)}: copy unchanged`
    )
  ]
}

/** gettext ≥ 0.20 marks a file name with spaces by wrapping it in U+2068 … U+2069. */
function reference(note: string): string {
  return /\s/.test(note) ? `\u2068${note}\u2069` : note
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v'
}

function escapeString(text: string): string {
  return text.replace(/[\\"\n\t\r\u0007\b\f\v]/g, (character) => ESCAPES[character] ?? character)
}

/**
 * `keyword "value"` in msgcat's layout: on one line when it fits and has no line break before
 * its end; otherwise `keyword ""` followed by one quoted line per `\n`-ended part, each part
 * wrapped to the page width.
 */
function field(keyword: string, value: string, width: number | false): string[] {
  const parts = value.split(/(?<=\n)/).filter((part) => part !== '')
  const whole = `${keyword} "${escapeString(value)}"`
  if (parts.length <= 1 && (width === false || columns(whole) <= width)) return [whole]
  const lines = [`${keyword} ""`]
  for (const part of parts) {
    for (const piece of width === false ? [part] : wrap(part, width - 2)) lines.push(`"${escapeString(piece)}"`)
  }
  return lines
}

/** East Asian wide and full-width characters take two columns, as in libunistring. */
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u

function columns(text: string): number {
  let count = 0
  for (const character of text) count += WIDE.test(character) ? 2 : 1
  return count
}

/** Characters no line may start with (closing punctuation, small kana, iteration marks). */
const NO_BREAK_BEFORE =
  /[\s)\]}⟧）］｝〕〉》」』】〙〗、。，．：；！？・ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻ヽヾゝゞ…‥%,.:;!?]/u
/** Characters no line may end with (opening punctuation). */
const NO_BREAK_AFTER = /[([{⟦（［｛〔〈《「『【〘〖"'“‘]/u

/**
 * Break opportunities, a subset of Unicode line breaking (UAX #14) as libunistring applies it for
 * msgcat: after spaces; after `/` or `-` before a letter; after closing punctuation of class CL
 * (`}`, `⟧`, not `)` or `]`) before a letter or digit, so `⟦2⟧torn` may break after `⟦2⟧`; around
 * wide (CJK) characters, except before closing punctuation and after opening punctuation.
 */
function canBreak(before: string, after: string): boolean {
  if (NO_BREAK_BEFORE.test(after) || NO_BREAK_AFTER.test(before)) return false
  if (before === ' ') return true
  if ((before === '/' || before === '-') && /\p{L}/u.test(after)) return true
  if ((before === '}' || before === '⟧') && /[\p{L}\p{N}]/u.test(after)) return true
  return WIDE.test(before) || WIDE.test(after)
}

/** Split `text` into pieces whose escaped form fits in `width` columns, breaking where allowed. */
function wrap(text: string, width: number): string[] {
  const characters = [...text]
  const pieces: string[] = []
  let start = 0
  while (start < characters.length) {
    let used = 0
    let end = start
    let lastBreak = -1
    while (end < characters.length) {
      const character = characters[end] ?? ''
      const cost = columns(escapeString(character))
      if (used + cost > width && end > start) break
      used += cost
      end++
      if (end < characters.length && canBreak(character, characters[end] ?? '')) lastBreak = end
    }
    if (end < characters.length && lastBreak > start) end = lastBreak
    else if (end < characters.length) {
      // No break opportunity within the width: the word runs long, up to its next opportunity.
      while (end < characters.length && !canBreak(characters[end - 1] ?? '', characters[end] ?? '')) end++
    }
    pieces.push(characters.slice(start, end).join(''))
    start = end
  }
  return pieces
}

/** One parsed entry, before it becomes an imported unit. */
interface PoEntry {
  line: number
  context?: string
  id?: string
  translation?: string
  fuzzy: boolean
  obsolete: boolean
}

type Keyword = 'msgctxt' | 'msgid' | 'msgid_plural' | 'msgstr'

/**
 * Read the units of a PO file back, `msgstr` as protected text. The header entry and obsolete
 * (`#~`) entries are skipped. Syntax errors, plural entries and entries without our `msgctxt`
 * throw a UserError naming `file:line`.
 */
export function fromPo(text: string, file: string): {units: Array<ImportedUnit & {fuzzy: boolean}>; language?: string} {
  const fail = (line: number, received: string, expected: string): never => {
    throw new UserError(
      `${file}:${line}: ${received}, expected ${expected}; fix the PO file (msgfmt --check shows the same)`
    )
  }
  const entries: PoEntry[] = []
  let current: PoEntry | undefined
  let open: Keyword | undefined
  const fresh = (line: number): PoEntry => {
    current = {line, fuzzy: false, obsolete: false}
    entries.push(current)
    return current
  }
  for (const [index, raw] of text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .entries()) {
    const number = index + 1
    let line = raw.trim()
    // Obsolete entries (`#~ msgid …`) parse like live ones, then are dropped.
    const obsolete = line.startsWith('#~')
    if (obsolete) line = line.slice(2).trim()
    if (line === '') {
      open = undefined
      continue
    }
    if (line.startsWith('#')) {
      const entry = current === undefined || current.translation !== undefined ? fresh(number) : current
      if (
        /^#,/.test(line) &&
        line
          .slice(2)
          .split(',')
          .some((flag) => flag.trim() === 'fuzzy')
      )
        entry.fuzzy = true
      open = undefined
      continue
    }
    const keyword = /^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s*(".*)$/.exec(line)
    if (keyword !== null) {
      const name = keyword[1] ?? ''
      if (name === 'msgid_plural' || name.startsWith('msgstr[')) {
        fail(number, `a plural entry (${name})`, 'one msgid and one msgstr per segment')
      }
      const value = unquote(keyword[2] ?? '', number, fail)
      let entry: PoEntry = current === undefined || current.translation !== undefined ? fresh(number) : current
      if (name === 'msgctxt') {
        if (entry.context !== undefined || entry.id !== undefined) entry = fresh(number)
        entry.context = value
      } else if (name === 'msgid') {
        if (entry.id !== undefined) entry = fresh(number)
        entry.id = value
      } else {
        if (entry.id === undefined)
          fail(number, 'msgstr without a msgid before it', 'msgctxt, msgid, msgstr in this order')
        entry.translation = value
      }
      if (obsolete) entry.obsolete = true
      open = name as Keyword
      continue
    }
    if (line.startsWith('"')) {
      const entry = current
      if (entry === undefined || open === undefined) {
        return fail(number, 'a string continuation outside an entry', 'it right after msgctxt, msgid or msgstr')
      }
      const value = unquote(line, number, fail)
      if (open === 'msgctxt') entry.context = (entry.context ?? '') + value
      else if (open === 'msgid') entry.id = (entry.id ?? '') + value
      else if (open === 'msgstr') entry.translation = (entry.translation ?? '') + value
      continue
    }
    fail(
      number,
      `unexpected ${JSON.stringify(line.slice(0, 30))}`,
      'a comment, msgctxt, msgid, msgstr or a quoted string'
    )
  }
  const units: Array<ImportedUnit & {fuzzy: boolean}> = []
  let language: string | undefined
  for (const entry of entries) {
    if (entry.id === '' && entry.context === undefined && !entry.obsolete) {
      language ??= /^Language:[ \t]*(\S+)/m.exec(entry.translation ?? '')?.[1]
      continue
    }
    if (entry.obsolete) continue
    if (entry.id === undefined || entry.translation === undefined)
      fail(entry.line, 'an entry without msgid or msgstr', 'both')
    const context = entry.context ?? ''
    const hash = context.lastIndexOf('#')
    if (hash <= 0)
      fail(entry.line, `msgctxt ${JSON.stringify(context)}`, 'msgctxt "<note path>#<segment id>" as exported')
    const unit: ImportedUnit & {fuzzy: boolean} = {
      id: context.slice(hash + 1),
      note: context.slice(0, hash),
      fuzzy: entry.fuzzy
    }
    if (entry.translation !== '') unit.target = entry.translation
    if (entry.fuzzy) unit.draft = true
    units.push(unit)
  }
  return language === undefined ? {units} : {units, language}
}

const UNESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\u0007',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"'
}

/** The value of one quoted PO string (C escapes, including octal and hex). */
function unquote(
  quoted: string,
  line: number,
  fail: (line: number, received: string, expected: string) => never
): string {
  // Scanned, not matched with /^"((?:[^"\\]|\\.)*)"$/: that regex keeps a backtrack entry per
  // character and overflows on a multi-megabyte msgstr.
  const trimmed = quoted.trimEnd()
  let closed = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
  for (let index = 1; closed && index < trimmed.length - 1; index++) {
    const character = trimmed.charAt(index)
    // A backslash escapes the next character; escaping the closing quote leaves the string open.
    if (character === '\\') closed = ++index < trimmed.length - 1
    else if (character === '"') closed = false
  }
  if (!closed)
    return fail(line, `malformed string ${quoted.slice(0, 40)}`, 'a string in double quotes, with \\" for a quote')
  return trimmed
    .slice(1, -1)
    .replace(
      /\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g,
      (whole, octal: string | undefined, hex: string | undefined, other: string | undefined) => {
        if (octal !== undefined) return String.fromCharCode(Number.parseInt(octal, 8))
        if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16))
        const unescaped = UNESCAPES[other ?? '']
        if (unescaped === undefined) fail(line, `unknown escape ${whole}`, 'one of \\n \\t \\r \\" \\\\')
        return unescaped ?? ''
      }
    )
}
