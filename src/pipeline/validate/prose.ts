/**
 * Q9–Q14, Q17: whether the prose of a translation looks like a translation of the source's prose:
 * not empty, not the source echoed, of a plausible length, with the same numbers, no doubled
 * words, and the source's surrounding whitespace.
 */

import {error, quote, type Rule, type RuleFinding, warning} from './rule.js'
import {CJK, language, weightedLength} from './script.js'

/**
 * The whitespace at each end of `text`. Not `/\s*$/`: that regex retries from every position of a
 * long whitespace run that is not at the end (quadratic on a hostile reply).
 */
export function leadingSpace(text: string): string {
  return text.slice(0, text.length - text.trimStart().length)
}

export function trailingSpace(text: string): string {
  return text.slice(text.trimEnd().length)
}

/** Q9: leading and trailing whitespace as in the source (`normaliseTranslation` restores it). */
export const edgeWhitespace: Rule = ({source, target}) => {
  const findings: RuleFinding[] = []
  for (const [edge, space] of [
    ['leading', leadingSpace],
    ['trailing', trailingSpace]
  ] as const) {
    const expected = space(source.text)
    const actual = space(target.text)
    if (expected !== actual && target.text.trim() !== '') {
      findings.push(error('Q9', `${edge} whitespace ${quote(actual)}, expected ${quote(expected)} as in the source`))
    }
  }
  return findings
}

/** Runs of two or more spaces between words (indentation and line ends are not spacing). */
export const INNER_DOUBLE_SPACE = /(?<=\S) {2,}(?=\S)/g

/** Q10: a double space the source does not have. */
export const doubleSpace: Rule = ({source, target}) => {
  if ((source.plain.match(INNER_DOUBLE_SPACE)?.length ?? 0) > 0) return []
  const count = target.plain.match(INNER_DOUBLE_SPACE)?.length ?? 0
  if (count === 0) return []
  return [warning('Q10', `${count} double space(s) in the text, the source has none`)]
}

/** Q11: nothing but whitespace for a source that has content. */
export const emptyOutput: Rule = ({source, target}) =>
  target.text.trim() === '' && source.text.trim() !== ''
    ? [error('Q11', 'empty translation: expected the translated text of the segment')]
    : []

/** A word worth translating: two or more letters, not an all-capitals acronym, or any CJK. */
const TRANSLATABLE_WORD = /(?<!\p{L})(?=\p{L}*[\p{Ll}\p{Lo}])\p{L}{2,}/u

/**
 * Q12: the source came back unchanged. Exempt: segments without translatable words (tokens,
 * numbers, acronyms and keep-terms only), and pairs of locales with the same language.
 */
export const unchanged: Rule = ({source, target, context}) => {
  if (language(context.sourceLocale) === language(context.targetLocale)) return []
  const normal = (text: string) => text.replace(/\s+/g, ' ').trim()
  if (normal(source.plain) !== normal(target.plain) || !TRANSLATABLE_WORD.test(source.plain)) return []
  return [
    warning(
      'Q12',
      `translation identical to the source ${quote(normal(source.plain))}: expected it in ${context.targetLocale}`
    )
  ]
}

/** Below this many weighted characters on the longer side, no ratio is meaningful. */
const MIN_FOR_ERROR = 10
const MIN_FOR_WARNING = 20

/**
 * Q13: target/source length in weighted characters (`weightedLength`). Errors at the pofilter
 * extremes (≥ 10×, ≤ 0.1×, or no words at all for a source with words); warnings outside the
 * context's bounds (default 0.4–2.5, see `weightedLength` for the measurements behind them).
 */
export const lengthRatio: Rule = ({source, target, context}) => {
  const sourceLength = weightedLength(source.plain)
  const targetLength = weightedLength(target.plain)
  if (sourceLength === 0 || target.text.trim() === '') return []
  if (targetLength === 0) {
    return [error('Q13', `no words in the translation, the source has ${quote(source.plain.trim())}`)]
  }
  const ratio = targetLength / sourceLength
  const longer = Math.max(sourceLength, targetLength)
  const shown = `${ratio.toFixed(2)}× the source's length (${targetLength} vs ${sourceLength} weighted characters)`
  if (longer >= MIN_FOR_ERROR && (ratio >= 10 || ratio <= 0.1)) {
    return [error('Q13', `translation is ${shown}: expected between 0.1× and 10×`)]
  }
  const {below, above} = context.lengthRatio ?? {below: 0.4, above: 2.5}
  if (longer >= MIN_FOR_WARNING && (ratio < below || ratio > above)) {
    return [warning('Q13', `translation is ${shown}: expected between ${below}× and ${above}×`)]
  }
  return []
}

