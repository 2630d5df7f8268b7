import {symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {discoverNotes, type NotePlan} from '../../src/config/discover.js'
import {frontmatterValueOfBytes, readFrontmatterValue} from '../../src/config/frontmatter-head.js'
import {loadConfig} from '../../src/config/load.js'
import {resolveConfig} from '../../src/config/resolve.js'
import {UserError} from '../../src/types.js'
import {blogConfig, makeProject, note} from './project.js'

const nineLocales = ['en', 'zh', 'ja', 'es', 'fr', 'de', 'ar', 'hi', 'hant']

async function blogProject(extra: Record<string, string> = {}) {
  return makeProject({
    'notes-l10n.config.json': JSON.stringify(blogConfig),
    'notes/2025-01-16-foo-en.md': note({layout: 'post', title: '"Foo"'}),
    'notes/2025-01-16-foo-zh.md': note({layout: 'post', title: '"福"'}),
    'notes/2025-01-16-foo-ja.md': note({layout: 'post', title: '"フー"'}),
    'notes/2025-02-20-curl-tips-en.md': note({title: 'curl'}),
    'notes/2025-01-16-linear-algebra-zh.md': note({title: '"线性代数"'}),
    ...extra
  })
}

function targetsOf(plans: NotePlan[], source: string) {
  return Object.fromEntries(
    plans.find((plan) => plan.source === source)!.targets.map((target) => [target.localeForPath, target])
  )
}

describe('discoverNotes: the blog layout', () => {
  it('plans _posts/<locale>/<date>-<slug>-<locale>.md, copies own-locale notes, never translates a note to its own language', async () => {
    const root = await blogProject()
    const config = await loadConfig({cwd: root})
    const {plans, problems} = await discoverNotes(config)
    expect(problems).toEqual([])
    expect(plans.map((plan) => [plan.source, plan.sourceLocale])).toEqual([
      ['notes/2025-01-16-foo-en.md', 'en'],
      ['notes/2025-01-16-foo-ja.md', 'ja'],
      ['notes/2025-01-16-foo-zh.md', 'zh'],
      ['notes/2025-01-16-linear-algebra-zh.md', 'zh'],
      ['notes/2025-02-20-curl-tips-en.md', 'en']
    ])

    const curl = targetsOf(plans, 'notes/2025-02-20-curl-tips-en.md')
    expect(Object.keys(curl).sort()).toEqual([...nineLocales].sort())
    expect(curl.hant).toEqual({
      locale: 'zh-Hant',
      localeForPath: 'hant',
      output: '_posts/hant/2025-02-20-curl-tips-hant.md',
      copy: false
    })
    expect(curl.en).toEqual({
      locale: 'en',
      localeForPath: 'en',
      output: '_posts/en/2025-02-20-curl-tips-en.md',
      copy: true
    })

    const algebra = targetsOf(plans, 'notes/2025-01-16-linear-algebra-zh.md')
    expect(algebra.zh).toMatchObject({output: '_posts/zh/2025-01-16-linear-algebra-zh.md', copy: true})
    expect(algebra.en).toMatchObject({output: '_posts/en/2025-01-16-linear-algebra-en.md', copy: false})

    for (const plan of plans) {
      for (const target of plan.targets) expect(target.copy).toBe(target.locale === plan.sourceLocale)
    }

    // foo exists in en, zh and ja: each language's own file is a copy, every other locale comes from en.
    const foo = {
      en: targetsOf(plans, 'notes/2025-01-16-foo-en.md'),
      zh: targetsOf(plans, 'notes/2025-01-16-foo-zh.md'),
      ja: targetsOf(plans, 'notes/2025-01-16-foo-ja.md')
    }
    expect(Object.keys(foo.zh)).toEqual(['zh'])
    expect(Object.keys(foo.ja)).toEqual(['ja'])
    expect(Object.keys(foo.en).sort()).toEqual(['ar', 'de', 'en', 'es', 'fr', 'hant', 'hi'])
    const outputs = plans.flatMap((plan) => plan.targets.map((target) => target.output))
    expect(new Set(outputs).size).toBe(outputs.length)
  })

  it('filters by --locale (either form) and by paths', async () => {
    const root = await blogProject()
    const config = await loadConfig({cwd: root})
    const {plans} = await discoverNotes(config, {
      locales: ['zh-Hant', 'es'],
      paths: [path.join(root, 'notes/2025-02-20-curl-tips-en.md')]
    })
    expect(plans).toHaveLength(1)
    expect(plans[0]!.targets.map((target) => target.output)).toEqual([
      '_posts/hant/2025-02-20-curl-tips-hant.md',
      '_posts/es/2025-02-20-curl-tips-es.md'
    ])
  })

  it('keeps the es output with the en note even when only the zh twin is asked for', async () => {
    const root = await blogProject()
    const config = await loadConfig({cwd: root})
    const {plans} = await discoverNotes(config, {locales: ['es', 'zh'], paths: ['notes/2025-01-16-foo-zh.md']})
    expect(plans.map((plan) => [plan.source, plan.targets.map((target) => target.output)])).toEqual([
      ['notes/2025-01-16-foo-zh.md', ['_posts/zh/2025-01-16-foo-zh.md']]
    ])
  })

  it('refuses a locale that is not configured, and a malformed one', async () => {
    const config = await loadConfig({cwd: await blogProject()})
    await expect(discoverNotes(config, {locales: ['pt']})).rejects.toThrow(
      /locale "pt" is not configured: expected one of en, zh/
    )
    await expect(discoverNotes(config, {locales: ['../../etc']})).rejects.toThrow(UserError)
  })

  it('skips and reports a name that does not match the pattern, and a file-name/front-matter disagreement', async () => {
    const root = await blogProject({
      'notes/readme.md': '# not a dated note\n',
      'notes/2025-03-01-mixed-en.md': note({lang: 'zh', title: 'x'})
    })
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}))
    expect(plans.map((plan) => plan.source)).not.toContain('notes/readme.md')
    expect(problems).toEqual([
      {
        file: 'notes/2025-03-01-mixed-en.md',
        message: expect.stringMatching(/file name says en but front-matter "lang" says zh/)
      },
      {file: 'notes/readme.md', message: expect.stringMatching(/does not match sources.pattern/)}
    ])
  })
})

