/**
 * Phrasing content → protected text + tokens (`restore.ts` is the way back).
 *
 * Everything a translator must not touch becomes an atom `⟦n⟧`; markup around translatable text
 * becomes a pair `⟦n⟧…⟦/n⟧` (docs/decisions.md §4, docs/architecture.md "Placeholder tokens").
 * Tokens hold the exact logical source text they replace, so `restore(protect(x)) === x`.
 *
 * Each result carries its `Placement`: what `restore` needs to make a *changed* translation safe
 * where the segment lands. It is plain data the caller keeps (the analysed note keeps it on the
 * segment's layout) and hands back to `restore`; nothing is remembered here.
 */

import type {Nodes, PhrasingContent} from 'mdast'
import {toString as visibleText} from 'mdast-util-to-string'
import type {Token} from '../types.js'
import {type Context, characterReference, isAsciiPunctuation} from './escape.js'
import type {Label} from './parse.js'

/** Ranges of a text run that must be kept verbatim (glossary keep-terms). */
export type Shield = (text: string) => ReadonlyArray<{start: number; end: number}>

/** Protected text, its tokens, and where it lands (for `restore`). */
export interface Protected {
  text: string
  tokens: Token[]
  placement: Placement
}

/** What protecting a segment's phrasing needs to know about the note. */
export interface PhrasingSource {
  /** Logical Markdown of the segment. */
  markdown: string
  /** Source offset → offset into `markdown`. */
  toLogical(offset: number): number
  labels: WeakMap<Nodes, Label>
  /** Definition identifier → URL, for the `url` of reference tokens. */
  definitions: ReadonlyMap<string, string>
  shield?: Shield | undefined
}

/** Per-token knowledge restore needs beyond the `Token` contract. */
export type Extra =
  /** A shortcut/collapsed reference: its label is its text (docs/decisions.md trap 1). */
  | {label: string}
  /** A GFM literal autolink: its neighbours decide its extent (docs/decisions.md trap 2). */
  | {literal: {before: string; after: string; bracketed: string}}

/** Where a protected text lands in the source syntax: what `restore` needs beyond the tokens. */
export interface Placement {
  context: Context
  /** The protected source text (changed lines are found by comparing with it). */
  source: string
  /** Closing delimiter of a title (`"`, `'`, `)`). */
  quote?: string | undefined
  extras: ReadonlyMap<number, Extra>
}

/**
 * Protect a segment's phrasing content.
 *
 * @param nodes the phrasing children (positions are source offsets)
 * @param start logical offset where the content starts (usually 0)
 * @param end logical offset where it ends (usually `markdown.length`)
 * @returns the protected text, its tokens, its placement, and which pair token each link/image node became
 */
export function protectPhrasing(
  nodes: readonly PhrasingContent[],
  source: PhrasingSource,
  context: Context,
  range: {start: number; end: number} = {start: 0, end: source.markdown.length}
): Protected & {pairs: Map<Nodes, number>} {
  const builder = new Builder(source.markdown, source.shield)
  const walker = new Walker(builder, source)
  walker.sequence(nodes, range.start, range.end)
  const placement: Placement = {context, source: builder.text, extras: builder.extras}
  return {text: builder.text, tokens: builder.tokens, placement, pairs: walker.pairs}
}

/**
 * Protect a plain string (a front-matter value or a title): only literal `⟦`/`⟧` and shielded
 * terms become atoms; in titles, character references too.
 */
export function protectPlain(
  value: string,
  context: 'plain' | 'title',
  options?: {shield?: Shield | undefined; quote?: string | undefined}
): Protected {
  const builder = new Builder(value, options?.shield, context === 'title')
  builder.literal(0, value.length)
  const placement: Placement = {context, source: builder.text, quote: options?.quote, extras: builder.extras}
  return {text: builder.text, tokens: builder.tokens, placement}
}

/** Accumulates protected text and tokens. */
class Builder {
  text = ''
  tokens: Token[] = []
  extras = new Map<number, Extra>()
  private next = 1

