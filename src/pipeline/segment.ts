/**
 * mdast → the places that hold prose (docs/decisions.md §1): paragraphs, headings, table cells,
 * image alt text, link and definition titles. Never code, HTML, math, front-matter (handled by
 * `frontmatter.ts`), URLs or labels.
 *
 * This module only finds and locates; protecting and identifying is `analyse.ts`'s job.
 */

import type {Definition, Heading, ListItem, Nodes, Paragraph, PhrasingContent, Root, TableCell} from 'mdast'
import type {SegmentKind} from '../types.js'
import type {Context} from './escape.js'
import type {ParsedMarkdown, Range} from './parse.js'

/** A place in the source that holds prose. */
export interface SegmentDraft extends Range {
  kind: Exclude<SegmentKind, 'frontmatter'>
  context: Context
  /** Phrasing content to protect; absent for titles (plain strings). */
  children?: readonly PhrasingContent[]
  /** Closing delimiter of a title. */
  quote?: string
  /** For a title of a link or image inside another draft: that draft and the link/image node. */
  within?: {draft: SegmentDraft; node: Nodes}
}

type Handler = (walk: Walk, node: Nodes) => void

interface Walk {
  text: string
  /** Paragraphs that start with a task-list marker (`[x] `), and where their prose starts. */
  taskStart: Map<Nodes, number>
  parsed: ParsedMarkdown
  drafts: SegmentDraft[]
  /** MDX: names of string attributes of block JSX elements that hold prose (`title`, `alt`). */
  attributes: ReadonlySet<string>
  visit(node: Nodes): void
}

/** Block node type → where its prose is. Types not listed hold no prose (code, html, math…). */
const handlers: Record<string, Handler> = {
  root: container,
  blockquote: container,
  list: container,
  listItem,
  footnoteDefinition: container,
  table: container,
  tableRow: container,
  paragraph,
  heading,
  tableCell,
  definition,
  // MDX: a block JSX element holds Markdown (paragraphs, lists) to translate, and maybe prose
  // attributes; ESM and `{expressions}` hold none (no handler: kept byte for byte).
  mdxJsxFlowElement: jsxFlowElement,
  // Directives (`:::tip[Title]` … `:::`): the label is prose, the name and attributes are not.
  containerDirective: directive,
  leafDirective: directive
}

/** Find every prose place in `tree`, in document order (titles after their containing draft). */
export function collectDrafts(
  tree: Root,
  parsed: ParsedMarkdown,
  text: string,
  attributes: readonly string[] = []
): SegmentDraft[] {
  const walk: Walk = {
    text,
    parsed,
    attributes: new Set(attributes),
    taskStart: new Map(),
    drafts: [],
    visit(node) {
      handlers[node.type]?.(walk, node)
    }
  }
  walk.visit(tree)
  return walk.drafts
}

function container(walk: Walk, node: Nodes): void {
  if ('children' in node) for (const child of node.children as Nodes[]) walk.visit(child)
}

/**
 * A block JSX element: its configured prose attributes (`title="…"`, plain quoted strings on one
 * line; never `{expressions}`), then its children. Attributes of inline elements sit inside
 * their paragraph's tag token and are kept as written.
 */
function jsxFlowElement(walk: Walk, node: Nodes): void {
  const attributes = 'attributes' in node && Array.isArray(node.attributes) ? (node.attributes as unknown[]) : []
  for (const attribute of attributes) {
    const draft = attributeDraft(walk, attribute)
    if (draft) walk.drafts.push(draft)
  }
  container(walk, node)
}

function directive(walk: Walk, node: Nodes): void {
  if (node.type === 'leafDirective') {
    labelDraft(walk, node.children)
    return
  }
  for (const child of (node as {children: Nodes[]}).children) {
    const data = child.data as {directiveLabel?: boolean} | undefined
    if (child.type === 'paragraph' && data?.directiveLabel) labelDraft(walk, child.children)
    else walk.visit(child)
  }
}

