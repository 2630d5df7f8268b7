/**
 * Q1–Q3: the placeholder tokens of a translation, which must be the source's exactly (as a
 * multiset; order is free because real translations reorder code, links and emphasis), with
 * pairs well nested and nothing that merely looks like a token.
 */

import {error, introduced, quote, type Rule, type RuleFinding} from './rule.js'
import {countMarks, expectedMarks, markText, scanTokens} from './tokens.js'

/** Q1: every token exactly once; nothing missing, duplicated or invented. */
export const placeholderMultiset: Rule = ({source, target}) => {
  const expected = expectedMarks(source.tokens)
  const actual = countMarks(scanTokens(target.text))
  const missing: string[] = []
  const duplicated: string[] = []
  const invented: string[] = []
  for (const [mark, count] of expected) {
    const got = actual.get(mark) ?? 0
    if (got < count) missing.push(mark)
    else if (got > count) duplicated.push(`${mark} ×${got}`)
  }
  for (const [mark, count] of actual) {
    if (!expected.has(mark)) invented.push(count > 1 ? `${mark} ×${count}` : mark)
  }
  const problems = [
    missing.length > 0 ? `missing ${missing.join(' ')}` : '',
    duplicated.length > 0 ? `duplicated ${duplicated.join(' ')}` : '',
    invented.length > 0 ? `invented ${invented.join(' ')} (not in the source)` : ''
  ].filter(Boolean)
  if (problems.length === 0) return []
  return [
    error(
      'Q1',
      `placeholders ${problems.join('; ')}: expected each of ${[...expected.keys()].join(' ') || '(none)'} exactly once`
    )
  ]
}

/**
 * Q2: pairs open before they close and nest properly. Only pairs whose marks occur exactly once
 * each are walked, so a Q1 problem is reported once, by Q1.
 */
export const pairNesting: Rule = ({source, target}) => {
  const marks = scanTokens(target.text)
  const counts = countMarks(marks)
  const pairs = new Set(
    source.tokens
      .filter(
        (token) =>
          token.shape === 'pair' &&
          counts.get(markText(token.n, false)) === 1 &&
          counts.get(markText(token.n, true)) === 1
      )
      .map((token) => token.n)
  )
  const findings: RuleFinding[] = []
  const open: Array<{n: number; end: number}> = []
  for (const mark of marks) {
    if (!pairs.has(mark.n)) continue
    if (!mark.close) {
      open.push({n: mark.n, end: mark.index + mark.length})
      continue
    }
    const top = open.at(-1)
    if (top === undefined || !open.some((entry) => entry.n === mark.n)) {
      findings.push(
        error(
          'Q2',
          `${markText(mark.n, true)} comes before ${markText(mark.n, false)}: a pair must open before it closes`
        )
      )
      // Its open mark comes later and must not be taken for an unclosed pair around the others.
      pairs.delete(mark.n)
      continue
    }
    if (top.n !== mark.n) {
      findings.push(
        error(
          'Q2',
          `${markText(top.n, false)}…${markText(mark.n, true)} cross: ${markText(top.n, true)} must come before ${markText(mark.n, true)} (pairs nest like brackets)`
        )
      )
      open.splice(
        open.findIndex((entry) => entry.n === mark.n),
        1
      )
      continue
    }
    open.pop()
    if (target.text.slice(top.end, mark.index).trim() === '' && !sourcePairIsEmpty(source.text, mark.n)) {
      findings.push(
        error(
          'Q2',
          `${markText(mark.n, false)}${markText(mark.n, true)} encloses no text: the source has text inside this pair, keep it translated inside`
        )
      )
    }
  }
  return findings
}

function sourcePairIsEmpty(text: string, n: number): boolean {
  const start = text.indexOf(markText(n, false))
  const end = text.indexOf(markText(n, true))
  return start >= 0 && end > start && text.slice(start + markText(n, false).length, end).trim() === ''
}

/**
 * Look-alikes of `⟦n⟧` a model produces: spaces or letters inside, ASCII or full-width double
 * brackets, other white brackets. Only those the source does not already contain count, because
 * `[[1]]` can be legitimate prose (a literal `⟦` in the source is an `escape` atom, so a bare `⟦`
 * or `⟧` in a translation never is).
 */
const LOOK_ALIKE =
  /⟦[^⟦⟧\n]{0,8}⟧|\[\[\s*\/?\s*[A-Za-z]?\d+\s*\]\]|［［\s*\/?\s*\d+\s*］］|[〚【［]\s*\/?\s*[A-Za-z]?[\d０-９]+\s*[〛】］]|[⟦⟧]/gu

/** Q3: mangled token forms. {@link normaliseTokenForms} fixes the unambiguous ones first. */
export const mangledTokens: Rule = ({source, target}) => {
  const candidates = (text: string) => text.replace(/⟦\/?\d+⟧/g, ' ') // valid tokens are Q1's business; hide them from the look-alike scan
  // With every token present, `【1】` or `[[2]]` is prose the translator wrote, not a lost token;
  // forms made of our own brackets never are.
  const actual = countMarks(scanTokens(target.text))
  const tokenLost = [...expectedMarks(source.tokens)].some(([mark, count]) => (actual.get(mark) ?? 0) < count)
  const extra = introduced(candidates(source.text), candidates(target.text), LOOK_ALIKE).filter(
    (form) => tokenLost || /[⟦⟧]/.test(form)
  )
  if (extra.length === 0) return []
  return [
    error(
      'Q3',
      `malformed placeholder ${extra.map((form) => quote(form, 20)).join(', ')}: tokens must be copied exactly as ⟦n⟧ or ⟦/n⟧ (no spaces, letters or other brackets)`
    )
  ]
}

const FULL_WIDTH_DIGIT = /[０-９]/g

/**
 * The Q3 auto-fix: `⟦ 1 ⟧`, `⟦１⟧`, `⟦／1⟧` → `⟦1⟧`/`⟦/1⟧`, but only when the number is a token
 * of the segment. It is unambiguous because `⟦`/`⟧` never occur in protected text except as
 * tokens (a literal one in the source is itself an `escape` atom). Other look-alikes (`[[1]]`,
 * `【1】`, `⟦p1⟧`) stay Q3 errors: they can be prose, or name nothing for sure.
 */
export function normaliseTokenForms(text: string, tokenNumbers: ReadonlySet<number>): string {
  return text.replace(/⟦([\s/／０-９\d]{1,12})⟧/g, (form, inner: string) => {
    const compact = inner
      .replace(/\s+/g, '')
      .replace('／', '/')
      .replace(FULL_WIDTH_DIGIT, (digit) => String(digit.charCodeAt(0) - 0xff10))
    const match = /^(\/?)(\d+)$/.exec(compact)
    if (match === null || !tokenNumbers.has(Number(match[2]))) return form
    return `⟦${match[1] ?? ''}${match[2] ?? ''}⟧`
  })
}