  constructor(
    private readonly markdown: string,
    private readonly shield: Shield | undefined,
    private readonly references = true
  ) {}

  /** A literal run of source text: translatable, except escapes, character references and terms. */
  literal(from: number, to: number): void {
    if (to <= from) return
    const run = this.markdown.slice(from, to)
    let cursor = 0
    for (const range of shieldRanges(this.shield, run)) {
      this.plain(from + cursor, from + range.start)
      this.atom('term', from + range.start, from + range.end)
      cursor = range.end
    }
    this.plain(from + cursor, to)
  }

  atom(kind: Token['kind'], from: number, to: number, url?: string): number {
    return this.token('atom', kind, from, to, url).n
  }

  open(kind: Token['kind'], from: number, to: number, url?: string): Token {
    return this.token('pair', kind, from, to, url)
  }

  close(token: Token, from: number, to: number): void {
    token.close = this.markdown.slice(from, to)
    this.text += `⟦/${token.n}⟧`
  }

  /** A new token for source `[from, to)`, written as `⟦n⟧` (an atom, or the open side of a pair). */
  private token(shape: Token['shape'], kind: Token['kind'], from: number, to: number, url: string | undefined): Token {
    const n = this.next++
    const token: Token = {n, shape, kind, open: this.markdown.slice(from, to), close: ''}
    if (url !== undefined) token.url = url
    this.tokens.push(token)
    this.text += `⟦${n}⟧`
    return token
  }

  private plain(from: number, to: number): void {
    const markdown = this.markdown
    let flushed = from
    let index = from
    while (index < to) {
      const character = markdown.charAt(index)
      if (this.references && character === '\\' && isAsciiPunctuation(markdown[index + 1]) && index + 1 < to) {
        index += 2
        continue
      }
      let length = 0
      let kind: Token['kind'] | undefined
      if (character === '⟦' || character === '⟧') {
        length = 1
        kind = 'escape'
      } else if (this.references && character === '&') {
        const match = characterReference.exec(markdown.slice(index, Math.min(to, index + 40)))
        if (match) {
          length = match[0].length
          kind = 'charref'
        }
      }
      if (kind) {
        this.text += markdown.slice(flushed, index)
        this.atom(kind, index, index + length)
        index += length
        flushed = index
      } else {
        index++
      }
    }
    this.text += markdown.slice(flushed, to)
  }
}

function shieldRanges(shield: Shield | undefined, run: string): Array<{start: number; end: number}> {
  if (!shield) return []
  const ranges: Array<{start: number; end: number}> = []
  let last = 0
  for (const range of [...shield(run)].sort((a, b) => a.start - b.start)) {
    // Overlapping or out-of-bounds ranges from a shield are dropped, never trusted.
    if (range.start < last || range.end <= range.start || range.end > run.length) continue
    ranges.push({start: range.start, end: range.end})
    last = range.end
  }
  return ranges
}

type Handler = (walker: Walker, node: PhrasingContent, start: number, end: number) => void

/** Node type → how it is protected. Unknown phrasing becomes an opaque atom. */
const handlers: Record<string, Handler> = {
  text(walker, _node, start, end) {
    walker.builder.literal(start, end)
  },
  emphasis: attention('emphasis'),
  strong: attention('strong'),
  delete: attention('delete'),
  inlineCode: atom('code'),
  inlineMath: atom('math'),
  html: atom('html'),
  break: atom('break'),
  footnoteReference: atom('footnote'),
  link: labelled,
  linkReference: labelled,
  image: labelled,
  imageReference: labelled,
  mdxJsxTextElement: jsxElement
}

function atom(kind: Token['kind']): Handler {
  return (walker, _node, start, end) => {
    walker.builder.atom(kind, start, end)
  }
}

