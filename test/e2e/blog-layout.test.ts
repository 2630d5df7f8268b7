/**
 * The layout of the blog the seed note comes from, end to end with the pseudo provider: dated
 * sources in en, zh and ja, nine published locales (one an alias), copies for a note's own
 * locale, front-matter policy, and relative links rebased for the deeper output folder.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'

const config = {
  sources: {include: ['notes/**/*.md'], pattern: 'notes/{date}-{slug}-{lang}.md'},
  sourceLocale: {default: 'en', fromPattern: 'lang'},
  locales: ['en', 'zh', 'ja', 'es', 'fr', 'de', 'ar', 'hi', 'hant'],
  localeAliases: {hant: 'zh-Hant'},
  output: '_posts/{locale}/{date}-{slug}-{locale}.md',
  frontmatter: {
    title: 'translate',
    lang: {set: '{locale}'},
    translated: {set: true},
    audio: {set: false},
    draft: 'drop'
  },
  links: {rebase: true}
}

const note = (lang: string, title: string, body: string) => `---
layout: post
title: ${title}
lang: ${lang}
draft: true
---

${body}
`

let project: TempProject
beforeAll(async () => {
  project = await tempProject({
    'notes-l10n.config.json': JSON.stringify(config, null, 2),
    'notes/2025-01-16-qwen-en.md': note(
      'en',
      'About Qwen',
      'Qwen is a family of models. ![Logo](../assets/qwen.png) See [the notes](#notes).'
    ),
    'notes/2025-01-17-network-zh.md': note('zh', '网络', '计算机网络是一组互相连接的计算机。'),
    'notes/2025-01-18-nihongo-ja.md': note('ja', '日本語', '日本語の勉強についてのノートです。')
  })
})
afterAll(() => project?.remove())

describe('the blog layout', () => {
  it('writes every source into all nine locales, copying each note into its own', async () => {
    const {code, stdout, stderr} = await project.run(['sync', '--provider', 'pseudo'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^sync: 27 written/m)

    for (const locale of config.locales) {
      expect(await project.read(`_posts/${locale}/2025-01-16-qwen-${locale}.md`)).toMatch(
        new RegExp(`^lang: ${locale}$`, 'm')
      )
      expect(await project.read(`_posts/${locale}/2025-01-17-network-${locale}.md`)).toContain('audio: false')
      expect(await project.read(`_posts/${locale}/2025-01-18-nihongo-${locale}.md`)).toContain('translated: true')
    }
  })

  it('copies a note into its own locale unchanged but for the front-matter policy', async () => {
    const copy = await project.read('_posts/zh/2025-01-17-network-zh.md')
    expect(copy).toBe(`---
layout: post
title: 网络
lang: zh
translated: true
audio: false
---

计算机网络是一组互相连接的计算机。
`)
  })

  it("translates from the note's own language and never into it", async () => {
    const lock = (await project.read('notes-l10n.lock')).split('\n')
    const entry = (note: string, locale: string) => {
      const start = lock.findIndex((line) => line.includes(JSON.stringify(note)))
      return lock.slice(start).find((line) => line.trimStart().startsWith(`${JSON.stringify(locale)}:`)) ?? ''
    }
    // Each note is copied into its own locale and translated (by the provider) into the others.
    expect(entry('notes/2025-01-17-network-zh.md', 'zh')).toContain('"provider": "copy"')
    expect(entry('notes/2025-01-17-network-zh.md', 'en')).toContain('"provider": "pseudo"')
    expect(entry('notes/2025-01-18-nihongo-ja.md', 'ja')).toContain('"provider": "copy"')
    expect(entry('notes/2025-01-16-qwen-en.md', 'en')).toContain('"provider": "copy"')
    expect(await project.read('_posts/en/2025-01-16-qwen-en.md')).toContain('Qwen is a family of models.')
  })

  it('applies the front-matter policy: title translated, keys set, draft dropped, others kept', async () => {
    const spanish = await project.read('_posts/es/2025-01-16-qwen-es.md')
    expect(spanish).toMatch(
      /^---\nlayout: post\ntitle: (?!About Qwen$).+\nlang: es\ntranslated: true\naudio: false\n---\n/
    )
    expect(spanish).not.toContain('draft:')
  })

  it('uses the alias in paths and front-matter and the BCP-47 tag for the lock', async () => {
    const hant = await project.read('_posts/hant/2025-01-16-qwen-hant.md')
    expect(hant).toMatch(/^lang: hant$/m)
    expect(await project.read('notes-l10n.lock')).toContain('"zh-Hant"')
  })

  it('rebases relative links for the deeper output folder and leaves anchors alone (Q25)', async () => {
    const spanish = await project.read('_posts/es/2025-01-16-qwen-es.md')
    expect(spanish).toContain('](../../assets/qwen.png)')
    expect(spanish).toContain('](#notes)')
  })

  it('check is clean after the sync, and diff (which looks inside every note) finds nothing', async () => {
    const {code, stdout} = await project.run(['check'])
    expect(stdout).toMatch(/check: 27 translations checked, all current/)
    expect(code).toBe(0)
    expect((await project.run(['diff'])).stdout).toBe('diff: nothing to do — every translation is current\n')
  })
})
