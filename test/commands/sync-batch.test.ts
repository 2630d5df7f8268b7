/**
 * `sync --batch` end to end against the test server's files and batches endpoints: submit,
 * collect, invalid items, a batch still running, and collects interrupted at two points.
 */
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {collectBatches} from '../../src/commands/batch.js'
import {JOURNAL_FILE} from '../../src/state/journal.js'
import {acquireRunLock} from '../../src/state/mutex.js'
import {pseudoTranslate, segmentTexts, type TestServer, type TestServerOptions} from '../support/openai-server.js'
import {useServerProject} from '../support/server-project.js'

const key = 'sk-test-batch-0123456789'

function notes(count: number): Record<string, string> {
  const files: Record<string, string> = {}
  for (let index = 0; index < count; index++) {
    files[`notes/n${index}.md`] =
      `---\ntitle: Batch note ${index}\n---\n\n# Heading ${index}\n\nThe first paragraph of note ${index} mentions \`npm ci\` and [a link](https://example.com/${index}).\n\nA second paragraph, in plain words.\n`
  }
  return files
}

const serverProject = useServerProject()

async function setup(options: TestServerOptions = {}, count = 3) {
  const {server, project} = await serverProject.start(notes(count), options)
  const env = {OPENAI_API_KEY: key, OPENAI_BASE_URL: server.url}
  return {server, project, env}
}

async function listing(root: string, folder: string): Promise<string[]> {
  return readdir(path.join(root, folder)).catch(() => [])
}

/** The files an online sync of the same notes writes, and its lock. */
async function onlineReference(count = 3): Promise<{files: Record<string, string>; lock: string}> {
  const {project, env} = await setup({}, count)
  expect((await project.run(['sync', '--locale', 'es'], env)).code).toBe(0)
  const files: Record<string, string> = {}
  for (const name of await listing(project.root, 'locales/es')) files[name] = await project.read(`locales/es/${name}`)
  return {files, lock: await project.read('notes-l10n.lock')}
}

/** The JSONL lines of every upload so far. */
function uploadedLines(server: TestServer): Array<{
  custom_id: string
  url: string
  body: {response_format: {type: string}; messages: Array<{content: string}>}
}> {
  return server.requests
    .filter((request) => request.path === '/v1/files')
    .flatMap((request) => request.raw!.split('\n'))
    .filter((line) => line.includes('{"custom_id"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{"custom_id"')).trim()))
}

const chatRequests = (server: TestServer) =>
  server.requests.filter((request) => request.path === '/v1/chat/completions')

