/**
 * Each site layout `init` recognises, as a fixture project (test/fixtures/layouts/<name>/)
 * driven through the real CLI: `init` writes the config, `sync --provider pseudo` writes where
 * the site generator reads, a second `sync` changes nothing and `check` is clean.
 */
import {readFileSync} from 'node:fs'
import {cp, readdir, readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'

const fixtures = path.join(import.meta.dirname, '../fixtures/layouts')

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

async function fixture(name: string): Promise<TempProject> {
  project = await tempProject()
  await cp(path.join(fixtures, name), project.root, {recursive: true})
  return project
}

/** Every file under the root, relative, except notes-l10n's own state and the fixture's. */
async function files(root: string, folder = ''): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(path.join(root, folder), {withFileTypes: true})) {
    const relative = folder ? `${folder}/${entry.name}` : entry.name
    if (entry.isDirectory()) {
      if (entry.name !== '.notes-l10n') found.push(...(await files(root, relative)))
    } else {
      found.push(relative)
    }
  }
  return found.sort()
}

interface Case {
  fixture: string
  layout: string
  /** What init must say it found. */
  says: RegExp
  /** The files the first sync writes (translations and copies), nothing else. */
  writes: string[]
}

const cases: Case[] = [
  {
    fixture: 'blog',
    layout: 'jekyll',
    says: /dated sources named <date>-<slug>-<lang>\.md \(languages: en, zh\)/,
    writes: [
      '_posts/en/2025-01-16-law-en.md',
      '_posts/en/2025-01-17-tea-en.md',
      '_posts/es/2025-01-16-law-es.md',
      '_posts/es/2025-01-17-tea-es.md',
      '_posts/zh/2025-01-16-law-zh.md',
      '_posts/zh/2025-01-17-tea-zh.md'
    ]
  },
  {
    fixture: 'jekyll',
    layout: 'jekyll',
    says: /_config\.yml and posts in _posts\/ named <date>-<slug>-<lang>\.md/,
    writes: ['_posts/es/2025-01-01-hello-es.md', '_posts/es/2025-02-01-tea-es.md']
  },
  {
    fixture: 'jekyll-folders',
    layout: 'jekyll',
    says: /one folder per language in _posts\/ \(en, fr\)/,
    writes: ['_posts/fr/2025-01-01-hello.md']
  },
  {
    fixture: 'hugo-dirs',
    layout: 'hugo',
    says: /hugo\.toml lists languages en, zh-cn \(default en\)/,
    writes: ['content/zh-cn/_index.md', 'content/zh-cn/posts/first.md']
  },
  {
    fixture: 'hugo-names',
    layout: 'hugo',
    says: /config\.toml lists languages en, es.*<name>\.<lang>\.md/s,
    writes: ['content/about.es.md', 'content/posts/first.es.md']
  },
  {
    fixture: 'docusaurus',
    layout: 'docusaurus',
    says: /docusaurus\.config\.js sets i18n\.defaultLocale en and locales en, fr/,
    writes: [
      'i18n/fr/docusaurus-plugin-content-blog/2025-01-01-welcome.md',
      'i18n/fr/docusaurus-plugin-content-docs/current/guide/tabs.mdx',
      'i18n/fr/docusaurus-plugin-content-docs/current/intro.md'
    ]
  },
  {
    fixture: 'vitepress',
    layout: 'vitepress',
    says: /docs\/\.vitepress\/ exists/,
    writes: ['docs/es/guide/getting-started.md', 'docs/es/index.md']
  },
  {
    fixture: 'pages',
    layout: 'pages',
    says: /apps\/site\/pages\/ has one folder per locale \(en, pt-br, zh-cn\)/,
    writes: [
      'apps/site/pages/pt-br/about/governance.md',
      'apps/site/pages/pt-br/index.mdx',
      'apps/site/pages/zh-cn/about/governance.md',
      'apps/site/pages/zh-cn/index.mdx'
    ]
  }
]

