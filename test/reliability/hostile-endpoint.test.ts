/**
 * A hostile or broken endpoint, through the real CLI (docs/providers.md, "One bounded request"):
 * whatever the server sends for one note's request, that request fails (after the SDK's transport
 * retries), the note is reported, the good note is written, the lock is saved, the run exits 1 —
 * never 3, never a hang, never a crash.
 */

import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import {type Fault, segmentTexts, startTestServer, type TestServer} from '../support/openai-server.js'
import {builtCli, runCli} from './support/built-cli.js'

const KEY = 'sk-proj-TRANSPORTcanary0123456789abcdef'
const GOOD = '---\ntitle: Good\n---\n\nA good paragraph.\n'
const BAD = '---\ntitle: Poisoned\n---\n\nA paragraph the server answers badly.\n'
const STACK_TRACE = /\n\s+at /

let server: TestServer | undefined
const roots: string[] = []
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, {recursive: true, force: true})
})
afterAll(async () => {
  await server?.close()
})

/** A project with a good and a poisoned note, and a config with a short deadline. */
async function project(config: Record<string, unknown> = {}): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-hostile-'))
  roots.push(root)
  await mkdir(path.join(root, 'notes'))
  await writeFile(path.join(root, 'notes/good.md'), GOOD)
  await writeFile(path.join(root, 'notes/bad.md'), BAD)
  await writeFile(
    path.join(root, 'notes-l10n.config.json'),
    JSON.stringify({locales: ['es'], provider: {timeoutMs: 1500, maxReplyBytes: 65536, ...config}})
  )
  return root
}

async function run(root: string, args: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    cwd: root,
    env: {PATH: process.env.PATH, OPENAI_API_KEY: KEY, ...env},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false
  })
  return {code, stdout, stderr, output: stdout + stderr}
}

/** The fault for every request that carries the poisoned note's text (its retries included). */
function poison(fault: Fault): (request: {body: unknown}) => Fault | undefined {
  return (request) =>
    segmentTexts(request as never).some((text) => text.includes('Poisoned') || text.includes('answers badly'))
      ? fault
      : undefined
}

async function lockNotes(root: string): Promise<string[]> {
  const lock = JSON.parse(await readFile(path.join(root, 'notes-l10n.lock'), 'utf8')) as {
    notes?: Record<string, unknown>
  }
  return Object.keys(lock.notes ?? {})
}

async function expectOneNoteFailed(
  root: string,
  result: {code: number; output: string},
  reason: RegExp
): Promise<void> {
  expect(result.output).not.toMatch(STACK_TRACE)
  expect(result.output).not.toMatch(/internal error/)
  expect(result.output).not.toContain(KEY)
  expect(result.code).toBe(1)
  expect(result.output).toMatch(/notes\/bad\.md/)
  expect(result.output).toMatch(reason)
  expect(await readFile(path.join(root, 'locales/es/good.md'), 'utf8')).toContain('N tbbq cnentencu.')
  await expect(readFile(path.join(root, 'locales/es/bad.md'), 'utf8')).rejects.toThrow(/ENOENT/)
  expect((await lockNotes(root)).join()).toMatch(/notes\/good\.md/)
  // No temp file or half-written target anywhere.
  expect((await readdir(path.join(root, 'locales/es'))).sort()).toEqual(['good.md'])
}

