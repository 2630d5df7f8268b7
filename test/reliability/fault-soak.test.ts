/**
 * Fault soak (docs/rules.md L1–L12, A1–A11, D1–D13): many notes × 3 locales through the OpenAI provider against the
 * test server, with 10% of requests faulted (429, 500, hang, placeholder / URL / code
 * corruption, truncation, refusal).
 *
 * Round 1 translates every note without faults. Round 2 changes the title and one paragraph of
 * every note and syncs with faults. Afterwards every note and locale is either written and
 * correct, or reported failed with its round-1 target byte for byte; no file on disk is corrupt;
 * the server saw no more requests than the retry budget allows; the heap stays bounded. Round 3
 * (no faults) finishes what round 2 could not.
 *
 * `npm test` runs 30 notes; `STRESS=1` runs 2,000. Validation retries are off so that corrupted
 * replies end as reported failures (the path under test) instead of being retried away.
 */

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {parseTree} from '../../src/pipeline/parse.js'
import {treeShape} from '../../src/pipeline/shape.js'
import {createOpenAIProvider} from '../../src/providers/openai.js'
import {random} from '../fuzz/mutate.js'
import type {Fault, RecordedRequest} from '../support/openai-server.js'
import {useServerProject} from '../support/server-project.js'

const NOTES = process.env.STRESS ? 2_000 : 30
const LOCALES = ['es', 'fr', 'de']
const FAULT_RATE = 0.1
const SEED = 7

/** Provider settings of the soak; the retry budget below is derived from them. */
const MAX_RETRIES = 2
const VALIDATION_RETRIES = 0
const TIMEOUT_MS = 400
/**
 * The fault-free rounds (before and after the faulty one) must not fail, so they get a hang guard
 * rather than the soak's short timeout, which a loaded 2-core machine can exceed with no fault.
 */
const FAULT_FREE_TIMEOUT_MS = 60_000

/** Heap after the run, whatever the size: the run must not keep notes or replies around. */
const HEAP_BOUND_BYTES = 768 * 1024 * 1024

const CODE_BLOCK = (i: number) => `\`\`\`js\nconst answer = ${i} // code stays byte for byte\n\`\`\``

function note(i: number, revision: number): string {
  return `---
title: Note ${i} about caching, revision ${revision}
---

# Heading of note ${i}

Paragraph one of note ${i} mentions \`npm ci --prefer-offline\` and [the docs](https://example.com/docs/${i}?a=1&b=2).

Revision ${revision} paragraph of note ${i} with **bold** text and an autolink <https://example.org/${i}>.

${CODE_BLOCK(i)}

- item one of note ${i}
- item two with *emphasis* and \`inline code\`
`
}

/** Seeded faults, one request in ten, mixed. */
const FAULTS: ReadonlyArray<Fault> = [
  {kind: 'rate-limit', retryAfterMs: 20},
  {kind: 'server-error', status: 500},
  {kind: 'server-error', status: 503},
  {kind: 'hang'},
  {kind: 'drop-placeholder'},
  {kind: 'duplicate-placeholder'},
  {kind: 'invent-placeholder'},
  // Code and URL corruption: a token replaced by what the model "thought" it stood for.
  {kind: 'placeholder-to-text', text: '`npm install`'},
  {kind: 'placeholder-to-text', text: 'https://evil.example/phish'},
  {kind: 'truncate'},
  {kind: 'refusal'},
  {kind: 'refusal-text'}
]

function faultPicker(seed: number) {
  const next = random(seed)
  const injected = new Map<string, number>()
  const picker = (_request: RecordedRequest): Fault | undefined => {
    if (next() >= FAULT_RATE) return undefined
    const fault = FAULTS[Math.floor(next() * FAULTS.length)]!
    injected.set(fault.kind, (injected.get(fault.kind) ?? 0) + 1)
    return fault
  }
  return {picker, injected}
}

const setup = useServerProject('all')

function provider(url: string, timeoutMs = TIMEOUT_MS) {
  return createOpenAIProvider({
    apiKey: 'sk-test-soak',
    baseURL: url,
    model: 'gpt-4.1-mini',
    concurrency: 16,
    timeoutMs,
    maxRetries: MAX_RETRIES,
    validationRetries: VALIDATION_RETRIES,
    validationRetryDelayMs: 0
  })
}

/** Tree shape of a note, front-matter aside (it is patched, not part of the shape). */
const shapeOf = (text: string) => JSON.stringify(treeShape(parseTree(text)))