/** Emphasis, strong, delete: the delimiter runs are the pair, the content stays translatable. */
function attention(kind: 'emphasis' | 'strong' | 'delete'): Handler {
  return (walker, node, start, end) => {
    const markdown = walker.source.markdown
    let width = kind === 'strong' ? 2 : 1
    if (kind === 'delete' && markdown.charAt(start + 1) === '~') width = 2
    const token = walker.builder.open(kind, start, start + width)
    walker.sequence('children' in node ? node.children : [], start + width, end - width)
    walker.builder.close(token, end - width, end)
  }
}

/** Links, images and their reference forms: the label content is translatable, the rest is not. */
function labelled(walker: Walker, node: PhrasingContent, start: number, end: number): void {
  const {markdown, labels, definitions} = walker.source
  const builder = walker.builder
  const url = 'url' in node ? node.url : 'identifier' in node ? definitions.get(node.identifier) : undefined
  const first = markdown.charAt(start)

  if (node.type === 'link' && first === '<') {
    builder.atom('autolink', start, end, url)
    return
  }
  if (node.type === 'link' && first !== '[') {
    literalAutolink(walker, node.url, start, end)
    return
  }

  const image = node.type === 'image' || node.type === 'imageReference'
  const label = labels.get(node)
  const labelStart = label ? walker.source.toLogical(label.start) : start + (image ? 2 : 1)
  const labelEnd = label ? walker.source.toLogical(label.end) : labelStart
  const children = image ? (label?.children ?? []) : 'children' in node ? node.children : []

  const token = builder.open(image ? 'image' : 'link', start, labelStart, url)
  walker.pairs.set(node, token.n)
  if ('referenceType' in node && node.referenceType !== 'full') {
    builder.extras.set(token.n, {label: markdown.slice(labelStart, labelEnd)})
  }
  walker.sequence(children, labelStart, labelEnd)
  builder.close(token, labelEnd, end)
}

/**
 * An inline JSX element (`<Badge color="red">new **and** shiny</Badge>`): the opening and
 * closing tags are a pair, the children between them stay translatable. A self-closing or empty
 * element, or one whose children the parser did not place, is one atom.
 */
function jsxElement(walker: Walker, node: PhrasingContent, start: number, end: number): void {
  const children = 'children' in node ? node.children : []
  const first = children[0]
  const last = children[children.length - 1]
  if (!first?.position || !last?.position) {
    walker.builder.atom('html', start, end)
    return
  }
  const contentStart = walker.start(first)
  const contentEnd = walker.end(last)
  const token = walker.builder.open('htmlPair', start, contentStart)
  walker.sequence(children, contentStart, contentEnd)
  walker.builder.close(token, contentEnd, end)
}

function literalAutolink(walker: Walker, url: string, start: number, end: number): void {
  const markdown = walker.source.markdown
  const value = markdown.slice(start, end)
  const n = walker.builder.atom('autolink', start, end, url)
  const bracketed = url === `mailto:${value}` ? `<${value}>` : `<${url}>`
  walker.builder.extras.set(n, {
    literal: {before: markdown.charAt(start - 1), after: markdown.charAt(end), bracketed}
  })
}

/** Walks phrasing nodes in order, feeding the builder. */
class Walker {
  readonly pairs = new Map<Nodes, number>()

  constructor(
    readonly builder: Builder,
    readonly source: PhrasingSource
  ) {}

