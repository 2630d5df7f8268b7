/**
 * An existing translation (logical Markdown, as read from a target file) → protected text in the
 * token space of its source segment, so a reviewer sees `⟦1⟧…⟦/1⟧` on both sides of a unit.
 *
 * The target file was protected on its own when it was read, with its own numbering; a reviewer
 * needs the source's numbering. Each token's Markdown (`open`, and `close` for pairs) is looked
 * for in the translation: first in the source's token order (most translations keep it), then,
 * when that fails, anywhere (a translation may reorder code spans and links). The result must use
 * every token once, keep pairs nested, and leave no stray `⟦`/`⟧`; otherwise it is refused with a
 * reason, and the unit is exported without a target.
 *
 * Pure: no I/O.
 */

import {markText, scanTokens} from '../pipeline/validate/tokens.js'
import {TOKEN_PATTERN, type Token} from '../types.js'

/** A way a token may be written in the target (a glossary rendering, a rebased URL). */
export interface TokenForm {
  open: string
  close: string
}

export interface ReprotectOptions {
  /**
   * Every form a token may take in the target, most likely first. Default: the token's own
   * `open`/`close`. Callers add the target locale's glossary rendering of a `term` and the
   * rebased destination of a relative link.
   */
  forms?: (token: Token) => readonly TokenForm[]
}

export type Reprotected = {ok: true; text: string} | {ok: false; reason: string}

/** One side of a token to find: an atom, or the open or close side of a pair. */
interface Mark {
  token: Token
  side: 'open' | 'close'
  /** Candidate texts, most likely first, without duplicates or empty strings. */
  texts: string[]
}

interface Found {
  mark: Mark
  start: number
  end: number
}

/** Re-express `markdown` with `tokens` (a source segment's) as `⟦n⟧`/`⟦/n⟧` placeholders. */
export function reprotect(
  markdown: string,
  tokens: readonly Token[],
  sourceText: string,
  options: ReprotectOptions = {}
): Reprotected {
  const forms = options.forms ?? ((token: Token) => [{open: token.open, close: token.close}])
  const marks = marksInSourceOrder(tokens, sourceText, forms)
  const missing = marks.find((mark) => mark.texts.length === 0)
  if (missing)
    return {ok: false, reason: `placeholder ⟦${missing.token.n}⟧ stands for empty text and cannot be located`}

  const found = inOrder(markdown, marks) ?? anywhere(markdown, marks)
  if (!found) {
    const lost = marks.find((mark) => !mark.texts.some((text) => occurrences(markdown, text).length > 0))
    return {
      ok: false,
      reason: lost
        ? `the translation does not contain ${describe(lost)}`
        : 'the placeholders could not be placed without overlapping or crossing'
    }
  }

  const text = render(markdown, found)
  const stray = strayBracket(text)
  if (stray) return {ok: false, reason: stray}
  return {ok: true, text}
}

function marksInSourceOrder(
  tokens: readonly Token[],
  sourceText: string,
  forms: (token: Token) => readonly TokenForm[]
): Mark[] {
  const byNumber = new Map(tokens.map((token) => [token.n, token]))
  const marks: Mark[] = []
  const seen = new Set<string>()
  const add = (token: Token, side: Mark['side']) => {
    const key = `${side}${token.n}`
    if (seen.has(key)) return
    seen.add(key)
    const texts = forms(token).map((form) => (side === 'open' ? form.open : form.close))
    marks.push({token, side, texts: [...new Set(texts)].filter((text) => text !== '')})
  }
  for (const mark of scanTokens(sourceText)) {
    const token = byNumber.get(mark.n)
    if (token) add(token, mark.close ? 'close' : 'open')
  }
  // Tokens the source text does not show (should not happen) still have to be found.
  for (const token of tokens) {
    add(token, 'open')
    if (token.shape === 'pair') add(token, 'close')
  }
  return marks
}

