/**
 * The lock's layout is meant for git: branches that touch different notes (or different locales of
 * one note) must merge without conflicts. git conflicts when two sides change the same or
 * *adjacent* lines, so this is checked with git itself, not by reasoning about the format.
 */
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {contentHash} from '../../src/io/hash.js'
import {LOCK_FILE, type LockEntry, Lockfile, segmentTargetHash} from '../../src/state/lock.js'

const run = promisify(execFile)
const LOCALES = ['de', 'es', 'fr', 'it', 'ja', 'ko', 'pt', 'ru', 'zh']

function entry(note: string, version = 'v1'): LockEntry {
  return {
    source: contentHash(`${note} source`),
    target: contentHash(`${note} ${version}`),
    provider: 'openai',
    model: 'gpt-4o-mini',
    segments: Array.from({length: 5}, (_, index) => ({
      id: contentHash(`${note} segment ${index}`),
      target: segmentTargetHash(`${note} ${version} ${index}`)
    }))
  }
}

function base(): Lockfile {
  const lock = new Lockfile()
  for (const note of ['notes/a.md', 'notes/b.md', 'notes/c.md', 'notes/d.md']) {
    for (const locale of LOCALES) lock.set(note, locale, entry(note))
  }
  return lock
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'notes-l10n-merge-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

/** Three-way merge with `git merge-file`; returns the merged text and the number of conflicts. */
async function mergeFile(
  baseLock: Lockfile,
  ours: Lockfile,
  theirs: Lockfile
): Promise<{text: string; conflicts: number}> {
  const files = ['base', 'ours', 'theirs'].map((name) =>
    path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.lock`)
  )
  await Promise.all([baseLock, ours, theirs].map((lock, index) => writeFile(files[index]!, lock.serialise())))
  try {
    const {stdout} = await run('git', ['merge-file', '-p', files[1]!, files[0]!, files[2]!])
    return {text: stdout, conflicts: 0}
  } catch (error) {
    const failure = error as {code?: number; stdout?: string}
    if (typeof failure.code === 'number' && failure.code > 0 && failure.code < 127)
      return {text: failure.stdout ?? '', conflicts: failure.code}
    throw error
  }
}

/** The lock both sides' changes should merge into. */
function expected(...changes: Array<(lock: Lockfile) => void>): Lockfile {
  const lock = base()
  for (const change of changes) change(lock)
  return lock
}

describe('git merges of the lock', () => {
  const changeB = (lock: Lockfile) => lock.set('notes/b.md', 'es', entry('notes/b.md', 'v2'))
  const changeC = (lock: Lockfile) => lock.set('notes/c.md', 'fr', entry('notes/c.md', 'v2'))
  const changeBfr = (lock: Lockfile) => lock.set('notes/b.md', 'fr', entry('notes/b.md', 'v3'))

  test('two branches changing two neighbouring notes merge cleanly', async () => {
    const {text, conflicts} = await mergeFile(base(), expected(changeB), expected(changeC))
    expect(conflicts).toBe(0)
    expect(text).toBe(expected(changeB, changeC).serialise())
  })

  test('two branches changing two locales of one note merge cleanly', async () => {
    const {text, conflicts} = await mergeFile(base(), expected(changeB), expected(changeBfr))
    expect(conflicts).toBe(0)
    expect(text).toBe(expected(changeB, changeBfr).serialise())
  })

  test('two branches adding different notes (not both at the end) merge cleanly', async () => {
    const addAb = (lock: Lockfile) => lock.set('notes/ab.md', 'es', entry('notes/ab.md'))
    const addBc = (lock: Lockfile) => {
      for (const locale of LOCALES) lock.set('notes/bc.md', locale, entry('notes/bc.md'))
    }
    const {text, conflicts} = await mergeFile(base(), expected(addAb), expected(addBc))
    expect(conflicts).toBe(0)
    expect(Lockfile.parse(text, LOCK_FILE).serialise()).toBe(expected(addAb, addBc).serialise())
  })

  test('a source change (new ids) on one branch and a locale change on another note merge cleanly', async () => {
    const resegment = (lock: Lockfile) => {
      for (const locale of LOCALES) {
        const changed = entry('notes/b.md', 'v9')
        changed.segments.push({id: contentHash('new segment'), target: segmentTargetHash('new')})
        lock.set('notes/b.md', locale, changed)
      }
    }
    const {text, conflicts} = await mergeFile(base(), expected(resegment), expected(changeC))
    expect(conflicts).toBe(0)
    expect(text).toBe(expected(resegment, changeC).serialise())
  })

  test('control: both branches changing the same entry differently do conflict', async () => {
    const other = (lock: Lockfile) => lock.set('notes/b.md', 'es', entry('notes/b.md', 'v5'))
    const {conflicts} = await mergeFile(base(), expected(changeB), expected(other))
    expect(conflicts).toBeGreaterThan(0)
  })

  test('a real `git merge` of two branches in a repository is clean', async () => {
    const repo = await mkdtemp(path.join(dir, 'repo-'))
    const git = (...args: string[]) =>
      run(
        'git',
        ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args],
        {cwd: repo}
      )
    await git('init', '-q')
    await writeFile(path.join(repo, LOCK_FILE), base().serialise())
    await git('add', LOCK_FILE)
    await git('commit', '-q', '-m', 'base')
    await git('checkout', '-q', '-b', 'other')
    await writeFile(path.join(repo, LOCK_FILE), expected(changeC).serialise())
    await git('commit', '-q', '-am', 'c')
    await git('checkout', '-q', 'main')
    await writeFile(path.join(repo, LOCK_FILE), expected(changeB).serialise())
    await git('commit', '-q', '-am', 'b')
    await git('merge', '-q', '--no-edit', 'other')
    expect(await readFile(path.join(repo, LOCK_FILE), 'utf8')).toBe(expected(changeB, changeC).serialise())
  })
})
