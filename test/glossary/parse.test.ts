import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {loadGlossary, parseGlossary} from '../../src/glossary/load.js'
import {UserError} from '../../src/types.js'

function problems(json: unknown): string[] {
  try {
    parseGlossary(json, 'glossary.json')
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as UserError).message.split('\n')
  }
  throw new Error('expected the glossary to be rejected')
}

describe('parseGlossary', () => {
  test('reports every problem at once, one line each with its JSON path, in file order', () => {
    const lines = problems({
      version: 2,
      entries: [
        {term: 'Qwen', keep: true},
        {term: '', keep: true},
        {
          term: 'Alibaba Cloud',
          translations: {es: 42, zh_CN: '阿里云', 'zh-hant': '阿里雲', fr: {target: 'x', varients: []}, de: {}}
        },
        5,
        {term: 'qwen', keep: true},
        {term: 'Chief Scientist'},
        {term: ' CTO', keep: true, colour: 'red'}
      ]
    })
    expect(lines).toEqual([
      'glossary.json: /entries/1/term: expected a non-empty string, received an empty string — fix: write the text, or remove the property',
      'glossary.json: /entries/2/translations/de: expected an object {target, variants?, forbidden?}, received an object without "target" — fix: add "target"',
      'glossary.json: /entries/2/translations/es: expected a non-empty string or an object {target, variants?, forbidden?}, received 42 — fix: replace it with a non-empty string or an object {target, variants?, forbidden?}',
      'glossary.json: /entries/2/translations/fr: expected only the properties target, variants, forbidden, received unknown property "varients" — fix: rename "varients" to "variants"',
      'glossary.json: /entries/2/translations/zh-hant: expected the canonical BCP-47 tag "zh-Hant", received the key "zh-hant" — fix: write "zh-Hant"',
      'glossary.json: /entries/2/translations/zh_CN: expected a BCP-47 locale key such as "es", "zh-Hant" or "*", received the key "zh_CN" — fix: write the language tag with hyphens (zh-Hant, pt-BR), not underscores or names',
      'glossary.json: /entries/3: expected an object {term, variants?, caseSensitive?, note?, keep?, translations?}, received 5 — fix: replace it with an object {term, variants?, caseSensitive?, note?, keep?, translations?}',
      'glossary.json: /entries/4/term: expected a source form that no other entry or variant matches, received "qwen", already matched by /entries/0/term — fix: merge the two entries, or remove one of the forms',
      'glossary.json: /entries/5: expected "keep": true or at least one rendering in "translations", received neither — fix: add "keep": true to leave the term untranslated, or "translations": {"es": "…"}',
      'glossary.json: /entries/6: expected only the properties term, variants, caseSensitive, note, keep, translations, received unknown property "colour" — fix: remove "colour"',
      'glossary.json: /entries/6/term: expected text without leading or trailing spaces, received " CTO" — fix: write "CTO"',
      'glossary.json: /version: expected 1, received 2 — fix: set it to 1'
    ])
  })

  test('rejects a top level that is not a glossary', () => {
    expect(problems([])).toEqual([
      'glossary.json: /: expected an object {version, sourceLocale?, entries}, received an array — fix: replace it with an object {version, sourceLocale?, entries}'
    ])
    expect(problems({version: 1})[0]).toBe(
      'glossary.json: /: expected an object {version, sourceLocale?, entries}, received an object without "entries" — fix: add "entries"'
    )
  })

  test('rejects invalid locale tags and forbidden forms that are also accepted', () => {
    expect(
      problems({
        version: 1,
        sourceLocale: 'english',
        entries: [{term: 'CTO', translations: {'en-x': 'a', es: {target: 'director', forbidden: ['Director']}}}]
      })
    ).toEqual([
      'glossary.json: /entries/0/translations/en-x: expected a valid BCP-47 locale such as "es" or "zh-Hant", received the key "en-x" — fix: use a language tag from the BCP-47 registry',
      'glossary.json: /entries/0/translations/es/forbidden/0: expected a form that is not also the target or an accepted variant, received "Director" — fix: remove it from "forbidden" or from the accepted forms',
      'glossary.json: /sourceLocale: expected a BCP-47 locale such as "en" or "zh-Hant", received "english" — fix: write a language tag with hyphens'
    ])
  })

  test('allows the same spelling in two case-sensitive entries', () => {
    const glossary = parseGlossary(
      {
        version: 1,
        entries: [
          {term: 'Apple', caseSensitive: true, keep: true},
          {term: 'apple', caseSensitive: true, translations: {es: 'manzana'}}
        ]
      },
      'glossary.json'
    )
    expect(glossary.entries.map((entry) => entry.caseSensitive)).toEqual([true, true])
  })

  test('normalises defaults', () => {
    const glossary = parseGlossary(
      {
        version: 1,
        entries: [
          {term: 'CTO', keep: true},
          {term: 'Qwen', keep: true},
          {term: 'Alibaba Cloud', translations: {'*': 'Alibaba Cloud'}}
        ]
      },
      'glossary.json'
    )
    expect(glossary.sourceLocale).toBe('en')
    expect(glossary.entries.map((entry) => [entry.term, entry.caseSensitive, entry.keep, entry.variants])).toEqual([
      ['CTO', true, true, []],
      ['Qwen', false, true, []],
      ['Alibaba Cloud', false, false, []]
    ])
    expect(glossary.entries[2]?.translations.get('*')).toEqual({target: 'Alibaba Cloud', variants: [], forbidden: []})
  })
})

describe('loadGlossary', () => {
  let directory = ''
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'notes-l10n-glossary-'))
  })
  afterAll(async () => {
    await rm(directory, {recursive: true, force: true})
  })

  test('returns undefined when the file does not exist', async () => {
    expect(await loadGlossary(join(directory, 'missing.json'))).toBeUndefined()
  })

  test('reads a valid file, with or without a BOM', async () => {
    const file = join(directory, 'bom.json')
    await writeFile(file, '\uFEFF{"version": 1, "entries": [{"term": "Qwen", "keep": true}]}')
    expect((await loadGlossary(file))?.entries[0]?.term).toBe('Qwen')
  })

  test('names the line and column of invalid JSON', async () => {
    const file = join(directory, 'broken.json')
    await writeFile(file, '{\n  "version": 1,\n  "entries": [],\n}\n')
    await expect(loadGlossary(file)).rejects.toThrow(
      new UserError(
        `${file}:4:1: expected valid JSON, received a syntax error (Expected double-quoted property name) — fix: correct the syntax there (a trailing comma or a missing quote is the usual cause)`
      )
    )
  })

  test('reports a truncated file at its end', async () => {
    const file = join(directory, 'truncated.json')
    await writeFile(file, '{\n  "version": 1,')
    await expect(loadGlossary(file)).rejects.toThrow(/truncated\.json:2:16: expected valid JSON/)
  })

  test('reports validation problems with the file name', async () => {
    const file = join(directory, 'invalid.json')
    await writeFile(file, '{"version": 1, "entries": [{"term": "Qwen"}]}')
    await expect(loadGlossary(file)).rejects.toThrow(`${file}: /entries/0: expected "keep": true`)
  })

  test('refuses a directory', async () => {
    const sub = join(directory, 'dir.json')
    await mkdir(sub)
    await expect(loadGlossary(sub)).rejects.toThrow(/cannot read the glossary \(EISDIR\)/)
  })
})