describe('init recognises the layout, and the first sync writes where the site reads', () => {
  it.each(cases)('$fixture', async ({fixture: name, layout, says, writes}) => {
    const site = await fixture(name)
    const before = await files(site.root)

    const init = await site.run(['init'])
    expect(init.stderr).toBe('')
    expect(init.code).toBe(0)
    expect(init.stdout).toContain(`(layout "${layout}")`)
    expect(init.stdout).toMatch(says)
    // Offline: the config names the pseudo provider, so check holds its output to be current.
    const config = JSON.parse(await site.read('notes-l10n.config.json')) as {provider: {name: string}}
    config.provider.name = 'pseudo'
    await site.write('notes-l10n.config.json', JSON.stringify(config, null, 2))

    const first = await site.run(['sync'])
    expect(first.stderr).toBe('')
    expect(first.stdout).not.toMatch(/skipped|refus|itself a source/)
    expect(first.code).toBe(0)
    const after = await files(site.root)
    const added = after.filter(
      (file) => !before.includes(file) && !['notes-l10n.config.json', 'glossary.json', 'notes-l10n.lock'].includes(file)
    )
    expect(added).toEqual([...writes].sort())

    for (const file of writes) {
      // Translated, not copied, unless the file is in a source's own language.
      const text = await site.read(file)
      expect(text.length).toBeGreaterThan(0)
    }

    const stamps = await Promise.all(after.map(async (file) => (await stat(path.join(site.root, file))).mtimeMs))
    const second = await site.run(['sync'])
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/ 0 written,/)
    expect(await files(site.root)).toEqual(after)
    expect(await Promise.all(after.map(async (file) => (await stat(path.join(site.root, file))).mtimeMs))).toEqual(
      stamps
    )

    const check = await site.run(['check'])
    expect(check.stdout + check.stderr).toMatch(/all current/)
    expect(check.code).toBe(0)
  })

  it('the blog: a {lang} in the source name becomes the target locale in the output name', async () => {
    const site = await fixture('blog')
    await site.run(['init'])
    const config = JSON.parse(await site.read('notes-l10n.config.json')) as Record<string, unknown>
    expect(config.output).toBe('_posts/{locale}/{date}-{slug}-{locale}.md')
    await site.run(['sync', '--provider', 'pseudo'])
    expect(await site.read('_posts/es/2025-01-16-law-es.md')).toMatch(/^lang: es$/m)
    // The source's own language is copied, not translated.
    expect(await site.read('_posts/zh/2025-01-17-tea-zh.md')).toContain('绿茶和红茶来自同一种植物。')
  })

  it('MDX pages keep their imports, JSX and expressions byte for byte', async () => {
    const site = await fixture('docusaurus')
    await site.run(['init'])
    await site.run(['sync', '--provider', 'pseudo'])
    const page = await site.read('i18n/fr/docusaurus-plugin-content-docs/current/guide/tabs.mdx')
    for (const line of [
      "import Tabs from '@theme/Tabs';",
      '<Tabs groupId="pm">',
      '  <TabItem value="npm" label="npm">',
      '    npm install -g tool'
    ]) {
      expect(page.split('\n')).toContain(line)
    }
    expect(page).toContain("{props.remembered ? 'kept' : 'forgotten'}.")
    expect(page).not.toContain('Pick your package manager')

    const pages = await fixture('pages')
    await pages.run(['init'])
    await pages.run(['sync', '--provider', 'pseudo'])
    const home = await pages.read('apps/site/pages/zh-cn/index.mdx')
    expect(home).toContain("import {Button} from '@/components/Button';")
    expect(home).toMatch(/<h1 className="special">(?!Run JavaScript)[^<]+<\/h1>/)
    expect(home).toMatch(/<Button kind="primary" href="\/download">(?!Download)[^<]*\{props\.version\}<\/Button>/)
  })
})

