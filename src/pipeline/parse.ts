/**
 * Text → mdast, once per note, plus the source offsets mdast forgets.
 *
 * mdast positions say where a node is, but not which bytes of a multi-line node are container
 * syntax (`> `, list indentation) that splicing must keep, nor where an image's alt text or a
 * title sits. A tiny plugin adds from-markdown handlers for micromark token types the default
 * compiler ignores (prefix tokens, title and destination wrappers, label markers) and records
 * exactly those offsets while the tree is built, so no second parse is needed (DESIGN trap 10;
 * the benchmark wants ≥ 0.5× bare remark-parse throughput). Handlers are used rather than the
 * `beforeEnter` listeners because listeners copy the compile context for every token.
 */

import type {Nodes, PhrasingContent, Root} from 'mdast'
import remarkFrontmatter from 'remark-frontmatter'
import remarkGfm from 'remark-gfm'
import remarkDirective from 'remark-directive'
import remarkMath from 'remark-math'
import remarkMdx from 'remark-mdx'
import remarkParse from 'remark-parse'
import {unified, type Data, type Processor} from 'unified'

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

/** What the handlers write to: set for the duration of one synchronous `parse` call. */
let recording: Recording | undefined

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

/** A line's container prefix grows while its tokens start where the prefix so far ends. */
function prefix(token: Token): undefined {
  const state = recording
  if (!state || state.cursor !== token.start.offset) return
  state.cursor = token.end.offset
  state.contentStart.set(state.lineStart, state.cursor)
}

/** Records the inside of a delimited string (`"title"`, `<url>`). */
function inside(list: (state: Recording) => Range[]): Handle {
  return (token) => {
    if (recording) list(recording).push({start: token.start.offset + 1, end: token.end.offset - 1})
  }
}

/** Records a raw string as it is. */
function whole(list: (state: Recording) => Range[]): Handle {
  return (token) => {
    if (recording) list(recording).push({start: token.start.offset, end: token.end.offset})
  }
}

/**
 * Handlers on token types the default compiler does not handle (a handler for a handled type
 * would replace the default): only the offsets are recorded, the tree is built as usual.
 */
const recorder: FromMarkdownExtension = {
  enter: {
    lineEnding(token) {
      const state = recording
      if (!state) return
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
      const state = recording
      if (!state) return
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
  const list = (data.fromMarkdownExtensions ??= [])
  list.push(recorder)
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkMath)
  .use(remarkRecordOffsets)
  .freeze()

/**
 * `.mdx` files: the same, plus `remark-mdx` (ESM `import`/`export`, JSX elements and
 * `{expressions}`; no HTML and no indented code, as MDX has none) and `remark-directive`
 * (Docusaurus admonitions `:::tip[Title]` … `:::`, parsed as Docusaurus parses them). Their nodes
 * are protected like HTML (`protect.ts`), except that prose inside JSX elements and directives
 * stays translatable.
 */
const mdxProcessor = unified()
  .use(remarkParse)
  .use(remarkMdx)
  .use(remarkDirective)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkMath)
  .use(remarkRecordOffsets)
  .freeze()

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
  const state: Recording = {
    contentStart: new Map([[0, 0]]),
    labels: new WeakMap(),
    resourceTitles: [],
    definitionTitles: [],
    destinations: [],
    cursor: 0,
    lineStart: 0
  }
  recording = state
  try {
    const tree = options?.mdx ? parseMdx(text) : processor.parse(text)
    return {
      tree,
      contentStart: state.contentStart,
      labels: state.labels,
      resourceTitles: state.resourceTitles,
      definitionTitles: state.definitionTitles,
      destinations: state.destinations
    }
  } finally {
    recording = undefined
  }
}

/** Parse only for the tree (tests compare shapes with it). */
export function parseTree(text: string, options?: ParseOptions): Root {
  return options?.mdx ? parseMdx(text) : processor.parse(text)
}

function parseMdx(text: string): Root {
  try {
    return mdxProcessor.parse(text)
  } catch (error) {
    // micromark-extension-mdxjs throws a VFileMessage with the place and a one-line reason.
    const message = error as {reason?: unknown; line?: unknown; message?: unknown}
    const reason = typeof message.reason === 'string' ? message.reason : String(message.message ?? error)
    throw new MdxSyntaxError(typeof message.line === 'number' ? message.line : undefined, reason)
  }
}
