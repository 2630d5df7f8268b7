import {describe, expect, test} from 'vitest'
import {parseGlossary, segmentFingerprint} from '../../src/glossary/load.js'
import {example, exampleJson} from './example.js'

const segments = {
  cto: 'Jingren Zhou is the Chief Technology Officer.',
  cloud: 'Alibaba Cloud builds Qwen.',
  plain: 'Nothing to see here.'
}

function fingerprints(json: typeof exampleJson, locale: string) {
  const glossary = parseGlossary(json, 'glossary.json')
  return Object.fromEntries(
    Object.entries(segments).map(([name, markdown]) => [name, segmentFingerprint(glossary, markdown, locale)])
  )
}

function edited(edit: (json: typeof exampleJson) => void): typeof exampleJson {
  const json = structuredClone(exampleJson)
  edit(json)
  return json
}

describe('segmentFingerprint', () => {
  const before = fingerprints(exampleJson, 'es')

  test('is undefined for a segment without terms, and a short lock-safe hash otherwise', () => {
    expect(before.plain).toBeUndefined()
    expect(before.cto).toMatch(/^[\w-]{8}$/)
    expect(before.cloud).toMatch(/^[\w-]{8}$/)
  })

  test('changes only for segments containing the changed entry', () => {
    const after = fingerprints(
      edited((json) => {
        const cto = json.entries[6] as {translations: {es: {target: string}}}
        cto.translations.es.target = 'director tecnológico'
      }),
      'es'
    )
    expect(after.cto).not.toBe(before.cto)
    expect(after.cloud).toBe(before.cloud)
    expect(after.plain).toBeUndefined()
  })

  test('ignores edits to other locales, other entries and the order of the file', () => {
    const otherLocale = edited((json) => {
      const cto = json.entries[6] as {translations: {zh: string}}
      cto.translations.zh = '技术总监'
    })
    expect(fingerprints(otherLocale, 'es')).toEqual(before)
    expect(fingerprints(otherLocale, 'zh').cto).not.toBe(fingerprints(exampleJson, 'zh').cto)

    const reordered = edited((json) => json.entries.reverse())
    expect(fingerprints(reordered, 'es')).toEqual(before)
  })

  test('changes when a new entry starts to match in the segment', () => {
    const after = fingerprints(
      edited((json) => json.entries.push({term: 'Nothing', translations: {es: 'Nada'}} as never)),
      'es'
    )
    expect(after.plain).toMatch(/^[\w-]{8}$/)
    expect(after.cto).toBe(before.cto)
  })

  test('differs by locale where the renderings differ', () => {
    const glossary = example()
    expect(segmentFingerprint(glossary, segments.cto, 'es')).not.toBe(segmentFingerprint(glossary, segments.cto, 'fr'))
  })
})
