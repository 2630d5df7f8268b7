/**
 * Rebase a reassembled note's link destinations (`links.rebase`), and carry its parse along.
 *
 * A translation written to `locales/es/guide/` needs `../img/a.png` where the source had
 * `img/a.png`. The rewrite only touches destination strings, which sit on one line and hold no
 * nodes, so every node of the parse keeps its place: what moves is every offset after a rewritten
 * destination (and the columns after it on its line), and the rewritten nodes' `url` (or raw
 * HTML `value`). {@link rewriteDestinations} applies exactly those changes to the parse the
 * safety net already made, instead of parsing the whole note a third time to read it back
 * (issue 19: the read-back re-parse was ~10 % of a first sync of link-heavy READMEs; bench/limits.md,
 * section 7). Where it could not promise the same result as a fresh parse — MDX (its expressions
 * carry estree positions), a destination that spans lines or ends in a backslash, raw HTML whose
 * value is not its bytes (inside a block quote or list) — it returns no parse and the caller parses
 * again. `test/pipeline/rewrite-destinations.test.ts` compares it with a fresh parse.
 */

import type {Nodes} from 'mdast'
import {decodeString} from 'micromark-util-decode-string'
import {htmlUrlRanges, htmlUrlValue} from './html-urls.js'
import type {Label, ParsedMarkdown, Range} from './parse.js'

/** The rewritten text, and its parse when it could be derived exactly from the old one. */
export interface RewrittenDestinations {
  text: string
  /** Equal to `parseMarkdown(text)`; undefined when the caller must parse (see the module comment). */
  parsed: ParsedMarkdown | undefined
}

/** One destination replaced: `[start, end)` of the old text became `value`. */
interface Edit extends Range {
  value: string
  /** A raw-HTML attribute (its node's `value` changes), not a Markdown destination (its `url` does). */
  html: boolean
}

/**
 * Apply `rewrite` to every link, image and definition destination, and to the URL attributes of
 * raw HTML. `parsed` is the parse of `text`; it is updated in place when it can be kept (its tree
 * is the caller's to give away), so use only the returned one.
 */
export function rewriteDestinations(
  text: string,
  parsed: ParsedMarkdown,
  rewrite: (url: string) => string,
  options: {
    mdx: boolean
    /** Destinations to leave as they are (a URL a human wrote for the target's own folder). */
    keep?: (range: Range, url: string) => boolean
  }
): RewrittenDestinations {
  const edits = destinationEdits(text, parsed, rewrite, options.keep ?? (() => false))
  if (edits.length === 0) return {text, parsed}
  let result = ''
  let cursor = 0
  for (const edit of edits) {
    result += text.slice(cursor, edit.start) + edit.value
    cursor = edit.end
  }
  result += text.slice(cursor)
  const kept =
    !options.mdx && edits.every((edit) => keepsParse(text, edit)) ? shift(parsed, text, result, edits) : false
  return {text: result, parsed: kept ? parsed : undefined}
}

/** The replacements `rewrite` asks for, in document order. */
function destinationEdits(
  text: string,
  parsed: ParsedMarkdown,
  rewrite: (url: string) => string,
  keep: (range: Range, url: string) => boolean
): Edit[] {
  const edits: Edit[] = []
  for (const range of parsed.destinations) {
    const raw = text.slice(range.start, range.end)
    // `[link](\(foo\))`: the rewrite sees the URL the escapes stand for, and gets them back.
    const escaped = BACKSLASH_ESCAPE.test(raw)
    const url = escaped ? raw.replace(BACKSLASH_ESCAPES, '$1') : raw
    if (keep(range, url)) continue
    const next = rewrite(url)
    if (next === url) continue
    const bracketed = text.charAt(range.start - 1) === '<'
    let value = bracketed ? next.replace(/[<>\n]/g, encodeURIComponent) : next.replace(/[\s()<>]/g, encodeURIComponent)
    if (escaped && !bracketed) value = next.replace(/[\s<>]/g, encodeURIComponent).replace(/[()\\]/g, '\\$&')
    edits.push({start: range.start, end: range.end, value, html: false})
  }
  for (const range of htmlDestinations(text, parsed.tree)) {
    const raw = text.slice(range.start, range.end)
    if (keep(range, raw)) continue
    const next = rewrite(raw)
    if (next !== raw) edits.push({start: range.start, end: range.end, value: htmlUrlValue(next), html: true})
  }
  return edits.sort((a, b) => a.start - b.start)
}

/**
 * Whether a fresh parse would see the edited text as the same nodes: the destination stays on one
 * line (no line numbers move), is not empty (`[a]()` has none) and still ends where it did (a
 * trailing backslash would escape the `)` or `>` after it).
 */
function keepsParse(text: string, edit: Edit): boolean {
  return (
    edit.end > edit.start &&
    edit.value !== '' &&
    !LINE_BREAK.test(text.slice(edit.start, edit.end)) &&
    !LINE_BREAK.test(edit.value) &&
    !edit.value.endsWith('\\')
  )
}

/**
 * Update `parsed` (of `before`) to describe `after`: new `url`s and HTML values, then every offset
 * and column. False when a node is not one this can update exactly (the caller parses instead).
 */
