/**
 * Making translated literal text safe where it lands.
 *
 * Once every piece of markup in a segment is a placeholder, any markup character left in the
 * translator's text is meant literally. Which characters matter is data, not code here: the
 * `unsafe` patterns of mdast-util-to-markdown (the serializer behind remark-stringify), with the
 * GFM and math extensions' patterns, each with its `before`/`after`/`atBreak` context and the
 * constructs it applies in (see docs/architecture.md, "Escaping"). {@link safe} hands a run of
 * translated text, the markup around it and the constructs it sits in to that library's own
 * `safe`, so `!` before a link's `[`, `(` after a reference's `]`, `#` or `1.` at a line start
 * are escaped exactly when they would change the structure. Restore calls it on changed lines
 * only, so source lines come back byte for byte.
 */

import remarkGfm from 'remark-gfm'
import remarkMath from 'remark-math'
import remarkStringify, {type Options} from 'remark-stringify'
import {unified} from 'unified'

/** Where a segment's text lands: decides which characters are unsafe. */
export type Context =
  /** A paragraph or setext heading: the first line starts a block. */
  | 'paragraph'
  /** ATX heading content: one line; a trailing `#` run would be read as the closing sequence. */
  | 'atx'
  /** A table cell: one line; `|` ends the cell, a trailing `\` escapes the delimiter. */
  | 'cell'
  /** Image alt text inside `![…]`: inline content that does not start a block. */
  | 'alt'
  /** A link or definition title inside `"…"`, `'…'` or `(…)`: only escapes and entities count. */
  | 'title'
  /** A front-matter value: quoting is the YAML patcher's job. */
  | 'plain'

/** Contexts that are a single line in the source syntax. */
export const singleLine: ReadonlySet<Context> = new Set(['atx', 'cell'])

