/**
 * Crash safety (docs/rules.md D1, D7, D9, D10, S1 crash path): a real `notes-l10n sync` child is killed
 * with SIGKILL at seeded random moments while it translates against the test server.
 *
 * After each kill: every target is absent, its previous version, or a complete translation of
 * the new source; no temp file outlives the rerun; the lock parses; the canary key is in no file.
 * The rerun completes, and sends no segment that was accepted (journaled) before the kill.
 *
 * `npm test` kills 2 runs; `STRESS=1` kills 20.
 */

import {cp, mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {analyseNote} from '../../src/pipeline/analyse.js'
import {parseTree} from '../../src/pipeline/parse.js'
import {treeShape} from '../../src/pipeline/shape.js'
import {JOURNAL_FILE} from '../../src/state/journal.js'
import {Lockfile} from '../../src/state/lock.js'
import {random} from '../fuzz/mutate.js'
import {segmentTexts, startTestServer, type TestServer} from '../support/openai-server.js'
import {builtCli, runCli} from './support/built-cli.js'

const RUNS = process.env.STRESS ? 20 : 2
const NOTES = 30
const SEED = 11
const CANARY = 'sk-test-CANARY-crash-0123456789abcdef'

function note(i: number, revision: number): string {
  return `---
title: Crash note ${i}, revision ${revision}
---

Paragraph one of note ${i} with \`code ${i}\` and [a link](https://example.com/${i}).

Revision ${revision} paragraph two of note ${i}.

Revision ${revision} paragraph three of note ${i} with **bold**.

\`\`\`
code block ${i}
\`\`\`
`
}

/** Segment id by protected text, for every note of revision 2 (the one synced when killed). */
const segmentIdOf = new Map<string, string>()
for (let i = 0; i < NOTES; i++) {
  for (const segment of analyseNote(`notes/n${i}.md`, {text: note(i, 2), bom: false, eol: '\n'}).segments)
    segmentIdOf.set(segment.text, segment.id)
}

const shapeOf = (text: string) => JSON.stringify(treeShape(parseTree(text)))

let server: TestServer
let bin: string
let template: string
const scratch: string[] = []

beforeAll(async () => {
  bin = await builtCli()
  server = await startTestServer({latencyMs: 40})
  template = await mkdtemp(path.join(tmpdir(), 'notes-l10n-crash-'))
  scratch.push(template)
  for (let i = 0; i < NOTES; i++) await writeNote(template, i, 1)
  const first = await runCli(
    bin,
    ['sync', '--locale', 'es', '--provider', 'openai', '--concurrency', '8'],
    template,
    env()
  ).exited
  expect(first.code, first.stderr).toBe(0)
  for (let i = 0; i < NOTES; i++) await writeNote(template, i, 2)
})

afterAll(async () => {
  await server?.close()
  for (const folder of scratch) await rm(folder, {recursive: true, force: true})
})

function env(): Record<string, string> {
  return {OPENAI_API_KEY: CANARY, OPENAI_BASE_URL: server.url}
}

async function writeNote(root: string, i: number, revision: number): Promise<void> {
  const {mkdir, writeFile} = await import('node:fs/promises')
  await mkdir(path.join(root, 'notes'), {recursive: true})
  await writeFile(path.join(root, 'notes', `n${i}.md`), note(i, revision))
}

/** Every file under `root`, relative, with its bytes as text. */
async function files(root: string, relative = ''): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (const entry of await readdir(path.join(root, relative), {withFileTypes: true})) {
    const name = path.join(relative, entry.name)
    if (entry.isDirectory()) for (const [file, text] of await files(root, name)) found.set(file, text)
    else if (entry.isFile()) found.set(name, await readFile(path.join(root, name), 'utf8'))
  }
  return found
}

/** Segment ids accepted before the kill: journaled translations and written marks (torn tail skipped). */
async function acceptedIds(root: string): Promise<Set<string>> {
  const ids = new Set<string>()
  const text = await readFile(path.join(root, JOURNAL_FILE), 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    let record: unknown
    try {
      record = JSON.parse(line)
    } catch {
      continue
    }
    if (typeof record !== 'object' || record === null) continue
    const value = record as {id?: unknown; entry?: {segments?: Array<{id: string}>}}
    if (typeof value.id === 'string') ids.add(value.id)
    for (const segment of value.entry?.segments ?? []) ids.add(segment.id)
  }
  return ids
}

