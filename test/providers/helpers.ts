/**
 * Shared pieces of the provider tests: a stand-in `check`, job builders and outcome assertions.
 *
 * The real validators live in `src/pipeline/validate.ts` (another module); this stand-in checks
 * what the provider's plumbing must never let through: a changed token multiset or crossed pairs
 * (Q1/Q2), an empty candidate (Q11) and an absurd length ratio (Q13, which catches commentary).
 */

import {expect} from 'vitest'
import {type Finding, TOKEN_PATTERN, type TranslateJob, type TranslateOutcome} from '../../src/types.js'
import {type Fault, pseudoTranslate, type RecordedRequest, segmentTexts} from '../support/openai-server.js'

export const canaryKey = 'sk-test-CANARY-5f1d2c9e8b7a6d4c'

/** Tokens of a text as a sorted multiset (`1`, `/1`, …). */
export function tokensOf(text: string): string[] {
  return [...text.matchAll(new RegExp(TOKEN_PATTERN.source, 'g'))].map(([, slash = '', n = '']) => slash + n).sort()
}

/** Whether the pairs of `text` are well nested (open before close, no crossing). */
function wellNested(text: string): boolean {
  const open: string[] = []
  for (const match of text.matchAll(new RegExp(TOKEN_PATTERN.source, 'g'))) {
    const [, slash, n = ''] = match
    if (slash) {
      if (open.pop() !== n) return false
    } else if (text.includes(`⟦/${n}⟧`)) {
      open.push(n)
    }
  }
  return open.length === 0
}

/** A stand-in for the project's validators. */
export function standInCheck(sources: ReadonlyMap<string, string>) {
  return (id: string, translation: string): Finding[] => {
    const source = sources.get(id) ?? ''
    const findings: Finding[] = []
    const expected = tokensOf(source).join(' ')
    const got = tokensOf(translation).join(' ')
    if (expected !== got) {
      findings.push({
        rule: 'Q1',
        severity: 'error',
        message: `placeholders [${got}] differ from the source's [${expected}]`
      })
    } else if (!wellNested(translation)) {
      findings.push({rule: 'Q2', severity: 'error', message: 'placeholder pairs are crossed'})
    }
    if (translation.trim() === '' && source.trim() !== '') {
      findings.push({rule: 'Q11', severity: 'error', message: 'empty translation'})
    }
    if (translation.length > 1.5 * source.length + 10) {
      findings.push({
        rule: 'Q13',
        severity: 'error',
        message: `length ${translation.length} vs source ${source.length}`
      })
    }
    return findings
  }
}

/** Segments with tokens, links and duplicates-by-shape, like a real note's. */
export const sampleTexts = [
  'Jingren Zhou is the ⟦1⟧CTO⟦/1⟧ of ⟦2⟧Alibaba Cloud⟦/2⟧.',
  'Run ⟦1⟧ to install, then read ⟦2⟧the docs⟦/2⟧ and ⟦3⟧.',
  'A paragraph with *no* tokens at all \\* but an escape.',
  'Title: ⟦1⟧Tongyi ⟦2⟧Qianwen⟦/2⟧⟦/1⟧',
  'Plain closing words.'
]

/** A job over `texts` (ids `s0`, `s1`, …) with the stand-in check and an `onAccepted` recorder. */
export function makeJob(texts: readonly string[] = sampleTexts, extra: Partial<TranslateJob> = {}) {
  const segments = texts.map((text, index) => ({id: `s${index}`, text}))
  const sources = new Map(segments.map(({id, text}) => [id, text]))
  const acceptedCalls: Array<Map<string, string>> = []
  const job: TranslateJob = {
    note: 'notes/example.md',
    sourceLocale: 'en',
    targetLocale: 'es',
    segments,
    check: standInCheck(sources),
    onAccepted(accepted) {
      acceptedCalls.push(new Map(accepted))
    },
    ...extra
  }
  return {job, sources, acceptedCalls}
}

/** Every id in exactly one map, and every accepted translation with intact tokens. */
export function expectSound(outcome: TranslateOutcome, job: TranslateJob): void {
  for (const {id, text} of job.segments) {
    const inTranslations = outcome.translations.has(id)
    const inFailures = outcome.failures.has(id)
    expect(inTranslations !== inFailures, `segment ${id} must be in exactly one map`).toBe(true)
    const translation = outcome.translations.get(id)
    if (translation !== undefined) expect(tokensOf(translation)).toEqual(tokensOf(text))
  }
  expect(outcome.translations.size + outcome.failures.size).toBe(job.segments.length)
}

/** Every segment translated exactly as the test server's pseudo-translation would. */
export function expectAllTranslated(outcome: TranslateOutcome, job: TranslateJob): void {
  expectSound(outcome, job)
  expect(Object.fromEntries(outcome.failures)).toEqual({})
  for (const {id, text} of job.segments) expect(outcome.translations.get(id)).toBe(pseudoTranslate(text))
}

/** JSON of anything a provider returns or throws, Maps and errors included. */
export function dump(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) => {
    if (item instanceof Map) return Object.fromEntries(item)
    if (item instanceof Error) return {...item, name: item.name, message: item.message, stack: item.stack}
    return item
  })
}

/**
 * The segment ids a recorded request carried: the provider sends request-local keys (`"1"`, …),
 * so ids are found again by their text (the jobs of these tests have distinct texts).
 */
export function sentIds(request: RecordedRequest, job: Pick<TranslateJob, 'segments'>): string[] {
  const byText = new Map(job.segments.map(({id, text}) => [text, id]))
  return segmentTexts(request).map((text) => byText.get(text) ?? `(unknown: ${text})`)
}

/** A content fault aimed at segment `id` of `job`, wherever it sits in each request (its wire key). */
export function faultOn<F extends Extract<Fault, {id?: string}>>(
  job: Pick<TranslateJob, 'segments'>,
  id: string,
  fault: F
): (request: RecordedRequest) => F | undefined {
  const text = job.segments.find((segment) => segment.id === id)?.text
  return (request) => {
    const key = segmentTexts(request).indexOf(text ?? '')
    return key === -1 ? undefined : {...fault, id: String(key + 1)}
  }
}
