import {afterEach, describe, expect, it} from 'vitest'
import {tempProject, type TempProject} from '../support/project.js'

const note = `---
title: A note
---

First paragraph.

Second paragraph.
`

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

describe('check', () => {
  it('C1: reports a missing translation and exits 1; clean after sync (D12)', async () => {
    project = await tempProject({'notes/a.md': note})
    const missing = await project.run(['check', '--locale', 'es'])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toMatch(/^notes\/a\.md:1: error missing: no es translation: locales\/es\/a\.md does not exist/m)

    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    const clean = await project.run(['check', '--locale', 'es'])
    expect(clean.stdout).toMatch(/check: 1 translation checked, all current/)
    expect(clean.code).toBe(0)
  })

  it('reports the source line of each stale segment, in text, json and github formats', async () => {
    project = await tempProject({'notes/a.md': note})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    await project.write('notes/a.md', note.replace('Second paragraph.', 'Second paragraph, edited.'))

    const text = await project.run(['check', '--locale', 'es'])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/^notes\/a\.md:7: error stale: es: segment \S+ is not translated in locales\/es\/a\.md \(the source changed\)/m)

    const github = await project.run(['check', '--locale', 'es', '--format', 'github'])
    expect(github.stdout).toMatch(/^::error file=notes\/a\.md,line=7,title=notes-l10n stale::es: segment/m)

    const json = await project.run(['check', '--locale', 'es', '--format', 'json'])
    const parsed = JSON.parse(json.stdout) as {findings: Array<{rule: string; line: number; file: string; severity: string}>}
    expect(parsed.findings.filter((finding) => finding.severity === 'error')).toEqual([expect.objectContaining({rule: 'stale', line: 7, file: 'notes/a.md'})])
  })

  it('C2: catches a hand edit that broke inline code', async () => {
    project = await tempProject({'notes/a.md': note.replace('First paragraph.', 'Run `npm ci` first.')})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    const translated = await project.read('locales/es/a.md')
    await project.write('locales/es/a.md', translated.replace('`npm ci`', '`npm install`'))
    const result = await project.run(['check', '--locale', 'es'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/locales\/es\/a\.md:\d+: error Q\d+/)
  })

  it('reports an orphaned translation whose source is gone', async () => {
    project = await tempProject({'notes/a.md': note, 'notes/b.md': note})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    const {rm} = await import('node:fs/promises')
    await rm(`${project.root}/notes/b.md`)
    const result = await project.run(['check', '--locale', 'es'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/notes\/b\.md:1: error orphaned/)
  })

  it('needs no key and no network (S3)', async () => {
    project = await tempProject({'notes/a.md': note})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    const result = await project.run(['check', '--locale', 'es'], {OPENAI_API_KEY: undefined, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1'})
    expect(result.code).toBe(0)
  })
})

describe('status', () => {
  it('counts translated, stale and missing per locale', async () => {
    project = await tempProject({'notes/a.md': note, 'notes/b.md': note.replace('First', 'Other')})
    await project.run(['sync', 'notes/a.md', '--locale', 'es', '--provider', 'pseudo'])
    const result = await project.run(['status', '--locale', 'es', '--json'])
    const rows = JSON.parse(result.stdout) as Array<{locale: string; notes: number; missing: number; percent: number}>
    expect(rows).toEqual([expect.objectContaining({locale: 'es', notes: 2, missing: 1, percent: 50})])
  })
})
