/**
 * Text → mdast, once per note, plus the source offsets mdast forgets.
 *
 * mdast positions say where a node is, but not which bytes of a multi-line node are container
 * syntax (`> `, list indentation) that splicing must keep, nor where an image's alt text or a
 * title sits. A tiny plugin adds from-markdown handlers for micromark token types the default
 * compiler ignores (prefix tokens, title and destination wrappers, label markers) and records
 * exactly those offsets while the tree is built, so no second parse is needed (docs/decisions.md trap 10;
 * the benchmark wants ≥ 0.5× bare remark-parse throughput). Handlers are used rather than the
 * `beforeEnter` listeners because listeners copy the compile context for every token.
 */

import type {Nodes, PhrasingContent, Root} from 'mdast'
import type RemarkDirective from 'remark-directive'
import remarkFrontmatter from 'remark-frontmatter'
import remarkGfm from 'remark-gfm'
import remarkMath from 'remark-math'
import type RemarkMdx from 'remark-mdx'
import remarkParse from 'remark-parse'
import {type Data, type Processor, unified} from 'unified'
import {location} from 'vfile-location'

/** A half-open range of UTF-16 offsets into the parsed text. */
export interface Range {
  start: number
  end: number
}

/** The label (`[…]`) content of a link or image, with the phrasing parsed inside it. */
export interface Label extends Range {
  /** For images: the parsed alt content, which mdast reduces to a plain `alt` string. */
  children: PhrasingContent[]
}

/** A parsed note and the offsets recorded while parsing it. */
export interface ParsedMarkdown {
  tree: Root
  /**
   * Line start offset → offset of the line's content inside its containers: the bytes between
   * are the container prefix (`> `, `>   `, list indentation, a paragraph's leading spaces).
   */
  contentStart: ReadonlyMap<number, number>
  /** Labels of links, images and their reference forms, by node (absent when the label is empty). */
  labels: WeakMap<Nodes, Label>
  /** Link/image title strings (inside the quotes), in document order. */
  resourceTitles: readonly Range[]
  /** Definition title strings (inside the quotes), in document order. */
  definitionTitles: readonly Range[]
  /** Link, image and definition destinations (inside `<…>` when bracketed), in document order. */
  destinations: readonly Range[]
}

type FromMarkdownExtension = NonNullable<Data['fromMarkdownExtensions']>[number]
type Handles = NonNullable<Extract<FromMarkdownExtension, {enter?: unknown}>['enter']>
type Handle = NonNullable<Handles[string]>
type CompileContext = ThisParameterType<Handle>
type Token = Parameters<Handle>[0]
/** A line/column/offset point, as unist positions and `vfile-location` have them. */
type Point = NonNullable<ReturnType<ReturnType<typeof location>['toPoint']>>

interface Recording {
  contentStart: Map<number, number>
  labels: WeakMap<Nodes, Label>
  resourceTitles: Range[]
  definitionTitles: Range[]
  destinations: Range[]
  /** End of the current line's container prefix so far. */
  cursor: number
  lineStart: number
}

function emptyRecording(): Recording {
  return {
    contentStart: new Map([[0, 0]]),
    labels: new WeakMap(),
    resourceTitles: [],
    definitionTitles: [],
    destinations: [],
    cursor: 0,
    lineStart: 0
  }
}

/**
 * The recording of the parse in progress, on its compile context (`this.data`), as the
 * ecosystem keeps per-parse state. It is also hung on the root's `data` so `parseMarkdown` can
 * take it from the tree, and removed from there before the tree is returned.
 */
function recordingOf(context: CompileContext): Recording {
  const data = context.data as {notesL10nRecording?: Recording}
  if (!data.notesL10nRecording) {
    data.notesL10nRecording = emptyRecording()
    const root = context.stack[0] as Root
    root.data = {...root.data, notesL10nRecording: data.notesL10nRecording} as Root['data']
  }
  return data.notesL10nRecording
}

/** Takes the recording off the tree (an empty one when no handler ran). */
function takeRecording(tree: Root): Recording {
  const data = tree.data as ({notesL10nRecording?: Recording} & Record<string, unknown>) | undefined
  const recording = data?.notesL10nRecording ?? emptyRecording()
  if (data && 'notesL10nRecording' in data) {
    delete data.notesL10nRecording
    if (Object.keys(data).length === 0) delete tree.data
  }
  return recording
}

/** A line's container prefix grows while its tokens start where the prefix so far ends. */
function prefix(this: CompileContext, token: Token): undefined {
  const state = recordingOf(this)
  if (state.cursor !== token.start.offset) return
  state.cursor = token.end.offset
  state.contentStart.set(state.lineStart, state.cursor)
}

