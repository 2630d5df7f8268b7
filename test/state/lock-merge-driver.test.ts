/**
 * The lock's git merge driver, with real git repositories in temp folders: two branches that each
 * add a date-prefixed note (both sort last, where a text merge always conflicts) merge cleanly once
 * `notes-l10n lock install-merge-driver` has run, and the merged lock is the one a sync of the
 * merged tree would write. Both branches changing the same entry is still a conflict.
 */
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import {Lockfile} from '../../src/state/lock.js'
import {mergeThreeWay} from '../../src/state/lock-three-way.js'
import {builtCli} from '../reliability/support/built-cli.js'
import {type TempProject, tempProject} from '../support/project.js'

const exec = promisify(execFile)
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: '/nonexistent'
}

let bin: string
beforeAll(async () => {
  bin = await builtCli()
}, 120_000)

const projects: TempProject[] = []
afterEach(async () => {
  for (const project of projects.splice(0)) await project.remove()
})

async function git(root: string, ...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await exec('git', args, {cwd: root, env: GIT_ENV})
    return {code: 0, stdout, stderr}
  } catch (error) {
    const failure = error as {code?: number; stdout?: string; stderr?: string}
    return {
      code: typeof failure.code === 'number' ? failure.code : -1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? ''
    }
  }
}

const note = (name: string) =>
  `---\ntitle: ${name}\n---\n\nA paragraph about ${name}.\n\nAnother paragraph about ${name}.\n`

async function repository(driver: boolean): Promise<TempProject> {
  const project = await tempProject({
    'notes-l10n.config.json': JSON.stringify({locales: ['es', 'fr']}),
    'notes/2026-01-01-first.md': note('first'),
    'notes/2026-01-02-second.md': note('second')
  })
  projects.push(project)
  await git(project.root, 'init', '-q', '-b', 'main')
  expect((await project.run(['sync', '--provider', 'pseudo'])).code).toBe(0)
  if (driver) {
    const installed = await project.run(['lock', 'install-merge-driver', '--command', `${process.execPath} ${bin}`])
    expect(installed.code, installed.stderr).toBe(0)
    expect(installed.stdout).toMatch(/added the notes-l10n.lock line to .gitattributes: commit it/)
    expect(await project.read('.gitattributes')).toBe('notes-l10n.lock merge=notes-l10n-lock\n')
  }
  await git(project.root, 'add', '-A')
  await git(project.root, 'commit', '-qm', 'base')
  return project
}

async function addOnBranch(project: TempProject, branch: string, file: string, from = 'main'): Promise<void> {
  await git(project.root, 'checkout', '-q', '-b', branch, from)
  await project.write(file, note(branch))
  expect((await project.run(['sync', '--provider', 'pseudo'])).code).toBe(0)
  await git(project.root, 'add', '-A')
  await git(project.root, 'commit', '-qm', branch)
}

