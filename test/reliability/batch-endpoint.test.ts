/**
 * A hostile or broken Batch API endpoint, through the real CLI (docs/providers.md, "One bounded
 * request"): `sync --batch` uploads, creates, retrieves and downloads through the same bounded
 * fetch as chat completions — a deadline over the whole body, a size limit after decompression, no
 * redirects. Whatever one of those four calls gets back, the run ends with one line, exit 1 (2 for
 * a redirect: the endpoint address is the user's to fix), never 3, no hang; nothing half-written,
 * and the batch (once created) is kept, so the next run collects it.
 */

import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import {type Fault, type RecordedRequest, startTestServer, type TestServer} from '../support/openai-server.js'

const KEY = 'sk-proj-BATCHcanary0123456789abcdefghij'
const STACK_TRACE = /\n\s+at /

let server: TestServer
const roots: string[] = []
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  server.setFault(undefined)
  for (const root of roots.splice(0)) await rm(root, {recursive: true, force: true})
})
afterAll(async () => {
  await server.close()
})

/** maxReplyBytes 64 KiB: a batch object may be that big, a file's content 32 × (2 MiB). */
async function project(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-batch-endpoint-'))
  roots.push(root)
  await mkdir(path.join(root, 'notes'))
  await writeFile(path.join(root, 'notes/one.md'), '---\ntitle: One\n---\n\nThe first paragraph.\n')
  await writeFile(path.join(root, 'notes/two.md'), '---\ntitle: Two\n---\n\nThe second paragraph.\n')
  await writeFile(
    path.join(root, 'notes-l10n.config.json'),
    JSON.stringify({locales: ['es'], provider: {timeoutMs: 1000, maxReplyBytes: 65536}})
  )
  return root
}

async function run(root: string) {
  let stdout = ''
  let stderr = ''
  const code = await main(['sync', '--batch', '--base-url', server.url], {
    cwd: root,
    env: {PATH: process.env.PATH, OPENAI_API_KEY: KEY},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false
  })
  return {code, output: stdout + stderr}
}

/** `fault` for every request to `route` (method and path pattern), retries included. */
function on(method: string, route: RegExp, fault: Fault): (request: RecordedRequest) => Fault | undefined {
  return (request) => (request.method === method && route.test(request.path) ? fault : undefined)
}

const UPLOAD = ['POST', /\/v1\/files$/] as const
const CREATE = ['POST', /\/v1\/batches$/] as const
const RETRIEVE = ['GET', /\/v1\/batches\/[^/]+$/] as const
const CONTENT = ['GET', /\/v1\/files\/[^/]+\/content$/] as const

async function batchRecords(root: string): Promise<string[]> {
  return await readdir(path.join(root, '.notes-l10n/batches')).catch(() => [])
}

async function targets(root: string): Promise<string[]> {
  return (await readdir(path.join(root, 'locales/es')).catch(() => [])).sort()
}

function expectOneLine(result: {code: number; output: string}, code: number, reason: RegExp): void {
  expect(result.output).not.toMatch(STACK_TRACE)
  expect(result.output).not.toMatch(/internal error/)
  expect(result.output).not.toContain(KEY)
  expect(result.code, result.output).toBe(code)
  const lines = result.output.split('\n').filter((line) => /Batch API/.test(line))
  expect(lines, result.output).toHaveLength(1)
  expect(lines[0]).toMatch(reason)
}

