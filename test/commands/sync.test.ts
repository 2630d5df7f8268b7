import {afterEach, describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {recording, type TempProject, tempProject} from '../support/project.js'

const note = `---
title: Alibaba Cloud and its models
lang: en
layout: post # kept as is
---

# A first heading

The first paragraph talks about \`npm ci\` and [a link](https://example.com/a "Title").

The second paragraph is plain prose about models.

- a list item with **bold** text
- another item

The last paragraph.
`

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

async function syncWith(p: TempProject, extra: Partial<Parameters<typeof sync>[0]> = {}) {
  const provider = recording(createPseudoProvider())
  const result = await sync({cwd: p.root, locales: ['es'], env: {}, providerOverride: provider, ...extra})
  return {result, provider}
}

describe('sync', () => {
  it('writes locales/<locale>/<path> with front-matter patched in place and prose translated', async () => {
    project = await tempProject({'notes/a.md': note})
    const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/locales\/es\/a\.md +written/)
    expect(stdout).toMatch(/^sync: 1 written/m)
    const out = await project.read('locales/es/a.md')
    expect(out).toMatch(/^---\ntitle: .+\nlang: es\nlayout: post # kept as is\ntranslated: true\n---\n/)
    expect(out).not.toContain('The first paragraph')
    expect(out).toContain('`npm ci`')
    expect(out).toContain('](https://example.com/a "')
    expect(out.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(2)
  })

  it('a second run pays for nothing and writes nothing', async () => {
    project = await tempProject({'notes/a.md': note})
    await syncWith(project)
    const before = await project.read('locales/es/a.md')
    const {result, provider} = await syncWith(project)
    expect(provider.jobs).toHaveLength(0)
    expect(result.notes[0]!.status).toBe('unchanged')
    expect(await project.read('locales/es/a.md')).toBe(before)
  })

  it('an edited paragraph is the only segment sent', async () => {
    project = await tempProject({'notes/a.md': note})
    await syncWith(project)
    await project.write('notes/a.md', note.replace('plain prose about models', 'plain prose about large models'))
    const {provider, result} = await syncWith(project)
    expect(provider.sent()).toEqual(['The second paragraph is plain prose about large models.'])
    expect(result.notes[0]!.counts).toMatchObject({translated: 1, failed: 0})
  })

  it('an inserted paragraph is the only segment sent', async () => {
    project = await tempProject({'notes/a.md': note})
    await syncWith(project)
    await project.write(
      'notes/a.md',
      note.replace('# A first heading\n', '# A first heading\n\nA brand new paragraph.\n')
    )
    const {provider} = await syncWith(project)
    expect(provider.sent()).toEqual(['A brand new paragraph.'])
  })

  it('D4: a hand edit survives byte for byte when another paragraph changes', async () => {
    project = await tempProject({'notes/a.md': note})
    await syncWith(project)
    // Splicing keeps the source's line structure: the translation of a source line is on the matching line.
    const index = note.split('\n').indexOf('The second paragraph is plain prose about models.')
    const lines = (await project.read('locales/es/a.md')).split('\n')
    // Front-matter gained `translated: true`: everything below moved down by the difference.
    lines[index + lines.length - note.split('\n').length] = 'Una traducción hecha a mano.'
    await project.write('locales/es/a.md', lines.join('\n'))
    await project.write('notes/a.md', note.replace('The last paragraph.', 'The very last paragraph.'))
    const {result} = await syncWith(project)
    expect(result.notes[0]!.counts.human).toBe(1)
    expect(await project.read('locales/es/a.md')).toContain('\nUna traducción hecha a mano.\n')
  })

  it('D5: a hand edit whose source changes is kept and reported as needing review', async () => {
    project = await tempProject({'notes/a.md': note})
    await syncWith(project)
    const index = note.split('\n').indexOf('The last paragraph.')
    const lines = (await project.read('locales/es/a.md')).split('\n')
    lines[index + lines.length - note.split('\n').length] = 'Último párrafo, a mano.'
    await project.write('locales/es/a.md', lines.join('\n'))
    await project.write('notes/a.md', note.replace('The last paragraph.', 'The final paragraph.'))
    const {result, provider} = await syncWith(project)
    expect(provider.jobs).toHaveLength(0)
    expect(result.notes[0]!.counts['needs-review']).toBe(1)
    expect(await project.read('locales/es/a.md')).toContain('Último párrafo, a mano.')
    const check = await project.run(['check', '--format', 'github'])
    expect(check.code).toBe(1)
    expect(check.stdout).toMatch(/^::error file=notes\/a\.md,line=16,title=notes-l10n needs-review::/m)
  })

  it('a second hand edit made before the source changed is not taken as a review; one made after sync flagged it is', async () => {
    const here = await tempProject({'notes/a.md': note})
    project = here
    await syncWith(project)
    const index = note.split('\n').indexOf('The last paragraph.')
    const handEdit = async (text: string) => {
      const lines = (await here.read('locales/es/a.md')).split('\n')
      lines[index + lines.length - note.split('\n').length] = text
      await here.write('locales/es/a.md', lines.join('\n'))
    }
    await handEdit('Último párrafo, a mano.')
    expect((await syncWith(project)).result.notes[0]!.counts.human).toBe(1)
    // The lock now says human; the translator edits again, then a writer edits the same source
    // paragraph. The files look like a reviewer's answer, but no sync ever asked for one.
    await handEdit('Último párrafo, a mano otra vez.')
    await project.write('notes/a.md', note.replace('The last paragraph.', 'The final paragraph.'))
    const unreviewed = await project.run(['check', '--format', 'github'])
    expect(unreviewed.code).toBe(1)
    expect(unreviewed.stdout).toMatch(/^::error file=notes\/a\.md,line=16,title=notes-l10n needs-review::/m)
    expect((await syncWith(project)).result.notes[0]!.counts['needs-review']).toBe(1)
    expect((await project.run(['check'])).code).toBe(1)
    // Flagged by that sync: an edit now is the review.
    await handEdit('Párrafo final, revisado.')
    const reviewed = await project.run(['check'])
    expect(reviewed.stdout).not.toContain('needs-review')
    expect(reviewed.code).toBe(0)
  })

  it('a hand edit that changes a URL is kept, and the sync that keeps it reports the error check will report', async () => {
    const here = await tempProject({'notes/a.md': note})
    project = here
    await syncWith(project)
    const translated = await here.read('locales/es/a.md')
    expect(translated).toContain('https://example.com/a')
    await here.write('locales/es/a.md', translated.replace('https://example.com/a', 'https://example.com/es/a'))
    const {result} = await syncWith(project)
    const errors = result.notes[0]!.findings.filter((finding) => finding.severity === 'error')
    expect(errors.map((finding) => finding.rule)).toEqual(['Q5'])
    expect(errors[0]!.message).toMatch(/^locales\/es\/a\.md:\d+: link destination differs from the source/)
    expect(await here.read('locales/es/a.md')).toContain('https://example.com/es/a')
    const check = await here.run(['check'])
    expect(check.code).toBe(1)
    expect(check.stdout).toMatch(/error Q5: link destination differs from the source/)
  })

  it('--dry-run writes nothing and calls no provider', async () => {
    project = await tempProject({'notes/a.md': note})
    const {code, stdout} = await project.run(['sync', '--locale', 'es', '--dry-run'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/sync --dry-run: 1 to write/)
    await expect(project.read('locales/es/a.md')).rejects.toThrow()
  })

  it('a bad note is reported in one line, the others are written, and the exit code says so', async () => {
    project = await tempProject({'notes/a.md': note, 'notes/bad.md': '---\ntitle: [unclosed\n---\n\nText.\n'})
    const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(code).toBe(1)
    expect(await project.read('locales/es/a.md')).toContain('lang: es')
    const output = stdout + stderr
    expect(output).toMatch(/notes\/bad\.md: .*front-matter/i)
    expect(output).not.toMatch(/\n\s+at /)
  })
})

describe('provider selection', () => {
  it('without OPENAI_API_KEY, says how to fix it and that pseudo works offline', async () => {
    project = await tempProject({'notes/a.md': note})
    const {code, stderr} = await project.run(['sync', '--locale', 'es'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/OPENAI_API_KEY is not set.*--provider pseudo/)
  })
})