const malformed: Array<[string, Fault, RegExp, Record<string, unknown>?]> = [
  ['a body that never ends', {kind: 'endless'}, /incomplete after 1500 ms/],
  ['a body that trickles (slow-loris)', {kind: 'trickle', intervalMs: 50}, /incomplete after 1500 ms/],
  ['an HTML page with status 200', {kind: 'html'}, /not valid JSON \(content-type text\/html\)/],
  ['an SSE stream with status 200', {kind: 'sse'}, /not valid JSON \(content-type text\/event-stream\)/],
  ['an empty 200', {kind: 'empty-200'}, /the reply was empty/],
  ['choices: null', {kind: 'choices-null'}, /"choices" is not an array/],
  ['non-string content', {kind: 'content-not-string'}, /content" is not a string/],
  [
    'an envelope nested a million levels deep (2 MB)',
    {kind: 'deep-nesting'},
    /nested more than 32 levels/,
    {maxReplyBytes: 4 * 1024 * 1024}
  ],
  ['a connection dropped mid-body', {kind: 'drop-mid-body'}, /connection closed before the reply was complete/],
  ['a gzip bomb (2 GiB decoded)', {kind: 'gzip-bomb'}, /larger than 65536 bytes/]
]

describe('one bounded request: a malformed 200 fails that request, never the run', () => {
  for (const [name, fault, reason, config] of malformed) {
    it(name, {timeout: 60_000}, async () => {
      server ??= await startTestServer()
      server.setFault(poison(fault))
      const root = await project(config)
      const before = server.requests.length
      const result = await run(root, ['sync', '--provider', 'openai', '--base-url', server.url])
      await expectOneNoteFailed(root, result, reason)
      // Retried by the SDK's transport retries (2), then failed: 3 attempts of the request both
      // notes shared (docs/providers.md: requests are packed across notes), then 3 of the bad
      // note's own request, so the good note is written from its own.
      const attempts = server.requests
        .slice(before)
        .filter((request) => segmentTexts(request).some((text) => text.includes('answers badly')))
      expect(attempts.length).toBe(6)
      expect(
        attempts.slice(3).every((request) => segmentTexts(request).every((text) => !text.includes('good paragraph')))
      ).toBe(true)
    })
  }

  it('a gzip bomb is cut at the default 8 MiB limit with bounded memory, in a real process', {
    timeout: 120_000
  }, async () => {
    server ??= await startTestServer()
    server.setFault(poison({kind: 'gzip-bomb'}))
    // A generous deadline: the bomb must be stopped by its size, not by the clock.
    const root = await project({maxReplyBytes: undefined, timeoutMs: 60_000})
    const bin = await builtCli()
    // The child reports its peak resident memory as it exits.
    const probe = path.join(root, '.rss-probe.cjs')
    await writeFile(
      probe,
      "process.on('exit', () => process.stderr.write('maxRSS=' + process.resourceUsage().maxRSS + '\\n'))\n"
    )
    const child = runCli(bin, ['sync', '--provider', 'openai', '--base-url', server.url], root, {
      OPENAI_API_KEY: KEY,
      NODE_OPTIONS: `--require ${probe}`
    })
    const result = await child.exited
    const peakKiB = Number(/maxRSS=(\d+)/.exec(result.stderr)?.[1])
    const stderr = result.stderr.replace(/maxRSS=\d+\n/, '')
    await expectOneNoteFailed(
      root,
      {code: result.code ?? -1, output: result.stdout + stderr},
      /larger than 8388608 bytes/
    )
    // Reading 2 GiB would need 2 GiB; the limit keeps the whole run in a few hundred MB.
    expect(peakKiB).toBeGreaterThan(0)
    expect(peakKiB).toBeLessThan(400 * 1024)
    console.log(`gzip bomb: peak RSS ${Math.round(peakKiB / 1024)} MB`)
  })
})

describe('usage the endpoint reports cannot disable --max-cost', () => {
  for (const [name, usage] of [
    ['non-numeric', {prompt_tokens: 'lots', completion_tokens: 'many', total_tokens: 'all'}],
    ['negative', {prompt_tokens: -1_000_000, completion_tokens: -1_000_000, total_tokens: -2_000_000}],
    ['missing', null]
  ] as const) {
    it(`${name} usage is estimated from tokens: the cost is a number, and the limit still stops the run`, async () => {
      server ??= await startTestServer()
      const root = await project()
      for (let index = 0; index < 4; index++)
        await writeFile(
          path.join(root, `notes/extra-${index}.md`),
          `# Note ${index}\n\n${'Words to translate here. '.repeat(40)}\n`
        )
      const dry = await run(root, ['sync', '--provider', 'openai', '--base-url', server.url, '--json', '--dry-run'])
      const estimate = (JSON.parse(dry.stdout.trim().split('\n').at(-1)!) as {estimate: {total: {costUsd: number}}})
        .estimate.total.costUsd
      // Every reply is rejected (an invented placeholder), so validation retries triple the
      // requests: the run must stop at 1.5× its estimate, which only a counted spend can see.
      server.setFault(() => ({kind: 'usage', usage, inner: {kind: 'invent-placeholder'}}))
      const limit = (estimate * 1.5).toFixed(6)
      const result = await run(root, [
        'sync',
        '--provider',
        'openai',
        '--base-url',
        server.url,
        '--json',
        '--max-cost',
        limit,
        '--concurrency',
        '1'
      ])
      expect(result.output).not.toMatch(/NaN/)
      const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
        usage: {promptTokens: number; completionTokens: number; costUsd: number}
      }
      expect(summary.usage.promptTokens, result.output).toBeGreaterThan(0)
      expect(summary.usage.completionTokens).toBeGreaterThan(0)
      expect(Number.isFinite(summary.usage.costUsd) && summary.usage.costUsd > 0).toBe(true)
      // The limit is printed as the number it is (`0.000930` → `$0.00093`).
      expect(result.stderr).toMatch(
        new RegExp(`cost limit \\$${String(Number(limit)).replace('.', '\\.')} \\(--max-cost\\) reached`)
      )
      expect(result.code).toBe(1)
    })
  }
})