describe('discoverNotes: zero-config', () => {
  it('finds notes/**/*.md, mirrors them under locales/<locale>/, reads lang from front-matter', async () => {
    const root = await makeProject({
      'notes/a.md': note({title: 'A'}),
      'notes/deep/b.md': note({title: 'B', lang: '"zh"'}),
      'notes/c.md': '\uFEFF---\r\nlang: es # Spanish\r\n---\r\nHola\r\n',
      // lang sits past the first 4 KB read, and the value straddles the 4096-byte boundary
      'notes/long.md': `---\ndescription: "${'x'.repeat(4096 - 27)}"\nlang: ja\n---\n\nやあ\n`,
      'notes/no-fm.md': 'lang: fr\n\nnot front-matter\n',
      'notes/ignored.txt': 'x',
      'notes/node_modules/x.md': '# dependency',
      'other/d.md': '# not under notes'
    })
    const config = await loadConfig({cwd: root})
    expect(config.root).toBe(root)
    expect(config.file).toBeUndefined()
    const {plans, problems} = await discoverNotes(config, {locales: ['es']})
    expect(problems).toEqual([])
    expect(plans).toEqual([
      {
        source: 'notes/a.md',
        sourceLocale: 'en',
        captures: {},
        targets: [{locale: 'es', localeForPath: 'es', output: 'locales/es/a.md', copy: false}]
      },
      {
        source: 'notes/c.md',
        sourceLocale: 'es',
        captures: {},
        targets: [{locale: 'es', localeForPath: 'es', output: 'locales/es/c.md', copy: true}]
      },
      {
        source: 'notes/deep/b.md',
        sourceLocale: 'zh',
        captures: {},
        targets: [{locale: 'es', localeForPath: 'es', output: 'locales/es/deep/b.md', copy: false}]
      },
      {
        source: 'notes/long.md',
        sourceLocale: 'ja',
        captures: {},
        targets: [{locale: 'es', localeForPath: 'es', output: 'locales/es/long.md', copy: false}]
      },
      {
        source: 'notes/no-fm.md',
        sourceLocale: 'en',
        captures: {},
        targets: [{locale: 'es', localeForPath: 'es', output: 'locales/es/no-fm.md', copy: false}]
      }
    ])
  })

  it('needs target locales from somewhere', async () => {
    const root = await makeProject({'notes/a.md': '# A\n'})
    await expect(discoverNotes(await loadConfig({cwd: root}))).rejects.toThrow(/no target locales.*--locale/)
  })

  it('is fine without a notes/ folder', async () => {
    const root = await makeProject({})
    expect(await discoverNotes(await loadConfig({cwd: root}), {locales: ['es']})).toEqual({plans: [], problems: []})
  })
})