function shift(parsed: ParsedMarkdown, before: string, after: string, edits: readonly Edit[]): boolean {
  // Cumulative length change up to and including each edit, for a binary search by offset.
  const deltas: number[] = []
  let total = 0
  for (const edit of edits) {
    total += edit.value.length - (edit.end - edit.start)
    deltas.push(total)
  }
  /** The index of the first edit that ends after `offset`. */
  const firstAfter = (offset: number): number => {
    let low = 0
    let high = edits.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (edits[middle]!.end <= offset) low = middle + 1
      else high = middle
    }
    return low
  }
  /** The length change of the edits that end at or before `offset`. */
  const deltaAt = (offset: number): number => {
    const index = firstAfter(offset)
    return index === 0 ? 0 : deltas[index - 1]!
  }
  /** Whether `offset` lies strictly inside an edited range (no node may start or end there). */
  const insideEdit = (offset: number): boolean => {
    const edit = edits[firstAfter(offset)]
    return edit !== undefined && edit.start < offset
  }

  const nodes = allNodes(parsed)
  // Values first, while positions are still the old text's.
  for (const node of nodes) {
    if (!node.position) continue
    const from = node.position.start.offset
    const to = node.position.end.offset
    if (from === undefined || to === undefined) return false
    if (node.type === 'html') {
      if (!edits.some((edit) => edit.html && edit.start >= from && edit.end <= to)) continue
      // Inside a container the value leaves out the prefixes of its lines: not its bytes.
      if (before.slice(from, to) !== node.value) return false
      node.value = after.slice(from + deltaAt(from), to + deltaAt(to))
      continue
    }
    if (node.type !== 'link' && node.type !== 'image' && node.type !== 'definition') continue
    const children = parsed.labels.get(node)?.children ?? ('children' in node ? node.children : [])
    const own = edits.filter(
      (edit) =>
        !edit.html &&
        edit.start >= from &&
        edit.end <= to &&
        !children.some((child) => {
          const start = child.position?.start.offset
          const end = child.position?.end.offset
          return start !== undefined && end !== undefined && edit.start >= start && edit.end <= end
        })
    )
    if (own.length > 1) return false
    if (own.length === 1) node.url = decodeString(own[0]!.value)
  }

  const shifted = new Set<object>()
  const movePoint = (point: {line: number; column: number; offset?: number | undefined}): boolean => {
    if (shifted.has(point)) return true
    shifted.add(point)
    const offset = point.offset
    if (offset === undefined || insideEdit(offset)) return false
    const delta = deltaAt(offset)
    // Only the edits on the point's own line move its column (edits hold no line break).
    point.column += delta - deltaAt(offset - (point.column - 1))
    point.offset = offset + delta
    return true
  }
  for (const node of nodes) {
    if (!node.position) continue
    if (!movePoint(node.position.start) || !movePoint(node.position.end)) return false
  }
  const editAt = new Map(edits.map((edit) => [edit.start, edit]))
  const moveRange = (range: Range): void => {
    const start = range.start + deltaAt(range.start)
    // An edited destination ends where its new value does.
    const edited = editAt.get(range.start)
    range.end = edited?.end === range.end ? start + edited.value.length : range.end + deltaAt(range.end)
    range.start = start
  }
  const labels = new Set<Label>()
  for (const node of nodes) {
    const label = parsed.labels.get(node)
    if (label && !labels.has(label)) {
      labels.add(label)
      if (insideEdit(label.start) || insideEdit(label.end)) return false
      moveRange(label)
    }
  }
  for (const range of [...parsed.resourceTitles, ...parsed.definitionTitles, ...parsed.destinations]) moveRange(range)
  const contentStart = new Map<number, number>()
  for (const [line, content] of parsed.contentStart) contentStart.set(line + deltaAt(line), content + deltaAt(content))
  parsed.contentStart = contentStart
  return true
}

/** Every node of the tree and of the labels' children (an image's alt is parsed but not in the tree). */
function allNodes(parsed: ParsedMarkdown): Nodes[] {
  const found: Nodes[] = []
  const seen = new Set<Nodes>()
  const visit = (node: Nodes): void => {
    if (seen.has(node)) return
    seen.add(node)
    found.push(node)
    if ('children' in node) for (const child of node.children) visit(child)
    const label = parsed.labels.get(node)
    if (label) for (const child of label.children) visit(child)
  }
  visit(parsed.tree)
  return found
}

/** The URL ranges inside raw-HTML nodes, as offsets into `text`. */
function htmlDestinations(text: string, tree: ParsedMarkdown['tree']): Range[] {
  const ranges: Range[] = []
  const visit = (node: Nodes): void => {
    if (node.type === 'html' && node.position?.start.offset !== undefined && node.position.end.offset !== undefined) {
      const from = node.position.start.offset
      for (const range of htmlUrlRanges(text.slice(from, node.position.end.offset)))
        ranges.push({start: from + range.start, end: from + range.end})
      return
    }
    if ('children' in node) for (const child of node.children) visit(child)
  }
  visit(tree)
  return ranges
}

const LINE_BREAK = /[\r\n]/
const BACKSLASH_ESCAPE = /\\[!-/:-@[-`{-~]/
const BACKSLASH_ESCAPES = /\\([!-/:-@[-`{-~])/g