describe('no redirects: the note text goes only to the endpoint the user named', () => {
  let other: Server | undefined
  afterAll(async () => {
    await new Promise((resolve) => other?.close(resolve))
  })

  for (const [name, status] of [
    ['cross-origin 307', 307],
    ['cross-origin 308', 308],
    ['cross-origin 302', 302]
  ] as const) {
    it(`a ${name} stops the run with one line, and the other origin receives nothing`, async () => {
      const received: string[] = []
      other ??= createServer((request, response) => {
        let body = ''
        request.on('data', (chunk: Buffer) => (body += chunk.toString()))
        request.on('end', () => {
          received.push(body)
          response.writeHead(200).end('{}')
        })
      })
      if (!other.listening) await new Promise<void>((resolve) => other!.listen(0, '127.0.0.1', resolve))
      const location = `http://127.0.0.1:${(other.address() as AddressInfo).port}/steal/chat/completions`
      server ??= await startTestServer()
      server.setFault(() => ({kind: 'redirect', location, status}))
      const root = await project()
      const result = await run(root, ['sync', '--provider', 'openai', '--base-url', server.url])
      expect(received).toEqual([])
      expect(result.output).not.toMatch(STACK_TRACE)
      expect(result.stderr).toMatch(
        new RegExp(
          `redirects requests \\(${status}\\) to http://127\\.0\\.0\\.1:\\d+/steal/chat/completions: notes-l10n follows no redirects`
        )
      )
      expect(result.stderr.match(/redirects requests/g)?.length).toBe(1)
      expect(result.code).toBe(2)
    })
  }

  it('a same-origin redirect is refused the same way (documented: no redirect is followed)', async () => {
    server ??= await startTestServer()
    server.setFault((request) =>
      request.path === '/v1/chat/completions' ? {kind: 'redirect', location: '/v2/chat/completions'} : undefined
    )
    const root = await project()
    const result = await run(root, ['sync', '--provider', 'openai', '--base-url', server.url])
    expect(result.stderr).toMatch(/redirects requests \(307\) to http:\/\/127\.0\.0\.1:\d+\/v2\/chat\/completions/)
    expect(server.requests.filter((request) => request.path === '/v2/chat/completions')).toEqual([])
    expect(result.code).toBe(2)
  })
})

describe('an endpoint that cannot be reached stops the run early with one message', () => {
  it('7 notes × 3 locales against a closed port: one line, exit 1, nothing written', {timeout: 120_000}, async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const root = await project()
    for (let index = 0; index < 5; index++)
      await writeFile(path.join(root, `notes/n${index}.md`), `# N${index}\n\nText number ${index}.\n`)
    await writeFile(path.join(root, 'notes-l10n.config.json'), JSON.stringify({locales: ['es', 'fr', 'de']}))
    const result = await run(root, ['sync', '--provider', 'openai', '--base-url', `http://127.0.0.1:${port}/v1`])
    expect(result.output).not.toMatch(STACK_TRACE)
    expect(result.output.match(/could not reach/g)).toEqual(['could not reach'])
    expect(result.stderr).toMatch(
      new RegExp(
        `could not reach the API at http://127\\.0\\.0\\.1:${port}/v1 \\(3 requests in a row, 3 attempt\\(s\\) each: connect ECONNREFUSED`
      )
    )
    expect(result.code).toBe(1)
    await expect(readdir(path.join(root, 'locales'))).rejects.toThrow(/ENOENT/)
  })
})

describe('a base URL the user mistyped is a usage error (exit 2, one line)', () => {
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    [
      '--base-url notaurl',
      ['--base-url', 'notaurl'],
      {},
      /^notes-l10n: error: --base-url \(or provider\.baseURL in the config\) "notaurl" is not an http\(s\) URL: expected an http\(s\) URL such as/
    ],
    [
      '--base-url without a scheme',
      ['--base-url', '127.0.0.1:8080/v1'],
      {},
      /"127\.0\.0\.1:8080\/v1" is not an http\(s\) URL: did you mean http:\/\/127\.0\.0\.1:8080\/v1 \(or https:/
    ],
    [
      '--base-url localhost:11434/v1 (parses as a scheme)',
      ['--base-url', 'localhost:11434/v1'],
      {},
      /did you mean http:\/\/localhost:11434\/v1/
    ],
    [
      '--base-url ftp://…',
      ['--base-url', 'ftp://example.com/v1'],
      {},
      /"ftp:\/\/example\.com\/v1" is not an http\(s\) URL/
    ],
    [
      'OPENAI_BASE_URL without a scheme',
      [],
      {OPENAI_BASE_URL: '127.0.0.1:8080/v1'},
      /^notes-l10n: error: OPENAI_BASE_URL "127\.0\.0\.1:8080\/v1" is not an http\(s\) URL: did you mean http:\/\/127\.0\.0\.1:8080\/v1/
    ]
  ]
  for (const [name, args, env, message] of cases) {
    it(name, async () => {
      const root = await project()
      const result = await run(root, ['sync', '--provider', 'openai', ...args], env)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(message)
    })
  }

  it('provider.baseURL without a scheme in the config', async () => {
    const root = await project({baseURL: '127.0.0.1:8080/v1'})
    const result = await run(root, ['sync', '--provider', 'openai'])
    expect(result.code).toBe(2)
    expect(result.output).not.toMatch(STACK_TRACE)
    expect(result.stderr).toMatch(/provider\.baseURL: received "127\.0\.0\.1:8080\/v1", expected an http\(s\) URL/)
  })

  it('provider.baseURL with a scheme but no host in the config', async () => {
    const root = await project({baseURL: 'http://'})
    const result = await run(root, ['sync', '--provider', 'openai'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^notes-l10n: error: --base-url \(or provider\.baseURL in the config\) "http:\/\/" is not an http\(s\) URL/
    )
  })
})
