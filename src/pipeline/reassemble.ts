/**
 * Translations → the target file: splice by offset, never re-serialise (docs/decisions.md §2).
 *
 * Every byte outside a changed segment is the source's. A changed segment gets its container
 * prefixes and line endings back (`containers.ts`); its text was already made safe where it
 * lands by `restore`. A final safety net re-parses the result and compares its shape with the
 * source's: segments that changed the shape are rejected (found by bisection when several
 * changed) and left as source text, never written (docs/decisions.md traps 6, 7, 2).
 */

import type {Nodes} from 'mdast'
import {parseDocument} from 'yaml'
import type {AnalysedNote, SegmentLayout} from './analyse.js'
import {toPhysical} from './containers.js'
import {singleLine} from './escape.js'
import {type FrontmatterScalar, patchFrontmatter, renderValue, withLineFeeds} from './frontmatter.js'
import {tokenUrls} from './html-urls.js'
import {MdxSyntaxError, type ParsedMarkdown, parseMarkdown} from './parse.js'
import {rewriteDestinations} from './rewrite-destinations.js'
import {type Shape, shapeDifference, shapeKey, treeShape} from './shape.js'

/** Front-matter changes besides translated keys. */
export interface FrontmatterEdit {
  /** Keys to set: existing keys keep their position, new keys are appended. */
  set?: Readonly<Record<string, FrontmatterScalar>>
  /** Keys to remove (with their line). */
  drop?: readonly string[]
  /** Raw YAML lines to append (keys a human added to the existing translation), ending in a line break. */
  append?: string
}

export interface ReassembleOptions {
  /** Applied after translated keys. */
  frontmatter?: FrontmatterEdit
  /** Rewrites link, image and definition destinations (relative-link rebasing); identity when absent. */
  rewriteUrl?: (url: string) => string
  /**
   * Ids of segments whose translation a human wrote. Human edits win: a translator who wrote
   * `**x**` as plain text or dropped a link wrote what they meant, so the safety net leaves the
   * inline markup *inside* those segments out of the comparison (the rest of the document, and
   * the block structure around them, must still keep the source's shape). `check` and `sync`
   * report the markup such a segment lacks, as a warning.
   */
  human?: ReadonlySet<string>
}

export interface Reassembled {
  /** The whole file: the source's BOM and line endings. */
  text: string
  /** Segment id → one-line reason, for translations that were not used. */
  rejected: Map<string, string>
  /**
   * The parse of `text` (BOM removed), when reassembly had to make one anyway (its safety net, or
   * finding destinations to rewrite). Hand it to `analyseNote` (`AnalyseOptions.parsed`) to read
   * the output's segments back without parsing it again; undefined when nothing was parsed.
   */
  parsed?: ParsedMarkdown
}

/** One replacement of source bytes, carrying the segments it writes. */
interface Change {
  ids: string[]
  start: number
  end: number
  value: string
}

/**
 * Splice `translations` (segment id → logical Markdown, i.e. restored) into the note.
 *
 * Segments without a translation, or whose translation equals their own Markdown, keep their
 * source bytes. The caller must not write a note that has rejections (retry or fail them).
 */
