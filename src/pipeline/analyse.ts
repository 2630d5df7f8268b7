/**
 * One note → its segments: parse once, find prose, protect it, name it by content.
 *
 * Segments with no letter outside their placeholders (a cell holding `42`, a heading that is
 * only inline code, a title a translator answered with `2024-01-01`) are **kept** and marked
 * {@link isUntranslatable}: nothing in them can be translated, so nobody pays for them (the
 * caller renders them locally, like segments made only of glossary terms), but they stay
 * segments so that a source and its translation always have the same segments, whatever a model
 * or a translator wrote (docs/state.md, "Segment identity").
 */

import type {Definition, Root} from 'mdast'
import {contentHash} from '../io/hash.js'
import {lineIndex} from '../text/lines.js'

export {hasLetters, isUntranslatable} from '../text/letters.js'

import type {Segment, Token} from '../types.js'
import {type Layout, toLogical} from './containers.js'
import type {Context} from './escape.js'
import {type Frontmatter, parseFrontmatter, rejectForeignFrontmatter, translatableValues} from './frontmatter.js'
import {MdxSyntaxError, type ParsedMarkdown, parseMarkdown} from './parse.js'
import {type Placement, type Protected, protectPhrasing, protectPlain, type Shield} from './protect.js'
import type {NoteText} from './read.js'
import {NoteError} from './read.js'
import {collectDrafts, type SegmentDraft} from './segment.js'
import {type Shape, treeShape} from './shape.js'

/** How a segment sits in the source: what reassembly needs beyond the `Segment` contract. */
export interface SegmentLayout extends Layout {
  context: Context
  /** What `restore` needs to make a changed translation safe where the segment lands. */
  placement: Placement
  /**
   * For a title inside a link or image of another segment: the token whose close text holds
   * it, and where (logical offsets into that close text).
   */
  within?: {id: string; token: Token; offset: number; length: number}
}

/** A parsed, segmented note. */
export interface AnalysedNote {
  file: string
  source: NoteText
  /** Parsed front-matter (undefined when the note has none). */
  frontmatter?: Frontmatter
  /** Document order; front-matter segments first. */
  segments: Segment[]
  /** The one parse of the note. */
  tree: Root
  /** The tree's shape, compared by reassembly's safety net. */
  shape: Shape
  /** Layout of every segment, by id. */
  layouts: ReadonlyMap<string, SegmentLayout>
  /** MDX attribute names translated as prose (not part of the shape). */
  proseAttributes: readonly string[]
}

export interface AnalyseOptions {
  /** Front-matter keys to translate (string values only). Default `['title']`. */
  frontmatterKeys?: readonly string[]
  /** Glossary keep-terms: ranges of a text run to protect as `term` atoms. */
  shield?: Shield
  /**
   * The note's text already parsed (e.g. `Reassembled.parsed`): used instead of parsing again.
   * It must be the parse of exactly `note.text`, or offsets will point at the wrong bytes.
   */
  parsed?: ParsedMarkdown
  /** MDX: string attributes of block JSX elements to translate (`title`, `alt`). Default none. */
  jsxAttributes?: readonly string[]
}

/**
 * Analyse a decoded note.
 *
 * @throws {NoteError} for invalid front-matter (with its line) and `---js`-style front-matter
 */
