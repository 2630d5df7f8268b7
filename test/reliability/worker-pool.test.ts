/**
 * The note pool (src/sync/note-pool.ts): a sync that parses and reassembles on worker threads
 * writes exactly what one that does it all on the main thread writes — every output byte, the
 * lock, the exit code and the report — on real Markdown (READMEs under node_modules and the
 * fixtures) with a glossary, links between notes, BOM and CRLF, MDX, a broken note, and then
 * human edits and a changed source. Through the built CLI (the worker is compiled JavaScript);
 * `--cpu-prof` writes one profile per thread, which proves the workers ran.
 */
import {spawn} from 'node:child_process'
import {cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {defaultWorkers, workersWanted} from '../../src/sync/note-pool.js'
import {repo} from '../support/transpile.js'
import {builtCli} from './support/built-cli.js'

const STACK_TRACE = /\n\s+at /
/** Kill a child still running after this long: a hang guard, not a performance assertion. */
const HANG_GUARD_MS = 240_000

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-pool-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

interface Ran {
  code: number | null
  stdout: string
  stderr: string
  /** Threads that ran JavaScript (one `.cpuprofile` each). */
  threads: number
}

async function sync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const bin = await builtCli()
  const profiles = await mkdtemp(path.join(root, 'prof-'))
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', profiles, bin, 'sync', '--provider', 'pseudo', ...args],
    {cwd, env: {PATH: process.env.PATH ?? '', ...env}, stdio: ['ignore', 'pipe', 'pipe']}
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS)
  const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)))
  clearTimeout(guard)
  const threads = (await readdir(profiles)).filter((name) => name.endsWith('.cpuprofile')).length
  await rm(profiles, {recursive: true, force: true})
  expect(stderr).not.toMatch(STACK_TRACE)
  return {code, stdout, stderr, threads}
}

/** Exit code and output lines (notes are reported as they finish: in an order that varies). */
function report(ran: Ran): {code: number | null; stdout: string[]; stderr: string[]} {
  return {code: ran.code, stdout: ran.stdout.split('\n').sort(), stderr: ran.stderr.split('\n').sort()}
}

/** Every file under `folder` (but the journal's folder and the stat cache) → its bytes. */
async function snapshot(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, {withFileTypes: true})) {
      const full = path.join(at, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '.notes-l10n') await walk(full)
      } else files.set(path.relative(folder, full), (await readFile(full)).toString('base64'))
    }
  }
  await walk(folder)
  return files
}

/** A project of real Markdown and the cases where reassembly has work to do. */
async function makeProject(at: string): Promise<void> {
  await cp(path.join(repo, 'test/fixtures/notes'), path.join(at, 'notes/fixtures'), {recursive: true})
  const readmes = ['yaml/README.md', 'ajv/README.md', 'p-limit/readme.md', 'remark-gfm/readme.md', 'openai/README.md']
  for (const file of readmes) {
    await cp(path.join(repo, 'node_modules', file), path.join(at, `notes/readme-${path.dirname(file)}.md`))
  }
  const files: Record<string, string> = {
    'notes-l10n.config.json': JSON.stringify({locales: ['es', 'fr']}),
    'glossary.json': JSON.stringify({
      version: 1,
      entries: [
        {term: 'Markdown', keep: true},
        {term: 'TypeScript', keep: true}
      ]
    }),
    'notes/links.md':
      '---\ntitle: Links between notes\n---\n\nSee [the yaml notes](readme-yaml.md) and ![a picture](../img/a.png "A title").\n\n<a href="readme-ajv.md">Ajv</a> is written in TypeScript.\n',
    'notes/crlf-bom.md':
      '\uFEFF---\r\ntitle: "Windows: a note"\r\n---\r\n\r\n# A heading\r\n\r\n> Quoted *Markdown*\r\n> on two lines.\r\n',
    'notes/component.mdx':
      '---\ntitle: MDX\n---\n\nimport {Note} from "./note"\n\n<Note title="Read this">\n\nSome **prose** in a component.\n\n</Note>\n',
    'notes/broken.md': '---\ntitle: [unclosed\n---\n\nThe front-matter above is not YAML.\n'
  }
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(at, file)), {recursive: true})
    await writeFile(path.join(at, file), text)
  }
}