describe(`crash safety: SIGKILL during sync, ${RUNS} seeded runs (D1, D7, D9, D10)`, () => {
  it('leaves old or complete files and a valid lock; the rerun finishes and re-sends nothing accepted', {
    timeout: 30 * 60_000
  }, async () => {
    const next = random(SEED)
    const old = await files(template)
    /** Per run: when the kill came, whether it landed mid-run, what had been accepted and written. */
    const kills: Array<{afterRequests: number; delay: number; midRun: boolean; accepted: number; written: number}> = []
    for (let run = 0; run < RUNS; run++) {
      const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-crash-run-'))
      scratch.push(root)
      await cp(template, root, {recursive: true})

      // The kill point is counted in requests reaching the server (then a random few ms), so it
      // lands mid-run however long the child takes to start on a loaded machine. Requests are
      // packed across the notes in flight (8 at --concurrency 4), so the 30 notes take at least 4
      // requests, and a later request is only sent once an earlier reply was journaled.
      const afterRequests = 2 + Math.floor(next() * 2)
      const delay = Math.floor(next() * 60)
      const child = runCli(bin, ['sync', '--locale', 'es', '--provider', 'openai', '--concurrency', '4'], root, env())
      let seen = 0
      let timer: NodeJS.Timeout | undefined
      server.setFault(() => {
        if (++seen === afterRequests) timer = setTimeout(() => child.kill('SIGKILL'), delay)
        return undefined
      })
      const killed = await child.exited
      clearTimeout(timer)
      server.setFault(undefined)
      expect(killed.stdout + killed.stderr).not.toContain(CANARY)

      const after = await files(root)
      let written = 0
      for (const [file, text] of after) {
        expect(text, `${file} holds the key`).not.toContain(CANARY)
        const match = /^locales\/es\/n(\d+)\.md$/.exec(file.split(path.sep).join('/'))
        if (!match) continue
        const i = Number(match[1])
        if (text === old.get(file)) continue
        written++
        // Not the old version: then a complete translation of revision 2.
        expect(shapeOf(text), `${file} after a kill at request ${afterRequests} + ${delay} ms`).toBe(
          shapeOf(note(i, 2))
        )
        expect(text).toContain(`Erivfvba 2 cnentencu gjb bs abgr ${i}.`)
        expect(text).toContain(`\`\`\`\ncode block ${i}\n\`\`\``)
      }
      // The lock parses (it is the old one, or the new one).
      Lockfile.parse(after.get('notes-l10n.lock') ?? '', 'notes-l10n.lock')

      const accepted = await acceptedIds(root)
      kills.push({afterRequests, delay, midRun: killed.signal === 'SIGKILL', accepted: accepted.size, written})
      const firstRerunRequest = server.requests.length
      const rerun = await runCli(
        bin,
        ['sync', '--locale', 'es', '--provider', 'openai', '--concurrency', '8'],
        root,
        env()
      ).exited
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0)
      expect(rerun.stdout + rerun.stderr).not.toContain(CANARY)
      // The wire carries request-local keys, so identify what was re-sent by its text.
      const resentTexts = server.requests.slice(firstRerunRequest).flatMap(segmentTexts)
      const resent = resentTexts.map((text) => segmentIdOf.get(text))
      expect(
        resent.filter((id) => id === undefined),
        'every re-sent text is a segment of the notes'
      ).toEqual([])
      expect(
        resent.filter((id) => accepted.has(id!)),
        `re-sent after a kill at request ${afterRequests} + ${delay} ms`
      ).toEqual([])

      const final = await files(root)
      expect([...final.keys()].filter((file) => file.endsWith('.tmp'))).toEqual([])
      for (let i = 0; i < NOTES; i++) {
        const text = final.get(path.join('locales', 'es', `n${i}.md`))!
        expect(shapeOf(text)).toBe(shapeOf(note(i, 2)))
        expect(text).toContain(`Erivfvba 2 cnentencu guerr bs abgr ${i}`)
      }
      Lockfile.parse(final.get('notes-l10n.lock')!, 'notes-l10n.lock')
      for (const text of final.values()) expect(text).not.toContain(CANARY)
    }
    console.log(`crash safety: ${JSON.stringify(kills)}`)
    // The seeded delays land inside the run (not before it starts or after it ends).
    expect(kills.filter((kill) => kill.midRun && kill.accepted > 0).length).toBeGreaterThanOrEqual(Math.ceil(RUNS / 2))
  })
})
