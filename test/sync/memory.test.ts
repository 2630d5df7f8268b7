/**
 * The translation memory across runs (`src/sync/memory.ts`, docs/state.md "Translation memory"):
 * through the real CLI against the test server on 127.0.0.1, counting what goes on the wire.
 */
import {existsSync} from 'node:fs'
import {rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {LOCK_FILE, Lockfile} from '../../src/state/lock.js'
import {pseudoTranslate, segmentTexts, type TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'

const setup = useServerProject()

interface Report {
  notes: Array<{note: string; locale: string; segments: Array<{id: string; state: string; reason?: string}>}>
}

const chats = (s: TestServer) => s.requests.filter((request) => request.path === '/v1/chat/completions')

/** Source texts sent since request number `from`. */
const sentSince = (s: TestServer, from: number) =>
  chats(s)
    .slice(from)
    .flatMap((request) => segmentTexts(request))

async function sync(p: TempProject, s: TestServer, extra: string[] = []) {
  const run = await p.run(['sync', '--locale', 'es', '--provider', 'openai', ...extra], {
    OPENAI_API_KEY: 'sk-test-memory',
    OPENAI_BASE_URL: s.url
  })
  return run
}

async function syncOk(p: TempProject, s: TestServer, extra: string[] = []): Promise<number> {
  const before = chats(s).length
  const run = await sync(p, s, extra)
  expect(run.code, run.stdout + run.stderr).toBe(0)
  return before
}

async function reasons(p: TempProject, note: string): Promise<string[]> {
  const report = JSON.parse(await p.read('report.json')) as Report
  return report.notes
    .filter((entry) => entry.note === note)
    .flatMap((entry) => entry.segments)
    .map((segment) => `${segment.state}${segment.reason ? `: ${segment.reason}` : ''}`)
}

/** Which of a note's segments the lock records as reused (`=`), in document order. */
async function reusedMarks(p: TempProject, note: string): Promise<boolean[]> {
  const entry = Lockfile.parse(await p.read(LOCK_FILE), LOCK_FILE).get(note, 'es')!
  return entry.segments.map((record) => Boolean(record.reused))
}

const SHARED = 'Install the package with `npm install notes-l10n` before you start.'
const OTHER = 'Every release note ends with the same [thanks](https://example.com/thanks).'

describe('translation memory across runs', () => {
  it('a paragraph already translated in another note is not sent again; reused, checked and free in the estimate', async () => {
    const server = await setup.startServer()
    const project = await setup.project({
      'notes/a.md': `# Getting started\n\n${SHARED}\n\n${OTHER}\n`
    })
    await syncOk(project, server)

    await project.write(
      'notes/sub/b.md',
      `# Something new\n\n${OTHER}\n\nA paragraph nobody wrote before.\n\n${SHARED}\n`
    )
    // The estimate counts the reused segments as free.
    const dry = await project.run(['sync', '--locale', 'es', '--dry-run', '--json'], {OPENAI_API_KEY: 'sk-test-memory'})
    expect(dry.code, dry.stdout + dry.stderr).toBe(0)
    const summary = dry.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as {type?: string; estimate?: {locales: Array<{segments: number; reused: number}>}}
      )
      .find((event) => event.type === 'summary')!
    expect(summary.estimate!.locales[0]).toMatchObject({segments: 2, reused: 2 + 3})

    const before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before).sort()).toEqual(['A paragraph nobody wrote before.', 'Something new'])
    const b = await project.read('locales/es/sub/b.md')
    expect(b).toContain(`${pseudoTranslate('Install the package with ')}\`npm install notes-l10n\``)
    expect(b).toContain(`[${pseudoTranslate('thanks')}](https://example.com/thanks)`)
    expect(await reasons(project, 'notes/sub/b.md')).toEqual([
      'translated: new',
      'reused: reused from notes/a.md',
      'translated: new',
      'reused: reused from notes/a.md'
    ])

    // The lock records them as reused (`=`) translations of the tool: check is clean, a third run
    // sends nothing and keeps the marks.
    expect(await reusedMarks(project, 'notes/sub/b.md')).toEqual([false, true, false, true])
    const check = await project.run(['check', '--locale', 'es'])
    expect(check.code, check.stdout + check.stderr).toBe(0)
    const third = await syncOk(project, server)
    expect(sentSince(server, third)).toEqual([])
    expect(await reusedMarks(project, 'notes/sub/b.md')).toEqual([false, true, false, true])

    // A human edit of a reused translation is human work from then on.
    await project.write('locales/es/sub/b.md', b.replace(pseudoTranslate('thanks'), 'gracias'))
    await syncOk(project, server)
    const records = Lockfile.parse(await project.read(LOCK_FILE), LOCK_FILE).get('notes/sub/b.md', 'es')!.segments
    expect(records.map((record) => [Boolean(record.reused), Boolean(record.human)])).toEqual([
      [false, false],
      [false, true],
      [false, false],
      [true, false]
    ])
  })

  it('a relative link is read back in the lending note’s folder and rebased for the borrowing one', async () => {
    const server = await setup.startServer()
    const text = 'The [picture](pic.png) shows the whole pipeline.'
    const project = await setup.project({'notes/a.md': `${text}\n`})
    await syncOk(project, server)
    expect(await project.read('locales/es/a.md')).toContain('](../../notes/pic.png)')
    await project.write('notes/deeper/b.md', `${text}\n`)
    const before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before)).toEqual([])
    // Same URL text in the source, so the same segment: here it means notes/deeper/pic.png.
    expect(await project.read('locales/es/deeper/b.md')).toContain(
      `[${pseudoTranslate('picture')}](../../../notes/deeper/pic.png)`
    )
    expect(await reasons(project, 'notes/deeper/b.md')).toEqual(['reused: reused from notes/a.md'])
  })

  it('a translation written under an older output config (links not rebased) still lends, its URL read back', async () => {
    const server = await setup.startServer()
    const text = 'The [picture](pic.png) shows the whole pipeline.'
    const project = await setup.project({
      'notes-l10n.config.json': JSON.stringify({locales: ['es'], links: {rebase: false}}),
      'notes/a.md': `${text}\n`
    })
    await syncOk(project, server)
    expect(await project.read('locales/es/a.md')).toContain('](pic.png)')
    // The config changes (a.md is re-assembled for free) and a new note has the same paragraph.
    await project.write('notes-l10n.config.json', JSON.stringify({locales: ['es'], links: {rebase: true}}))
    await project.write('notes/deeper/b.md', `${text}\n`)
    const before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before)).toEqual([])
    expect(await project.read('locales/es/deeper/b.md')).toContain(
      `[${pseudoTranslate('picture')}](../../../notes/deeper/pic.png)`
    )
  })

  it('another occurrence in the same note, added later, is reused from that note', async () => {
    const server = await setup.startServer()
    const project = await setup.project({'notes/a.md': `${SHARED}\n\nMiddle.\n`})
    await syncOk(project, server)
    await project.write('notes/a.md', `${SHARED}\n\nMiddle.\n\n${SHARED}\n`)
    const before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before)).toEqual([])
    expect(await reasons(project, 'notes/a.md')).toEqual(['reused', 'reused', 'reused: reused from notes/a.md'])
    const out = await project.read('locales/es/a.md')
    expect(out.split(pseudoTranslate('Install the package with ')).length - 1).toBe(2)
  })

  it('a human translation wins over machine ones; of two differing human translations the first by path is used and the other named', async () => {
    const server = await setup.startServer()
    const project = await setup.project({
      'notes/a.md': `Intro of a.\n\n${SHARED}\n`,
      'notes/c.md': `Intro of c.\n\n${SHARED}\n`,
      'notes/d.md': `Intro of d.\n\n${SHARED}\n`
    })
    await syncOk(project, server)
    const machine = `${pseudoTranslate('Install the package with ')}\`npm install notes-l10n\`${pseudoTranslate(' before you start.')}`
    const humanC = 'Instala el paquete con `npm install notes-l10n` antes de empezar.'
    const humanD = 'Antes de empezar, instala el paquete con `npm install notes-l10n`.'
    await project.write('locales/es/c.md', (await project.read('locales/es/c.md')).replace(machine, humanC))
    // The edit is recorded as human work by a sync (nothing is sent).
    let before = await syncOk(project, server)
    expect(sentSince(server, before)).toEqual([])

    await project.write('notes/b.md', `Intro of b.\n\n${SHARED}\n`)
    before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before)).toEqual(['Intro of b.'])
    expect(await project.read('locales/es/b.md')).toContain(humanC)
    expect(await reasons(project, 'notes/b.md')).toContain('reused: reused from notes/c.md (human translation)')

    // A second, different human translation: the first by path is used, d is named.
    await project.write('locales/es/d.md', (await project.read('locales/es/d.md')).replace(machine, humanD))
    await syncOk(project, server)
    await project.write('notes/e.md', `Intro of e.\n\n${SHARED}\n`)
    before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before)).toEqual(['Intro of e.'])
    expect(await project.read('locales/es/e.md')).toContain(humanC)
    // b.md's copy of c's human translation is a human one now too, and first by path.
    expect(await reasons(project, 'notes/e.md')).toContain(
      'reused: reused from notes/b.md (human translation; notes/d.md has a different one)'
    )
    // Reused human text is a human's in its new note too: recorded `!` (never `=`), so no later
    // --retranslate or provider switch replaces it as machine text; check is green.
    const records = Lockfile.parse(await project.read(LOCK_FILE), LOCK_FILE).get('notes/e.md', 'es')!.segments
    expect(records.map((record) => [Boolean(record.human), Boolean(record.reused)])).toEqual([
      [false, false],
      [true, false]
    ])
    const check = await project.run(['check', '--locale', 'es'])
    expect(check.code, check.stdout + check.stderr).toBe(0)
  })

  it('a note deleted, or renamed, in the same run still lends what its target holds: nothing is sent twice', async () => {
    const server = await setup.startServer()
    const project = await setup.project({
      'notes/a.md': `Intro of a.\n\n${SHARED}\n`,
      'notes/r.md': `Intro of r.\n\n${OTHER}\n`,
      'notes/keep.md': 'A paragraph of a note that stays.\n'
    })
    await syncOk(project, server)
    const lent = (await project.read('locales/es/a.md')).split('\n').at(-2)!
    await rm(path.join(project.root, 'notes/a.md'))
    await rename(path.join(project.root, 'notes/r.md'), path.join(project.root, 'notes/renamed.md'))
    // The note that stays lends its paragraph in the same run: the memory is at work.
    await project.write('notes/b.md', `Intro of b.\n\n${SHARED}\n\n${OTHER}\n\nA paragraph of a note that stays.\n`)
    const before = await syncOk(project, server, ['--report', 'report.json'])
    // Segment ids are content addresses: a.md's translation of SHARED is one of SHARED, wherever
    // a.md went (docs/state.md, "Translation memory").
    expect(sentSince(server, before)).toEqual(['Intro of b.'])
    expect(await project.read('locales/es/b.md')).toContain(`\n${lent}\n`)
    expect(await reasons(project, 'notes/b.md')).toContain('reused: reused from notes/a.md')
    expect(existsSync(path.join(project.root, 'locales/es/a.md'))).toBe(false)
    expect(await project.read('locales/es/renamed.md')).toContain(pseudoTranslate('Intro of r.'))
  })

  it('a glossary change (another fingerprint) offers no translation made under the old one', async () => {
    const server = await setup.startServer()
    const glossary = (rendering: string) =>
      JSON.stringify({version: 1, entries: [{term: 'Widget', translations: {es: rendering}}]})
    const text = 'The Widget keeps every note in step.'
    const project = await setup.project({'glossary.json': glossary('artilugio'), 'notes/a.md': `${text}\n`})
    await syncOk(project, server)
    // A human translation with the old rendering: kept in a.md, but not lent under the new glossary.
    const human = 'El artilugio mantiene cada nota al día.'
    const target = await project.read('locales/es/a.md')
    await project.write('locales/es/a.md', target.replace(/^(?!---|lang|translated).+$/m, human))
    await syncOk(project, server)
    await project.write('glossary.json', glossary('cachivache'))
    await project.write('notes/b.md', `${text}\n`)
    const before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before)).toContain(text)
    expect(await project.read('locales/es/b.md')).not.toContain(human)
    expect(await project.read('locales/es/a.md')).toContain(human)
  })

  it('the same words with different token contents are not a match', async () => {
    const server = await setup.startServer()
    const project = await setup.project({'notes/a.md': 'Run `npm ci` first.\n'})
    await syncOk(project, server)
    await project.write('notes/b.md', 'Run `npm install` first.\n')
    const before = await syncOk(project, server)
    expect(sentSince(server, before)).toEqual(['Run ⟦1⟧ first.'])
    expect(await project.read('locales/es/b.md')).toContain('`npm install`')
  })

  it('output of the offline pseudo provider is not offered to a real provider', async () => {
    const server = await setup.startServer()
    const project = await setup.project({'notes/a.md': 'A paragraph first made offline.\n'})
    const offline = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(offline.code, offline.stdout + offline.stderr).toBe(0)
    await project.write('notes/b.md', 'A paragraph first made offline.\n\nAnd one more.\n')
    const before = await syncOk(project, server)
    // Sent once for both notes (a.md's pseudo output is replaced in the same run).
    expect(sentSince(server, before).sort()).toEqual(['A paragraph first made offline.', 'And one more.'])
    expect(await project.read('locales/es/b.md')).toContain(pseudoTranslate('A paragraph first made offline.'))
  })

  it('a human translation awaiting review still lends its text for its old source; one edited by hand since the lock recorded it does not', async () => {
    const server = await setup.startServer()
    const old = 'The first version of this paragraph.'
    const project = await setup.project({
      'notes/a.md': `${old}\n\nStable a.\n`,
      'notes/c.md': `Another paragraph to translate.\n\nStable c.\n`
    })
    await syncOk(project, server)
    // a.md: a human translation, recorded, then its source changes: needs review.
    await project.write(
      'locales/es/a.md',
      (await project.read('locales/es/a.md')).replace(pseudoTranslate(old), 'La primera versión de este párrafo.')
    )
    await syncOk(project, server)
    await project.write('notes/a.md', `The second version of this paragraph.\n\nStable a.\n`)
    // c.md: edited by hand, not yet recorded by a sync.
    await project.write(
      'locales/es/c.md',
      (await project.read('locales/es/c.md')).replace(
        pseudoTranslate('Another paragraph to translate.'),
        'Otro párrafo.'
      )
    )
    await project.write('notes/b.md', `${old}\n\nAnother paragraph to translate.\n`)
    const before = await project.run(['sync', '--locale', 'es', '--provider', 'openai', '--report', 'report.json'], {
      OPENAI_API_KEY: 'sk-test-memory',
      OPENAI_BASE_URL: server.url
    })
    expect(before.code, before.stdout + before.stderr).toBe(0)
    expect(before.stdout).toContain('needs-review')
    const sent = chats(server).flatMap((request) => segmentTexts(request))
    // a.md's human text translates `old` exactly (the review is about a.md's new source).
    expect(sent.filter((text) => text === old)).toHaveLength(1)
    expect(sent.filter((text) => text === 'Another paragraph to translate.')).toHaveLength(2)
    const b = await project.read('locales/es/b.md')
    expect(b).toContain('La primera versión de este párrafo.')
    expect(b).not.toContain('Otro párrafo')
  })

  it('a paragraph twice in one new note, and in two new notes, is sent once in the run', async () => {
    const server = await setup.startServer()
    const project = await setup.project({
      'notes/a.md': `${SHARED}\n\nOnly a.\n\n${SHARED}\n`,
      'notes/b.md': `Only b.\n\n${SHARED}\n`
    })
    const before = await syncOk(project, server, ['--report', 'report.json'])
    expect(sentSince(server, before).sort()).toEqual(
      ['Only a.', 'Only b.', SHARED.replace('`npm install notes-l10n`', '⟦1⟧')].sort()
    )
    for (const note of ['a.md', 'b.md']) {
      const out = await project.read(`locales/es/${note}`)
      expect(out).toContain(`${pseudoTranslate('Install the package with ')}\`npm install notes-l10n\``)
    }
    // Sent once, written three times: the two copies are recorded as reused (which occurrence was
    // the one sent depends on which note reached the provider first).
    const [a1, onlyA, a2] = await reusedMarks(project, 'notes/a.md')
    const [onlyB, b1] = await reusedMarks(project, 'notes/b.md')
    expect([onlyA, onlyB]).toEqual([false, false])
    expect([a1, a2, b1].filter(Boolean)).toHaveLength(2)
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
  })

  it('a translation into another locale is not offered', async () => {
    const server = await setup.startServer()
    const project = await setup.project({'notes/a.md': `${SHARED}\n`})
    await syncOk(project, server)
    await project.write('notes/b.md', `${SHARED}\n`)
    const before = chats(server).length
    const fr = await project.run(['sync', '--locale', 'fr', '--provider', 'openai'], {
      OPENAI_API_KEY: 'sk-test-memory',
      OPENAI_BASE_URL: server.url
    })
    expect(fr.code, fr.stdout + fr.stderr).toBe(0)
    // a.md and b.md into French: the Spanish translation is no match; the two share one send.
    expect(sentSince(server, before)).toEqual([SHARED.replace('`npm install notes-l10n`', '⟦1⟧')])
    // And Spanish still takes it from a.md.
    const es = await syncOk(project, server)
    expect(sentSince(server, es)).toEqual([])
  })

  it('the same words with a different link URL are not a match', async () => {
    const server = await setup.startServer()
    const project = await setup.project({'notes/a.md': 'Read [the guide](https://a.example/guide) first.\n'})
    await syncOk(project, server)
    await project.write('notes/b.md', 'Read [the guide](https://b.example/guide) first.\n')
    const before = await syncOk(project, server)
    expect(sentSince(server, before)).toEqual(['Read ⟦1⟧the guide⟦/1⟧ first.'])
    expect(await project.read('locales/es/b.md')).toContain('(https://b.example/guide)')
    expect(await project.read('locales/es/b.md')).not.toContain('a.example')
  })

  it('sync --retranslate takes nothing from the memory', async () => {
    const server = await setup.startServer()
    const project = await setup.project({'notes/a.md': `${SHARED}\n`, 'notes/b.md': 'Only b.\n'})
    await syncOk(project, server)
    await project.write('notes/b.md', `Only b.\n\n${SHARED}\n`)
    const before = await syncOk(project, server, ['--retranslate'])
    const sent = sentSince(server, before)
    expect(sent).toContain('Only b.')
    expect(sent).toContain(SHARED.replace('`npm install notes-l10n`', '⟦1⟧'))
  })
})
