/**
 * `check` compares a committed target segment with its source segment. The two were protected
 * separately, so their token numbers mean nothing to each other: what must agree is what the
 * tokens stand for, compared per kind as multisets (order is free, docs/decisions.md trap 13).
 */

import type {Token} from '../../types.js'
import {error, multisetDifference, quote, type Rule, type RuleFinding, warning} from './rule.js'

/** How one kind of token is compared: by which content, under which rule, how severely. */
interface KindCheck {
  rule: string
  severity: 'error' | 'warning'
  /** What the reader is told the token is. */
  label: string
  /** The content that must survive translation byte for byte. */
  content: (token: Token) => string
}

const opened = (token: Token) => token.open
const destination = (token: Token) => token.url ?? `${token.open}${token.close}`
/** Paired markup whose only meaning is that it exists (the text inside is translated). */
const presence = () => ''

/** Token kind → how to compare it. Every kind of `Token['kind']` has an entry. */
const KIND_CHECKS: Record<Token['kind'], KindCheck> = {
  code: {rule: 'Q7', severity: 'error', label: 'inline code', content: opened},
  math: {rule: 'Q7', severity: 'error', label: 'math', content: opened},
  html: {rule: 'Q22', severity: 'error', label: 'HTML', content: opened},
  htmlPair: {rule: 'Q22', severity: 'error', label: 'HTML element', content: (token) => `${token.open}…${token.close}`},
  url: {rule: 'Q5', severity: 'error', label: 'URL', content: (token) => token.url ?? token.open},
  autolink: {rule: 'Q5', severity: 'error', label: 'autolink', content: (token) => token.url ?? token.open},
  link: {rule: 'Q5', severity: 'error', label: 'link destination', content: destination},
  image: {rule: 'Q5', severity: 'error', label: 'image source', content: destination},
  reference: {rule: 'Q5', severity: 'error', label: 'reference', content: destination},
  footnote: {rule: 'Q1', severity: 'error', label: 'footnote reference', content: opened},
  escape: {rule: 'Q1', severity: 'error', label: 'escaped character', content: opened},
  term: {rule: 'Q18', severity: 'error', label: 'do-not-translate term', content: opened},
  charref: {rule: 'Q8', severity: 'warning', label: 'character reference', content: opened},
  break: {rule: 'Q8', severity: 'warning', label: 'hard line break', content: presence},
  emphasis: {rule: 'Q8', severity: 'warning', label: 'emphasis', content: presence},
  strong: {rule: 'Q8', severity: 'warning', label: 'strong emphasis', content: presence},
  delete: {rule: 'Q8', severity: 'warning', label: 'strikethrough', content: presence}
}

function contents(tokens: readonly Token[], kind: Token['kind']): Map<string, number> {
  const counts = new Map<string, number>()
  for (const token of tokens) {
    if (token.kind !== kind) continue
    const value = KIND_CHECKS[kind].content(token)
    counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  return counts
}

/** What a difference looks like in a message: the content when it has one, else the count. */
function describe(values: readonly string[]): string {
  return values.every((value) => value === '') ? `${values.length}` : values.map((value) => quote(value, 50)).join(', ')
}

/** Every kind of token: the target stands for the same things as the source. */
export const tokenContents: Rule = ({source, target}) => {
  const findings: RuleFinding[] = []
  for (const kind of Object.keys(KIND_CHECKS) as Array<Token['kind']>) {
    const check = KIND_CHECKS[kind]
    const expected = contents(source.tokens, kind)
    const actual = contents(target.tokens, kind)
    const missing = multisetDifference(expected, actual)
    const added = multisetDifference(actual, expected)
    if (missing.length === 0 && added.length === 0) continue
    const parts = [
      missing.length > 0 ? `missing ${describe(missing)}` : '',
      added.length > 0 ? `not in the source ${describe(added)}` : ''
    ].filter(Boolean)
    const make = check.severity === 'error' ? error : warning
    findings.push(make(check.rule, `${check.label} differs from the source: ${parts.join('; ')}`))
  }
  return findings
}
