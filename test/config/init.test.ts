import {readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {initProject} from '../../src/commands/init.js'
import {discoverNotes} from '../../src/config/discover.js'
import {loadConfig} from '../../src/config/load.js'
import {parseGlossary} from '../../src/glossary/parse.js'
import {makeProject, note} from './project.js'

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
}

describe('initProject', () => {
  it('writes a valid zero-config-like starting config and an example glossary in an empty folder', async () => {
    const root = await makeProject({})
    const result = await initProject(root)
    expect(result.written).toEqual(['notes-l10n.config.json', 'glossary.json'])
    expect(result.detected).toMatch(/No known layout found/)

    const json = await readJson(path.join(root, 'notes-l10n.config.json'))
    expect(json.$schema).toBe('./node_modules/notes-l10n/schemas/config.schema.json')
    expect(json.$comment).toEqual(expect.arrayContaining([expect.stringMatching(/OPENAI_API_KEY/)]))
    const config = await loadConfig({cwd: root})
    expect(config.output).toBe('locales/{locale}/{path}')
    expect(config.locales).toEqual([{tag: 'es', path: 'es'}])

    const glossaryFile = path.join(root, 'glossary.json')
    expect(() => parseGlossary(JSON.parse(readFileSync(glossaryFile, 'utf8')), glossaryFile)).not.toThrow()
  })

  it('detects the blog layout: dated notes, _posts/<locale>/ with -<locale> names, the hant alias', async () => {
    const root = await makeProject({
      'notes/2025-01-16-foo-en.md': note({title: 'Foo'}),
      'notes/2025-01-16-bar-zh.md': note({title: 'Bar'}),
      'notes/2025-01-16-baz-ja.md': note({title: 'Baz'}),
      ...Object.fromEntries(
        ['en', 'zh', 'ja', 'es', 'fr', 'de', 'ar', 'hi', 'hant'].map((locale) => [
          `_posts/${locale}/2025-01-16-foo-${locale}.md`,
          '# x\n'
        ])
      ),
      '_posts/assets/logo.md': '# not a locale folder\n'
    })
    const result = await initProject(root)
    expect(result.detected).toMatch(/<date>-<slug>-<lang>\.md \(languages: en, ja, zh\)/)
    expect(result.detected).toMatch(/_posts\/<locale>\//)
    expect(result.detected).toMatch(/hant → zh-Hant/)

    const config = await loadConfig({cwd: root})
    expect(config.sources.pattern).toBe('notes/{date}-{slug}-{lang}.md')
    expect(config.output).toBe('_posts/{locale}/{date}-{slug}-{locale}.md')
    expect(config.locales.map((locale) => locale.path)).toEqual([
      'ar',
      'de',
      'en',
      'es',
      'fr',
      'hant',
      'hi',
      'ja',
      'zh'
    ])
    expect(config.localeAliases).toEqual({hant: 'zh-Hant'})

    const {plans, problems} = await discoverNotes(config)
    expect(problems).toEqual([])
    const bar = plans.find((plan) => plan.source === 'notes/2025-01-16-bar-zh.md')!
    expect(bar.sourceLocale).toBe('zh')
    expect(bar.targets.find((target) => target.copy)).toMatchObject({output: '_posts/zh/2025-01-16-bar-zh.md'})
  })

  it('picks up existing locales/<locale>/ folders', async () => {
    const root = await makeProject({'notes/a.md': '# a\n', 'locales/fr/a.md': '# a\n', 'locales/de/a.md': '# a\n'})
    const result = await initProject(root)
    expect(result.detected).toMatch(/locales\/: de, fr/)
    expect((await loadConfig({cwd: root})).locales.map((locale) => locale.path)).toEqual(['de', 'fr'])
  })

  it('never overwrites without force, and keeps an existing glossary even with force', async () => {
    const root = await makeProject({
      'notes-l10n.config.json': '{"locales": ["it"]}\n',
      'glossary.json': '{"mine": true}\n'
    })
    await expect(initProject(root)).rejects.toThrow(/already exists.*--force/)
    expect(await readFile(path.join(root, 'notes-l10n.config.json'), 'utf8')).toBe('{"locales": ["it"]}\n')

    const result = await initProject(root, {force: true})
    expect(result.written).toEqual(['notes-l10n.config.json'])
    expect(await readFile(path.join(root, 'glossary.json'), 'utf8')).toBe('{"mine": true}\n')
  })
})
