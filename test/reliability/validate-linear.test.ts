/**
 * Validators on pathological segments (S10): the bad-input suite found two quadratic rules
 * (a 1 MB line of repeated words took 88 s in Q17; a long run of `]` took 26 s in Q16).
 */

import {describe, expect, it} from 'vitest'
import {normaliseTranslation, validateTranslation} from '../../src/pipeline/validate.js'
import type {Segment} from '../../src/types.js'

const EN_ES = {sourceLocale: 'en', targetLocale: 'es'}

/** A hang guard for the quadratic versions (minutes), not a performance assertion. */
const HANG_GUARD_MS = 10_000

function segment(text: string): Segment {
  return {id: 'seg', kind: 'paragraph', line: 1, start: 0, end: text.length, markdown: text, text, tokens: []}
}

const rule = (findings: ReturnType<typeof validateTranslation>, id: string) =>
  findings.filter((finding) => finding.rule === id)

describe('S10 validators stay linear on pathological segments', () => {
  it('Q17 counts doubled words as a multiset and names only the first three', () => {
    const source = segment(`the the cat. ${'Word. '.repeat(10)}`)
    const findings = rule(
      validateTranslation(source, `el el gato, el el perro, la la, lo lo, su su. ${'Palabra. '.repeat(10)}`, EN_ES),
      'Q17'
    )
    expect(findings).toHaveLength(1)
    expect(findings[0]!.message).toBe('doubled word "el el", "el el", "la la" and 2 more: expected it once')
  })

  it('Q17 keeps one short line for 100,000 doubled words, in bounded time', () => {
    const started = performance.now()
    const findings = rule(
      validateTranslation(segment('word. '.repeat(100_000)), `${'palabra '.repeat(200_000)}fin.`, EN_ES),
      'Q17'
    )
    expect(performance.now() - started).toBeLessThan(HANG_GUARD_MS)
    expect(findings).toHaveLength(1)
    expect(findings[0]!.message).toMatch(
      /^doubled word "palabra palabra", "palabra palabra", "palabra palabra" and 99997 more: expected it once$/
    )
  })

  it('Q16 looks past trailing closers, and a run of 100,000 "]" before other text takes bounded time', () => {
    expect(rule(validateTranslation(segment('He said “done.”'), 'Dijo «hecho»', EN_ES), 'Q16')).toHaveLength(1)
    expect(rule(validateTranslation(segment('He said “done.”'), 'Dijo «hecho.»', EN_ES), 'Q16')).toEqual([])
    const started = performance.now()
    validateTranslation(segment(`x${']'.repeat(100_000)} end`), `x${']'.repeat(100_000)} ·`, EN_ES)
    expect(performance.now() - started).toBeLessThan(HANG_GUARD_MS)
  })

  // Shapes that were quadratic in the e-mail, edge-whitespace, translatable-word, note and fence
  // patterns (a 1 MB word of letters: over 300 s; 10 MB: stack overflow).
  it.each(['a', 'A', 'a-', '1.1', 'a.a', 'a+', '-', 'sure', '`', ' \n', '(nota: ', '@a.', '\u200b', '{{'])(
    'a 1 MB reply of repeated %j is validated in bounded time',
    (unit) => {
      const source = segment('The cache is rebuilt every night after an upgrade.')
      const reply = unit.repeat(Math.ceil(1_000_000 / unit.length))
      const started = performance.now()
      const findings = validateTranslation(source, normaliseTranslation(source, reply), EN_ES)
      expect(performance.now() - started).toBeLessThan(HANG_GUARD_MS)
      expect(findings.some((finding) => finding.severity === 'error')).toBe(true)
    }
  )
})