export function reassemble(
  note: AnalysedNote,
  translations: ReadonlyMap<string, string>,
  options?: ReassembleOptions
): Reassembled {
  const text = note.source.text
  const rejected = new Map<string, string>()
  const changes = collectChanges(note, translations, rejected)

  const frontmatterValues = new Map<string, string>()
  for (const segment of note.segments) {
    if (segment.kind !== 'frontmatter' || !segment.key) continue
    const translation = translations.get(segment.id)
    if (translation !== undefined && translation !== segment.markdown) frontmatterValues.set(segment.key, translation)
  }
  const head = frontmatterChange(note, frontmatterValues, options?.frontmatter, rejected)

  const compose = (accepted: readonly Change[]): string => splice(text, head ? [head, ...accepted] : accepted)
  const lenient = options?.human?.size
    ? changes.filter((change) => change.ids.every((id) => options.human!.has(id)))
    : []
  const net = new SafetyNet(note, compose, lenient, head)
  const bad = net.culprits(changes, [])
  const accepted = changes.filter((change) => !bad.has(change))
  for (const [change, reason] of bad) for (const id of change.ids) rejected.set(id, reason)

  let result = compose(accepted)
  let parsed = net.parsedFor(result)
  if (options?.rewriteUrl) {
    const rewritten = rewriteDestinations(
      result,
      parsed ?? parseMarkdown(result, {mdx: note.source.mdx}),
      options.rewriteUrl,
      {mdx: note.source.mdx === true, keep: humanUrls(note, lenient, head ? [head, ...accepted] : accepted)}
    )
    result = rewritten.text
    parsed = rewritten.parsed
  }
  return {text: (note.source.bom ? '\uFEFF' : '') + result, rejected, ...(parsed ? {parsed} : {})}
}

/** The replacements for every changed segment (titles inside a changed segment ride along). */
function collectChanges(
  note: AnalysedNote,
  translations: ReadonlyMap<string, string>,
  rejected: Map<string, string>
): Change[] {
  const eol = note.source.eol
  const byId = new Map<string, {markdown: string; ids: string[]}>()
  const order: string[] = []
  const nested: Array<{id: string; translation: string; layout: SegmentLayout; markdown: string}> = []

  for (const segment of note.segments) {
    if (segment.kind === 'frontmatter') continue
    const translation = translations.get(segment.id)
    if (translation === undefined || translation === segment.markdown) continue
    const layout = note.layouts.get(segment.id)
    if (!layout) continue
    if (layout.within) {
      nested.push({id: segment.id, translation, layout, markdown: segment.markdown})
      continue
    }
    byId.set(segment.id, {markdown: oneLine(translation, layout), ids: [segment.id]})
    order.push(segment.id)
  }

  const titles: Array<{id: string; translation: string; layout: SegmentLayout}> = []
  for (const title of nested) {
    const within = title.layout.within!
    const parent = byId.get(within.id)
    if (!parent) {
      titles.push(title)
      continue
    }
    // The title sits inside the parent's link token, which the parent's translation carries verbatim.
    const close = within.token.close
    const at = parent.markdown.indexOf(close)
    if (at === -1 || parent.markdown.indexOf(close, at + 1) !== -1) {
      rejected.set(title.id, 'its link could not be found exactly once in the translated text around it')
      continue
    }
    const start = at + within.offset
    parent.markdown = parent.markdown.slice(0, start) + title.translation + parent.markdown.slice(start + within.length)
    parent.ids.push(title.id)
  }

  const changes: Change[] = []
  for (const segment of note.segments) {
    const entry = byId.get(segment.id)
    const layout = note.layouts.get(segment.id)
    if (entry && layout) {
      changes.push({
        ids: entry.ids,
        start: segment.start,
        end: segment.end,
        value: toPhysical(entry.markdown, layout, eol)
      })
    }
  }
  for (const title of titles) {
    const segment = note.segments.find((candidate) => candidate.id === title.id)!
    changes.push({
      ids: [title.id],
      start: segment.start,
      end: segment.end,
      value: toPhysical(oneLine(title.translation, title.layout), title.layout, eol)
    })
  }
  return changes.sort((a, b) => a.start - b.start)
}

/** Single-line places (ATX headings, cells) cannot take a line break, whoever wrote the text. */
function oneLine(markdown: string, layout: SegmentLayout): string {
  return singleLine.has(layout.context) ? markdown.replace(/[ \t]*\n[ \t]*/g, ' ') : markdown
}

