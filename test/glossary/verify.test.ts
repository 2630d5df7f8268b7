import {describe, expect, test} from 'vitest'
import {verifyTerms} from '../../src/glossary/load.js'
import {example} from './example.js'

const glossary = example()

function rules(source: string, target: string, locale: string, strict = false): string[] {
  return verifyTerms(glossary, source, target, locale, {strict}).map((finding) => `${finding.rule}:${finding.severity}`)
}

describe('verifyTerms', () => {
  const source = 'Jingren Zhou is the Chief Technology Officer of Alibaba Cloud.'

  test('passes when every required rendering is present', () => {
    expect(rules(source, 'Jingren Zhou es el director de tecnología de Alibaba Cloud.', 'es')).toEqual([])
    expect(rules(source, '周靖人是阿里云的首席技术官。', 'zh')).toEqual([])
  })

  test('accepts case changes and inflected or listed variants', () => {
    expect(rules(source, 'Jingren Zhou, Director de Tecnología de Alibaba Cloud.', 'es')).toEqual([])
    expect(rules(source, 'Jingren Zhou es la directora de tecnología de Alibaba Cloud.', 'es')).toEqual([])
    expect(rules('the Chief Technology Officer', 'لكبير مسؤولي التكنولوجيا', 'ar')).toEqual([])
  })

  test('reports a missing rendering as G1 (warning, or error when strict)', () => {
    const target = 'Jingren Zhou es el Chief Technology Officer de Alibaba Cloud.'
    expect(rules(source, target, 'es')).toEqual(['G1:warning'])
    expect(rules(source, target, 'es', true)).toEqual(['G1:error'])
    const [finding] = verifyTerms(glossary, source, target, 'es')
    expect(finding?.message).toBe(
      'expected "director de tecnología" (or "directora de tecnología") for "Chief Technology Officer" (es, glossary.json /entries/6), received a translation without it'
    )
  })

  test('reports a forbidden form as G2, but not inside an accepted form', () => {
    const target = 'Jingren Zhou es el jefe de tecnología de Alibaba Cloud.'
    expect(rules(source, target, 'es')).toEqual(['G1:warning', 'G2:warning'])
    expect(verifyTerms(glossary, source, target, 'es')[1]?.message).toContain(
      'received the forbidden form "jefe de tecnología"'
    )
    expect(rules('the Chief Technology Officer', 'le directeur technique', 'fr')).toEqual([])
    expect(rules('the Chief Technology Officer', 'le directeur technique et le directeur', 'fr')).toEqual([
      'G2:warning'
    ])
  })

  test('reports an altered keep-term as G3', () => {
    expect(rules('Qwen models', 'modelos Qwen', 'es')).toEqual([])
    expect(rules('Qwen models', 'modelos qwen', 'es')).toEqual(['G3:warning'])
    expect(rules('Jingren Zhou', 'Jingren Zhou', 'zh')).toEqual(['G3:warning'])
    expect(rules('Jingren Zhou', '周靖人', 'zh')).toEqual([])
  })

  test('checks at block level: a term may move across inline markup (Q19)', () => {
    const sourceMarkdown = 'He is the [Chief Technology Officer](https://example.com/cto) of **Alibaba Cloud**.'
    expect(
      rules(sourceMarkdown, 'Es el **director** de [tecnología](https://example.com/cto) de Alibaba *Cloud*.', 'es')
    ).toEqual([])
    expect(rules(sourceMarkdown, '他是[阿里云](https://example.com/cto)的**首席**技术官。', 'zh')).toEqual([])
  })

  test('ignores terms in code, URLs and images on both sides', () => {
    expect(
      rules('run `Alibaba Cloud` at <https://qwen.ai>', 'ejecuta `Alibaba Cloud` en <https://qwen.ai>', 'zh')
    ).toEqual([])
    expect(rules('Alibaba Cloud', '`阿里云`', 'zh')).toEqual(['G1:warning'])
  })

  test('does not enforce entries without a rendering for the locale', () => {
    expect(rules(source, 'Jingren Zhou ist Chief Technology Officer von Alibaba Cloud.', 'de')).toEqual([])
  })
})

describe('verifyTerms messages', () => {
  test('stay on one line when a form is wrapped across lines', () => {
    const [, forbidden] = verifyTerms(glossary, 'the Chief\nTechnology Officer', 'el jefe de\ntecnología', 'es')
    expect(forbidden?.message).toContain('received the forbidden form "jefe de tecnología"')
    expect(forbidden?.message).not.toContain('\n')
  })
})
