/**
 * What a sync run keeps from note to note (bench/limits.md, section 2): a run over a large project
 * must hold per note no more than it needs until the end — lock entries packed as their text, the
 * journal an index into its file rather than the records and marks, and per-segment outcomes only
 * for callers that print them at the end. Peak RSS itself is measured by `npm run bench`
 * (figure 10), never asserted here.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {NoteResult} from '../../src/commands/sync.js'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {JOURNAL_FILE, Journal} from '../../src/state/journal.js'
import {type LockEntry, Lockfile} from '../../src/state/lock.js'
import {PackedEntry} from '../../src/state/lock-format.js'
import {UserError} from '../../src/types.js'
import {type TempProject, tempProject} from '../support/project.js'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const clean of cleanup.splice(0)) await clean()
})

async function temp(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-run-memory-'))
  cleanup.push(() => rm(root, {recursive: true, force: true}))
  return root
}

async function project(files: Record<string, string>): Promise<TempProject> {
  const created = await tempProject(files)
  cleanup.push(() => created.remove())
  return created
}

const entry: LockEntry = {
  source: 'Src0000000',
  target: 'Tgt0000000',
  provider: 'openai',
  model: 'gpt-4o-mini',
  glossary: 'Whole123',
  inputs: 'Inputs0000',
  output: 'locales/es/a.md',
  segments: [
    {id: 'AAAAAAAAAA', target: 'aaaaaaaa', glossary: 'Gfp12345'},
    {id: 'BBBBBBBBBB', target: 'bbbbbbbb', human: true, reported: true},
    {id: 'EEEEEEEEEE', target: 'eeeeeeee', human: true, review: true},
    {id: 'CCCCCCCCCC~2', target: 'cccccccc', reused: true, pseudo: true},
    {id: 'DDDDDDDDDD', target: 'dddddddd', pseudo: true}
  ]
}

describe('the lock a run fills', () => {
  it('holds an entry it is given packed (its text), and hands back a fresh equal copy each time', () => {
    const lock = new Lockfile()
    const given = structuredClone(entry)
    lock.set('notes/a.md', 'es', given)
    given.segments[0]!.target = 'changed0'
    // What the lock holds is the packed text, not an object per segment.
    expect(lock.head('notes/a.md', 'es')).toBeInstanceOf(PackedEntry)
    const first = lock.get('notes/a.md', 'es')!
    expect(first).toEqual(entry)
    first.segments.pop()
    expect(lock.get('notes/a.md', 'es')).toEqual(entry)
    // Reading it does not unpack it for good.
    expect(lock.head('notes/a.md', 'es')).toBeInstanceOf(PackedEntry)
    expect(Lockfile.parse(lock.serialise(), 'lock').get('notes/a.md', 'es')).toEqual(entry)
  })
})

describe('the journal a run appends to', () => {
  it('keeps where records and marks are in its file, and reads them back from there', async () => {
    const root = await temp()
    const journal = await Journal.open(root)
    await journal.append([
      {note: 'notes/a.md', locale: 'es', id: 'AAAAAAAAAA', markdown: 'uno', provider: 'p', model: 'm'}
    ])
    await journal.recordWritten('notes/a.md', 'es', entry)
    const file = path.join(root, JOURNAL_FILE)
    // Same bytes but for one letter: a journal holding its records in memory would not see it.
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('"uno"', '"dos"').replace('"Tgt0000000"', '"Tgt0000001"'))
    expect(journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')?.markdown).toBe('dos')
    expect(journal.written('notes/a.md', 'es')?.target).toBe('Tgt0000001')
    expect([...journal.marks()].map((mark) => mark.entry.target)).toEqual(['Tgt0000001'])
    await journal.close({compact: false})
  })

  it('refuses in one line a file another program changed under it, and closes cleanly', async () => {
    const root = await temp()
    const journal = await Journal.open(root)
    await journal.append([
      {note: 'notes/a.md', locale: 'es', id: 'AAAAAAAAAA', markdown: 'uno', provider: 'p', model: 'm'}
    ])
    await writeFile(path.join(root, JOURNAL_FILE), '{"journal":1}\n')
    expect(() => journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')).toThrow(UserError)
    expect(() => journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')).toThrow(/changed while this run was using it/)
    await journal.close({compact: false})
  })

  it('a closed journal holds nothing: its index pointed into a file that may be rewritten', async () => {
    const root = await temp()
    const journal = await Journal.open(root)
    await journal.append([
      {note: 'notes/a.md', locale: 'es', id: 'AAAAAAAAAA', markdown: 'uno', provider: 'p', model: 'm'}
    ])
    await journal.close()
    expect(journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')).toBeUndefined()
    expect((await Journal.open(root)).lookup('notes/a.md', 'es', 'AAAAAAAAAA')?.markdown).toBe('uno')
  })
})

describe("a run's results", () => {
  const files = {
    'notes/a.md': '# Title\n\nFirst paragraph about models.\n\nSecond paragraph about models.\n',
    'notes/b.md': '# Other\n\nA third paragraph, in another note.\n'
  }

  it('keepDetails false: each note reaches onNote whole, then only its status and counts are kept', async () => {
    const p = await project(files)
    const seen: NoteResult[] = []
    const result = await sync({
      cwd: p.root,
      locales: ['es'],
      env: {},
      providerOverride: createPseudoProvider(),
      keepDetails: false,
      onNote: (note) => seen.push(structuredClone(note))
    })
    expect(seen).toHaveLength(2)
    for (const note of seen) expect(note.segments.length).toBeGreaterThan(0)
    expect(
      result.notes.map((note) => [note.note, note.status, note.counts.translated, note.segments, note.findings])
    ).toEqual([
      ['notes/a.md', 'written', 3, [], []],
      ['notes/b.md', 'written', 2, [], []]
    ])
  })

  it('by default (and for --json and --report) every segment outcome is kept to the end', async () => {
    const p = await project(files)
    const result = await sync({cwd: p.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
    expect(result.notes.map((note) => note.segments.map((segment) => segment.state))).toEqual([
      ['translated', 'translated', 'translated'],
      ['translated', 'translated']
    ])
    const json = await (await project(files)).run(['sync', '--locale', 'es', '--provider', 'pseudo', '--json'])
    const summary = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as {notes: NoteResult[]}
    expect(summary.notes.map((note) => note.segments.length)).toEqual([3, 2])
    const reported = await project(files)
    expect((await reported.run(['sync', '--locale', 'es', '--provider', 'pseudo', '--report', 'r.md'])).code).toBe(0)
    expect((await reported.read('r.md')).match(/\*\*translated\*\*/g)).toHaveLength(5)
  })
})