/** The front-matter replacement, or undefined when nothing in it changes. */
function frontmatterChange(
  note: AnalysedNote,
  translated: ReadonlyMap<string, string>,
  edit: FrontmatterEdit | undefined,
  rejected: Map<string, string>
): Change | undefined {
  const set = edit?.set ?? {}
  const drop = edit?.drop ?? []
  const append = edit?.append ?? ''
  if (translated.size === 0 && Object.keys(set).length === 0 && drop.length === 0 && append === '') return undefined
  const frontmatter = note.frontmatter
  const eol = note.source.eol
  if (!frontmatter) {
    const entries = Object.entries(set)
    if (entries.length === 0 && append === '') return undefined
    const yaml = entries.map(([key, value]) => `${key}: ${renderValue(value)}${eol}`).join('') + append
    return {ids: [], start: 0, end: 0, value: `---${eol}${yaml}---${eol}`}
  }
  let yaml = patchFrontmatter(frontmatter, note.file, {translated, set, drop, append})
  // A patched value must read back as exactly what was meant (Q24), by a YAML 1.2 reader and, when
  // the source's front-matter is valid YAML 1.1, by a 1.1 reader (Jekyll, PyYAML) too; otherwise
  // keep the source's.
  const readers = [readBack(yaml, '1.2')]
  if (parseDocument(withLineFeeds(frontmatter.yaml), {version: '1.1', uniqueKeys: true}).errors.length === 0)
    readers.push(readBack(yaml, '1.1'))
  const bad = [...translated].filter(([key, value]) =>
    readers.some(
      (values) => !(values && typeof values === 'object' && (values as Record<string, unknown>)[key] === value)
    )
  )
  if (bad.length > 0) {
    for (const segment of note.segments) {
      if (segment.key && bad.some(([key]) => key === segment.key)) {
        rejected.set(segment.id, 'the translated front-matter value does not read back as the same YAML string')
      }
    }
    const kept = new Map([...translated].filter(([key]) => !bad.some(([other]) => other === key)))
    yaml = patchFrontmatter(frontmatter, note.file, {translated: kept, set, drop, append})
  }
  return {ids: [], start: frontmatter.contentStart, end: frontmatter.contentEnd, value: yaml}
}

/** The front-matter as a reader of YAML `version` sees it (undefined when it cannot read it). */
function readBack(yaml: string, version: '1.1' | '1.2'): unknown {
  const document = parseDocument(withLineFeeds(yaml), {version, uniqueKeys: true})
  return document.errors.length === 0 ? document.toJS() : undefined
}

/** Replace non-overlapping ranges of `text` (sorted by start). */
function splice(text: string, changes: readonly Change[]): string {
  let result = ''
  let cursor = 0
  for (const change of [...changes].sort((a, b) => a.start - b.start)) {
    result += text.slice(cursor, change.start) + change.value
    cursor = change.end
  }
  return result + text.slice(cursor)
}

/** Re-parses candidates and finds the changes that alter the document's shape. */
class SafetyNet {
  /** The last text checked and its parse. */
  private last: {text: string; parsed: ParsedMarkdown} | undefined
  /** The source's shape (without the inline markup of human segments), made on the first check. */
  private sourceShape: Shape | undefined
  /** {@link shapeKey} of {@link sourceShape}. */
  private sourceKey: string | undefined

  constructor(
    private readonly note: AnalysedNote,
    private readonly compose: (changes: readonly Change[]) => string,
    /** Changes written by a human: the inline markup inside them is not compared. */
    private readonly lenient: readonly Change[] = [],
    /** The front-matter change, applied with every candidate set. */
    private readonly head?: Change
  ) {}

  /**
   * The changes among `candidates` that break the shape when applied together with `accepted`:
   * all at once first; when that fails, halves, recursively.
   */
  culprits(candidates: readonly Change[], accepted: readonly Change[]): Map<Change, string> {
    const found = new Map<Change, string>()
    if (candidates.length === 0) return found
    const problem = this.check([...accepted, ...candidates])
    if (problem === undefined) return found
    if (candidates.length === 1) {
      found.set(candidates[0]!, `changes the document structure (${problem})`)
      return found
    }
    const middle = candidates.length >> 1
    const left = candidates.slice(0, middle)
    const right = candidates.slice(middle)
    const badLeft = this.culprits(left, accepted)
    const goodLeft = left.filter((change) => !badLeft.has(change))
    const badRight = this.culprits(right, [...accepted, ...goodLeft])
    return new Map([...badLeft, ...badRight])
  }