/** Pass 1: every mark after the previous one, in the source's order. */
function inOrder(markdown: string, marks: readonly Mark[]): Found[] | undefined {
  const found: Found[] = []
  let cursor = 0
  for (const mark of marks) {
    let best: Found | undefined
    for (const text of mark.texts) {
      const start = occurrences(markdown, text, cursor)[0]
      if (start !== undefined && (best === undefined || start < best.start))
        best = {mark, start, end: start + text.length}
    }
    if (!best) return undefined
    found.push(best)
    cursor = best.end
  }
  return wellNested(found) ? found : undefined
}

/**
 * Pass 2: longest texts first (so `**` is not taken for two `*`), each at its first free
 * occurrence; a pair's close side after its open side.
 */
function anywhere(markdown: string, marks: readonly Mark[]): Found[] | undefined {
  const order = [...marks].sort(
    (a, b) => Math.max(...b.texts.map((t) => t.length)) - Math.max(...a.texts.map((t) => t.length))
  )
  const found: Found[] = []
  const free = (start: number, end: number) => found.every((other) => end <= other.start || start >= other.end)
  for (const mark of order) {
    const partner = mark.side === 'close' ? found.find((other) => other.mark.token === mark.token) : undefined
    let placed: Found | undefined
    for (const text of mark.texts) {
      const start = occurrences(markdown, text).find(
        (at) => free(at, at + text.length) && (!partner || at >= partner.end)
      )
      if (start !== undefined) {
        placed = {mark, start, end: start + text.length}
        break
      }
    }
    if (!placed) return undefined
    found.push(placed)
  }
  // A close side taken before its open side was placed (equal lengths sort either way): swap.
  for (const close of found) {
    if (close.mark.side !== 'close') continue
    const open = found.find((other) => other.mark.token === close.mark.token && other.mark.side === 'open')
    if (open && open.start > close.start && open.end - open.start === close.end - close.start) {
      ;[open.start, close.start] = [close.start, open.start]
      ;[open.end, close.end] = [close.end, open.end]
    }
  }
  found.sort((a, b) => a.start - b.start)
  return wellNested(found) ? found : undefined
}

/** Start offsets of `text` in `markdown` from `from`, skipping backslash-escaped occurrences. */
function occurrences(markdown: string, text: string, from = 0): number[] {
  const starts: number[] = []
  for (let at = markdown.indexOf(text, from); at !== -1; at = markdown.indexOf(text, at + 1)) {
    if (!escaped(markdown, at)) starts.push(at)
  }
  return starts
}

/** An odd run of backslashes before `at` makes the character there literal. */
function escaped(markdown: string, at: number): boolean {
  let count = 0
  for (let index = at - 1; index >= 0 && markdown[index] === '\\'; index--) count++
  return count % 2 === 1
}

/** Pairs open before they close and close in reverse order of opening. */
function wellNested(found: readonly Found[]): boolean {
  const sorted = [...found].sort((a, b) => a.start - b.start)
  const open: Token[] = []
  for (const item of sorted) {
    if (item.mark.token.shape !== 'pair') continue
    if (item.mark.side === 'open') open.push(item.mark.token)
    else if (open.pop() !== item.mark.token) return false
  }
  return open.length === 0
}

function render(markdown: string, found: readonly Found[]): string {
  let text = ''
  let last = 0
  for (const item of [...found].sort((a, b) => a.start - b.start)) {
    text += markdown.slice(last, item.start) + markText(item.mark.token.n, item.mark.side === 'close')
    last = item.end
  }
  return text + markdown.slice(last)
}

/** A `⟦` or `⟧` outside the placeholders would be read as (part of) a token on the way back. */
function strayBracket(text: string): string | undefined {
  const rest = text.replace(TOKEN_PATTERN, '')
  return /[⟦⟧]/.test(rest)
    ? "the translation contains a literal ⟦ or ⟧ that is not one of the source's placeholders"
    : undefined
}

function describe(mark: Mark): string {
  const name = markText(mark.token.n, mark.side === 'close')
  return `${name} (${JSON.stringify(mark.texts[0] ?? '')})`
}