/** A directive's label: the text between its brackets. */
function labelDraft(walk: Walk, children: readonly PhrasingContent[]): void {
  const first = children[0]?.position?.start.offset
  const last = children[children.length - 1]?.position?.end.offset
  if (first === undefined || last === undefined || last <= first) return
  phrasing(walk, {kind: 'paragraph', context: 'alt', start: first, end: last, children})
}

function attributeDraft(walk: Walk, attribute: unknown): SegmentDraft | undefined {
  const {type, name, value, position} = attribute as {
    type?: string
    name?: string
    value?: unknown
    position?: {start: {offset?: number}; end: {offset?: number}}
  }
  if (type !== 'mdxJsxAttribute' || typeof value !== 'string' || !name || !walk.attributes.has(name)) return undefined
  const start = position?.start.offset
  const end = position?.end.offset
  if (start === undefined || end === undefined) return undefined
  const raw = walk.text.slice(start, end)
  const match = /^[^=]+=\s*(["'])/.exec(raw)
  if (!match || !raw.endsWith(match[1]!)) return undefined
  const range = {start: start + match[0].length, end: end - 1}
  if (range.end <= range.start || /[\r\n]/.test(walk.text.slice(range.start, range.end))) return undefined
  return {kind: 'jsxAttribute', context: 'plain', ...range, quote: match[1]!}
}

function listItem(walk: Walk, node: Nodes): void {
  const first = (node as ListItem).children[0]
  if (typeof (node as ListItem).checked === 'boolean' && first?.type === 'paragraph') {
    // The GFM transform moves the paragraph's start past `[x] ` only when a text node follows.
    const start = rangeOf(first).start
    const marker = /^\[[ xX]\][ \t]+/.exec(walk.text.slice(start, start + 16))
    const moved = /\[[ xX]\][ \t]+$/.test(walk.text.slice(Math.max(0, start - 8), start))
    if (marker && !moved) walk.taskStart.set(first, start + marker[0].length)
  }
  container(walk, node)
}

function paragraph(walk: Walk, node: Nodes): void {
  const range = rangeOf(node)
  const start = walk.taskStart.get(node) ?? range.start
  const end = range.end
  const children = (node as Paragraph).children
  const only = children.length === 1 ? children[0] : undefined
  if (only?.type === 'imageReference' && only.referenceType !== 'full') {
    // Its label is its alt text: translating it needs the `![texto][label]` rewrite, which the
    // image's pair token does (trap 1), so the segment is the whole image.
    phrasing(walk, {kind: 'imageAlt', context: 'paragraph', start, end, children})
    return
  }
  if (only && (only.type === 'image' || only.type === 'imageReference')) {
    // Nothing to translate around a lone image: its alt text is the segment (and its title).
    const label = walk.parsed.labels.get(only)
    if (label) {
      const draft: SegmentDraft = {
        kind: 'imageAlt',
        context: 'alt',
        start: label.start,
        end: label.end,
        children: label.children
      }
      walk.drafts.push(draft)
      titles(walk, draft, label.children)
    }
    ownTitle(walk, undefined, only)
    return
  }
  phrasing(walk, {kind: 'paragraph', context: 'paragraph', start, end, children})
}

function heading(walk: Walk, node: Nodes): void {
  const children = (node as Heading).children
  if (children.length === 0) return
  const atx = walk.text.charAt(rangeOf(node).start) === '#'
  const range = innerRange(walk.text, node, children, atx ? 'atx' : 'setext')
  if (range.end <= range.start) return
  phrasing(walk, {kind: 'heading', context: atx ? 'atx' : 'paragraph', ...range, children})
}

function tableCell(walk: Walk, node: Nodes): void {
  const children = (node as TableCell).children
  if (children.length === 0) return
  const range = innerRange(walk.text, node, children, 'cell')
  if (range.end <= range.start) return
  phrasing(walk, {kind: 'tableCell', context: 'cell', ...range, children})
}

function definition(walk: Walk, node: Nodes): void {
  if (!(node as Definition).title) return
  const {start, end} = rangeOf(node)
  const title = lastWithin(walk.parsed.definitionTitles, start, end)
  if (title) walk.drafts.push({kind: 'definitionTitle', context: 'title', ...title, quote: quoteOf(walk.text, title)})
}

function phrasing(walk: Walk, draft: SegmentDraft): void {
  walk.drafts.push(draft)
  titles(walk, draft, draft.children ?? [])
}

/** Title drafts for links and images (with a title) among `nodes` and their descendants. */
function titles(walk: Walk, within: SegmentDraft | undefined, nodes: readonly PhrasingContent[]): void {
  for (const node of nodes) {
    ownTitle(walk, within, node)
    if (node.type === 'image' || node.type === 'imageReference') {
      titles(walk, within, walk.parsed.labels.get(node)?.children ?? [])
    } else if ('children' in node) {
      titles(walk, within, node.children)
    }
  }
}

function ownTitle(walk: Walk, within: SegmentDraft | undefined, node: PhrasingContent): void {
  if ((node.type !== 'link' && node.type !== 'image') || !node.title || !node.position) return
  const {start, end} = rangeOf(node)
  const title = lastWithin(walk.parsed.resourceTitles, start, end)
  if (!title) return
  const draft: SegmentDraft = {kind: 'linkTitle', context: 'title', ...title, quote: quoteOf(walk.text, title)}
  if (within && title.start >= within.start && title.end <= within.end) draft.within = {draft: within, node}
  walk.drafts.push(draft)
}

/** The last range inside `[start, end)`: a node's own title comes after any nested one. */
function lastWithin(ranges: readonly Range[], start: number, end: number): Range | undefined {
  let found: Range | undefined
  for (const range of ranges) {
    if (range.start >= start && range.end <= end) found = range
    if (range.start >= end) break
  }
  return found && found.end > found.start ? found : undefined
}

function quoteOf(text: string, title: Range): string {
  const opener = text.charAt(title.start - 1)
  return opener === '(' ? ')' : opener
}

function rangeOf(node: Nodes): Range {
  return {start: node.position?.start.offset ?? 0, end: node.position?.end.offset ?? 0}
}

/**
 * The content range of a heading or cell: from its first to its last child, or — when an edge
 * child has no position (GFM autolink transform) — by skipping the construct's own syntax.
 */
function innerRange(
  text: string,
  node: Nodes,
  children: readonly PhrasingContent[],
  kind: 'atx' | 'setext' | 'cell'
): Range {
  const outer = rangeOf(node)
  const first = children[0]?.position?.start.offset
  const last = children[children.length - 1]?.position?.end.offset
  let start = first ?? outer.start
  let end = last ?? outer.end
  if (first === undefined) {
    if (kind === 'atx') start = skip(text, skip(text, outer.start, /#/), /[ \t]/)
    if (kind === 'cell') start = skip(text, skip(text, outer.start, /\|/), /[ \t]/)
  }
  if (last === undefined) {
    if (kind === 'setext') end = text.lastIndexOf('\n', outer.end - 1)
    if (text.charAt(end - 1) === '\r') end--
    if (kind === 'cell') end = skipBack(text, skipBack(text, end, /\|/), /[ \t]/)
    if (kind === 'atx') {
      const trimmed = skipBack(text, end, /[ \t]/)
      const closing = skipBack(text, trimmed, /#/)
      end = closing < trimmed && /[ \t]/.test(text.charAt(closing - 1)) ? skipBack(text, closing, /[ \t]/) : trimmed
    }
    if (kind === 'setext') end = skipBack(text, end, /[ \t]/)
  }
  return {start, end: Math.max(start, end)}
}

function skip(text: string, from: number, pattern: RegExp): number {
  let index = from
  while (index < text.length && pattern.test(text.charAt(index))) index++
  return index
}

function skipBack(text: string, from: number, pattern: RegExp): number {
  let index = from
  while (index > 0 && pattern.test(text.charAt(index - 1))) index--
  return index
}