describe('init refuses to guess', () => {
  it('two layouts: lists both with why, writes nothing, and --layout chooses', async () => {
    const site = await fixture('hugo-names')
    await site.write('docs/.vitepress/config.mts', 'export default {}\n')
    await site.write('docs/index.md', '# Home\n')
    const refused = await site.run(['init'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/2 layouts match here and init will not guess/)
    expect(refused.stderr).toMatch(/hugo: .*config\.toml lists languages/)
    expect(refused.stderr).toMatch(/vitepress: .*\.vitepress/)
    expect(refused.stderr).toMatch(/--layout <hugo\|vitepress>/)
    await expect(readFile(path.join(site.root, 'notes-l10n.config.json'))).rejects.toThrow(/ENOENT/)

    const chosen = await site.run(['init', '--layout', 'vitepress'])
    expect(chosen.code).toBe(0)
    expect(chosen.stdout).toContain('(layout "vitepress")')
  })

  it('nothing found: says where it looked and writes the default layout', async () => {
    project = await tempProject({'README.md': '# A repository\n'})
    const result = await project.run(['init'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/No known layout found\. Looked for:/)
    for (const place of ['_config.yml', 'hugo.toml', 'docusaurus.config', '.vitepress', 'pages/<locale>/', 'notes/'])
      expect(result.stdout).toContain(place)
  })

  it('--layout that is not there is a usage error', async () => {
    const site = await fixture('jekyll')
    const result = await site.run(['init', '--layout', 'hugo'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--layout hugo: its marker files were not found here; found jekyll/)
  })
})

describe('a site with no config', () => {
  it('sync exits 2 naming the layout and where it looked, instead of doing nothing', async () => {
    const site = await fixture('jekyll')
    const before = await files(site.root)
    const result = await site.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /no source notes found: looked for notes\/\*\*\/\*\.\{md,mdx\} .*; this looks like a Jekyll blog \(_config\.yml and posts in _posts\/.*notes-l10n init writes a config for it/
    )
    expect(await files(site.root)).toEqual(before)
  })
})

describe('docs/layouts.md', () => {
  const doc = readFileSync(path.join(import.meta.dirname, '../../docs/layouts.md'), 'utf8')
  const blocks = new Map(
    [...doc.matchAll(/<!-- layout: ([\w-]+) -->\n```json\n([\s\S]*?)\n```/g)].map((match) => [match[1]!, match[2]!])
  )

  it('shows every fixture layout', () => {
    expect([...blocks.keys()].sort()).toEqual(cases.map((entry) => entry.fixture).sort())
  })

  it.each(cases.map((entry) => entry.fixture))('shows exactly the config init writes for %s', async (name) => {
    const site = await fixture(name)
    expect((await site.run(['init'])).code).toBe(0)
    const written = JSON.parse(await site.read('notes-l10n.config.json')) as Record<string, unknown>
    for (const key of ['$schema', '$comment', 'glossary', 'provider']) delete written[key]
    expect(JSON.parse(blocks.get(name)!)).toEqual(written)
  })
})

describe('folder names that are not tags', () => {
  it('a Hugo contentDir named after the language gets an alias, and sync writes there', async () => {
    project = await tempProject({
      'hugo.toml':
        "defaultContentLanguage = 'en'\n[languages.en]\n  contentDir = 'content/english'\n[languages.es]\n  contentDir = 'content/espanol'\n",
      'content/english/about.md': '---\ntitle: About\n---\n\nWho writes this site.\n'
    })
    expect((await project.run(['init'])).code).toBe(0)
    const config = JSON.parse(await project.read('notes-l10n.config.json')) as Record<string, unknown>
    expect(config).toMatchObject({
      locales: ['espanol'],
      localeAliases: {espanol: 'es'},
      output: 'content/{locale}/{path}'
    })
    expect((await project.run(['sync', '--provider', 'pseudo'])).code).toBe(0)
    expect(await project.read('content/espanol/about.md')).toMatch(/^title: (?!About)/m)
    expect(await project.read('notes-l10n.lock')).toMatch(/"es"/)
  })
})

describe('a locale added later', () => {
  it.each([
    ['vitepress', 'docs/fr/index.md', 'docs/es/fr/index.md'],
    ['hugo-names', 'content/about.fr.md', 'content/about.fr.es.md']
  ])('%s: its translations are never read back as sources', async (name, written, garbage) => {
    const site = await fixture(name)
    expect((await site.run(['init'])).code).toBe(0)
    const config = JSON.parse(await site.read('notes-l10n.config.json')) as {locales: string[]}
    config.locales.push('fr')
    await site.write('notes-l10n.config.json', JSON.stringify(config))
    expect((await site.run(['sync', '--provider', 'pseudo'])).code).toBe(0)
    expect(await site.read(written)).toMatch(/^title: /m)
    const second = await site.run(['sync', '--provider', 'pseudo'])
    expect(second.stdout).not.toMatch(/itself a source/)
    expect(second.stdout).toMatch(/ 0 written,/)
    expect(second.code).toBe(0)
    expect(await files(site.root)).not.toContain(garbage)
  })
})