const asciiPunctuation = /[!-/:-@[-`{-~]/
/** A character reference (`&amp;`, `&#35;`, `&#x22;`) at the start of a string. */
export const characterReference = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/

/** Whether `character` is an ASCII punctuation character (escapable with `\`). */
export function isAsciiPunctuation(character: string | undefined): boolean {
  return character !== undefined && asciiPunctuation.test(character)
}

/** The markup around a run of text, as it will be written. */
export interface Around {
  /** What precedes the run on its line; starts with `\n` when the run starts a line. */
  before: string
  /** What follows the run (markup of the next token, or `\n` when another line follows). */
  after: string
  /** The run is inside a link or image label (`[…]`), where `]` would close the label. */
  label?: boolean
  /** Closing delimiter of a title (`"`, `'`, `)`). */
  quote?: string | undefined
}

/**
 * The one construct mdast-util-to-markdown has no name for: a title in parentheses, whose
 * `(`/`)` must be escaped (CommonMark §6.3). Added to the library's table as data.
 */
const TITLE_PAREN = 'titleParen'
const extraUnsafe = [
  {character: '(', inConstruct: TITLE_PAREN},
  {character: ')', inConstruct: TITLE_PAREN},
  {character: '&', after: '[#A-Za-z]', inConstruct: TITLE_PAREN}
] as unknown as NonNullable<Options['unsafe']>

/** Construct stacks by context, as mdast-util-to-markdown names them. */
const STACKS: Readonly<Record<Exclude<Context, 'plain' | 'title'>, readonly string[]>> = {
  paragraph: ['paragraph', 'phrasing'],
  atx: ['headingAtx', 'phrasing'],
  cell: ['table', 'tableRow', 'tableCell', 'phrasing'],
  alt: ['image', 'label', 'phrasing']
}
const TITLE_STACKS: Readonly<Record<string, string>> = {'"': 'titleQuote', "'": 'titleApostrophe', ')': TITLE_PAREN}

type State = Parameters<NonNullable<NonNullable<Options['handlers']>['text']>>[2]

/**
 * remark-stringify with GFM and math: the same unsafe table as the notes are parsed with (math
 * with single dollars, the stricter of its two settings). Serialising one empty text node hands
 * its `text` handler the library's configured state — its unsafe table and its `safe` — which is
 * kept and reused for every run (configuring it per run would cost more than the escaping).
 */
function configureLibrary(): State {
  let captured: State | undefined
  unified()
    .use(remarkGfm)
    .use(remarkMath)
    .use(remarkStringify, {
      unsafe: extraUnsafe,
      handlers: {
        text(_node, _parent, state) {
          captured = state
          return ''
        }
      }
    })
    .stringify({type: 'root', children: [{type: 'text', value: ''}]})
  return captured!
}

/** Made once when the module loads (a constant of the library's configuration, not run state). */
const configured: State = configureLibrary()

function libraryState(): State {
  return configured
}

/** mdast-util-to-markdown's `safe` on `value` between `before` and `after`, in `stack`. */
function librarySafe(value: string, before: string, after: string, stack: readonly string[]): string {
  if (value === '') return ''
  const state = libraryState()
  state.stack = [...stack] as State['stack']
  // One character of `after`, as the library passes it: every pattern looks at one, and its
  // backslash handling would count escapes inside a longer `after` as its own.
  return state.safe(value, {before, after: after.slice(0, 1)})
}

/** An existing backslash escape: kept as written, so escaping is idempotent (`\*` stays `\*`). */
const EXISTING_ESCAPE = /\\[!-/:-@[-`{-~]/g

/**
 * Escape a literal run of translated text for `context`, given the markup `around` it: every
 * character that the library's unsafe table says would start or end a construct there.
 */
export function safe(run: string, context: Context, around: Around): string {
  if (context === 'plain' || run === '') return run
  const stack =
    context === 'title'
      ? [TITLE_STACKS[around.quote ?? '"'] ?? 'titleQuote']
      : around.label && !STACKS[context].includes('label')
        ? [...STACKS[context], 'label']
        : STACKS[context]
  let result = ''
  let cursor = 0
  let before = around.before
  for (const match of run.matchAll(EXISTING_ESCAPE)) {
    result += librarySafe(run.slice(cursor, match.index), before, '\\', stack) + match[0]
    cursor = match.index + match[0].length
    before = match[0]
  }
  return result + librarySafe(run.slice(cursor), before, around.after, stack)
}

/** Whether a placeholder's restored text could open a block when it starts a continuation line. */
export function opensBlock(markup: string): boolean {
  return /^(?:<|`{3}|~{3}|\$\$|#|>)/.test(markup)
}

/** Unicode whitespace, with the string boundary counting as whitespace (CommonMark §6.2). */
function isWhitespace(character: string): boolean {
  return character === '' || /\s/u.test(character)
}

/** Unicode punctuation or symbol (CommonMark 0.31). */
function isPunctuation(character: string): boolean {
  return /[\p{P}\p{S}]/u.test(character)
}

function leftFlanking(before: string, after: string): boolean {
  return !isWhitespace(after) && (!isPunctuation(after) || isWhitespace(before) || isPunctuation(before))
}

function rightFlanking(before: string, after: string): boolean {
  return !isWhitespace(before) && (!isPunctuation(before) || isWhitespace(after) || isPunctuation(after))
}

/** Whether a delimiter run of `marker` between `before` and `after` can open emphasis. */
export function canOpen(marker: string, before: string, after: string): boolean {
  const left = leftFlanking(before, after)
  if (marker !== '_') return left
  return left && (!rightFlanking(before, after) || isPunctuation(before))
}

/** Whether a delimiter run of `marker` between `before` and `after` can close emphasis. */
export function canClose(marker: string, before: string, after: string): boolean {
  const right = rightFlanking(before, after)
  if (marker !== '_') return right
  return right && (!leftFlanking(before, after) || isPunctuation(after))
}

export {isWhitespace}
