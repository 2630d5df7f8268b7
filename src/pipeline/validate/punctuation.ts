/**
 * Q15, Q16: brackets and end punctuation, with CJK full-width forms counted as their ASCII
 * equivalents (a Chinese translation writes `（…）` and `。` for `(…)` and `.`).
 */

import {error, introduced, quote, type Rule, type RuleFinding, warning} from './rule.js'
import {language} from './script.js'
import {ATOM_STAND_IN, markText} from './tokens.js'

const BRACKET_CLASSES = {
  round: /[()（）]/g,
  square: /[[\]［］【】〔〕]/g,
  curly: /[{}｛｝]/g
} as const

/**
 * Link syntax written with a full-width bracket (`［text］（url）`, `]（`): Markdown does not
 * read it as a link, so the link is silently lost.
 */
const FULL_WIDTH_LINK_SYNTAX = /[\]］][ \t]*[（［]|］[ \t]*[([]/g

/** Opening full-width brackets that GFM would take into a bare URL's autolink. */
const FULL_WIDTH_OPENERS = '（［【｛「『〔'

/**
 * Q15: the same number of round, square and curly brackets (warning); full-width brackets that
 * break link syntax, or that a bare URL would swallow, are errors.
 */
export const brackets: Rule = ({source, target}) => {
  const findings: RuleFinding[] = []
  const broken = introduced(source.plain, target.plain, FULL_WIDTH_LINK_SYNTAX)
  if (broken.length > 0) {
    findings.push(
      error(
        'Q15',
        `full-width bracket in link syntax ${broken.map((text) => quote(text, 10)).join(', ')}: a link needs ASCII [ ] ( )`
      )
    )
  }
  for (const token of target.tokens) {
    if (token.kind !== 'url') continue
    const mark = markText(token.n, false)
    const glued = (text: string) => {
      const at = text.indexOf(mark)
      const next = at >= 0 ? text.charAt(at + mark.length) : ''
      return next !== '' && FULL_WIDTH_OPENERS.includes(next)
    }
    if (glued(target.text) && !glued(source.text)) {
      findings.push(
        error(
          'Q15',
          `${mark} (a bare URL) is followed by a full-width bracket, which would become part of the link: put a space after ${mark}`
        )
      )
    }
  }
  for (const [name, pattern] of Object.entries(BRACKET_CLASSES)) {
    const expected = source.plain.match(pattern)?.length ?? 0
    const actual = target.plain.match(pattern)?.length ?? 0
    if (expected !== actual) {
      findings.push(warning('Q15', `${actual} ${name} bracket(s), the source has ${expected}`))
    }
  }
  return findings
}

type Ending = 'stop' | 'question' | 'exclamation' | 'colon' | 'semicolon' | 'comma' | 'ellipsis' | 'none'

const ENDINGS: Record<string, Ending> = {
  '.': 'stop',
  '。': 'stop',
  '．': 'stop',
  '｡': 'stop',
  '।': 'stop',
  '?': 'question',
  '？': 'question',
  '\u037E': 'question',
  '؟': 'question',
  '!': 'exclamation',
  '！': 'exclamation',
  ':': 'colon',
  '：': 'colon',
  ';': 'semicolon',
  '；': 'semicolon',
  ',': 'comma',
  '，': 'comma',
  '、': 'comma',
  '…': 'ellipsis',
  '⋯': 'ellipsis'
}

/** Closing quotes and brackets around a sentence's final punctuation (`“Done.”`, `(see 3.)`). */
const CLOSER = /[\s"'”’»›)）\]］】」』*_]/u

/**
 * `plain` without its trailing closers. A loop from the end, not `/[…]+$/`: that regex retries
 * from every closer in a long run that is not at the end (`]]]…]x`), which is quadratic (S10).
 */
function withoutClosers(plain: string): string {
  let end = plain.length
  while (end > 0 && CLOSER.test(plain.charAt(end - 1))) end--
  return plain.slice(0, end)
}

function ending(plain: string, locale: string): Ending | 'token' {
  const text = withoutClosers(plain)
  if (text.endsWith(ATOM_STAND_IN)) return 'token'
  if (text.endsWith('...')) return 'ellipsis'
  const last = text.at(-1) ?? ''
  // Greek writes the question mark as ";" (U+037E normalises to it).
  if (last === ';' && language(locale) === 'el') return 'question'
  return ENDINGS[last] ?? 'none'
}

/**
 * Q16: the same kind of end punctuation (`.` ≙ `。`, `?` ≙ `？` ≙ Greek `;`). Not compared when
 * either side ends with a token: word order legitimately moves code and links to the end.
 */
export const endPunctuation: Rule = ({source, target, context}) => {
  const expected = ending(source.plain, context.sourceLocale)
  const actual = ending(target.plain, context.targetLocale)
  if (expected === 'token' || actual === 'token' || expected === actual) return []
  if (target.plain.trim() === '') return []
  return [
    warning(
      'Q16',
      `ends with ${actual === 'none' ? 'no punctuation' : `a ${actual}`}, the source with ${expected === 'none' ? 'none' : `a ${expected}`}`
    )
  ]
}