/** Records the inside of a delimited string (`"title"`, `<url>`). */
function inside(list: (state: Recording) => Range[]): Handle {
  return function (this: CompileContext, token) {
    list(recordingOf(this)).push({start: token.start.offset + 1, end: token.end.offset - 1})
  }
}

/** Records a raw string as it is. */
function whole(list: (state: Recording) => Range[]): Handle {
  return function (this: CompileContext, token) {
    list(recordingOf(this)).push({start: token.start.offset, end: token.end.offset})
  }
}

/**
 * Handlers on token types the default compiler does not handle (a handler for a handled type
 * would replace the default): only the offsets are recorded, the tree is built as usual.
 */
const recorder: FromMarkdownExtension = {
  enter: {
    lineEnding(this: CompileContext, token) {
      const state = recordingOf(this)
      state.lineStart = token.end.offset
      state.cursor = token.end.offset
      state.contentStart.set(state.lineStart, state.cursor)
    },
    blockQuotePrefix: prefix,
    linePrefix: prefix,
    listItemIndent: prefix,
    resourceTitle: inside((state) => state.resourceTitles),
    definitionTitle: inside((state) => state.definitionTitles),
    resourceDestinationLiteral: inside((state) => state.destinations),
    resourceDestinationRaw: whole((state) => state.destinations),
    definitionDestinationLiteral: inside((state) => state.destinations),
    definitionDestinationRaw: whole((state) => state.destinations)
  },
  exit: {
    labelMarker(this: CompileContext, token) {
      const state = recordingOf(this)
      // Inside a label the stack ends with its fragment, above the link or image that owns it;
      // at the closing `]` the fragment still holds the parsed children that mdast flattens
      // into an image's `alt`.
      const fragment = this.stack[this.stack.length - 1]
      const owner = this.stack[this.stack.length - 2] as Nodes | undefined
      if (!fragment || !owner || !('children' in fragment)) return
      const label = state.labels.get(owner)
      if (label) {
        label.end = token.start.offset
        label.children = [...(fragment.children as PhrasingContent[])]
      } else {
        state.labels.set(owner, {start: token.end.offset, end: token.end.offset, children: []})
      }
    }
  }
}

