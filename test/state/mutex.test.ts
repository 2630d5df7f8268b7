import {watch} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile} from 'node:fs/promises'
import {hostname, tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {acquireRunLock, isProcessAlive, RUN_LOCK_FILE} from '../../src/state/mutex.js'
import {UserError} from '../../src/types.js'
import {runChild} from './support/compiled.js'

let root: string
let file: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-mutex-'))
  file = path.join(root, RUN_LOCK_FILE)
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

const HOLD = `import {acquireRunLock} from './src/state/mutex.js'
  try {
    const release = await acquireRunLock(process.argv[2])
    // What the CLI does on Ctrl-C; installed before announcing, or the parent's signal could win the race.
    process.on('SIGINT', async () => { await release(); await release(); console.log('released'); process.exit(130) })
    console.log('acquired ' + process.pid)
    if (process.argv[3] === 'exit') process.exit(0)
    setInterval(() => {}, 1000)
  } catch (error) {
    console.log('refused ' + error.name + ': ' + error.message)
  }`

async function holder(since: number, content: object | string) {
  await mkdir(path.dirname(file), {recursive: true})
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  const time = new Date(since)
  await utimes(file, time, time)
}

describe('acquireRunLock with two real processes (D11)', () => {
  test('the second run fails fast naming the holder; after a kill -9 the lock is reclaimed', async () => {
    const first = await runChild(HOLD, [root])
    const acquired = await first.line('acquired')
    const pid = Number(acquired.split(' ')[1])
    const recorded = JSON.parse(await readFile(file, 'utf8')) as {pid: number; started: string}
    expect(recorded.pid).toBe(pid)

    const second = await runChild(HOLD, [root])
    const refused = await second.line('refused')
    expect(refused).toBe(
      `refused UserError: another notes-l10n sync is running in this project (pid ${pid}, started ${recorded.started}) — wait for it to finish or stop it; if no such process exists, delete ${RUN_LOCK_FILE}`
    )
    await second.exited

    first.process.kill('SIGKILL')
    await first.exited
    const third = await runChild(HOLD, [root])
    const took = await third.line('acquired')
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(Number(took.split(' ')[1]))

    third.process.kill('SIGINT')
    await third.line('released')
    await third.exited
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
  })

  test('killed at any file event while taking the lock, it leaves nothing the next run must wait out', async () => {
    const directory = path.dirname(file)
    for (let events = 1; events <= 4; events++) {
      await rm(directory, {recursive: true, force: true})
      await mkdir(directory, {recursive: true})
      await writeFile(path.join(directory, '.gitignore'), '*\n')
      const child = await runChild(HOLD, [root])
      let left = events
      const watcher = watch(directory, () => {
        if (--left === 0) child.process.kill('SIGKILL')
      })
      // Fewer events than `events` (the child took the lock first): kill it holding the lock.
      await Promise.race([child.line('acquired'), child.exited])
      child.process.kill('SIGKILL')
      await child.exited
      watcher.close()
      // Before the fix an empty holder file was "starting" for 5 s: the next sync exited 2.
      const release = await acquireRunLock(root)
      expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid)
      expect((await readdir(directory)).filter((name) => name.endsWith('.pid-tmp'))).toEqual([])
      await release()
    }
  })

  test('a process that exits without calling release leaves no lock behind', async () => {
    const child = await runChild(HOLD, [root, 'exit'])
    await child.line('acquired')
    await child.exited
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
  })
})

describe('acquireRunLock in one process', () => {
  test('release is idempotent and does not remove a lock someone else took since', async () => {
    const release = await acquireRunLock(root)
    await expect(acquireRunLock(root)).rejects.toBeInstanceOf(UserError)
    await release()
    await release()
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})

    const again = await acquireRunLock(root)
    await release() // the old release must not touch the new holder's file
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid)
    await again()
  })

  test('a live pid with a fresh heartbeat holds; the same pid with no heartbeat for longer than staleMs is reclaimed', async () => {
    // process.ppid is alive (it is our parent) and is not us
    const info = {pid: process.ppid, host: hostname(), started: '2024-01-01T00:00:00.000Z', token: 'x'}
    await holder(Date.now(), info)
    await expect(acquireRunLock(root, {staleMs: 60_000})).rejects.toThrow(
      `another notes-l10n sync is running in this project (pid ${process.ppid}, started 2024-01-01T00:00:00.000Z)`
    )
    await holder(Date.now() - 120_000, info)
    const release = await acquireRunLock(root, {staleMs: 60_000})
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid)
    await release()
  })

  test('another host: judged by heartbeat only, and named in the message', async () => {
    const info = {pid: 999_999_999, host: 'build-agent-7', started: '2024-01-01T00:00:00.000Z', token: 'x'}
    await holder(Date.now(), info)
    await expect(acquireRunLock(root)).rejects.toThrow(
      '(pid 999999999 on host build-agent-7, started 2024-01-01T00:00:00.000Z)'
    )
    await holder(Date.now() - 11 * 60_000, info)
    await (await acquireRunLock(root))()
  })

  test('a dead pid on this host is reclaimed at once', async () => {
    const dead = await runChild('process.exit(0)')
    await dead.exited
    const pid = dead.process.pid!
    expect(isProcessAlive(pid)).toBe(false)
    await holder(Date.now(), {pid, host: hostname(), started: 'x', token: 'x'})
    await (await acquireRunLock(root))()
  })

  test('an unreadable holder file is "starting" when fresh and stale when old', async () => {
    await holder(Date.now(), '')
    await expect(acquireRunLock(root)).rejects.toThrow(/is starting in this project/)
    await holder(Date.now() - 60_000, '{"pid": ')
    await (await acquireRunLock(root))()
  })

  test('the heartbeat keeps the file fresh while the lock is held', async () => {
    const release = await acquireRunLock(root, {heartbeatMs: 20, staleMs: 100})
    const old = new Date(Date.now() - 3_600_000)
    await utimes(file, old, old)
    await expect
      .poll(async () => (await stat(file)).mtimeMs, {interval: 20, timeout: 5000})
      .toBeGreaterThan(Date.now() - 60_000)
    await release()
  })

  test('the state folder ignores itself in git', async () => {
    await (await acquireRunLock(root))()
    expect(await readFile(path.join(root, '.notes-l10n/.gitignore'), 'utf8')).toMatch(/^\*$/m)
  })

  test('a .notes-l10n planted as a symlink is refused', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'notes-l10n-outside-'))
    try {
      await symlink(outside, path.join(root, '.notes-l10n'))
      await expect(acquireRunLock(root)).rejects.toThrow(/\.notes-l10n is a symbolic link/)
      expect(await readdir(outside)).toEqual([])
    } finally {
      await rm(outside, {recursive: true, force: true})
    }
  })

  test('isProcessAlive', () => {
    expect(isProcessAlive(process.pid)).toBe(true)
    expect(isProcessAlive(0)).toBe(false)
    expect(isProcessAlive(-1)).toBe(false)
    expect(isProcessAlive(Number.NaN)).toBe(false)
  })
})