describe('discoverNotes: hostile layouts (S4, S5)', () => {
  it('skips a symlinked source folder that points outside the root', async () => {
    const outside = await makeProject({'secret.md': note({title: 'secret'})})
    const root = await makeProject({'notes/a.md': '# A\n'})
    await symlink(outside, path.join(root, 'notes/linked'))
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}), {locales: ['es']})
    expect(plans.map((plan) => plan.source)).toEqual(['notes/a.md'])
    expect(problems).toEqual([{file: 'notes/linked', message: expect.stringMatching(/outside the project; skipped/)}])
  })

  it('skips the whole source base when it is a symlink out of the root', async () => {
    const outside = await makeProject({'secret.md': '# secret\n'})
    const root = await makeProject({})
    await symlink(outside, path.join(root, 'notes'))
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}), {locales: ['es']})
    expect(plans).toEqual([])
    expect(problems).toEqual([{file: 'notes', message: expect.stringMatching(/outside the project/)}])
  })

  it('follows a symlinked note that stays inside the root, and refuses one that leaves it', async () => {
    const outside = await makeProject({'x.md': '# x\n'})
    const root = await makeProject({'notes/a.md': '# A\n', 'shared/b.md': '# B\n'})
    await symlink(path.join(root, 'shared/b.md'), path.join(root, 'notes/b.md'))
    await symlink(path.join(outside, 'x.md'), path.join(root, 'notes/x.md'))
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}), {locales: ['es']})
    expect(plans.map((plan) => plan.source)).toEqual(['notes/a.md', 'notes/b.md'])
    expect(problems).toEqual([{file: 'notes/x.md', message: expect.stringMatching(/outside the project; skipped/)}])
  })

  it('refuses file names with a backslash (a separator on Windows)', async () => {
    const root = await makeProject({
      'notes-l10n.config.json': JSON.stringify({
        sources: {pattern: 'notes/{slug}.md', captures: {slug: '.+'}},
        output: 'out/{locale}/{slug}.md'
      }),
      'notes/ok.md': '# ok\n',
      'notes/a\\..\\..\\evil.md': '# evil\n'
    })
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}), {locales: ['es']})
    expect(plans.map((plan) => plan.source)).toEqual(['notes/ok.md'])
    expect(problems).toEqual([
      {file: 'notes/a\\..\\..\\evil.md', message: expect.stringMatching(/refused because it contains a backslash/)}
    ])
  })

  it('never plans an output on top of a source note', async () => {
    const root = await makeProject({
      'notes-l10n.config.json': JSON.stringify({sources: {include: ['**/*.md']}, output: '{dir}/{name}.{locale}{ext}'}),
      'a.md': '# a\n',
      'a.es.md': '# a (es)\n'
    })
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}), {locales: ['es']})
    expect(plans.find((plan) => plan.source === 'a.md')!.targets).toEqual([])
    expect(problems).toContainEqual({
      file: 'a.md',
      message: expect.stringMatching(/output a\.es\.md \(locale es\) is itself a source note/)
    })
  })

  it('refuses a path filter outside the root', async () => {
    const root = await makeProject({'notes/a.md': '# A\n'})
    await expect(
      discoverNotes(await loadConfig({cwd: root}), {locales: ['es'], paths: ['../elsewhere']})
    ).rejects.toThrow(/outside the project root/)
  })

  it('reports a path filter that matches no source', async () => {
    const root = await makeProject({'notes/a.md': '# A\n'})
    await writeFile(path.join(root, 'README.md'), '# readme\n')
    const {plans, problems} = await discoverNotes(await loadConfig({cwd: root}), {
      locales: ['es'],
      paths: ['README.md']
    })
    expect(plans).toEqual([])
    expect(problems).toEqual([{file: 'README.md', message: expect.stringMatching(/not a source note/)}])
  })

  it('reports an ambiguous output that no rule settles', async () => {
    const config = resolveConfig(
      {sources: {pattern: 'notes/{slug}-{lang}.md'}, output: 'out/{locale}/{slug}.md', sourceLocale: {default: 'en'}},
      '/unused'
    )
    const root = await makeProject({'notes/foo-ja.md': '# ja\n', 'notes/foo-zh.md': '# zh\n'})
    const {plans, problems} = await discoverNotes({...config, root}, {locales: ['es']})
    expect(plans.map((plan) => [plan.source, plan.targets.length])).toEqual([
      ['notes/foo-ja.md', 1],
      ['notes/foo-zh.md', 0]
    ])
    expect(problems).toEqual([
      {file: 'notes/foo-zh.md', message: expect.stringMatching(/also the output of notes\/foo-ja\.md/)}
    ])
  })
})

