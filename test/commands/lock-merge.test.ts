import {existsSync} from 'node:fs'
import {cp, mkdtemp, readFile, rename, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import {acquireRunLock} from '../../src/state/mutex.js'
import {shardOf} from '../../src/sync/shard.js'
import {type TempProject, tempProject} from '../support/project.js'

const notes = Object.fromEntries(
  Array.from({length: 8}, (_, index) => [
    `notes/n${index}.md`,
    `---\ntitle: Note ${index}\n---\n\nParagraph ${index} of the notes.\n`
  ])
)

const cleanup: string[] = []
let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  for (const directory of cleanup.splice(0)) await rm(directory, {recursive: true, force: true})
})

async function run(cwd: string, args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    cwd,
    env: {PATH: process.env.PATH},
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false
  })
  return {code, stdout, stderr}
}

describe('lock merge', () => {
  it('combines the locks of sharded runs into exactly the lock of a single run', async () => {
    project = await tempProject(notes)
    const shards: string[] = []
    for (let index = 1; index <= 3; index++) {
      const copy = await mkdtemp(path.join(tmpdir(), 'notes-l10n-shard-'))
      cleanup.push(copy)
      await cp(project.root, copy, {recursive: true})
      expect((await run(copy, ['sync', '--locale', 'es', '--provider', 'pseudo', '--shard', `${index}/3`])).code).toBe(
        0
      )
      shards.push(copy)
    }

    // What a CI job does with the shards' artifacts: copy the translations, merge the locks.
    for (const shard of shards)
      await cp(path.join(shard, 'locales'), path.join(project.root, 'locales'), {recursive: true})
    const merged = await run(project.root, [
      'lock',
      'merge',
      ...shards.map((shard) => path.join(shard, 'notes-l10n.lock'))
    ])
    expect(merged.stderr).toBe('')
    expect(merged.stdout).toMatch(/^lock merge: 8 entries from 3 files merged into notes-l10n.lock$/m)
    const mergedLock = await project.read('notes-l10n.lock')

    const single = await tempProject(notes)
    try {
      await single.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
      expect(mergedLock).toBe(await single.read('notes-l10n.lock'))
    } finally {
      await single.remove()
    }
    expect((await run(project.root, ['check'])).code).toBe(0)
  })

  it('merges three-way against the project lock: shards of an incremental run keep each other’s work, in any order', async () => {
    project = await tempProject(notes)
    expect((await run(project.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    for (const file of Object.keys(notes)) await project.write(file, `${notes[file]}\nA paragraph added later.\n`)
    const before = new Map<string, string>()
    for (const file of Object.keys(notes)) before.set(file, await project.read(file.replace('notes/', 'locales/es/')))
    const shards: string[] = []
    for (let index = 1; index <= 2; index++) {
      const copy = await mkdtemp(path.join(tmpdir(), 'notes-l10n-shard-'))
      cleanup.push(copy)
      await cp(project.root, copy, {recursive: true})
      expect((await run(copy, ['sync', '--locale', 'es', '--provider', 'pseudo', '--shard', `${index}/2`])).code).toBe(
        0
      )
      shards.push(copy)
    }
    // The artifacts hold what each shard wrote (README, "CI sharding"); every shard's lock holds every entry.
    for (const shard of shards)
      for (const [file, old] of before) {
        const target = file.replace('notes/', 'locales/es/')
        const text = await readFile(path.join(shard, target), 'utf8')
        if (text !== old) await project.write(target, text)
      }
    const merged = await run(project.root, [
      'lock',
      'merge',
      ...shards.reverse().map((shard) => path.join(shard, 'notes-l10n.lock'))
    ])
    expect(merged.stderr).toBe('')
    const check = await run(project.root, ['check'])
    expect(check.stdout).toMatch(/8 translations checked, all current/)
    expect(check.code).toBe(0)
  })

  it('merges a version 1 lock of an older notes-l10n: migrated, written as version 2, the same as a single run', async () => {
    project = await tempProject(notes)
    const single = await tempProject(notes)
    try {
      expect((await single.run(['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
      const current = await single.read('notes-l10n.lock')
      expect(current).toMatch(/^\{\n {2}"version": 2,/)
      // What a version 1 notes-l10n wrote for the same run: no per-segment marks.
      const legacy = current.replace('"version": 2', '"version": 1').replaceAll('*', '')
      await project.write('old.lock', legacy)
      await cp(path.join(single.root, 'locales'), path.join(project.root, 'locales'), {recursive: true})
      const merged = await run(project.root, ['lock', 'merge', 'old.lock'])
      expect(merged.code, merged.stderr).toBe(0)
      expect(await project.read('notes-l10n.lock')).toBe(current)
    } finally {
      await single.remove()
    }
    expect((await run(project.root, ['check'])).code).toBe(0)
  })

  it('a note renamed before a sharded run keeps its translations: its shard claims the old entry', async () => {
    project = await tempProject(notes)
    expect((await run(project.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    const translated = await project.read('locales/es/n0.md')
    await rename(path.join(project.root, 'notes/n0.md'), path.join(project.root, 'notes/renamed.md'))
    const shard = shardOf('notes/renamed.md', 3)
    const sharded = await run(project.root, [
      'sync',
      '--locale',
      'es',
      '--provider',
      'pseudo',
      '--shard',
      `${shard}/3`,
      '--json'
    ])
    expect(sharded.code, sharded.stderr).toBe(0)
    const summary = JSON.parse(sharded.stdout.trim().split('\n').at(-1)!) as {
      notes: Array<{note: string; message?: string; counts: Record<string, number>}>
    }
    const renamed = summary.notes.find((note) => note.note === 'notes/renamed.md')!
    expect(renamed.message).toMatch(/renamed from notes\/n0\.md/)
    expect(renamed.counts.translated).toBe(0)
    expect(await project.read('locales/es/renamed.md')).toBe(translated)
    // The shard leaves the old file (it cannot know whether another shard's note writes there);
    // the next sync over every note removes it.
    expect((await run(project.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    expect(existsSync(path.join(project.root, 'locales/es/n0.md'))).toBe(false)
    expect((await run(project.root, ['check'])).code).toBe(0)
  })

  it('refuses a file that is not a lock, naming it', async () => {
    project = await tempProject({...notes, 'broken.lock': '{"version": 1, "notes": '})
    const result = await run(project.root, ['lock', 'merge', 'broken.lock'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/broken\.lock is not valid JSON|broken\.lock is not a valid lock/)
  })

  it('takes the run mutex: it does not save a lock while a sync holds it', async () => {
    project = await tempProject(notes)
    expect((await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    const before = await project.read('notes-l10n.lock')
    const release = await acquireRunLock(project.root)
    try {
      const result = await run(project.root, ['lock', 'merge', 'notes-l10n.lock'])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/another notes-l10n sync is running in this project/)
    } finally {
      await release()
    }
    expect(await project.read('notes-l10n.lock')).toBe(before)
    expect((await run(project.root, ['lock', 'merge', 'notes-l10n.lock'])).code).toBe(0)
  })
})
