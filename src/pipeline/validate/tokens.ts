/**
 * Reading placeholder tokens out of protected text.
 *
 * Both sides of a comparison (the source segment and a translation) are protected text; the rules
 * look either at the tokens (multiset, nesting) or at the prose between them ("plain" text).
 */

import {TOKEN_PATTERN, type Token} from '../../types.js'

/** One `⟦n⟧` or `⟦/n⟧` occurrence, in text order. */
export interface TokenMark {
  n: number
  close: boolean
  index: number
  length: number
}

/**
 * Stands for an atom in plain text: not a letter, digit, space or bracket, so it neither joins
 * nor splits words, and no rule counts it as prose.
 */
export const ATOM_STAND_IN = '\uFFFC'

/** Every token mark in `text`, in order. */
export function scanTokens(text: string): TokenMark[] {
  const marks: TokenMark[] = []
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    marks.push({
      n: Number(match[2]),
      close: match[1] === '/',
      index: match.index,
      length: match[0].length
    })
  }
  return marks
}

/** `⟦n⟧` or `⟦/n⟧` as written. */
export function markText(n: number, close: boolean): string {
  return close ? `⟦/${n}⟧` : `⟦${n}⟧`
}

/**
 * The prose of protected text: atoms become {@link ATOM_STAND_IN}, pair marks disappear (their
 * content is prose), so prose rules never see token syntax.
 */
export function plainText(text: string, tokens: readonly Token[]): string {
  const shapes = new Map(tokens.map((token) => [token.n, token.shape]))
  return text.replace(TOKEN_PATTERN, (_, close: string, n: string) =>
    close === '' && shapes.get(Number(n)) !== 'pair' ? ATOM_STAND_IN : ''
  )
}

/** Counts of each mark (`⟦3⟧`, `⟦/3⟧`) a text is expected to contain, from its token table. */
export function expectedMarks(tokens: readonly Token[]): Map<string, number> {
  const expected = new Map<string, number>()
  for (const token of tokens) {
    expected.set(markText(token.n, false), 1)
    if (token.shape === 'pair') expected.set(markText(token.n, true), 1)
  }
  return expected
}

/** Counts of each mark a text contains. */
export function countMarks(marks: readonly TokenMark[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const mark of marks) {
    const key = markText(mark.n, mark.close)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}