describe('discoverNotes: path filters from a subfolder', () => {
  it('resolves relative paths against the working directory the config was loaded from', async () => {
    const root = await makeProject({
      'notes-l10n.config.json': '{"locales": ["es"]}',
      'notes/a/x.md': '# x\n',
      'notes/b/y.md': '# y\n'
    })
    const config = await loadConfig({cwd: path.join(root, 'notes/a')})
    expect(config.root).toBe(root)
    const {plans, problems} = await discoverNotes(config, {paths: ['x.md']})
    expect(problems).toEqual([])
    expect(plans.map((plan) => plan.source)).toEqual(['notes/a/x.md'])
    expect((await discoverNotes(config, {paths: ['.']})).plans.map((plan) => plan.source)).toEqual(['notes/a/x.md'])
  })
})

describe('the front-matter locale', () => {
  const heads: Record<string, string> = {
    plain: '---\nlang: zh\n---\n\nBody.\n',
    quoted: '---\ntitle: "x"\nlang: "ja" # the note\'s language\n---\n',
    crlfBom: '\uFEFF---\r\ntitle: x\r\nlang: es\r\n---\r\n',
    none: '---\ntitle: x\n---\nlang: fr\n',
    noFrontmatter: 'lang: fr\n',
    lateKey: `---\n${'pad: x\n'.repeat(2000)}lang: de\n---\n`,
    beyondTheHead: `---\n${'pad: x\n'.repeat(12000)}lang: de\n---\n`,
    multibyteAtTheCut: `---\n${'題: 漢字漢字\n'.repeat(4000)}lang: ko\n---\n`
  }

  it('from bytes already read equals the streaming head reader, case by case', async () => {
    const root = await makeProject(
      Object.fromEntries(Object.entries(heads).map(([name, text]) => [`${name}.md`, text]))
    )
    for (const [name, text] of Object.entries(heads)) {
      const streamed = await readFrontmatterValue(path.join(root, `${name}.md`), 'lang')
      expect([name, frontmatterValueOfBytes(Buffer.from(text), 'lang')]).toEqual([name, streamed])
    }
    expect(await readFrontmatterValue(path.join(root, 'lateKey.md'), 'lang')).toBe('de')
    expect(await readFrontmatterValue(path.join(root, 'beyondTheHead.md'), 'lang')).toBeUndefined()
  })

  it('is asked of the reader a command passes, with root-relative names', async () => {
    const root = await makeProject({'notes/a.md': note({lang: 'zh'}), 'notes/b/c.md': note({title: 'x'})})
    const config = await loadConfig({cwd: root})
    const asked: string[] = []
    const {plans} = await discoverNotes(config, {
      locales: ['es'],
      frontmatterValue: (file, key) => {
        asked.push(`${file} ${key}`)
        return file === 'notes/a.md' ? 'ja' : undefined
      }
    })
    expect(asked.sort()).toEqual(['notes/a.md lang', 'notes/b/c.md lang'])
    expect(plans.map((plan) => [plan.source, plan.sourceLocale])).toEqual([
      ['notes/a.md', 'ja'],
      ['notes/b/c.md', 'en']
    ])
  })
})

describe('sources.exclude with {locale}', () => {
  it('leaves out the folders of every locale of the run and of the config', async () => {
    const root = await makeProject({
      'notes-l10n.config.json': JSON.stringify({
        sources: {include: ['docs/**/*.md'], exclude: ['docs/{locale}/**']},
        locales: ['es', 'pt-br'],
        output: 'docs/{locale}/{path}'
      }),
      'docs/index.md': '# Home\n',
      'docs/es/index.md': '# Inicio\n',
      'docs/pt-br/index.md': '# Início\n',
      'docs/de/index.md': '# Start\n',
      'docs/guide/a.md': '# A\n'
    })
    const config = await loadConfig({cwd: root})
    expect((await discoverNotes(config)).plans.map((plan) => plan.source)).toEqual([
      'docs/de/index.md',
      'docs/guide/a.md',
      'docs/index.md'
    ])
    expect((await discoverNotes(config, {locales: ['es']})).plans.map((plan) => plan.source)).toEqual([
      'docs/de/index.md',
      'docs/guide/a.md',
      'docs/index.md'
    ])
  })
})