export function analyseNote(file: string, note: NoteText, options?: AnalyseOptions): AnalysedNote {
  const text = note.text
  rejectForeignFrontmatter(text, file)
  let parsed: ParsedMarkdown
  try {
    parsed = options?.parsed ?? parseMarkdown(text, {mdx: note.mdx})
  } catch (error) {
    if (!(error instanceof MdxSyntaxError)) throw error
    throw new NoteError(
      file,
      error.message,
      'Fix the MDX (an unclosed tag or a stray "{" or "<" is the usual cause; write \\{ or \\< for a literal one)'
    )
  }
  const tree = parsed.tree
  const lineOf = lineIndex(text)
  const segments: Segment[] = []
  const layouts = new Map<string, SegmentLayout>()
  const seen = new Map<string, number>()
  const shield = options?.shield

  const add = (
    draft: Omit<Segment, 'id' | 'line' | 'text' | 'tokens'>,
    layout: Omit<SegmentLayout, 'placement'>,
    protectedText: Protected
  ): Segment | undefined => {
    const base = contentHash(
      `${normalise(protectedText.text)}\0${protectedText.tokens.map((t) => `${t.open}\0${t.close}`).join('\0')}`
    )
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    const id = count === 1 ? base : `${base}~${count}`
    const segment: Segment = {
      id,
      ...draft,
      text: protectedText.text,
      tokens: protectedText.tokens,
      line: lineOf(draft.start)
    }
    segments.push(segment)
    layouts.set(id, {...layout, placement: protectedText.placement})
    return segment
  }

  let frontmatter: Frontmatter | undefined
  const first = tree.children[0]
  if (first?.type === 'yaml' && first.position) {
    frontmatter = parseFrontmatter(text, first.position.start.offset!, first.position.end.offset!, file)
    for (const value of translatableValues(frontmatter, options?.frontmatterKeys ?? ['title'])) {
      const protectedValue = protectPlain(value.value, 'plain', {shield})
      add(
        {
          kind: 'frontmatter',
          key: value.key,
          start: value.start,
          end: value.end,
          markdown: value.value
        },
        {context: 'plain', prefixes: [], eols: []},
        protectedValue
      )
    }
  }

  const definitions = new Map<string, string>()
  collectDefinitions(tree, definitions)
  const made = new Map<
    SegmentDraft,
    {segment: Segment; pairs: Map<unknown, number>; toLogical(offset: number): number}
  >()
  for (const draft of collectDrafts(tree, parsed, text, note.mdx ? (options?.jsxAttributes ?? []) : [])) {
    const logical = toLogical(text, draft.start, draft.end, parsed.contentStart)
    const layout: Omit<SegmentLayout, 'placement'> = {
      context: draft.context,
      prefixes: logical.prefixes,
      eols: logical.eols
    }
    const base = {kind: draft.kind, start: draft.start, end: draft.end, markdown: logical.markdown}
    if (draft.children) {
      const result = protectPhrasing(
        draft.children,
        {...logical, labels: parsed.labels, definitions, shield},
        draft.context
      )
      const segment = add(base, layout, result)
      if (segment) made.set(draft, {segment, pairs: result.pairs, toLogical: logical.toLogical})
      continue
    }
    const within = draft.within && made.get(draft.within.draft)
    if (within && draft.within) {
      const n = within.pairs.get(draft.within.node)
      const token = within.segment.tokens.find((candidate) => candidate.n === n)
      const label = labelEnd(parsed, draft.within.node)
      if (token && label !== undefined) {
        const closeStart = within.toLogical(label)
        const offset = within.toLogical(draft.start) - closeStart
        layout.within = {
          id: within.segment.id,
          token,
          offset,
          length: within.toLogical(draft.end) - closeStart - offset
        }
      }
    }
    // A JSX attribute string has no escapes: a translation holding its quote fails the MDX
    // re-parse and is rejected by reassembly's safety net rather than written.
    const result =
      draft.kind === 'jsxAttribute'
        ? protectPlain(logical.markdown, 'plain', {shield})
        : protectPlain(logical.markdown, 'title', {shield, quote: draft.quote})
    add(base, layout, result)
  }

  const proseAttributes = note.mdx ? (options?.jsxAttributes ?? []) : []
  const analysed: AnalysedNote = {
    file,
    source: note,
    segments,
    tree,
    shape: treeShape(tree, {proseAttributes}),
    layouts,
    proseAttributes
  }
  if (frontmatter) analysed.frontmatter = frontmatter
  return analysed
}

/** Where a link's or image's label ends (its close token starts), as a source offset. */
function labelEnd(parsed: ParsedMarkdown, node: import('mdast').Nodes): number | undefined {
  const label = parsed.labels.get(node)
  if (label) return label.end
  const start = node.position?.start.offset
  if (start === undefined) return undefined
  return start + (node.type === 'image' ? 2 : 1)
}

function collectDefinitions(node: Root | import('mdast').Nodes, into: Map<string, string>): void {
  if (node.type === 'definition') {
    const definition = node as Definition
    if (!into.has(definition.identifier)) into.set(definition.identifier, definition.url)
    return
  }
  if ('children' in node) for (const child of node.children) collectDefinitions(child, into)
}

/**
 * The version of the segmentation rules: which parts of a note are segments and how they are
 * named. Part of every lock entry's inputs fingerprint, so that a change to the rules is a
 * change of what a translation was made from. 2: letterless segments are kept.
 */
export const SEGMENTATION_VERSION = 2

/** Whitespace runs collapse to one space, ends trimmed: re-wrapping keeps the id. */
function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
