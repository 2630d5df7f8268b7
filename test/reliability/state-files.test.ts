/**
 * The project's state files and standard output, in a real process (docs/state.md): a FIFO, a
 * socket or a folder planted where notes-l10n keeps a regular file is refused with one line and
 * exit 2 — never waited on — and a closed stdout (`sync | head -1`) ends the run quietly with
 * everything saved.
 */

import {spawn, spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {builtCli, runCli} from './support/built-cli.js'

const STACK_TRACE = /\n\s+at /
const roots: string[] = []
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, {recursive: true, force: true})
})

async function project(notes: number): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-state-'))
  roots.push(root)
  await mkdir(path.join(root, 'notes'))
  for (let index = 0; index < notes; index++) {
    await writeFile(
      path.join(root, `notes/n${String(index).padStart(3, '0')}.md`),
      `---\ntitle: Note ${index}\n---\n\nParagraph ${index} of the note.\n`
    )
  }
  return root
}

/** Run the built CLI; a run still going after `guardMs` is killed and reported as a hang. */
async function cli(root: string, args: string[], guardMs = 30_000) {
  const child = runCli(await builtCli(), args, root, {})
  const guard = setTimeout(() => child.kill('SIGKILL'), guardMs)
  const result = await child.exited
  clearTimeout(guard)
  return {...result, output: result.stdout + result.stderr, hung: result.signal === 'SIGKILL'}
}

