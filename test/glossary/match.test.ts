import {describe, expect, test} from 'vitest'
import {findTerms} from '../../src/glossary/load.js'
import {example} from './example.js'

const glossary = example()

function found(text: string): string[] {
  return findTerms(glossary, text).map((match) => `${match.matched}@${match.start}`)
}

describe('findTerms', () => {
  test('respects word boundaries in Latin script', () => {
    expect(found('Qwenlike models')).toEqual([])
    expect(found('preQwen')).toEqual([])
    expect(found('Qwen2 is not Qwen')).toEqual(['Qwen@13'])
    expect(found('the Qwen, models (Qwen) and "Qwen".')).toEqual(['Qwen@4', 'Qwen@18', 'Qwen@29'])
    expect(found('Alibaba Cloud’s Qwen')).toEqual(['Alibaba Cloud@0', 'Qwen@16'])
  })

  test('needs no boundaries for CJK, and CJK neighbours are boundaries for Latin terms', () => {
    expect(found('阿里发布了通义千问大模型')).toEqual(['通义千问@5'])
    expect(found('用Qwen模型')).toEqual(['Qwen@1'])
    expect(found('阿里云CTO周靖人')).toEqual(['CTO@3'])
  })

  test('treats non-Latin spaced scripts with boundaries too', () => {
    const text = 'Ζqwen'
    expect(found(text)).toEqual([])
  })

  test('is case-insensitive by default, case-sensitive for acronyms and when asked', () => {
    expect(found('qwen and QWEN')).toEqual(['qwen@0', 'QWEN@9'])
    expect(found('the cto and the CTO')).toEqual(['CTO@16'])
    expect(found('an apple from Apple')).toEqual(['Apple@14'])
    expect(found('alibaba cloud')).toEqual(['alibaba cloud@0'])
  })

  test('prefers the longest match and never overlaps', () => {
    const matches = findTerms(glossary, 'Alibaba Cloud Intelligence and Alibaba Cloud')
    expect(matches.map((match) => [match.entry.term, match.start, match.end])).toEqual([
      ['Alibaba Cloud Intelligence', 0, 26],
      ['Alibaba Cloud', 31, 44]
    ])
  })

  test('matches variants and terms wrapped across lines', () => {
    expect(findTerms(glossary, 'Zhou Jingren')[0]?.entry.term).toBe('Jingren Zhou')
    expect(found('at Alibaba\nCloud')).toEqual(['Alibaba\nCloud@3'])
  })

  test('never matches inside placeholder tokens, bare URLs or e-mail addresses', () => {
    expect(found('see https://qwen.ai/Qwen and www.microsoft.com or qwen@alibaba.com ⟦1⟧')).toEqual([])
    expect(found('⟦2⟧Qwen⟦/2⟧')).toEqual(['Qwen@3'])
  })

  test('returns nothing for an empty glossary', () => {
    expect(findTerms({...glossary, entries: [], matcher: {alternations: []}}, 'Qwen')).toEqual([])
  })
})
