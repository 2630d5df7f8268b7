/**
 * Journal semantics that never lose paid work or invent human work (docs/state.md, "The journal").
 *
 * Named regression tests, in-process with a provider that records what it is sent:
 * - one rejected answer discards only that segment's journal record, not the note's other paid ones;
 * - the write-ahead mark is durable before the target is written, and a crash on either side of the
 *   write (or a crash and then a rejection) never records the tool's own text as a human edit (`!`);
 * - a run that fails leaves no open journal handle.
 */
import {existsSync} from 'node:fs'
import {readFile, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {JOURNAL_FILE, Journal} from '../../src/state/journal.js'
import {type LockEntry, Lockfile} from '../../src/state/lock.js'
import type {Provider, TranslateJob} from '../../src/types.js'
import {recording, type TempProject, tempProject} from '../support/project.js'

const CONFIG = JSON.stringify({locales: ['es']})

function note(revision: number): string {
  return `# Title of revision ${revision}\n\nFirst paragraph, revision ${revision}.\n\nSecond paragraph, **revision ${revision}**.\n\nThird paragraph, revision ${revision}.\n`
}

const projects: TempProject[] = []
afterEach(async () => {
  for (const project of projects.splice(0)) await project.remove()
})

async function project(revision = 1): Promise<TempProject> {
  const made = await tempProject({'notes-l10n.config.json': CONFIG, 'notes/a.md': note(revision)})
  projects.push(made)
  return made
}

function run(root: string, provider: Provider) {
  return sync({cwd: root, env: {}, providerOverride: provider})
}

async function lockEntry(root: string): Promise<LockEntry> {
  const entry = (await Lockfile.load(root)).get('notes/a.md', 'es')
  if (!entry) throw new Error('no lock entry')
  return entry
}

const humanMarks = (entry: LockEntry) => entry.segments.filter((segment) => segment.human).length

/**
 * Pseudo translation, except that the segment whose text contains `poison` gets an answer that
 * drops its bold (unchecked, as a provider bug would): the reassembler rejects it.
 */
function rejecting(poison: string): Provider {
  const pseudo = createPseudoProvider()
  return {
    name: 'pseudo',
    model: 'pseudo',
    async translate(job: TranslateJob, options) {
      const outcome = await pseudo.translate({...job, onAccepted: undefined}, options)
      for (const segment of job.segments)
        if (segment.text.includes(poison)) outcome.translations.set(segment.id, 'sin marcas')
      await job.onAccepted?.(outcome.translations)
      return outcome
    }
  }
}

describe('journal semantics', () => {
  it('a rejected answer rejects only its segment: the note’s other journaled translations are not paid again', async () => {
    const p = await project(1)
    const first = await run(p.root, rejecting('Second paragraph'))
    expect(first.notes[0]!.status).toBe('failed')
    const journal = await readFile(path.join(p.root, JOURNAL_FILE), 'utf8')
    // Compacted at the end of the run: the three accepted translations stay, the rejected one is gone.
    expect(journal.trim().split('\n')).toHaveLength(4)
    expect(journal).not.toContain('sin marcas')

    const second = recording(createPseudoProvider())
    const result = await run(p.root, second)
    expect(result.notes[0]!.status).toBe('written')
    expect(second.sent()).toEqual(['Second paragraph, ⟦1⟧revision 1⟦/1⟧.'])
  })

  describe('kill -9 around the target write never records machine text as human (no `!` in the lock)', () => {
    /** Project at revision 1 synced, source at revision 2, and the mark and target text a run of revision 2 makes. */
    async function crashed(): Promise<{p: TempProject; mark: LockEntry; oldTarget: string; newTarget: string}> {
      const reference = await project(1)
      await run(reference.root, createPseudoProvider())
      await reference.write('notes/a.md', note(2))
      await run(reference.root, createPseudoProvider())
      const mark = await lockEntry(reference.root)
      const newTarget = await reference.read('locales/es/a.md')

      const p = await project(1)
      await run(p.root, createPseudoProvider())
      const oldTarget = await p.read('locales/es/a.md')
      await p.write('notes/a.md', note(2))
      const journal = await Journal.open(p.root)
      await journal.recordWritten('notes/a.md', 'es', mark)
      await journal.close({compact: false})
      return {p, mark, oldTarget, newTarget}
    }

    it('killed after the mark, before the write: the lock still describes the old target', async () => {
      const {p} = await crashed()
      const provider = recording(createPseudoProvider())
      await run(p.root, provider)
      const entry = await lockEntry(p.root)
      expect(humanMarks(entry)).toBe(0)
      expect(provider.sent().length).toBeGreaterThan(0)
    })

    it('killed after the write, before the lock save: the mark describes the target, nothing is paid again', async () => {
      const {p, mark, newTarget} = await crashed()
      await p.write('locales/es/a.md', newTarget)
      const provider = recording(createPseudoProvider())
      await run(p.root, provider)
      expect(provider.sent()).toEqual([])
      expect(await lockEntry(p.root)).toEqual(mark)
    })

    it('killed after the write, then a human edits one paragraph: only that paragraph is human', async () => {
      const {p, newTarget} = await crashed()
      const edited = newTarget.replace(/^Ţĥíŕđ.*$/m, 'Tercer párrafo, corregido a mano.')
      expect(edited).not.toBe(newTarget)
      await p.write('locales/es/a.md', edited)
      await run(p.root, createPseudoProvider())
      expect(humanMarks(await lockEntry(p.root))).toBe(1)
      expect(await p.read('locales/es/a.md')).toBe(edited)
    })

    it('killed after the write, then the note renamed: its translation moves as the tool’s own, nothing paid again', async () => {
      const {p, mark, newTarget} = await crashed()
      await p.write('locales/es/a.md', newTarget)
      await p.write('notes/renamed.md', note(2))
      await rm(path.join(p.root, 'notes/a.md'))
      const provider = recording(createPseudoProvider())
      await run(p.root, provider)
      expect(provider.sent()).toEqual([])
      const entry = (await Lockfile.load(p.root)).get('notes/renamed.md', 'es')
      expect(entry?.segments.map((segment) => segment.target)).toEqual(mark.segments.map((segment) => segment.target))
      expect(humanMarks(entry!)).toBe(0)
      expect(await p.read('locales/es/renamed.md')).toBe(newTarget)
    })

    it('killed after the write, then a run of other notes only (a shard, a path): the lock takes the mark', async () => {
      const {p, mark, newTarget} = await crashed()
      await p.write('locales/es/a.md', newTarget)
      await p.write('notes/b.md', 'Another note.\n')
      await sync({cwd: p.root, env: {}, providerOverride: createPseudoProvider(), paths: ['notes/b.md']})
      expect(await lockEntry(p.root)).toEqual(mark)
    })

    it('killed after the mark for a renamed note’s new path, before the write: its translations are kept, nothing is paid again', async () => {
      const reference = await project(1)
      await run(reference.root, createPseudoProvider())
      await rename(path.join(reference.root, 'notes/a.md'), path.join(reference.root, 'notes/b.md'))
      await run(reference.root, createPseudoProvider())
      const mark = (await Lockfile.load(reference.root)).get('notes/b.md', 'es')!
      const target = await reference.read('locales/es/b.md')

      const p = await project(1)
      await run(p.root, createPseudoProvider())
      await rename(path.join(p.root, 'notes/a.md'), path.join(p.root, 'notes/b.md'))
      // The killed run claimed the rename and marked the new path; its lock was never saved.
      const journal = await Journal.open(p.root)
      await journal.recordWritten('notes/b.md', 'es', mark)
      await journal.close({compact: false})

      const provider = recording(createPseudoProvider())
      const result = await run(p.root, provider)
      expect(provider.sent()).toEqual([])
      expect(result.notes[0]!.message).toMatch(/renamed from notes\/a\.md/)
      expect(await p.read('locales/es/b.md')).toBe(target)
      expect(existsSync(path.join(p.root, 'locales/es/a.md'))).toBe(false)
      const lock = await Lockfile.load(p.root)
      expect(lock.get('notes/a.md', 'es')).toBeUndefined()
      expect(humanMarks(lock.get('notes/b.md', 'es')!)).toBe(0)
    })

    it('killed after the write, then a run whose answer is rejected: the crashed run’s target is still the tool’s own', async () => {
      const {p, newTarget} = await crashed()
      await p.write('locales/es/a.md', newTarget)
      await p.write('notes/a.md', `${note(2)}\nA fourth paragraph, **added** later.\n`)
      const failed = await run(p.root, rejecting('fourth paragraph'))
      expect(failed.notes[0]!.status).toBe('failed')
      expect(humanMarks(await lockEntry(p.root))).toBe(0)
      const provider = recording(createPseudoProvider())
      await run(p.root, provider)
      expect(provider.sent()).toEqual(['A fourth paragraph, ⟦1⟧added⟦/1⟧ later.'])
      expect(humanMarks(await lockEntry(p.root))).toBe(0)
    })
  })

  it('a run that throws closes the journal (no handle left to the garbage collector)', async () => {
    const p = await project(1)
    await p.write('notes/b.md', 'Another note.\n')
    const failing: Provider = {
      name: 'pseudo',
      model: 'pseudo',
      async translate(job) {
        await job.onAccepted?.(new Map(job.segments.map((segment) => [segment.id, segment.text.toUpperCase()])))
        throw new Error('boom')
      }
    }
    await expect(run(p.root, failing)).rejects.toThrow('boom')
    // The journal file is whole and replayable: its records are reused, not paid again.
    const provider = recording(createPseudoProvider())
    await run(p.root, provider)
    expect(provider.sent()).toEqual([])
  })
})