describe('sync on worker threads', () => {
  it('writes every byte and the lock exactly as the main thread alone does, first run and after edits', async () => {
    const alone = path.join(root, 'alone')
    const pooled = path.join(root, 'pooled')
    await makeProject(alone)
    await cp(alone, pooled, {recursive: true})

    const first = [await sync(alone, ['--workers', '0']), await sync(pooled, ['--workers', '2'])]
    expect(first[0]!.threads).toBe(1)
    expect(first[1]!.threads).toBe(3)
    // The broken note is one failure line, the same on both paths; the rest is written.
    expect(first[0]!.code).toBe(1)
    expect(first[0]!.stdout + first[0]!.stderr).toMatch(/notes\/broken\.md/)
    expect(report(first[1]!)).toEqual(report(first[0]!))
    const written = await snapshot(alone)
    expect([...written.keys()].filter((file) => file.startsWith('locales/es/')).length).toBe(12)
    expect(await snapshot(pooled)).toEqual(written)

    // Human edits in a target (kept, with their own markup), a changed source, a fixed note.
    for (const at of [alone, pooled]) {
      const target = path.join(at, 'locales/es/links.md')
      const text = await readFile(target, 'utf8')
      const edited = text.replace(/\[([^\]]*)\]\([^)]*\)/, '$1')
      expect(edited).not.toBe(text)
      await writeFile(target, edited)
      const source = path.join(at, 'notes/readme-yaml.md')
      await writeFile(source, `${await readFile(source, 'utf8')}\nA new paragraph about **Markdown**.\n`)
      await writeFile(path.join(at, 'notes/broken.md'), '---\ntitle: Fixed\n---\n\nThe front-matter is YAML now.\n')
    }
    const second = [await sync(alone, ['--workers', '0']), await sync(pooled, [], {NOTES_L10N_WORKERS: '2'})]
    expect(second[1]!.threads).toBe(3)
    expect(report(second[1]!)).toEqual(report(second[0]!))
    expect(second[0]!.code).toBe(0)
    expect(await snapshot(pooled)).toEqual(await snapshot(alone))
  })

  it('an interrupted pooled run ends (exit 130) with its workers, keeping what it finished', async () => {
    const interrupted = path.join(root, 'interrupted')
    await makeProject(interrupted)
    const child = spawn(process.execPath, [await builtCli(), 'sync', '--provider', 'pseudo', '--workers', '2'], {
      cwd: interrupted,
      env: {PATH: process.env.PATH ?? ''},
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    let signalled = false
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      // The first finished note: workers are running and holding other notes.
      if (!signalled && /written/.test(stdout)) {
        signalled = true
        child.kill('SIGTERM')
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS)
    const exit = await new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
      child.on('close', (code, signal) => resolve({code, signal}))
    )
    clearTimeout(guard)
    expect(signalled).toBe(true)
    expect(exit, stderr).toEqual({code: 130, signal: null})
    expect(stderr).not.toMatch(STACK_TRACE)
    // What was written before the interrupt is in the lock.
    const lock = JSON.parse(await readFile(path.join(interrupted, 'notes-l10n.lock'), 'utf8')) as unknown
    expect(JSON.stringify(lock)).toMatch(/"notes\//)
  })

  it('a bad NOTES_L10N_WORKERS is one line and exit 2; a project under 8 notes starts no worker', async () => {
    const small = path.join(root, 'small')
    await makeProject(small)
    const bad = await sync(small, [], {NOTES_L10N_WORKERS: 'many'})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/NOTES_L10N_WORKERS=many is not a number of worker threads/)
    const one = await sync(small, ['--workers', '2', 'notes/links.md'])
    expect(one.code).toBe(0)
    expect(one.threads).toBe(1)
  })
})

describe('how many workers a run starts by default', () => {
  it('none on two cores or fewer (they measured no gain there); else one per core beyond the first, at most four', () => {
    expect([1, 2, 3, 4, 5, 8, 64].map((cores) => defaultWorkers(cores))).toEqual([0, 0, 2, 3, 4, 4, 4])
  })

  it('--workers wins over NOTES_L10N_WORKERS, which wins over the default', () => {
    expect(workersWanted(3, {NOTES_L10N_WORKERS: '1'})).toBe(3)
    expect(workersWanted(undefined, {NOTES_L10N_WORKERS: ' 2 '})).toBe(2)
    expect(workersWanted(undefined, {})).toBe(defaultWorkers())
  })
})