function mkfifo(file: string): void {
  const made = spawnSync('mkfifo', [file])
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`)
}

async function socketAt(file: string): Promise<() => Promise<void>> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(file, resolve))
  return () => new Promise((resolve) => server.close(() => resolve()))
}

const planted: Array<[string, string, 'fifo' | 'folder' | 'socket', RegExp]> = [
  [
    'the journal as a FIFO',
    '.notes-l10n/journal/accepted.jsonl',
    'fifo',
    /^notes-l10n: error: \.notes-l10n\/journal\/accepted\.jsonl is a named pipe \(FIFO\), not a regular file/m
  ],
  [
    'the journal as a folder',
    '.notes-l10n/journal/accepted.jsonl',
    'folder',
    /\.notes-l10n\/journal\/accepted\.jsonl is a folder, not a regular file/
  ],
  [
    'the journal as a socket',
    '.notes-l10n/journal/accepted.jsonl',
    'socket',
    /\.notes-l10n\/journal\/accepted\.jsonl is a socket or device, not a regular file/
  ],
  ['the stat cache as a FIFO', '.notes-l10n/stat-cache', 'fifo', /\.notes-l10n\/stat-cache is a named pipe \(FIFO\)/],
  ['the run lock as a FIFO', '.notes-l10n/sync.pid', 'fifo', /\.notes-l10n\/sync\.pid is a named pipe \(FIFO\)/],
  ['the lock as a FIFO', 'notes-l10n.lock', 'fifo', /notes-l10n\.lock is a named pipe \(FIFO\)/],
  ['the lock as a folder', 'notes-l10n.lock', 'folder', /notes-l10n\.lock is a folder, not a regular file/],
  [
    'a batch record as a FIFO',
    '.notes-l10n/batches/batch_1.json',
    'fifo',
    /\.notes-l10n\/batches\/batch_1\.json is a named pipe \(FIFO\)/
  ]
]

describe('a non-regular file planted in the state is refused: exit 2, one line naming it, never a hang', () => {
  for (const [name, file, kind, message] of planted) {
    it(name, {timeout: 60_000}, async () => {
      const root = await project(2)
      await mkdir(path.dirname(path.join(root, file)), {recursive: true})
      let close: (() => Promise<void>) | undefined
      if (kind === 'fifo') mkfifo(path.join(root, file))
      else if (kind === 'folder') await mkdir(path.join(root, file))
      else close = await socketAt(path.join(root, file))
      try {
        const args = file.includes('batches') ? ['batch', 'status'] : ['sync', '--locale', 'es', '--provider', 'pseudo']
        const result = await cli(root, args)
        expect(result.hung).toBe(false)
        expect(result.output).not.toMatch(STACK_TRACE)
        expect(result.stderr).toMatch(message)
        expect(result.stderr.trim().split('\n')).toHaveLength(1)
        expect(result.code).toBe(2)
        // Nothing half-done: no target written past the refusal.
        await expect(readdir(path.join(root, 'locales/es'))).rejects.toThrow(/ENOENT/)
      } finally {
        await close?.()
      }
    })
  }

  it('check and status refuse a FIFO lock too', {timeout: 60_000}, async () => {
    const root = await project(1)
    mkfifo(path.join(root, 'notes-l10n.lock'))
    for (const args of [
      ['check', '--locale', 'es'],
      ['status', '--locale', 'es']
    ]) {
      const result = await cli(root, args)
      expect(result.hung).toBe(false)
      expect(result.stderr).toMatch(/notes-l10n\.lock(:| is) .*named pipe \(FIFO\)/)
      expect(result.code).toBe(2)
    }
  })
})

describe('a FIFO planted as a target is one failed note, not a hang', () => {
  it('sync names it and writes the other notes (exit 1)', {timeout: 60_000}, async () => {
    const root = await project(3)
    await mkdir(path.join(root, 'locales/es'), {recursive: true})
    mkfifo(path.join(root, 'locales/es/n001.md'))
    const result = await cli(root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(result.hung).toBe(false)
    expect(result.output).not.toMatch(STACK_TRACE)
    expect(result.output).toMatch(/^locales\/es\/n001\.md: is a named pipe \(FIFO\), expected a Markdown file/m)
    expect(result.code).toBe(1)
    expect((await readdir(path.join(root, 'locales/es'))).sort()).toEqual(['n000.md', 'n001.md', 'n002.md'])
  })
})

describe('a closed standard output ends the run quietly, everything saved', () => {
  it('sync | head -1: no stack trace, every note written, lock and journal consistent', {
    timeout: 120_000
  }, async () => {
    const root = await project(60)
    const child = spawn(
      process.execPath,
      [await builtCli(), 'sync', '--locale', 'es', '--provider', 'pseudo', '--concurrency', '1'],
      {
        cwd: root,
        env: {PATH: process.env.PATH ?? ''},
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    let firstLine = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // What `head -1` does: read the first line, then close the pipe.
    child.stdout.once('data', (chunk: Buffer) => {
      firstLine = chunk.toString().split('\n')[0] ?? ''
      child.stdout.destroy()
    })
    const guard = setTimeout(() => child.kill('SIGKILL'), 100_000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (exit, by) => resolve([exit, by]))
    )
    clearTimeout(guard)
    expect(signal).toBeNull()
    expect(firstLine).toMatch(/^es\s+locales\/es\/n\d{3}\.md\s+written/)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect((await readdir(path.join(root, 'locales/es'))).filter((name) => name.endsWith('.md'))).toHaveLength(60)
    const lock = JSON.parse(await readFile(path.join(root, 'notes-l10n.lock'), 'utf8')) as {
      notes: Record<string, unknown>
    }
    expect(Object.keys(lock.notes)).toHaveLength(60)
    // The next run agrees: nothing to do, nothing re-sent.
    const again = await cli(root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/0 written, 60 up to date/)
  })
})

describe('a FIFO, socket or symlink to one among the source notes is reported, not skipped silently', () => {
  it('sync and check name each in one line and go on with the other notes (exit 1), never waiting on it', {
    timeout: 90_000
  }, async () => {
    const root = await project(2)
    mkfifo(path.join(root, 'notes/pipe.md'))
    const close = await socketAt(path.join(root, 'notes/sock.md'))
    mkfifo(path.join(root, 'elsewhere.fifo'))
    await symlink('../elsewhere.fifo', path.join(root, 'notes/linked.md'))
    // Not a source (no .md): no line for it.
    mkfifo(path.join(root, 'notes/other.fifo'))
    try {
      const synced = await cli(root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
      expect(synced.hung).toBe(false)
      expect(synced.output).not.toMatch(STACK_TRACE)
      expect(synced.code).toBe(1)
      const lines = (text: string, file: string) => text.split('\n').filter((line) => line.includes(file))
      expect(lines(synced.output, 'notes/pipe.md')).toEqual([
        expect.stringMatching(/notes\/pipe\.md.*is a named pipe \(FIFO\), not a regular file; skipped/)
      ])
      expect(lines(synced.output, 'notes/sock.md')).toEqual([
        expect.stringMatching(/notes\/sock\.md.*is a socket, not a regular file; skipped/)
      ])
      expect(lines(synced.output, 'notes/linked.md')).toEqual([
        expect.stringMatching(/notes\/linked\.md.*is a symlink to a named pipe \(FIFO\)/)
      ])
      expect(synced.output).not.toMatch(/other\.fifo/)
      // The regular notes are written and locked.
      expect((await readdir(path.join(root, 'locales/es'))).sort()).toEqual(['n000.md', 'n001.md'])
      const lock = JSON.parse(await readFile(path.join(root, 'notes-l10n.lock'), 'utf8')) as {
        notes: Record<string, unknown>
      }
      expect(Object.keys(lock.notes).sort()).toEqual(['notes/n000.md', 'notes/n001.md'])

      // `check` holds them as findings (`status` is a progress table and lists only notes).
      const checked = await cli(root, ['check', '--locale', 'es'])
      expect(checked.hung).toBe(false)
      expect(checked.output).not.toMatch(STACK_TRACE)
      for (const file of ['notes/pipe.md', 'notes/sock.md', 'notes/linked.md'])
        expect(lines(checked.output, file)).toHaveLength(1)
      expect(checked.code, checked.output).toBe(1)
    } finally {
      await close()
    }
  })
})
