import {describe, expect, test} from 'vitest'
import {shielded} from '../../src/glossary/apply.js'
import {qwenMtTerms, renderKeep, requiredTerms, shield} from '../../src/glossary/load.js'
import {example} from './example.js'

const glossary = example()

describe('shield', () => {
  const protect = shield(glossary)

  test('returns the ranges of keep-terms and of terms whose default rendering is the term', () => {
    const text = 'Jingren Zhou, CTO of Alibaba Cloud, built Qwen.'
    const ranges = protect(text)
    expect(ranges.map(({start, end}) => text.slice(start, end))).toEqual([
      'Jingren Zhou',
      'CTO',
      'Alibaba Cloud',
      'Qwen'
    ])
  })

  test('is locale-independent: keep-terms with renderings are shielded too', () => {
    expect(protect('Microsoft')).toEqual([{start: 0, end: 9}])
  })

  test('returns nothing when the glossary has no keep-terms', () => {
    const noKeep = {...glossary, entries: glossary.entries.filter((entry) => !shielded(entry))}
    expect(shield(noKeep)('Qwen')).toEqual([])
  })
})

describe('renderKeep', () => {
  test('substitutes the locale rendering of a kept term', () => {
    expect(renderKeep(glossary, 'Jingren Zhou', 'zh')).toBe('周靖人')
    expect(renderKeep(glossary, 'Zhou Jingren', 'zh')).toBe('周靖人')
    expect(renderKeep(glossary, 'Jingren Zhou', 'zh-Hant')).toBe('周靖人')
  })

  test('keeps the source text byte-identical without a rendering', () => {
    expect(renderKeep(glossary, 'Jingren Zhou', 'es')).toBe('Jingren Zhou')
    expect(renderKeep(glossary, 'qwen', 'zh')).toBe('qwen')
  })

  test('falls back through the locale chain and then to `*`', () => {
    expect(renderKeep(glossary, 'Microsoft', 'zh-CN')).toBe('微软')
    expect(renderKeep(glossary, 'Microsoft', 'es')).toBe('Microsoft')
  })

  test('never gives a Simplified rendering to Traditional Chinese', () => {
    expect(renderKeep(glossary, 'Microsoft', 'zh-Hant')).toBe('Microsoft')
    expect(renderKeep(glossary, 'Microsoft', 'zh-TW')).toBe('Microsoft')
  })

  test('leaves text that is not exactly one keep-term alone', () => {
    expect(renderKeep(glossary, 'Alibaba Cloud!', 'zh')).toBe('Alibaba Cloud!')
    expect(renderKeep(glossary, 'Jingren Zhou!', 'zh')).toBe('Jingren Zhou!')
  })

  test('renders a term whose default rendering is itself like a keep-term', () => {
    expect(renderKeep(glossary, 'Alibaba Cloud', 'es')).toBe('Alibaba Cloud')
    expect(renderKeep(glossary, 'Alibaba Cloud', 'zh')).toBe('阿里云')
  })
})

describe('requiredTerms', () => {
  test('lists only translate-as entries that occur and have a rendering for the locale', () => {
    // Alibaba Cloud Intelligence renders as itself by default: a placeholder, not a required term.
    const markdown =
      'Jingren Zhou is **Chief Technology Officer** of Alibaba Cloud Intelligence; `Alibaba Cloud` is code.'
    expect(requiredTerms(glossary, markdown, 'es')).toEqual([
      {
        source: 'Chief Technology Officer',
        target: 'director de tecnología',
        variants: ['directora de tecnología'],
        note: 'Executive title.'
      }
    ])
    expect(requiredTerms(glossary, markdown, 'zh').map((term) => term.target)).toEqual(['首席技术官'])
  })

  test('skips terms in link destinations, autolinks and tokens', () => {
    expect(
      requiredTerms(glossary, '[home](https://example.com/Alibaba%20Cloud) <https://alibaba.cloud/Apple>', 'zh')
    ).toEqual([])
    expect(requiredTerms(glossary, 'see ⟦1⟧ and ⟦2⟧Chief Technology Officer⟦/2⟧', 'zh')).toEqual([
      {source: 'Chief Technology Officer', target: '首席技术官', note: 'Executive title.'}
    ])
  })

  test('gives one term per distinct source form, with spacing normalised', () => {
    expect(
      requiredTerms(glossary, 'chief technology officer, Chief\nTechnology Officer, Chief Technology Officer', 'zh')
    ).toEqual([
      {source: 'chief technology officer', target: '首席技术官', note: 'Executive title.'},
      {source: 'Chief Technology Officer', target: '首席技术官', note: 'Executive title.'}
    ])
  })

  test('omits entries without a rendering for the locale', () => {
    expect(requiredTerms(glossary, 'Chief Technology Officer', 'de')).toEqual([])
  })
})

describe('qwenMtTerms', () => {
  test('maps required terms to Qwen-MT `{source, target}` pairs, first rendering per source', () => {
    expect(
      qwenMtTerms([
        {source: 'Alibaba Cloud', target: '阿里云', variants: ['x'], note: 'n'},
        {source: 'Alibaba Cloud', target: 'other'},
        {source: 'Chief Technology Officer', target: '首席技术官'}
      ])
    ).toEqual([
      {source: 'Alibaba Cloud', target: '阿里云'},
      {source: 'Chief Technology Officer', target: '首席技术官'}
    ])
  })
})