  /** The parse of a text this net already checked, if any. */
  parsedFor(text: string): ParsedMarkdown | undefined {
    return this.last?.text === text ? this.last.parsed : undefined
  }

  /** Undefined when the composed text has the source's shape, else the first difference. */
  private check(changes: readonly Change[]): string | undefined {
    const text = this.compose(changes)
    let parsed: ParsedMarkdown
    try {
      parsed = parseMarkdown(text, {mdx: this.note.source.mdx})
    } catch (error) {
      // A translation that breaks MDX syntax changes the shape as surely as one that breaks Markdown.
      if (error instanceof MdxSyntaxError) return error.message
      throw error
    }
    this.last = {text, parsed}
    const shape = treeShape(parsed.tree, {
      proseAttributes: this.note.proseAttributes,
      ...(this.lenient.length > 0
        ? {skip: inside(humanRanges(this.lenient, this.head ? [this.head, ...changes] : changes))}
        : {})
    })
    this.sourceShape ??=
      this.lenient.length > 0
        ? treeShape(this.note.tree, {
            proseAttributes: this.note.proseAttributes,
            skip: inside(this.lenient.map((change) => ({start: change.start, end: change.end})))
          })
        : this.note.shape
    this.sourceKey ??= shapeKey(this.sourceShape)
    return this.sourceKey === shapeKey(shape) ? undefined : shapeDifference(this.sourceShape, shape)
  }
}

/**
 * Which destinations of the composed text a human wrote for the target's own folder: inside a
 * human segment, a URL that is none of the source segment's. Text read from a target comes back
 * in the source's URL space only for the source's own URLs (`project/url-space.ts`); any other
 * was written where the target is, and rebasing it again would move it one folder further on
 * every run.
 */
function humanUrls(
  note: AnalysedNote,
  human: readonly Change[],
  applied: readonly Change[]
): ((range: {start: number; end: number}, url: string) => boolean) | undefined {
  const written = human.filter((change) => applied.includes(change))
  if (written.length === 0) return undefined
  const ranges = humanRanges(written, applied)
  const byId = new Map(note.segments.map((segment) => [segment.id, segment]))
  const sourceUrls = written.map(
    (change) =>
      new Set(
        change.ids.flatMap((id) => byId.get(id)?.tokens.flatMap((token) => tokenUrls(token).map(({url}) => url)) ?? [])
      )
  )
  return (range, url) =>
    ranges.some((human, index) => range.start >= human.start && range.end <= human.end && !sourceUrls[index]!.has(url))
}

/**
 * Where the human changes' text lies in the text composed from `applied` (the head change and
 * the accepted ones): a human change that is applied spans its new value; one that is not (being
 * bisected away) spans its source bytes, shifted by the applied changes before it.
 */
function humanRanges(human: readonly Change[], applied: readonly Change[]): Array<{start: number; end: number}> {
  const sorted = [...applied].sort((a, b) => a.start - b.start)
  const shift = (offset: number): number => {
    let delta = 0
    for (const change of sorted) {
      if (change.end > offset) break
      delta += change.value.length - (change.end - change.start)
    }
    return offset + delta
  }
  return human.map((change) => {
    const start = shift(change.start)
    return {start, end: applied.includes(change) ? start + change.value.length : shift(change.end)}
  })
}

/** A {@link treeShape} `skip` for the inline nodes that lie within one of `ranges`. */
function inside(ranges: ReadonlyArray<{start: number; end: number}>): (node: Nodes) => boolean {
  return (node) => {
    const start = node.position?.start.offset
    const end = node.position?.end.offset
    if (start === undefined || end === undefined) return false
    return ranges.some((range) => start >= range.start && end <= range.end)
  }
}
