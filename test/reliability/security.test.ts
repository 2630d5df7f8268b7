/**
 * Security through the real CLI (docs/rules.md S1, S4, S5) and write faults (D1-style "disk full",
 * read-only targets).
 *
 * Each project lives in its own parent folder beside an `outside/` folder that links point to,
 * so "nothing was written outside the project" is a listing of that parent before and after.
 */

import {chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import {sync} from '../../src/commands/sync.js'
import {writeFileAtomic} from '../../src/io/write.js'
import {type Fault, startTestServer, type TestServer} from '../support/openai-server.js'

const CANARY = 'sk-test-CANARY-5ec12e7-do-not-leak-0123456789'
const NOTE =
  '---\ntitle: A note\n---\n\nA paragraph with `code` and [a link](https://example.com/x).\n\nAnother paragraph.\n'
const STACK_TRACE = /\n\s+at /

const parents: string[] = []
let server: TestServer | undefined
afterEach(async () => {
  for (const parent of parents.splice(0)) {
    await chmod(path.join(parent, 'project/locales/es'), 0o755).catch(() => undefined)
    await rm(parent, {recursive: true, force: true})
  }
})
afterAll(async () => {
  await server?.close()
})

/** A project at `<parent>/project` with `files`, and an empty `<parent>/outside`. */
async function layout(files: Record<string, string>): Promise<{parent: string; root: string; outside: string}> {
  const parent = await mkdtemp(path.join(tmpdir(), 'notes-l10n-sec-'))
  parents.push(parent)
  const root = path.join(parent, 'project')
  const outside = path.join(parent, 'outside')
  await mkdir(outside, {recursive: true})
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), {recursive: true})
    await writeFile(path.join(root, file), text)
  }
  return {parent, root, outside}
}

async function run(root: string, args: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    cwd: root,
    env: {PATH: process.env.PATH, ...env},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false
  })
  return {code, stdout, stderr, output: stdout + stderr}
}

/** Every path under `folder` except `skip`, with sizes, for before/after comparisons. */
async function listing(folder: string, skip?: string): Promise<string[]> {
  const entries: string[] = []
  for (const entry of await readdir(folder, {withFileTypes: true})) {
    const full = path.join(folder, entry.name)
    if (full === skip) continue
    if (entry.isDirectory()) entries.push(`${full}/`, ...(await listing(full, skip)))
    else entries.push(`${full} ${(await stat(full).catch(() => undefined))?.size ?? 'link'}`)
  }
  return entries.sort()
}

/** Every file under `folder` as text (for the canary search). */
async function contents(folder: string): Promise<string> {
  let all = ''
  for (const entry of await readdir(folder, {withFileTypes: true})) {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) all += await contents(full)
    else if (entry.isFile()) all += `\n== ${full}\n${await readFile(full, 'utf8')}`
  }
  return all
}

