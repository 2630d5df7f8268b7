import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {shielded} from '../../src/glossary/apply.js'
import {glossarySchema, loadGlossary, renderKeep, requiredTerms, shield, verifyTerms} from '../../src/glossary/load.js'

const repository = join(import.meta.dirname, '../..')

describe('the shipped schema and glossary', () => {
  test('schemas/glossary.schema.json is the schema the code validates with', () => {
    // The JSON file is a copy for editors; regenerate it from src/glossary/schema.ts when this fails.
    const shipped: unknown = JSON.parse(readFileSync(join(repository, 'schemas/glossary.schema.json'), 'utf8'))
    expect(shipped).toEqual(glossarySchema)
  })

  test('glossary.json validates and covers every locale the project ships', async () => {
    const glossary = await loadGlossary(join(repository, 'glossary.json'))
    expect(glossary).toBeDefined()
    const locales = ['es', 'fr', 'de', 'ja', 'zh', 'zh-Hant', 'ar', 'hi']
    const terms = glossary!.entries.map((entry) => entry.term)
    expect(terms).toEqual(
      expect.arrayContaining([
        'Tongyi Qianwen',
        'Qwen',
        'Alibaba Cloud',
        'Alibaba Cloud Intelligence',
        'Alibaba Group',
        'Apsara Conference',
        'CTO',
        'Chief Technology Officer',
        'Chief Scientist',
        'Jingren Zhou',
        'Columbia University',
        'University of Science and Technology of China',
        'Microsoft'
      ])
    )
    // Every translate-as entry says what to do in every shipped locale (explicitly or through `*`);
    // those whose default rendering is the term itself are placeholders instead.
    for (const entry of glossary!.entries.filter((item) => !shielded(item))) {
      for (const locale of locales) {
        expect(requiredTerms(glossary!, entry.term, locale), `${entry.term} in ${locale}`).toHaveLength(1)
      }
    }
  })

  test('fixes the seed note’s inconsistency: one rendering of the CTO title in Spanish', async () => {
    const glossary = (await loadGlossary(join(repository, 'glossary.json')))!
    const source = 'He rose to Chief Technology Officer (CTO) of Alibaba Cloud Intelligence.'
    expect(requiredTerms(glossary, source, 'es').map((term) => term.target)).toEqual(['director de tecnología'])
    // Alibaba Cloud Intelligence keeps its name in Spanish by construction: it is a placeholder.
    expect(shield(glossary)(source).map(({start, end}) => source.slice(start, end))).toContain(
      'Alibaba Cloud Intelligence'
    )
    // What the seed's body did: the English title kept in a Spanish text.
    const seedBody = 'luego ascendió a Chief Technology Officer (CTO) de Alibaba Cloud Intelligence.'
    expect(verifyTerms(glossary, source, seedBody, 'es').map((finding) => finding.rule)).toEqual(['G1'])
    expect(renderKeep(glossary, 'Jingren Zhou', 'zh-Hant')).toBe('周靖人')
    expect(renderKeep(glossary, 'Jingren Zhou', 'fr')).toBe('Jingren Zhou')
  })
})
