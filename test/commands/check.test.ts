import {rm, utimes} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'

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

/** Puts the files' mtimes an hour back, so the stat cache may trust them (they are not racy). */
async function age(project: TempProject, ...files: string[]): Promise<void> {
  const then = Math.floor(Date.now() / 1000) - 3600
  for (const file of files) await utimes(path.join(project.root, file), then, then)
}

describe('check', () => {
  it('a warm check answers from the stat cache, like git: same size, mtime and inode are trusted; any other change is seen', async () => {
    project = await tempProject({'notes/a.md': note})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    await age(project, 'notes/a.md', 'locales/es/a.md')
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)

    // Rewritten in place with the same size and its mtime put back: not read again.
    const translated = await project.read('locales/es/a.md')
    const paragraph = translated.split('\n').find((line) => line.endsWith('.'))!
    const sameSize = translated.replace(paragraph, `${[...paragraph.slice(0, -1)].reverse().join('')}.`)
    expect(sameSize).not.toBe(translated)
    expect(Buffer.byteLength(sameSize)).toBe(Buffer.byteLength(translated))
    await project.write('locales/es/a.md', sameSize)
    await age(project, 'locales/es/a.md')
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)

    // A real edit changes the mtime: the hand edit is found.
    await project.write('locales/es/a.md', sameSize)
    const edited = await project.run(['check', '--locale', 'es'])
    expect(edited.stdout).toMatch(
      /^locales\/es\/a\.md:7: warning hand-edited: es: edited by hand since the last sync \(source notes\/a\.md:5\)/m
    )
    expect(edited.code).toBe(0)
    // Once sync has recorded it, it is the reference translation: nothing to report.
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(await project.read('locales/es/a.md')).toBe(sameSize)
    expect((await project.run(['check', '--locale', 'es'])).stdout).toMatch(/all current/)

    // The source's front-matter locale is remembered with its hash and re-read when it changes:
    // written in Spanish now, the es file is a copy that no longer matches.
    await project.write('locales/es/a.md', translated)
    await project.write('notes/a.md', note.replace('title: A note', 'title: A note\nlang: es'))
    const relabelled = await project.run(['check', '--locale', 'es'])
    expect(relabelled.code).toBe(1)
    expect(relabelled.stdout).toContain('the source or the copy changed')
  })

  it('a warm check of an unchanged project answers from the stat cache without reading the lock; any change to the lock or the sources is seen', async () => {
    project = await tempProject({'notes/a.md': note, 'notes/b.md': note.replace('First', 'Other')})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    await age(project, 'notes/a.md', 'notes/b.md', 'locales/es/a.md', 'locales/es/b.md', 'notes-l10n.lock')
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)

    // Garbage of the same size with the mtime put back: a check that read the lock would fail.
    const lock = await project.read('notes-l10n.lock')
    await project.write('notes-l10n.lock', 'x'.repeat(Buffer.byteLength(lock)))
    await age(project, 'notes-l10n.lock')
    const status = await project.run(['status', '--locale', 'es', '--json'])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject([{locale: 'es', notes: 2, segments: {total: 6, translated: 6}}])
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)

    // Any real change to the lock is read (here: refused as broken).
    await project.write('notes-l10n.lock', lock.slice(0, -10))
    const broken = await project.run(['check', '--locale', 'es'])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain('notes-l10n.lock is not valid JSON')

    // A source removed since: its translation is now an orphan.
    await project.write('notes-l10n.lock', lock)
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
    await rm(path.join(project.root, 'notes/b.md'))
    const orphaned = await project.run(['check', '--locale', 'es'])
    expect(orphaned.code).toBe(1)
    expect(orphaned.stdout).toMatch(/^notes\/b\.md:1: error orphaned: notes\/b\.md no longer exists/m)
  })

  it('C1: reports a missing translation and exits 1; clean after sync (D12)', async () => {
    project = await tempProject({'notes/a.md': note})
    const missing = await project.run(['check', '--locale', 'es'])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toMatch(
      /^notes\/a\.md:1: error missing: no es translation: locales\/es\/a\.md does not exist/m
    )

    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    const clean = await project.run(['check', '--locale', 'es'])
    expect(clean.stdout).toMatch(/check: 1 translation checked, all current/)
    expect(clean.code).toBe(0)
  })

  it('a paragraph deleted from the source makes its translation stale (found by the simulation)', async () => {
    project = await tempProject({'notes/a.md': note})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    await project.write('notes/a.md', note.replace('\nSecond paragraph.\n', ''))
    const stale = await project.run(['check', '--locale', 'es'])
    expect(stale.code).toBe(1)
    expect(stale.stdout).toMatch(
      /^notes\/a\.md:1: error stale: locales\/es\/a\.md is out of date: it still holds 1 segment whose source was removed: run notes-l10n sync/m
    )
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
  })

  it('a config edit in a project whose config names pseudo re-assembles pseudo output, it does not call it untranslated (found by the simulation)', async () => {
    project = await tempProject({
      'notes/a.md': note,
      'notes-l10n.config.json': JSON.stringify({locales: ['es'], provider: {name: 'pseudo'}})
    })
    expect((await project.run(['sync'])).code).toBe(0)
    await project.write(
      'notes-l10n.config.json',
      JSON.stringify({locales: ['es'], provider: {name: 'pseudo'}, links: {rebase: false}})
    )
    const stale = await project.run(['check'])
    expect(stale.code).toBe(1)
    expect(stale.stdout).toMatch(/the config that shapes the output changed/)
    expect(stale.stdout).toMatch(/no translation is requested for this/)
    expect(stale.stdout).not.toMatch(/offline pseudo provider/)
    expect((await project.run(['sync'])).code).toBe(0)
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('after a config change, a paragraph added since is still a stale segment in check and status (they disagreed with sync --dry-run; found by the agreement test)', async () => {
    project = await tempProject({
      'notes/a.md': note,
      'notes-l10n.config.json': JSON.stringify({locales: ['es'], provider: {name: 'pseudo'}})
    })
    expect((await project.run(['sync'])).code).toBe(0)
    await project.write(
      'notes-l10n.config.json',
      JSON.stringify({locales: ['es'], provider: {name: 'pseudo'}, links: {rebase: false}})
    )
    await project.write('notes/a.md', `${note}\nA third paragraph.\n`)
    // Before: the config change alone was reported (no segment), and status counted 0 stale segments.
    const check = await project.run(['check', '--format', 'json'])
    const findings = (JSON.parse(check.stdout) as {findings: Array<{rule: string; line: number}>}).findings
    expect(findings).toEqual([expect.objectContaining({rule: 'stale', line: 9})])
    const status = JSON.parse((await project.run(['status', '--json'])).stdout) as Array<{segments: {stale: number}}>
    expect(status[0]!.segments.stale).toBe(1)
    const dry = await project.run(['sync', '--dry-run', '--json'])
    const summary = JSON.parse(dry.stdout.trim().split('\n').at(-1)!) as {notes: Array<{counts: {pending: number}}>}
    expect(summary.notes[0]!.counts.pending).toBe(1)
  })

  it('reports the source line of each stale segment, in text, json and github formats', async () => {
    project = await tempProject({'notes/a.md': note})
    await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    await project.write('notes/a.md', note.replace('Second paragraph.', 'Second paragraph, edited.'))

    const text = await project.run(['check', '--locale', 'es'])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(
      /^notes\/a\.md:7: error stale: es: segment \S+ is not translated in locales\/es\/a\.md \(the source changed\)/m
    )

    const github = await project.run(['check', '--locale', 'es', '--format', 'github'])
    expect(github.stdout).toMatch(/^::error file=notes\/a\.md,line=7,title=notes-l10n stale::es: segment/m)

    const json = await project.run(['check', '--locale', 'es', '--format', 'json'])
    const parsed = JSON.parse(json.stdout) as {
      findings: Array<{rule: string; line: number; file: string; severity: string}>
    }
    expect(parsed.findings.filter((finding) => finding.severity === 'error')).toEqual([
      expect.objectContaining({rule: 'stale', line: 7, file: 'notes/a.md'})
    ])
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
    const result = await project.run(['check', '--locale', 'es'], {
      OPENAI_API_KEY: undefined,
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1'
    })
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