describe('S1 the API key never leaks: stdout, stderr, notes, lock, journal, .notes-l10n, reports, errors', () => {
  const faults: Array<[string, Fault | undefined]> = [
    ['success', undefined],
    ['401 echoing the key', {kind: 'unauthorized', echoKey: true}],
    ['429 rate limit', {kind: 'rate-limit', retryAfterMs: 10}],
    ['429 quota', {kind: 'quota'}],
    ['400 quoting the key', {kind: 'bad-request', message: `invalid request from key ${CANARY}`}],
    ['refusal quoting the key', {kind: 'refusal', text: `I cannot, ${CANARY}`}],
    ['500', {kind: 'server-error'}]
  ]
  for (const [name, fault] of faults) {
    it(`with a ${name}`, async () => {
      server ??= await startTestServer()
      server.setFault(() => fault)
      const {root} = await layout({'notes/a.md': NOTE, 'notes/b.md': NOTE.replace('Another', 'A second')})
      const env = {OPENAI_API_KEY: CANARY, OPENAI_BASE_URL: server.url}
      const first = await run(root, ['sync', '--locale', 'es', '--provider', 'openai', '--report', 'report.md'], env)
      const second = await run(
        root,
        ['sync', '--locale', 'es', '--provider', 'openai', '--report', 'report.json', '--json'],
        env
      )
      expect(first.output + second.output).not.toContain(CANARY)
      expect(first.output + second.output).not.toMatch(STACK_TRACE)
      expect(await contents(root)).not.toContain(CANARY)
      // The layer below the CLI's redaction: a thrown error or a result must not carry it either.
      const direct = await sync({
        cwd: root,
        locales: ['es'],
        env,
        provider: {name: 'openai', baseURL: server.url}
      }).catch((error: unknown) => error)
      const text =
        direct instanceof Error
          ? `${direct.message}\n${direct.stack ?? ''}\n${String(direct.cause)}`
          : JSON.stringify(direct)
      expect(text).not.toContain(CANARY)
      expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY}`)
    })
  }

  it('OPENAI_LOG=debug prints a warning that request bodies will be logged', async () => {
    const {root} = await layout({'notes/a.md': NOTE})
    const {code, stderr} = await run(root, ['sync', '--locale', 'es', '--provider', 'pseudo'], {OPENAI_LOG: 'debug'})
    expect(code).toBe(0)
    expect(stderr).toMatch(/^notes-l10n: warning: OPENAI_LOG=debug .*request and response body/m)
  })
})

describe('S4, S5 paths are refused before any write: nothing lands outside the project', () => {
  async function expectRefused(
    files: Record<string, string>,
    args: string[],
    message: RegExp,
    prepare?: (paths: {root: string; outside: string}) => Promise<void>
  ) {
    const paths = await layout(files)
    await prepare?.(paths)
    const before = await listing(paths.parent, paths.root)
    const result = await run(paths.root, args)
    expect(result.output).toMatch(message)
    expect(result.output).not.toMatch(STACK_TRACE)
    expect(result.code).not.toBe(0)
    expect(await listing(paths.parent, paths.root)).toEqual(before)
    expect(await readdir(paths.outside)).toEqual([])
    return {...paths, result}
  }

  it('a locale code shaped like a path (--locale ../../etc)', async () => {
    const {root} = await expectRefused(
      {'notes/a.md': NOTE},
      ['sync', '--locale', '../../etc', '--provider', 'pseudo'],
      /\.\.\/\.\.\/etc/
    )
    expect(await readdir(root)).not.toContain('locales')
  })

  it('a source path argument that climbs out (../outside/x.md)', async () => {
    await expectRefused(
      {'notes/a.md': NOTE},
      ['sync', '../outside/x.md', '--locale', 'es', '--provider', 'pseudo'],
      /outside|not inside|project/
    )
  })

  for (const output of [
    '../outside/{locale}/{path}',
    'locales/{locale}/../../../outside/{path}',
    '/tmp/{locale}/{path}',
    '{dir}/../../outside/{locale}-{name}{ext}'
  ]) {
    it(`an output template that escapes: ${output}`, async () => {
      await expectRefused(
        {'notes/a.md': NOTE, 'notes-l10n.config.json': JSON.stringify({output})},
        ['sync', '--locale', 'es', '--provider', 'pseudo'],
        /notes-l10n\.config\.json/
      )
    })
  }

  it('a front-matter slug never steers a write', async () => {
    const evil = '---\ntitle: Slug\nslug: ../../../outside/x\npath: ../../outside/y.md\n---\n\nText.\n'
    const paths = await layout({'notes/a.md': evil})
    const before = await listing(paths.parent, paths.root)
    const result = await run(paths.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(result.code).toBe(0)
    expect(await listing(paths.parent, paths.root)).toEqual(before)
    expect(await readFile(path.join(paths.root, 'locales/es/a.md'), 'utf8')).toContain('slug: ../../../outside/x')
  })

  it('an output folder that is a symlink to outside the project', async () => {
    await expectRefused(
      {'notes/a.md': NOTE},
      ['sync', '--locale', 'es', '--provider', 'pseudo'],
      /^output locales\/es\/a\.md would be written outside the project: locales\/es resolves to .*outside; remove the symlink/m,
      async ({root, outside}) => {
        await mkdir(path.join(root, 'locales'), {recursive: true})
        await symlink(outside, path.join(root, 'locales/es'))
      }
    )
  })

  it('a target file that is a symlink to a file outside (~/.bashrc)', async () => {
    const {outside} = await expectRefused(
      {'notes/a.md': NOTE},
      ['sync', '--locale', 'es', '--provider', 'pseudo'],
      /^output locales\/es\/a\.md is a symlink; refusing to write through it/m,
      async ({root, outside}) => {
        await mkdir(path.join(root, 'locales/es'), {recursive: true})
        await symlink(path.join(outside, 'bashrc'), path.join(root, 'locales/es/a.md'))
      }
    )
    expect(await readdir(outside)).toEqual([])
  })

  it('a source note that is a symlink to a file outside is skipped, not read', async () => {
    const paths = await layout({'notes/a.md': NOTE})
    await writeFile(path.join(paths.outside, 'secret.md'), '# Secret\n\nDo not translate me.\n')
    await symlink(path.join(paths.outside, 'secret.md'), path.join(paths.root, 'notes/secret.md'))
    const before = await listing(paths.parent, paths.root)
    const result = await run(paths.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    // The line names where the link leads, not the link itself (see the report: notes/secret.md should lead it).
    expect(result.output).toMatch(/^.*symlink resolves to .*outside\/secret\.md, outside the project; skipped.*$/m)
    expect(result.code).toBe(1)
    expect(await readdir(path.join(paths.root, 'locales/es'))).toEqual(['a.md'])
    expect(await listing(paths.parent, paths.root)).toEqual(before)
  })
})

describe('write faults: clear one-line error, nothing half-written', () => {
  it('disk full while writing: the old target is intact and no temp file is left', async () => {
    const {root} = await layout({'locales/es/a.md': 'old translation\n'})
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
    const error = await writeFileAtomic(path.join(root, 'locales/es/a.md'), 'new translation\n', {
      root,
      beforeRename: () => {
        throw full
      }
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe(
      'cannot write locales/es/a.md: no space left on device — free space and re-run `sync`; nothing was half-written'
    )
    expect(await readFile(path.join(root, 'locales/es/a.md'), 'utf8')).toBe('old translation\n')
    expect(await readdir(path.join(root, 'locales/es'))).toEqual(['a.md'])
  })

  it("a target's folder that is a file: the run names it, writes the other locale, exits 1", async () => {
    const {root} = await layout({'notes/a.md': NOTE, 'locales/es': 'not a folder\n'})
    const result = await run(root, ['sync', '--locale', 'es,fr', '--provider', 'pseudo'])
    // One line naming the target, in the write path's words: what is wrong, and that nothing was written.
    expect(result.output).toMatch(
      /^cannot write locales\/es\/a\.md: locales\/es is a file, not a folder — .*nothing was written$/m
    )
    expect(result.output).not.toMatch(STACK_TRACE)
    expect(result.code).toBe(1)
    expect(await readFile(path.join(root, 'locales/es'), 'utf8')).toBe('not a folder\n')
    expect(await readFile(path.join(root, 'locales/fr/a.md'), 'utf8')).toMatch(/^---\ntitle: (?!A note)/)
  })

  it.skipIf(process.getuid?.() === 0)('a read-only target folder: permission denied, nothing written', async () => {
    const {root} = await layout({'notes/a.md': NOTE})
    await mkdir(path.join(root, 'locales/es'), {recursive: true})
    await chmod(path.join(root, 'locales/es'), 0o555)
    const result = await run(root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(result.output).toMatch(/cannot write locales\/es\/a\.md: permission denied/)
    expect(result.code).toBe(1)
    expect(await readdir(path.join(root, 'locales/es'))).toEqual([])
  })
})
