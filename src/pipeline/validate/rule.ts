/**
 * The shape every validation rule shares.
 *
 * A rule compares one side (the source segment) with the other (a model translation, or a
 * committed target segment) and returns findings without segment or line: the caller adds those,
 * so rules stay about text only.
 */

import type {Finding, SegmentKind, Token} from '../../types.js'

/** How the two languages are set, plus the tunable bounds of the warning-level rules. */
export interface ValidationContext {
  sourceLocale: string
  targetLocale: string
  /**
   * Q13 warning bounds on the length ratio target/source (in weighted characters, see
   * `script.ts`). Defaults: `{below: 0.4, above: 2.5}`; errors stay at 0.1 and 10.
   */
  lengthRatio?: {below: number; above: number}
  /** Q17: words that may legitimately repeat (`vous vous`), lower case. Defaults to Okapi's. */
  doubledWordExceptions?: readonly string[]
  /**
   * Q28: whether `text` holds the API key (or a recognisable form or fragment of it, or a
   * key-shaped token `source` does not have). Set by the commands from `src/redact.ts`.
   */
  containsSecret?: (text: string, source: string) => boolean
  /**
   * The target is a translation a human wrote: inline markup of the source it has fewer of (bold
   * written as plain text, a dropped link) is theirs to choose and is reported once, as the
   * `human-markup` warning, by the caller; contents that differ (a changed command or URL) are
   * still findings of their own rule.
   */
  humanTarget?: boolean
}

/** One side of a comparison: protected text with its own token table. */
export interface Side {
  /** Protected text (`⟦n⟧` tokens). */
  text: string
  tokens: readonly Token[]
  /** {@link plainText} of `text`: the prose only. */
  plain: string
}

export interface RuleInput {
  source: Side
  target: Side
  context: ValidationContext
  /** The source segment's kind, when known (line rules depend on it). */
  kind?: SegmentKind
}

/** A finding before the segment id and line are attached. */
export type RuleFinding = Pick<Finding, 'rule' | 'severity' | 'message'>

export type Rule = (input: RuleInput) => RuleFinding[]

/** Shorthand constructors keep the rule bodies about the check, not the record. */
export function error(rule: string, message: string): RuleFinding {
  return {rule, severity: 'error', message}
}

export function warning(rule: string, message: string): RuleFinding {
  return {rule, severity: 'warning', message}
}

/**
 * Quote a piece of text for a one-line message: JSON string syntax shows newlines and invisible
 * characters instead of breaking the line; long text is cut in the middle.
 */
export function quote(text: string, max = 60): string {
  // Prose views stand atoms in as U+FFFC (see tokens.ts); a reader should see a placeholder.
  const readable = text.replace(/\uFFFC/g, '⟦…⟧')
  const cut = readable.length > max ? `${readable.slice(0, max - 20)}…${readable.slice(-19)}` : readable
  return JSON.stringify(cut)
}

/** How often `pattern` (global) matches `text`, by matched string. */
function countMatches(text: string, pattern: RegExp): Map<string, number> {
  const counts = new Map<string, number>()
  for (const match of text.matchAll(pattern)) {
    counts.set(match[0], (counts.get(match[0]) ?? 0) + 1)
  }
  return counts
}

/** The matches of `pattern` in `target` beyond those in `source`, as a multiset difference. */
export function introduced(source: string, target: string, pattern: RegExp): string[] {
  const before = countMatches(source, pattern)
  return multisetDifference(countMatches(target, pattern), before)
}

/** What `left` has beyond `right` (value → count), each value repeated by its excess, in `left`'s order. */
export function multisetDifference(left: ReadonlyMap<string, number>, right: ReadonlyMap<string, number>): string[] {
  const extra: string[] = []
  for (const [value, count] of left) {
    for (let k = right.get(value) ?? 0; k < count; k++) extra.push(value)
  }
  return extra
}