  /** Protect a sibling list that covers logical `[start, end)`. */
  sequence(nodes: readonly PhrasingContent[], start: number, end: number): void {
    const closing = pairHtml(nodes)
    let cursor = start
    let index = 0
    while (index < nodes.length) {
      const node = nodes[index]!
      if (!node.position) {
        let last = index
        while (last < nodes.length && !nodes[last]!.position) last++
        const gapEnd = last < nodes.length ? this.start(nodes[last]!) : end
        this.gap(nodes.slice(index, last), cursor, gapEnd)
        cursor = gapEnd
        index = last
        continue
      }
      const nodeStart = this.start(node)
      const nodeEnd = this.end(node)
      this.builder.literal(cursor, nodeStart)
      const partner = closing.get(index)
      if (partner !== undefined && isVerbatimElement(node)) {
        // `<code>…</code>` and its kin hold code, not prose: the whole element is one atom.
        const closeNode = nodes[partner]!
        this.builder.atom('html', nodeStart, this.end(closeNode))
        cursor = this.end(closeNode)
        index = partner + 1
        continue
      }
      if (partner !== undefined) {
        const closeNode = nodes[partner]!
        const token = this.builder.open('htmlPair', nodeStart, nodeEnd)
        const closeStart = this.start(closeNode)
        this.sequence(nodes.slice(index + 1, partner), nodeEnd, closeStart)
        this.builder.close(token, closeStart, this.end(closeNode))
        cursor = this.end(closeNode)
        index = partner + 1
        continue
      }
      const handler = handlers[node.type] ?? handlers.html!
      handler(this, node, nodeStart, nodeEnd)
      cursor = nodeEnd
      index++
    }
    this.builder.literal(cursor, end)
  }

  /**
   * Nodes without positions: what the GFM autolink transform makes from decoded text
   * (`a&#64;b.com`, `<foo\+@bar.example.com>`). Each link is located in the source by its
   * text; one that cannot be found makes the whole gap an atom (never a guess).
   */
  private gap(nodes: readonly PhrasingContent[], start: number, end: number): void {
    const raw = this.source.markdown.slice(start, end)
    let cursor = 0
    const found: Array<{from: number; to: number; url: string}> = []
    for (const node of nodes) {
      if (node.type !== 'link') continue
      const text = visibleText(node, {includeImageAlt: false})
      const at = text ? raw.indexOf(text, cursor) : -1
      if (at === -1) {
        this.builder.atom('autolink', start, end, node.url)
        return
      }
      found.push({from: at, to: at + text.length, url: node.url})
      cursor = at + text.length
    }
    cursor = 0
    for (const link of found) {
      this.builder.literal(start + cursor, start + link.from)
      literalAutolink(this, link.url, start + link.from, start + link.to)
      cursor = link.to
    }
    this.builder.literal(start + cursor, end)
  }

  start(node: PhrasingContent): number {
    return this.source.toLogical(node.position!.start.offset!)
  }

  end(node: PhrasingContent): number {
    return this.source.toLogical(node.position!.end.offset!)
  }
}

const voidElements: ReadonlySet<string> = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr'
])

/** Raw-HTML elements whose text is code or literal input, never translated. */
const verbatimElements: ReadonlySet<string> = new Set(['code', 'kbd', 'samp', 'var', 'pre', 'tt'])

function isVerbatimElement(node: PhrasingContent): boolean {
  if (node.type !== 'html') return false
  const name = /^<([A-Za-z][A-Za-z0-9-]*)/.exec(node.value)?.[1]?.toLowerCase()
  return name !== undefined && verbatimElements.has(name)
}

/** Same-parent inline HTML open/close tags: index of an opening tag → index of its closing tag. */
function pairHtml(nodes: readonly PhrasingContent[]): Map<number, number> {
  const pairs = new Map<number, number>()
  const open: Array<{name: string; index: number}> = []
  nodes.forEach((node, index) => {
    if (node.type !== 'html' || !node.position) return
    const opening = /^<([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?>$/.exec(node.value)
    if (opening && !node.value.endsWith('/>')) {
      const name = opening[1]!.toLowerCase()
      if (!voidElements.has(name)) open.push({name, index})
      return
    }
    const closing = /^<\/([A-Za-z][A-Za-z0-9-]*)\s*>$/.exec(node.value)
    if (!closing) return
    const name = closing[1]!.toLowerCase()
    const at = open.findLastIndex((entry) => entry.name === name)
    if (at === -1) return
    pairs.set(open[at]!.index, index)
    // Tags opened inside the pair and never closed stay atoms.
    open.length = at
  })
  return pairs
}
