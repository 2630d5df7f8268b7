/**
 * Deterministic QA of one segment's translation (docs/rules.md, Q1–Q22 and L5/L6).
 *
 * Two entry points share the prose rules:
 * - {@link validateTranslation} checks model output, which uses the segment's own token numbers
 *   (`sync`, before a translation is accepted, and `import` of reviewed units);
 * - {@link compareSegments} checks a committed target segment, protected on its own, against its
 *   source segment (`check`), so tokens are compared by what they stand for.
 *
 * Callers should run {@link normaliseTranslation} first: it applies the auto-fixes (Q3 token
 * spacing, Q9 edge whitespace, Q10 double spaces, the L6 safe unwrap) that the rules would
 * otherwise report.
 *
 * Pure: no I/O, no printing, no environment.
 */

import type {Finding, Segment} from '../types.js'
import {corruptedCharacters} from './validate/characters.js'
import {commentary, fencedAnswer, wholeFence} from './validate/commentary.js'
import {introducedCode, introducedHtml, introducedUrls, lineStructure} from './validate/markup.js'
import {mangledTokens, normaliseTokenForms, pairNesting, placeholderMultiset} from './validate/placeholders.js'
import {
  doubledWord,
  doubleSpace,
  edgeWhitespace,
  emptyOutput,
  INNER_DOUBLE_SPACE,
  leadingSpace,
  lengthRatio,
  numberMismatch,
  trailingSpace,
  unchanged
} from './validate/prose.js'
import {brackets, endPunctuation} from './validate/punctuation.js'
import type {Rule, RuleInput, Side, ValidationContext} from './validate/rule.js'
import {introducedTemplate, invisibleCharacters, secretInText} from './validate/smuggling.js'
import {tokenContents} from './validate/token-contents.js'
import {plainText} from './validate/tokens.js'

export type {ValidationContext} from './validate/rule.js'
export {humanMarkupFinding, missingMarkup} from './validate/token-contents.js'

/** Rules on the prose, shared by both entry points. */
const PROSE_RULES: readonly Rule[] = [
  emptyOutput,
  introducedUrls,
  introducedCode,
  introducedHtml,
  corruptedCharacters,
  introducedTemplate,
  invisibleCharacters,
  secretInText,
  commentary,
  fencedAnswer,
  lengthRatio,
  unchanged,
  numberMismatch,
  brackets,
  endPunctuation,
  doubledWord,
  doubleSpace
]

/** Model output: same token numbering as the segment, so tokens are checked mark by mark. */
const TRANSLATION_RULES: readonly Rule[] = [
  placeholderMultiset,
  pairNesting,
  mangledTokens,
  lineStructure,
  edgeWhitespace,
  ...PROSE_RULES
]

/** A committed target: own numbering (token contents compared instead); the parser trimmed it. */
const COMPARISON_RULES: readonly Rule[] = [tokenContents, ...PROSE_RULES]

/** An answer the safe L6 rule may unwrap: one fence, labelled Markdown, nothing around it. */
const MARKDOWN_FENCE_LABEL = /^(?:markdown|md)$/i

/**
 * The auto-fixes, applied before validation:
 * - L6: an answer that is exactly one fence labelled `markdown`/`md` is unwrapped (segments are
 *   never code, so such a fence cannot be content); any other fence is left for L6 to reject;
 * - Q3: `⟦ 1 ⟧`, `⟦１⟧` → `⟦1⟧` for token numbers of the segment (see `normaliseTokenForms`);
 * - Q10: runs of spaces between words collapse to one when the source has none;
 * - Q9: the source's leading and trailing whitespace replaces the translation's.
 * A whitespace-only translation is returned unchanged, for Q11 to report.
 */
export function normaliseTranslation(segment: Segment, translation: string): string {
  let text = translation
  const fence = wholeFence(text)
  if (fence !== undefined && MARKDOWN_FENCE_LABEL.test(fence.info)) text = fence.body
  text = normaliseTokenForms(text, new Set(segment.tokens.map((token) => token.n)))
  if ((segment.text.match(INNER_DOUBLE_SPACE)?.length ?? 0) === 0) text = text.replace(INNER_DOUBLE_SPACE, ' ')
  if (text.trim() === '') return translation
  return leadingSpace(segment.text) + text.trim() + trailingSpace(segment.text)
}

/**
 * Validate model output for `segment`: protected text in the segment's token space. Any `error`
 * finding means the translation must not be accepted (feed {@link describeForRetry} back).
 */
export function validateTranslation(segment: Segment, translation: string, context: ValidationContext): Finding[] {
  const input: RuleInput = {
    source: side(segment.text, segment),
    target: side(translation, segment),
    context,
    kind: segment.kind
  }
  return run(TRANSLATION_RULES, input, segment)
}

/**
 * Validate a committed target segment (segmented from the target file, with its own token
 * numbering) against its source segment: token contents by kind (code, URLs, HTML… as
 * multisets), plus the prose rules. Findings carry the source segment's id and line.
 */
export function compareSegments(source: Segment, target: Segment, context: ValidationContext): Finding[] {
  const input: RuleInput = {
    source: side(source.text, source),
    target: side(target.text, target),
    context,
    kind: source.kind
  }
  return run(COMPARISON_RULES, input, source)
}

/** What the model is told on a validation retry, by rule. */
const RETRY_HINTS: Readonly<Record<string, string>> = {
  Q1: 'copy every ⟦n⟧ and ⟦/n⟧ token exactly once',
  Q2: 'keep each ⟦n⟧…⟦/n⟧ pair around its text, nested like brackets',
  Q3: 'write tokens exactly as ⟦n⟧ and ⟦/n⟧',
  Q5: 'do not add URLs or e-mail addresses',
  Q7: 'do not add backticks, $ or code fences',
  Q8: 'keep the text one paragraph, with no list or heading markers',
  Q9: 'keep the leading and trailing whitespace',
  Q11: 'translate the whole text',
  Q13: 'translate all of the text and nothing more',
  Q15: 'use ASCII brackets next to links',
  Q21: 'use plain Unicode text',
  Q22: 'do not add HTML',
  Q26: 'do not add template syntax such as {{ or {%',
  Q27: 'do not add invisible or bidi control characters',
  Q28: 'never include credentials or key-like strings',
  L5: 'answer with the translation only, no comments',
  L6: 'do not wrap the answer in a code fence'
}

/**
 * One line for the model on a validation retry: every error, grouped by rule, with what to do.
 * Warnings are left out (they do not block, and would distract). Empty when there are no errors.
 */
export function describeForRetry(findings: readonly Finding[]): string {
  const byRule = new Map<string, string[]>()
  for (const finding of findings) {
    if (finding.severity !== 'error') continue
    const messages = byRule.get(finding.rule) ?? []
    messages.push(finding.message)
    byRule.set(finding.rule, messages)
  }
  return [...byRule]
    .map(([rule, messages]) => {
      const hint = RETRY_HINTS[rule]
      return `${rule}: ${messages.join('; ')}${hint === undefined ? '' : ` — ${hint}`}.`
    })
    .join(' ')
    .replace(/\s*\n\s*/g, ' ')
}

function side(text: string, segment: Segment): Side {
  return {text, tokens: segment.tokens, plain: plainText(text, segment.tokens)}
}

function run(rules: readonly Rule[], input: RuleInput, segment: Segment): Finding[] {
  return rules.flatMap((rule) => rule(input).map((finding) => ({...finding, segment: segment.id, line: segment.line})))
}