describe('sync --batch', () => {
  it('submits each distinct pending segment once, then collects and writes exactly what an online sync writes', async () => {
    const reference = await onlineReference()
    const {server, project, env} = await setup()

    const submit = await project.run(['sync', '--batch', '--locale', 'es'], env)
    expect(submit.stderr).toBe('')
    expect(submit.code).toBe(0)
    expect(submit.stdout).toMatch(
      /^sync --batch: submitted batch_1: 10 segments in \d+ requests \(3 notes; 2 duplicates not sent\), .* at the Batch API's 50% price$/m
    )
    // The paragraph the three notes share goes once (#19, "Duplicate segments cost nothing").
    const sent = uploadedLines(server).flatMap((line) =>
      Object.values((JSON.parse(line.body.messages[1]!.content) as {segments: Record<string, string>}).segments)
    )
    expect(sent).toHaveLength(10)
    expect(sent.filter((text) => text === 'A second paragraph, in plain words.')).toHaveLength(1)
    expect(chatRequests(server)).toHaveLength(0)
    expect(await listing(project.root, 'locales/es')).toEqual([])
    expect(await listing(project.root, '.notes-l10n/batches')).toEqual(['batch_1.json'])
    // The uploaded lines are the online protocol: strict schema, one property per segment id.
    const line = uploadedLines(server)[0]
    expect(line).toMatchObject({
      custom_id: 'r1',
      url: '/v1/chat/completions',
      body: {response_format: {type: 'json_schema'}}
    })

    const status = await project.run(['batch', 'status'], env)
    expect(status.stdout).toMatch(/^batch_1 {2}completed · 3\/3 requests done · 3 requests for 3 notes/m)

    const collect = await project.run(['sync', '--batch', '--locale', 'es'], env)
    expect(collect.stderr).toBe('')
    expect(collect.code).toBe(0)
    expect(collect.stdout).toMatch(/^collected batch_1:$/m)
    expect(collect.stdout).toMatch(
      /^sync: 3 written, 0 up to date, 10 segments translated, 2 reused \[openai-batch\/gpt-4\.1-mini\]/m
    )
    expect(collect.stdout).toMatch(/^sync --batch: nothing to translate after collecting$/m)
    expect(server.batches.size).toBe(1)
    for (const [name, text] of Object.entries(reference.files))
      expect(await project.read(`locales/es/${name}`)).toBe(text)
    // The same lock: both record the two copies of the shared paragraph as reused (`=`).
    expect(await project.read('notes-l10n.lock')).toBe(reference.lock)
    expect(reference.lock.match(/[\w-]{8}=(?=[ :"])/g)).toHaveLength(2)
    expect(await listing(project.root, '.notes-l10n/batches')).toEqual([])
    expect(chatRequests(server)).toHaveLength(0)

    const check = await project.run(['check', '--locale', 'es'])
    expect(check.code).toBe(0)
  })

  it('duplicates within a note, across notes and of earlier runs are not submitted; every copy is written from the one sent', async () => {
    const shared = 'Every release ends with the same closing words.'
    const earlier = 'This paragraph was translated online before the batch.'
    const {server, project} = await serverProject.start({
      'notes-l10n.config.json': JSON.stringify({locales: ['es', 'fr']}),
      'notes/old.md': `${earlier}\n`
    })
    const env = {OPENAI_API_KEY: key, OPENAI_BASE_URL: server.url}
    expect((await project.run(['sync'], env)).code).toBe(0)
    const online = chatRequests(server).length
    await project.write('notes/a.md', `# Release A\n\n${shared}\n\nOnly in a.\n\n${shared}\n`)
    await project.write('notes/b.md', `# Release B\n\n${shared}\n\n${earlier}\n`)
    // Nothing of its own to send: its one paragraph is a's.
    await project.write('notes/c.md', `${shared}\n`)

    const submit = await project.run(['sync', '--batch'], env)
    expect(submit.code, submit.stderr).toBe(0)
    // Per locale: 4 distinct segments sent, 3 further occurrences not; the memory lends `earlier`.
    expect(submit.stdout).toMatch(
      /^sync --batch: submitted batch_1: 8 segments in \d+ requests \(6 notes; 6 duplicates not sent\)/m
    )
    const sent = uploadedLines(server).flatMap((line) =>
      Object.values((JSON.parse(line.body.messages[1]!.content) as {segments: Record<string, string>}).segments)
    )
    const once = ['Release A', shared, 'Only in a.', 'Release B']
    expect(sent.sort()).toEqual([...once, ...once].sort())

    const collect = await project.run(['batch', 'collect'], env)
    expect(collect.code, collect.stdout + collect.stderr).toBe(0)
    expect(collect.stdout).toMatch(/^sync: 6 written, 0 up to date, 8 segments translated, 8 reused/m)
    expect(chatRequests(server)).toHaveLength(online)
    for (const locale of ['es', 'fr']) {
      expect(await project.read(`locales/${locale}/a.md`)).toContain(
        `# ${pseudoTranslate('Release A')}\n\n${pseudoTranslate(shared)}\n\n${pseudoTranslate('Only in a.')}\n\n${pseudoTranslate(shared)}\n`
      )
      expect(await project.read(`locales/${locale}/b.md`)).toContain(
        `${pseudoTranslate(shared)}\n\n${pseudoTranslate(earlier)}\n`
      )
      expect(await project.read(`locales/${locale}/c.md`)).toContain(`${pseudoTranslate(shared)}\n`)
    }
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a failed request fails the duplicates it would have answered; the next online sync sends them once', async () => {
    const {server, project, env} = await setup({}, 3)
    // r1 carries n0's segments, among them the paragraph n1 and n2 share with it.
    server.setBatchFault((customId) => (customId === 'r1' ? {kind: 'server-error'} : undefined))
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)
    const collect = await project.run(['batch', 'collect'], env)
    expect(collect.code).toBe(1)
    expect(collect.stdout).toMatch(/^sync: 0 written/m)
    expect(await listing(project.root, 'locales/es')).toEqual([])

    const before = chatRequests(server).length
    const online = await project.run(['sync', '--locale', 'es'], env)
    expect(online.code, online.stdout + online.stderr).toBe(0)
    const texts = chatRequests(server)
      .slice(before)
      .flatMap((request) => segmentTexts(request))
    // n0's four segments (the others were journaled at collect), the shared one among them, once.
    expect(texts.filter((text) => text === 'A second paragraph, in plain words.')).toHaveLength(1)
    expect(texts).toHaveLength(4)
  })

  it('a batch still running is reported, and no second batch is submitted for the same segments', async () => {
    const {server, project, env} = await setup({batches: 'manual'})
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)
    const again = await project.run(['sync', '--batch', '--locale', 'es'], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(
      /^batch_1 {2}in_progress · 0\/3 requests done · .* still running: run notes-l10n sync --batch again later/m
    )
    expect(server.batches.size).toBe(1)

    server.completeBatches()
    const collect = await project.run(['batch', 'collect'], env)
    expect(collect.code).toBe(0)
    expect(collect.stdout).toMatch(/^sync: 3 written/m)
    expect(server.batches.size).toBe(1)
  })

  it('invalid and failed items are not written; the next online sync pays only for them', async () => {
    const {server, project, env} = await setup({}, 3)
    // r1 (n0): a reply that invents a placeholder in one segment (rejected by check); r2 (n1): the request failed in the batch.
    server.setBatchFault((customId) =>
      customId === 'r1' ? {kind: 'invent-placeholder'} : customId === 'r2' ? {kind: 'server-error'} : undefined
    )
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)
    const r1 = uploadedLines(server).find((line) => line.custom_id === 'r1')!
    // Wire keys are request-local ("1", "2", …): identify segments by their text.
    const r1Texts = Object.values(
      (JSON.parse(r1.body.messages[1]!.content) as {segments: Record<string, string>}).segments
    )

    const collect = await project.run(['batch', 'collect'], env)
    expect(collect.code).toBe(1)
    expect(collect.stdout).toMatch(
      /n0\.md {2}failed \(3 translated, 1 failed\)\n.*\n.*batch batch_1: rejected: Q1: placeholders invented/
    )
    expect(collect.stdout).toMatch(/batch batch_1: the batch reported an error/)
    expect(collect.stdout).toMatch(/^sync: 1 written, 0 up to date, 2 failed/m)

    // r1's other segments were accepted and journaled: the online sync sends only the rejected one and r2's.
    const online = await project.run(['sync', '--locale', 'es'], env)
    expect(online.code).toBe(0)
    expect(online.stdout).toMatch(/^sync: 2 written, 1 up to date/m)
    const sent = chatRequests(server).flatMap((request) => segmentTexts(request))
    // The rejected segment (r1's first, where the fault struck) and r2's four but the paragraph
    // n2.md (written by the collect) already has a translation of — the translation memory lends
    // it: nothing else is paid twice.
    expect(sent).toHaveLength(1 + 3)
    expect(sent).toContain(r1Texts[0])
    expect(sent).not.toContain('A second paragraph, in plain words.')
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
  })

  it('a collect interrupted between download and apply applies the saved results without downloading again', async () => {
    const reference = await onlineReference()
    const {server, project, env} = await setup()
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)

    const crash = collectBatches({
      cwd: project.root,
      env,
      beforeApply: () => {
        throw new Error('killed')
      }
    })
    await expect(crash).rejects.toThrow('killed')
    expect(await listing(project.root, '.notes-l10n/batches')).toEqual(['batch_1.json', 'batch_1.output.jsonl'])
    expect(await listing(project.root, 'locales/es')).toEqual([])

    const downloads = () => server.requests.filter((request) => request.path.endsWith('/content')).length
    const before = downloads()
    const collect = await project.run(['batch', 'collect'], env)
    expect(collect.code).toBe(0)
    expect(downloads()).toBe(before)
    for (const [name, text] of Object.entries(reference.files))
      expect(await project.read(`locales/es/${name}`)).toBe(text)
    expect(await listing(project.root, '.notes-l10n/batches')).toEqual([])
  })

  it('a collect that dies after journaling never applies a result twice', async () => {
    const reference = await onlineReference()
    const {project, env} = await setup()
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)

    let batches = 0
    const crash = collectBatches({
      cwd: project.root,
      env,
      onEvent: (event) => {
        // Dies right after the second request's results are journaled, before any note is written.
        if (event.type === 'segment-batch' && ++batches === 2) throw new Error('killed')
      }
    })
    await expect(crash).rejects.toThrow('killed')
    const journal = await project.read(JOURNAL_FILE)
    expect(journal.split('\n').filter((line) => line.includes('"markdown"')).length).toBeGreaterThanOrEqual(4)

    const collected = await collectBatches({cwd: project.root, env})
    const counts = collected.applied[0]!.result.notes.map((note) => note.counts)
    // What was journaled is reused, the rest translated from the saved results: 12 in all, once each.
    expect(counts.reduce((sum, count) => sum + count.reused + count.translated, 0)).toBe(12)
    expect(counts.reduce((sum, count) => sum + count.reused, 0)).toBeGreaterThanOrEqual(4)
    expect(counts.every((count) => count.failed === 0)).toBe(true)
    for (const [name, text] of Object.entries(reference.files))
      expect(await project.read(`locales/es/${name}`)).toBe(text)
    expect(await listing(project.root, '.notes-l10n/journal')).toEqual([])
  })

  it('an online sync warns that an open batch would be paid twice', async () => {
    const {project, env} = await setup({batches: 'manual'}, 1)
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)
    const online = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'], env)
    expect(online.stderr).toMatch(
      /warning: 1 Batch API batch is still open \(batch_1\): segments they carry are paid again .* run notes-l10n batch collect first/
    )
  })

  it('--max-cost refuses a batch whose estimate exceeds it, before uploading', async () => {
    const {server, project, env} = await setup()
    const result = await project.run(['sync', '--batch', '--locale', 'es', '--max-cost', '0.000001'], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /this batch is estimated at \$\d+\.\d{4} at the Batch API's 50% price .* nothing was sent/
    )
    expect(server.requests).toHaveLength(0)
  })

  it('--dry-run uploads nothing and creates no batch', async () => {
    const {server, project, env} = await setup()
    const result = await project.run(['sync', '--batch', '--dry-run', '--locale', 'es'], env)
    expect(result.code, result.stderr).toBe(0)
    expect(server.requests).toHaveLength(0)
    expect(await listing(project.root, '.notes-l10n/batches')).toEqual([])
    expect(await listing(project.root, 'locales/es')).toEqual([])
  })

  it('submit and collect hold the run mutex: a second run cannot submit the same segments meanwhile', async () => {
    const {server, project, env} = await setup()
    const release = await acquireRunLock(project.root)
    try {
      const submit = await project.run(['sync', '--batch', '--locale', 'es'], env)
      expect(submit.code).toBe(2)
      expect(submit.stderr).toMatch(/another notes-l10n sync is running in this project/)
      const collect = await project.run(['batch', 'collect'], env)
      expect(collect.code).toBe(2)
      expect(server.requests).toHaveLength(0)
    } finally {
      await release()
    }
    expect((await project.run(['sync', '--batch', '--locale', 'es'], env)).code).toBe(0)
  })
})
