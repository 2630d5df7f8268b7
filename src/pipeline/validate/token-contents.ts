/**
 * `check` compares a committed target segment with its source segment. The two were protected
 * separately, so their token numbers mean nothing to each other: what must agree is what the
 * tokens stand for, compared per kind as multisets (order is free, docs/decisions.md trap 13).
 */

import type {Finding, Segment, Token} from '../../types.js'
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
export const tokenContents: Rule = ({source, target, context}) => {
  const findings: RuleFinding[] = []
  const dropped = context.humanTarget ? new Set(missingKinds(source.tokens, target.tokens)) : new Set()
  for (const kind of Object.keys(KIND_CHECKS) as Array<Token['kind']>) {
    const check = KIND_CHECKS[kind]
    const expected = contents(source.tokens, kind)
    const actual = contents(target.tokens, kind)
    // Markup a human left out is reported as `human-markup` (a warning), not here.
    const missing = dropped.has(kind) ? [] : multisetDifference(expected, actual)
    const added = multisetDifference(actual, expected)
    if (missing.length === 0 && added.length === 0) continue
    const parts = [
      missing.length > 0 ? `missing ${describe(missing)}` : '',
      added.length > 0 ? `not in the source ${describe(added)}` : ''
    ].filter(Boolean)
    // What a human added (a product name in brackets, a link of their own) takes nothing of the
    // source away: a warning. What they changed or left out of code, URLs and terms is an error.
    const make = check.severity === 'error' && !(context.humanTarget && missing.length === 0) ? error : warning
    findings.push(make(check.rule, `${check.label} differs from the source: ${parts.join('; ')}`))
  }
  return findings
}

/** Markup whose absence in a human's translation is reported (escapes, character references and glossary terms are not markup). */
const MARKUP_KINDS: ReadonlyArray<Token['kind']> = [
  'strong',
  'emphasis',
  'delete',
  'link',
  'image',
  'reference',
  'autolink',
  'url',
  'code',
  'math',
  'html',
  'htmlPair',
  'footnote',
  'break'
]

/**
 * The inline markup of `source` that `target` (a translation a human wrote, protected on its own)
 * has fewer of, as labels (`strong emphasis`, `link destination`), each once. Counted by kind
 * only, so a link rebased for the target's folder is still the same link.
 */
export function missingMarkup(source: readonly Token[], target: readonly Token[]): string[] {
  return missingKinds(source, target).map((kind) => KIND_CHECKS[kind].label)
}

function missingKinds(source: readonly Token[], target: readonly Token[]): Array<Token['kind']> {
  const count = (tokens: readonly Token[], kind: Token['kind']) => tokens.filter((token) => token.kind === kind).length
  return MARKUP_KINDS.filter((kind) => count(target, kind) < count(source, kind))
}

/**
 * The warning for a human segment without some of its source's inline markup: where it is, what
 * it lacks, and what clears it. Shared by `sync` and `check` (docs/rules.md, `human-markup`).
 */
export function humanMarkupFinding(
  segment: Segment,
  targetLine: number,
  output: string,
  source: string,
  missing: readonly string[]
): Finding {
  return {
    rule: 'human-markup',
    severity: 'warning',
    segment: segment.id,
    line: segment.line,
    message: `${output}:${targetLine}: the hand-edited translation lacks the source's ${missing.join(', ')} (${source}:${segment.line}); human edits win, so it is kept as written — restore it there and run notes-l10n sync, or leave it if it was meant`
  }
}