/**
 * Numbers with locale grouping (`1,000`, `1.000`, `1 000`) or a decimal part; separators are
 * dropped before comparing, so `3.5` and `3,5` agree and `1,000` and `1 000` agree.
 */
const NUMBER = /\d{1,3}(?:[,.\u00A0\u202F\u2009' ]\d{3})+(?!\d)|\d+(?:[.,]\d+)?/g

function numbers(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  const ascii = text.replace(/[０-９]/g, (digit) => String(digit.charCodeAt(0) - 0xff10))
  for (const match of ascii.matchAll(NUMBER)) {
    const value = match[0].replace(/\D/g, '')
    counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  return counts
}

/** Chinese/Japanese numerals for 0–10: `Step 1` is `第一步`. */
const CJK_NUMERALS = ['〇零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十']

/** Whether `text` writes the small number `value` in CJK numerals instead of digits. */
function spelledInCjk(value: string, text: string): boolean {
  const numerals = CJK_NUMERALS[Number(value)]
  return value.length <= 2 && numerals !== undefined && [...numerals].some((numeral) => text.includes(numeral))
}

/**
 * Q14: the same numbers, as a multiset (order and grouping style may change). A number from 0
 * to 10 may be written in CJK numerals instead.
 */
export const numberMismatch: Rule = ({source, target}) => {
  const expected = numbers(source.plain)
  const actual = numbers(target.plain)
  const missing: string[] = []
  const added: string[] = []
  for (const [value, count] of expected) {
    if ((actual.get(value) ?? 0) < count && !spelledInCjk(value, target.plain)) missing.push(value)
  }
  for (const [value, count] of actual) if ((expected.get(value) ?? 0) < count) added.push(value)
  if (missing.length === 0 && added.length === 0) return []
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    added.length > 0 ? `added ${added.join(', ')}` : ''
  ]
  return [warning('Q14', `numbers differ from the source: ${parts.filter(Boolean).join('; ')}`)]
}

/** Okapi's default exceptions: pronouns that repeat in ordinary French and German. */
const DOUBLED_WORD_EXCEPTIONS = ['sie', 'vous', 'nous']
const DOUBLED_WORD = /(?<![\p{L}\p{N}])(\p{L}+)\s+\1(?![\p{L}\p{N}])/giu

/** Q17 names this many doubled words; a pathological segment repeats thousands. */
const DOUBLED_WORDS_SHOWN = 3

/** Q17: a word repeated (`the the`) that the source does not repeat. */
export const doubledWord: Rule = ({source, target, context}) => {
  const exceptions = new Set(context.doubledWordExceptions ?? DOUBLED_WORD_EXCEPTIONS)
  const doubled = (text: string) =>
    [...text.matchAll(DOUBLED_WORD)]
      .map((match) => (match[1] ?? '').toLowerCase())
      .filter((word) => !exceptions.has(word) && !CJK.test(word))
  // A multiset, not indexOf + splice: a segment of 10^5 repeated words must stay linear (S10).
  const before = new Map<string, number>()
  for (const word of doubled(source.plain)) before.set(word, (before.get(word) ?? 0) + 1)
  const added = doubled(target.plain).filter((word) => {
    const left = before.get(word) ?? 0
    if (left === 0) return true
    before.set(word, left - 1)
    return false
  })
  if (added.length === 0) return []
  const shown = added
    .slice(0, DOUBLED_WORDS_SHOWN)
    .map((word) => quote(`${word} ${word}`))
    .join(', ')
  const more = added.length > DOUBLED_WORDS_SHOWN ? ` and ${added.length - DOUBLED_WORDS_SHOWN} more` : ''
  return [warning('Q17', `doubled word ${shown}${more}: expected it once`)]
}