describe(`fault soak: ${NOTES} notes × ${LOCALES.length} locales, ${FAULT_RATE * 100}% faults`, () => {
  it('every note ends correct or reported; zero corrupted files; requests within the retry budget; heap bounded', {
    timeout: 30 * 60_000
  }, async () => {
    const server = await setup.startServer()
    const files: Record<string, string> = {}
    for (let i = 0; i < NOTES; i++) files[`notes/n${i}.md`] = note(i, 1)
    const project = await setup.project(files)
    const target = (i: number, locale: string) => join(project.root, 'locales', locale, `n${i}.md`)

    const first = await sync({
      cwd: project.root,
      locales: LOCALES,
      env: {},
      providerOverride: provider(server.url, FAULT_FREE_TIMEOUT_MS)
    })
    expect(first.notes.filter((n) => n.status !== 'written')).toEqual([])
    const before = new Map<string, string>()
    for (let i = 0; i < NOTES; i++)
      for (const locale of LOCALES) before.set(`${i}/${locale}`, await readFile(target(i, locale), 'utf8'))

    for (let i = 0; i < NOTES; i++) await project.write(`notes/n${i}.md`, note(i, 2))
    const {picker, injected} = faultPicker(SEED)
    server.setFault(picker)
    // The server's log keeps every body and reply: drop round 1's so the heap figure is the run's.
    server.requests.length = 0
    const second = await sync({cwd: project.root, locales: LOCALES, env: {}, providerOverride: provider(server.url)})
    const requests = server.requests.length
    server.requests.length = 0

    // Every note and locale is accounted for: written, or failed with a reason.
    expect(second.notes).toHaveLength(NOTES * LOCALES.length)
    expect(second.problems).toEqual([])
    let failed = 0
    for (const result of second.notes) {
      expect(['written', 'failed']).toContain(result.status)
      const i = Number(/n(\d+)\.md$/.exec(result.note)![1])
      const text = await readFile(target(i, result.locale), 'utf8')
      if (result.status === 'failed') {
        failed++
        expect(result.message).toMatch(/could not be translated; .* was left as it was/)
        expect(text, `${result.output} must be untouched`).toBe(before.get(`${i}/${result.locale}`))
        expect(shapeOf(text)).toBe(shapeOf(note(i, 1)))
        continue
      }
      // Written: same shape, protected constructs byte for byte, and the server's translation.
      expect(shapeOf(text), result.output).toBe(shapeOf(note(i, 2)))
      expect(text).toContain(CODE_BLOCK(i))
      expect(text).toContain('`npm ci --prefer-offline`')
      expect(text).toContain(`(https://example.com/docs/${i}?a=1&b=2)`)
      expect(text).toContain(`<https://example.org/${i}>`)
      expect(text).not.toContain('evil.example')
      expect(text).not.toContain('`npm install`')
      expect(text).toContain('Erivfvba 2') // ROT13 of "Revision 2": the reply, not the source
      expect(text).toMatch(/^---\ntitle: Abgr \d+ nobhg pnpuvat, erivfvba 2\n/)
    }

    // The retry budget. A job of k pending segments is split into groups of g segments in total
    // across requests; a group translated cut at the limit is halved (at most 2k−1 groups) and a
    // single cut segment retried once with a raised limit (k more): ≤ 3k−1 groups. Each group
    // makes ≤ 1 + VALIDATION_RETRIES attempts, each ≤ 1 + MAX_RETRIES HTTP requests (the SDK).
    const jobs = NOTES * LOCALES.length
    const pendingSegments = second.notes.reduce((sum, n) => sum + n.counts.translated + n.counts.failed, 0)
    expect(pendingSegments).toBe(jobs * 2)
    const budget = (3 * pendingSegments - jobs) * (1 + VALIDATION_RETRIES) * (1 + MAX_RETRIES)
    expect(requests).toBeGreaterThanOrEqual(jobs)
    expect(requests).toBeLessThanOrEqual(budget)

    const heap = process.memoryUsage().heapUsed
    expect(heap).toBeLessThan(HEAP_BOUND_BYTES)

    // Round 3, no faults: only what failed is sent again, and everything ends written.
    server.setFault(undefined)
    const third = await sync({
      cwd: project.root,
      locales: LOCALES,
      env: {},
      providerOverride: provider(server.url, FAULT_FREE_TIMEOUT_MS)
    })
    const resent = server.requests.length
    expect(third.notes.filter((n) => n.status === 'failed')).toEqual([])
    expect(third.notes.filter((n) => n.status === 'written')).toHaveLength(failed)
    expect(resent).toBeLessThanOrEqual(failed)
    for (let i = 0; i < NOTES; i++) {
      for (const locale of LOCALES) expect(shapeOf(await readFile(target(i, locale), 'utf8'))).toBe(shapeOf(note(i, 2)))
    }

    console.log(
      `fault soak: ${jobs} jobs, ${requests} requests (budget ${budget}), faults injected ${JSON.stringify(Object.fromEntries(injected))}, ` +
        `${failed} reported failed and left untouched, 0 corrupted files, heap ${Math.round(heap / 1048576)} MB`
    )
  })
})