describe('lock merge driver', () => {
  it('two branches that each add a note sorting last merge without conflict, to the lock a sync would write', async () => {
    const project = await repository(true)
    await addOnBranch(project, 'x', 'notes/2026-02-01-x.md')
    await addOnBranch(project, 'y', 'notes/2026-02-02-y.md')
    const merged = await git(project.root, 'merge', '-q', '--no-edit', 'x')
    expect(merged.code, merged.stdout + merged.stderr).toBe(0)
    const lock = await project.read('notes-l10n.lock')
    expect((await project.run(['check'])).code).toBe(0)
    const resync = await project.run(['sync', '--provider', 'pseudo'])
    expect(resync.stdout).toMatch(/0 written/)
    expect(await project.read('notes-l10n.lock')).toBe(lock)
    expect(Lockfile.parse(lock, 'merged').notes()).toHaveLength(4)
  })

  it('without the driver the same merge conflicts in the lock (why the driver exists)', async () => {
    const project = await repository(false)
    await addOnBranch(project, 'x', 'notes/2026-02-01-x.md')
    await addOnBranch(project, 'y', 'notes/2026-02-02-y.md')
    const merged = await git(project.root, 'merge', '-q', '--no-edit', 'x')
    expect(merged.code).not.toBe(0)
    expect(merged.stdout + merged.stderr).toMatch(/CONFLICT \(content\): Merge conflict in notes-l10n.lock/)
  })

  it('installing twice adds the .gitattributes line once', async () => {
    const project = await repository(true)
    const again = await project.run(['lock', 'install-merge-driver', '--command', `${process.execPath} ${bin}`])
    expect(again.stdout).toMatch(/already names the driver/)
    expect(await readFile(path.join(project.root, '.gitattributes'), 'utf8')).toBe(
      'notes-l10n.lock merge=notes-l10n-lock\n'
    )
  })

  it('both branches changing the same entry is a conflict, reported with the note and locale', async () => {
    const project = await repository(true)
    for (const branch of ['x', 'y']) {
      await git(project.root, 'checkout', '-q', '-b', branch, 'main')
      await project.write('notes/2026-01-01-first.md', note(`first, as branch ${branch} has it`))
      expect((await project.run(['sync', '--provider', 'pseudo'])).code).toBe(0)
      await git(project.root, 'add', '-A')
      await git(project.root, 'commit', '-qm', branch)
    }
    const merged = await git(project.root, 'merge', '-q', '--no-edit', 'x')
    expect(merged.code).not.toBe(0)
    expect(merged.stdout + merged.stderr).toMatch(
      /both branches changed notes\/2026-01-01-first.md \(es\), notes\/2026-01-01-first.md \(fr\)/
    )
    // The lock stays valid JSON (this branch's entries), for `sync` to re-check after the merge.
    expect(() => Lockfile.parse(readFileSyncText(project), 'merged')).not.toThrow()
  })

  it('three-way merge: additions, changes and removals from either side are kept', () => {
    const entry = (target: string) => ({source: 'S', target, provider: 'pseudo', model: 'pseudo', segments: []})
    const base = new Lockfile()
    base.set('a.md', 'es', entry('A0'))
    base.set('b.md', 'es', entry('B0'))
    base.set('c.md', 'es', entry('C0'))
    const ours = Lockfile.parse(base.serialise(), 'ours')
    const theirs = Lockfile.parse(base.serialise(), 'theirs')
    ours.set('a.md', 'es', entry('A1'))
    theirs.delete('b.md', 'es')
    theirs.set('d.md', 'es', entry('D1'))
    ours.set('e.md', 'es', entry('E1'))
    const {lock, conflicts} = mergeThreeWay(base, ours, theirs)
    expect(conflicts).toEqual([])
    expect([...lock.entries()].map(([note, , value]) => `${note}:${value.target}`)).toEqual([
      'a.md:A1',
      'c.md:C0',
      'd.md:D1',
      'e.md:E1'
    ])
  })

  it('three-way merge across the version bump: a version 1 base and side merge with a version 2 side', () => {
    const entry = (target: string, provider = 'pseudo') => ({
      source: 'S',
      target,
      provider,
      model: provider,
      segments: [
        {id: 'AAAAAAAAAA', target: `${target.toLowerCase()}aaaaaa`, ...(provider === 'pseudo' ? {pseudo: true} : {})},
        {id: 'BBBBBBBBBB', target: 'bbbbbbbb', human: true}
      ]
    })
    const v1 = (lock: Lockfile) => lock.serialise().replace('"version": 2', '"version": 1').replaceAll('*', '')
    const base = new Lockfile()
    base.set('a.md', 'es', entry('A0'))
    base.set('b.md', 'es', entry('B0'))
    // Ours: still an older notes-l10n (version 1), changed a.md. Theirs: upgraded, and a real
    // provider replaced b.md's pseudo output; a.md is untouched but now written as version 2.
    const ours = Lockfile.parse(base.serialise(), 'ours')
    ours.set('a.md', 'es', entry('A1'))
    const theirs = Lockfile.parse(base.serialise(), 'theirs')
    theirs.set('b.md', 'es', entry('B1', 'openai'))
    const {lock, conflicts} = mergeThreeWay(
      Lockfile.parse(v1(base), 'base'),
      Lockfile.parse(v1(ours), 'ours'),
      Lockfile.parse(theirs.serialise(), 'theirs')
    )
    expect(conflicts).toEqual([])
    expect(lock.get('a.md', 'es')).toEqual(entry('A1'))
    expect(lock.get('b.md', 'es')).toEqual(entry('B1', 'openai'))
    expect(lock.serialise()).toMatch(/^\{\n {2}"version": 2,/)
  })
})

function readFileSyncText(project: TempProject): string {
  return readFileSync(path.join(project.root, 'notes-l10n.lock'), 'utf8')
}
