/**
 * The pseudo provider: deterministic, keeps every token, shows glossary renderings, and never
 * accepts a translation its job's check rejects.
 */

import {describe, expect, it} from 'vitest'
import {createPseudoProvider, pseudoTranslate} from '../../src/providers/pseudo.js'
import type {Finding, TranslateJob} from '../../src/types.js'

describe('pseudoTranslate', () => {
  it('maps Latin letters outside tokens to look-alikes and keeps every token', () => {
    expect(pseudoTranslate('Run ⟦1⟧ and ⟦2⟧docs⟦/2⟧ ⟦12⟧')).toBe('Ŕúñ ⟦1⟧ àñđ ⟦2⟧đóçš ····⟦/2⟧ ⟦12⟧')
  })

  it('is deterministic and adds a marker with no Markdown-significant character', () => {
    const text = 'A sentence of some length, with punctuation: yes!'
    const once = pseudoTranslate(text)
    expect(pseudoTranslate(text)).toBe(once)
    // The marker sits before the closing punctuation, so the segment still ends as the source does.
    expect(once).toMatch(/ ·+!$/)
    expect(once).not.toMatch(/[A-Za-z]/)
  })

  it('marks text in other scripts (so it never comes back identical) and leaves letterless text alone', () => {
    expect(pseudoTranslate('通义千问 ⟦1⟧ 42')).toBe('通义千问 ⟦1⟧ 42 ··')
    expect(pseudoTranslate('Привет, мир.')).toBe('Привет, мир ···.')
    expect(pseudoTranslate('⟦1⟧ 42 — 2024-01-01')).toBe('⟦1⟧ 42 — 2024-01-01')
  })

  it('renders glossary terms as their targets, longest first', () => {
    const terms = [
      {source: 'Alibaba', target: 'ALI'},
      {source: 'Alibaba Cloud', target: '阿里云'}
    ]
    expect(pseudoTranslate('Alibaba Cloud and Alibaba', terms)).toBe('阿里云 àñđ ALI ·')
  })
})

describe('createPseudoProvider', () => {
  function job(
    check: (id: string, translation: string) => Finding[]
  ): TranslateJob & {accepted: Array<ReadonlyMap<string, string>>} {
    const accepted: Array<ReadonlyMap<string, string>> = []
    return {
      note: 'notes/a.md',
      sourceLocale: 'en',
      targetLocale: 'es',
      segments: [
        {id: 'a', text: 'Hello ⟦1⟧'},
        {id: 'b', text: 'Bad one'}
      ],
      terms: new Map([['a', [{source: 'Hello', target: 'Hola'}]]]),
      check,
      accepted,
      onAccepted(map) {
        accepted.push(new Map(map))
      }
    }
  }

  it('is named pseudo and reports no usage', async () => {
    const provider = createPseudoProvider()
    expect([provider.name, provider.model]).toEqual(['pseudo', 'pseudo'])
    const outcome = await provider.translate(job(() => []))
    expect(outcome.usage).toEqual({requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0})
    expect(outcome.translations.get('a')).toBe('Hola ⟦1⟧')
  })

  it('checks every translation, fails those with an error finding, keeps warnings', async () => {
    const seen: string[] = []
    const work = job((id, translation) => {
      seen.push(`${id}=${translation}`)
      if (id === 'b') return [{rule: 'Q1', severity: 'error', message: 'placeholder lost'}]
      return [{rule: 'Q16', severity: 'warning', message: 'end punctuation'}]
    })
    const outcome = await createPseudoProvider().translate(work)
    expect(seen).toEqual(['a=Hola ⟦1⟧', 'b=Ɓàđ óñé ··'])
    expect([...outcome.translations.keys()]).toEqual(['a'])
    expect(outcome.failures.get('b')).toBe('Q1: placeholder lost')
    expect(outcome.findings.map((finding) => finding.rule)).toEqual(['Q16'])
    expect(work.accepted).toEqual([new Map([['a', 'Hola ⟦1⟧']])])
  })

  it('stops when aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      createPseudoProvider().translate(
        job(() => []),
        {signal: controller.signal}
      )
    ).rejects.toThrow()
  })
})
