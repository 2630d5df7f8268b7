/**
 * The journal's group commit: appends made while a write is in flight share one write and one
 * datasync, keep their order, are all durable when they resolve, and never cross a settle.
 * (Lives here rather than in test/state, whose suite has another owner.)
 */

import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {JOURNAL_FILE, Journal, type JournalRecord} from '../../src/state/journal.js'
import type {LockEntry} from '../../src/state/lock.js'

let root: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nl10n-journal-group-'))
})

afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

function record(note: string, id: string, markdown = `traducción ${id}`): JournalRecord {
  return {note, locale: 'es', id, markdown, provider: 'openai', model: 'gpt-4o-mini'}
}

const entry: LockEntry = {
  source: 'sha256:aa',
  target: 'sha256:bb',
  provider: 'openai',
  model: 'gpt-4o-mini',
  segments: []
}

describe('group commit', () => {
  it('writes concurrent appends in the order they were made, each durable when it resolves', async () => {
    const journal = await Journal.open(root)
    const ids = Array.from({length: 40}, (_, index) => `ID${String(index).padStart(8, '0')}`)
    let resolved = 0
    await Promise.all([
      ...ids.map((id, index) =>
        journal.append([record(`notes/n${index % 4}.md`, id)]).then(async () => {
          // Resolved means on disk: the line is in the file now, not later.
          const text = await readFile(path.join(root, JOURNAL_FILE), 'utf8')
          expect(text).toContain(`"id":"${id}"`)
          resolved++
        })
      ),
      journal.recordWritten('notes/n0.md', 'es', entry)
    ])
    expect(resolved).toBe(40)
    const lines = (await readFile(path.join(root, JOURNAL_FILE), 'utf8')).trim().split('\n').slice(1)
    expect(lines.map((line) => (JSON.parse(line) as {id?: string}).id ?? 'mark')).toEqual([...ids, 'mark'])
    expect(journal.lookup('notes/n1.md', 'es', ids[1]!)?.markdown).toBe(`traducción ${ids[1]}`)
    expect(journal.written('notes/n0.md', 'es')).toEqual(entry)
    await journal.close()
  })

  it('keeps an append made right after a settle: it goes after the settle mark', async () => {
    const journal = await Journal.open(root)
    await journal.append([record('notes/a.md', 'OLD0000000')])
    const settled = journal.settle('notes/a.md', 'es')
    const appended = journal.append([record('notes/a.md', 'NEW0000000')])
    await Promise.all([settled, appended])
    await journal.close()

    const reopened = await Journal.open(root)
    expect(reopened.lookup('notes/a.md', 'es', 'OLD0000000')).toBeUndefined()
    expect(reopened.lookup('notes/a.md', 'es', 'NEW0000000')?.markdown).toBe('traducción NEW0000000')
  })
})

describe('records of a written note', () => {
  it('leave memory once the note is written, and stay on disk until settled', async () => {
    const journal = await Journal.open(root)
    await journal.append([record('notes/a.md', 'AAAAAAAAAA'), record('notes/b.md', 'BBBBBBBBBB')])
    await journal.recordWritten('notes/a.md', 'es', entry)
    // The mark is written ahead of the target: until the write is done the records stay (a failed
    // write must not lose them).
    expect(journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')?.markdown).toBe('traducción AAAAAAAAAA')
    journal.wrote('notes/a.md', 'es')
    expect(journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')).toBeUndefined()
    expect(journal.lookup('notes/b.md', 'es', 'BBBBBBBBBB')?.markdown).toBe('traducción BBBBBBBBBB')
    expect(journal.written('notes/a.md', 'es')).toEqual(entry)

    // A crash now (no settle, no close): the next run still finds the record and the mark.
    const reopened = await Journal.open(root)
    expect(reopened.lookup('notes/a.md', 'es', 'AAAAAAAAAA')?.markdown).toBe('traducción AAAAAAAAAA')
    expect(reopened.written('notes/a.md', 'es')).toEqual(entry)
  })
})