const submitFaults: Array<[string, readonly [string, RegExp], Fault, number, RegExp]> = [
  [
    'upload: a reply that never comes',
    UPLOAD,
    {kind: 'hang'},
    1,
    /did not reply within 1000 ms to upload the requests/
  ],
  ['upload: a gzip bomb', UPLOAD, {kind: 'gzip-bomb'}, 1, /upload the requests.*larger than 65536 bytes/],
  [
    'upload: a redirect to another origin',
    UPLOAD,
    {kind: 'redirect', location: 'http://203.0.113.9/v1/files'},
    2,
    /redirects \(307\).*follows no redirects/
  ],
  ['upload: an HTML page', UPLOAD, {kind: 'html'}, 1, /upload the requests.*not valid JSON/],
  ['create: a body that never ends', CREATE, {kind: 'endless'}, 1, /create the batch.*still incomplete after 1000 ms/],
  [
    'create: a connection dropped mid-body',
    CREATE,
    {kind: 'drop-mid-body'},
    1,
    /create the batch.*closed before the reply was complete/
  ],
  ['create: a 200 that is no batch object', CREATE, {kind: 'choices-null'}, 1, /create the batch with no batch object/]
]

describe('sync --batch against a hostile Batch API: submitting', () => {
  it.each(submitFaults)(
    '%s: one line, its exit code, no batch recorded, nothing half-written',
    async (_name, [method, route], fault, code, reason) => {
      const root = await project()
      server.setFault(on(method, route, fault))
      const result = await run(root)
      expectOneLine(result, code, reason)
      expect(await batchRecords(root)).toEqual([])
      expect(await targets(root)).toEqual([])
    },
    30_000
  )
})

const collectFaults: Array<[string, readonly [string, RegExp], Fault, number, RegExp]> = [
  [
    'retrieve: a reply that never comes',
    RETRIEVE,
    {kind: 'hang'},
    1,
    /did not reply within 1000 ms to retrieve batch batch_\d+/
  ],
  ['retrieve: a body that trickles', RETRIEVE, {kind: 'trickle'}, 1, /retrieve batch.*still incomplete after 1000 ms/],
  [
    'retrieve: an envelope nested a million deep',
    RETRIEVE,
    {kind: 'deep-nesting', depth: 20_000},
    1,
    /retrieve batch.*nested more than 32 levels/
  ],
  [
    'retrieve: a redirect',
    RETRIEVE,
    {kind: 'redirect', location: 'http://203.0.113.9/v1/batches/x', status: 302},
    2,
    /redirects \(302\)/
  ],
  ['download: a gzip bomb', CONTENT, {kind: 'gzip-bomb'}, 1, /download file file-\d+.*larger than 2097152 bytes/],
  ['download: a body that never ends', CONTENT, {kind: 'endless'}, 1, /download file.*still incomplete after 1000 ms/],
  [
    'download: a connection dropped mid-body',
    CONTENT,
    {kind: 'drop-mid-body'},
    1,
    /download file.*closed before the reply was complete/
  ],
  ['download: a redirect', CONTENT, {kind: 'redirect', location: 'http://203.0.113.9/files/x'}, 2, /redirects \(307\)/]
]

describe('sync --batch against a hostile Batch API: collecting', () => {
  it.each(collectFaults)(
    '%s: one line, its exit code, the batch kept and collected on the next run',
    async (_name, [method, route], fault, code, reason) => {
      const root = await project()
      const submitted = await run(root)
      expect(submitted.code, submitted.output).toBe(0)
      const [record] = await batchRecords(root)
      expect(record).toBeDefined()

      server.setFault(on(method, route, fault))
      const failed = await run(root)
      expectOneLine(failed, code, reason)
      expect(await batchRecords(root)).toEqual([record])
      expect(JSON.parse(await readFile(path.join(root, '.notes-l10n/batches', record!), 'utf8'))).toMatchObject({
        status: 'submitted'
      })
      expect(await targets(root)).toEqual([])

      server.setFault(undefined)
      const collected = await run(root)
      expect(collected.code, collected.output).toBe(0)
      expect(await targets(root)).toEqual(['one.md', 'two.md'])
      expect(await readFile(path.join(root, 'locales/es/one.md'), 'utf8')).toContain('Gur svefg cnentencu.')
      const lock = JSON.parse(await readFile(path.join(root, 'notes-l10n.lock'), 'utf8')) as {
        notes: Record<string, unknown>
      }
      expect(Object.keys(lock.notes).sort()).toEqual(['notes/one.md', 'notes/two.md'])
    },
    30_000
  )
})