/** Adds the recorder to the from-markdown extensions of a processor. */
function remarkRecordOffsets(this: Processor): undefined {
  const data = this.data()
  data.fromMarkdownExtensions ??= []
  const list = data.fromMarkdownExtensions
  list.push(recorder)
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml'])
  // Single dollars are not math to micromark: see `singleDollarMath` below.
  .use(remarkMath, {singleDollarTextMath: false})
  .use(remarkRecordOffsets)
  .freeze()

/**
 * `.mdx` files: the same, plus `remark-mdx` (ESM `import`/`export`, JSX elements and
 * `{expressions}`; no HTML and no indented code, as MDX has none) and `remark-directive`
 * (Docusaurus admonitions `:::tip[Title]` … `:::`, parsed as Docusaurus parses them). Their nodes
 * are protected like HTML (`protect.ts`), except that prose inside JSX elements and directives
 * stays translatable.
 *
 * Built once by {@link loadMdxParser} and kept in `loaded` (a constant made late, not per-call
 * state): its 46 modules (acorn among them) cost ~0.1–0.2 s of start-up
 * and memory in every process and worker, and only projects with `.mdx` notes use them (issue 19).
 */
const loaded: {mdx?: ReturnType<typeof mdxProcessorWith>} = {}

function mdxProcessorWith(remarkMdx: typeof RemarkMdx, remarkDirective: typeof RemarkDirective) {
  return unified()
    .use(remarkParse)
    .use(remarkMdx)
    .use(remarkDirective)
    .use(remarkGfm)
    .use(remarkFrontmatter, ['yaml'])
    .use(remarkMath)
    .use(remarkRecordOffsets)
    .freeze()
}

/**
 * Loads the MDX parser. The io edges that turn a note's bytes into text (`noteText` in
 * `project/project.ts`, for the disk and git revisions; the sync's worker threads) call it before
 * an `.mdx` note is parsed, so that parsing itself stays synchronous. Cheap after the first call.
 */
export async function loadMdxParser(): Promise<void> {
  if (loaded.mdx) return
  const [{default: remarkMdx}, {default: remarkDirective}] = await Promise.all([
    import('remark-mdx'),
    import('remark-directive')
  ])
  loaded.mdx ??= mdxProcessorWith(remarkMdx, remarkDirective)
}

/** How to read a note's text. */
export interface ParseOptions {
  /** Parse as MDX (`.mdx` files). */
  mdx?: boolean
}

/** An MDX file that does not parse: where, and what the parser said. */
export class MdxSyntaxError extends Error {
  constructor(
    readonly line: number | undefined,
    readonly reason: string
  ) {
    super(`MDX syntax error${line ? ` on line ${line}` : ''}: ${reason}`)
    this.name = 'MdxSyntaxError'
  }
}

/**
 * Parse Markdown (BOM already removed: micromark offsets would exclude it, trap 8).
 *
 * Pure and synchronous.
 *
 * @throws {MdxSyntaxError}
 *   With `mdx`, when the text is not valid MDX (plain Markdown always parses).
 */
export function parseMarkdown(text: string, options?: ParseOptions): ParsedMarkdown {
  const tree = options?.mdx ? parseMdx(text) : processor.parse(text)
  const state = takeRecording(tree)
  singleDollarMath(tree, text)
  return {
    tree,
    contentStart: state.contentStart,
    labels: state.labels,
    resourceTitles: state.resourceTitles,
    definitionTitles: state.definitionTitles,
    destinations: state.destinations
  }
}

/** Parse only for the tree (the safety net's re-parse; tests compare shapes with it). */
export function parseTree(text: string, options?: ParseOptions): Root {
  const tree = options?.mdx ? parseMdx(text) : processor.parse(text)
  takeRecording(tree)
  return singleDollarMath(tree, text)
}

/**
 * `$…$` inside one text node (pandoc's rule: no space inside either delimiter, no digit right
 * after the closing one) → `inlineMath`. micromark's single-dollar math runs before links and
 * code, so `[$http service](…/$http)` lost its link and `$5 and $10` could become math; here
 * a link, code or any other node between two dollars keeps them prose (docs/config.md, "Math").
 * Text nodes written with escapes or entities are left alone: their offsets are not the value's.
 */
const SINGLE_DOLLAR_MATH = /(?<![$\\])\$(?=[^\s$])([^$\n]*?[^\s$\\])\$(?![\d$])/g

function singleDollarMath(tree: Root, text: string): Root {
  // One line index for the note, built (as far as needed) only when a text node has a pair of dollars.
  let index: ReturnType<typeof location> | undefined
  const point = (offset: number): Point => {
    index ??= location(text)
    return index.toPoint(offset) ?? {line: 1, column: 1, offset}
  }
  const visit = (node: Nodes): void => {
    if (!('children' in node)) return
    const children = node.children as Nodes[]
    for (let index = 0; index < children.length; index++) {
      const child = children[index]!
      if (child.type !== 'text') {
        visit(child)
        continue
      }
      const split = splitMath(child, text, point)
      if (split) {
        children.splice(index, 1, ...split)
        index += split.length - 1
      }
    }
  }
  visit(tree)
  return tree
}

function splitMath(
  node: Extract<Nodes, {type: 'text'}>,
  text: string,
  point: (offset: number) => Point
): Nodes[] | undefined {
  const start = node.position?.start.offset
  const end = node.position?.end.offset
  if (start === undefined || end === undefined || !node.value.includes('$')) return undefined
  if (text.slice(start, end) !== node.value) return undefined
  const out: Nodes[] = []
  let cursor = 0
  const piece = (from: number, to: number): void => {
    if (to > from)
      out.push({
        type: 'text',
        value: node.value.slice(from, to),
        position: {start: point(start + from), end: point(start + to)}
      })
  }
  for (const match of node.value.matchAll(SINGLE_DOLLAR_MATH)) {
    piece(cursor, match.index)
    const to = match.index + match[0].length
    out.push({
      type: 'inlineMath',
      value: match[1] ?? '',
      position: {start: point(start + match.index), end: point(start + to)}
    })
    cursor = to
  }
  if (cursor === 0) return undefined
  piece(cursor, node.value.length)
  return out
}

function parseMdx(text: string): Root {
  const mdxProcessor = loaded.mdx
  if (!mdxProcessor) {
    // Our bug (exit 3), never the note's: an io edge read an `.mdx` note without loading the parser.
    throw new Error('the MDX parser was not loaded: call loadMdxParser() where the note is read')
  }
  try {
    return mdxProcessor.parse(text)
  } catch (error) {
    // micromark-extension-mdxjs throws a VFileMessage with the place and a one-line reason.
    const message = error as {reason?: unknown; line?: unknown; message?: unknown}
    const reason = typeof message.reason === 'string' ? message.reason : String(message.message ?? error)
    throw new MdxSyntaxError(typeof message.line === 'number' ? message.line : undefined, reason)
  }
}
