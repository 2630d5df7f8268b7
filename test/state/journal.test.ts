import {appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {JOURNAL_FILE, Journal, type JournalRecord} from '../../src/state/journal.js'
import {UserError} from '../../src/types.js'
import {runChild} from './support/compiled.js'

let root: string
let file: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-journal-'))
  file = path.join(root, JOURNAL_FILE)
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

function record(id: string, overrides: Partial<JournalRecord> = {}): JournalRecord {
  return {
    note: 'notes/a.md',
    locale: 'es',
    id,
    markdown: `traducción de ${id}\ncon *dos* líneas`,
    provider: 'openai',
    model: 'gpt-4o-mini',
    ...overrides
  }
}

async function lines(): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').slice(0, -1)
}

describe('Journal', () => {
  test('records survive a reopen; lookups are by note, locale and id; the latest wins', async () => {
    const journal = await Journal.open(root)
    await journal.append([record('AAAAAAAAAA'), record('BBBBBBBBBB', {glossary: 'Gfp12345'})])
    await journal.append([record('AAAAAAAAAA', {locale: 'fr'}), record('AAAAAAAAAA', {markdown: 'segunda'})])

    const reopened = await Journal.open(root)
    expect(reopened.warnings).toEqual([])
    expect(reopened.lookup('notes/a.md', 'es', 'AAAAAAAAAA')?.markdown).toBe('segunda')
    expect(reopened.lookup('notes/a.md', 'es', 'BBBBBBBBBB')).toEqual(record('BBBBBBBBBB', {glossary: 'Gfp12345'}))
    expect(reopened.lookup('notes/a.md', 'fr', 'AAAAAAAAAA')?.markdown).toBe(record('AAAAAAAAAA').markdown)
    expect(reopened.lookup('notes/a.md', 'de', 'AAAAAAAAAA')).toBeUndefined()
    expect(reopened.lookup('notes/b.md', 'es', 'AAAAAAAAAA')).toBeUndefined()
    expect([...reopened.records()]).toHaveLength(3)
  })

  test('one line per record, a header first; the file appears only on the first append', async () => {
    const journal = await Journal.open(root)
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
    await journal.append([])
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
    await journal.append([record('AAAAAAAAAA'), record('BBBBBBBBBB')])
    const written = await lines()
    expect(written).toHaveLength(3)
    expect(JSON.parse(written[0]!)).toEqual({journal: 1})
    expect(JSON.parse(written[1]!)).toEqual(record('AAAAAAAAAA'))
  })

  test("settle drops a note's records; close removes the file when nothing is left", async () => {
    const journal = await Journal.open(root)
    await journal.append([record('AAAAAAAAAA'), record('AAAAAAAAAA', {locale: 'fr'})])
    await journal.settle('notes/a.md', 'es')
    expect(journal.lookup('notes/a.md', 'es', 'AAAAAAAAAA')).toBeUndefined()

    // a crash here: the settle mark is on disk, so a reopen agrees
    const reopened = await Journal.open(root)
    expect(reopened.lookup('notes/a.md', 'es', 'AAAAAAAAAA')).toBeUndefined()
    expect(reopened.lookup('notes/a.md', 'fr', 'AAAAAAAAAA')).toBeDefined()

    await journal.settle('notes/a.md', 'fr')
    await journal.close()
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
    await journal.close() // idempotent
    await expect(journal.append([record('CCCCCCCCCC')])).rejects.toThrow(/closed/)
  })

  test('close compacts to the live records only', async () => {
    const journal = await Journal.open(root)
    await journal.append([record('AAAAAAAAAA'), record('AAAAAAAAAA', {note: 'notes/b.md'})])
    await journal.append([record('AAAAAAAAAA', {note: 'notes/b.md', markdown: 'newer'})])
    await journal.settle('notes/a.md', 'es')
    await journal.close()
    const written = await lines()
    expect(written).toHaveLength(2)
    expect(JSON.parse(written[1]!)).toEqual(record('AAAAAAAAAA', {note: 'notes/b.md', markdown: 'newer'}))
    expect((await Journal.open(root)).lookup('notes/b.md', 'es', 'AAAAAAAAAA')?.markdown).toBe('newer')
  })

  test('recordWritten keeps the lock entry of a written target until settled, across a crash', async () => {
    const entry = {
      source: 'Src0000000',
      target: 'Tgt0000000',
      provider: 'openai',
      model: 'gpt-4o-mini',
      // The whole glossary's fingerprint must survive the crash too: it lets sync skip the parse.
      glossary: 'Whole123',
      segments: [
        {id: 'AAAAAAAAAA', target: 'aaaaaaaa', glossary: 'Gfp12345'},
        {id: 'BBBBBBBBBB', target: 'bbbbbbbb', human: true}
      ]
    }
    const journal = await Journal.open(root)
    expect(journal.written('notes/a.md', 'es')).toBeUndefined()
    await journal.recordWritten('notes/a.md', 'es', entry)
    expect(journal.written('notes/a.md', 'es')).toEqual(entry)

    const reopened = await Journal.open(root) // as after kill -9 before the lock was saved
    expect(reopened.written('notes/a.md', 'es')).toEqual(entry)
    expect(reopened.written('notes/a.md', 'fr')).toBeUndefined()
    await reopened.recordWritten('notes/a.md', 'fr', {...entry, target: 'Other00000'})
    await reopened.close()
    const compacted = await Journal.open(root)
    expect(compacted.written('notes/a.md', 'fr')?.target).toBe('Other00000')

    await compacted.settle('notes/a.md', 'es')
    await compacted.settle('notes/a.md', 'fr')
    expect(compacted.written('notes/a.md', 'es')).toBeUndefined()
    await compacted.close()
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
  })

  test('a written mark with a malformed entry is refused as corrupt', async () => {
    await mkdir(path.dirname(file), {recursive: true})
    await writeFile(
      file,
      '{"journal":1}\n{"written":"notes/a.md","locale":"es","entry":{"source":"s"}}\n{"journal":1}\n'
    )
    await expect(Journal.open(root)).rejects.toThrow(/is corrupt at line 2 \(expected a written mark/)
  })

  test('settling a note with no records writes nothing', async () => {
    const journal = await Journal.open(root)
    await journal.settle('notes/a.md', 'es')
    await expect(stat(file)).rejects.toMatchObject({code: 'ENOENT'})
  })

  test('a torn last line is ignored with a warning and cut off, so later appends stay readable', async () => {
    const journal = await Journal.open(root)
    await journal.append([record('AAAAAAAAAA'), record('BBBBBBBBBB')])
    await appendFile(file, JSON.stringify(record('CCCCCCCCCC')).slice(0, 30))

    const reopened = await Journal.open(root)
    expect(reopened.warnings).toEqual([
      `${JOURNAL_FILE}: ignored an incomplete last line (a run was interrupted while writing it); its translations will be requested again`
    ])
    expect(reopened.lookup('notes/a.md', 'es', 'BBBBBBBBBB')).toBeDefined()
    expect(reopened.lookup('notes/a.md', 'es', 'CCCCCCCCCC')).toBeUndefined()

    await reopened.append([record('DDDDDDDDDD')])
    const third = await Journal.open(root)
    expect(third.warnings).toEqual([])
    expect([...third.records()].map((each) => each.id)).toEqual(['AAAAAAAAAA', 'BBBBBBBBBB', 'DDDDDDDDDD'])
  })

  test('a torn header (crash while creating the file) leaves an empty, usable journal', async () => {
    await (await Journal.open(root)).append([record('AAAAAAAAAA')])
    await truncate(file, 5)
    const journal = await Journal.open(root)
    expect(journal.warnings).toHaveLength(1)
    await journal.append([record('BBBBBBBBBB')])
    expect([...(await Journal.open(root)).records()].map((each) => each.id)).toEqual(['BBBBBBBBBB'])
  })

  test('a corrupt line in the middle is refused with the line and the fix', async () => {
    const journal = await Journal.open(root)
    await journal.append([record('AAAAAAAAAA'), record('BBBBBBBBBB'), record('CCCCCCCCCC')])
    const written = await lines()
    written[2] = written[2]!.slice(0, 20)
    await writeFile(file, `${written.join('\n')}\n`)
    const error = await Journal.open(root).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toMatch(
      new RegExp(
        `^${JOURNAL_FILE.replace(/\./g, '\\.')} is corrupt at line 3 \\(.*\\); it was not written by an interrupted run — delete ${JOURNAL_FILE.replace(/\./g, '\\.')} to start over`
      )
    )
  })

  test('valid JSON that is not a record, a missing header or an unknown version is refused', async () => {
    await (await Journal.open(root)).append([record('AAAAAAAAAA')])
    const [header, line] = await lines()
    await writeFile(file, `${header}\n{"note":"x"}\n${line}\n`)
    await expect(Journal.open(root)).rejects.toThrow(/is corrupt at line 2 \(expected a record/)
    await writeFile(file, `${line}\n`)
    await expect(Journal.open(root)).rejects.toThrow(/is corrupt at line 1 \(expected the header/)
    await writeFile(file, `{"journal":2}\n${line}\n`)
    await expect(Journal.open(root)).rejects.toThrow(/has format version 2, this notes-l10n reads version 1/)
    await writeFile(file, Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0xff, 0xfe, 0x0a])]))
    await expect(Journal.open(root)).rejects.toThrow(/is corrupt at line 1 \(it is not UTF-8 text\)/)
  })

  test('concurrent appends (several requests in flight) are serialised, none lost', async () => {
    const journal = await Journal.open(root)
    await Promise.all(Array.from({length: 20}, (_, n) => journal.append([record(`ID${String(n).padStart(8, '0')}`)])))
    const reopened = await Journal.open(root)
    expect([...reopened.records()]).toHaveLength(20)
    expect(await lines()).toHaveLength(21)
  })

  test('a journal file or folder planted as a symlink is refused, nothing written through it (S5)', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'notes-l10n-outside-'))
    try {
      await writeFile(path.join(outside, 'bashrc'), 'precious')
      await mkdir(path.dirname(file), {recursive: true})
      await symlink(path.join(outside, 'bashrc'), file)
      await expect(Journal.open(root)).rejects.toThrow(
        `refusing to use ${JOURNAL_FILE}: ${JOURNAL_FILE} is a symbolic link — notes-l10n never writes through symlinks`
      )
      expect(await readFile(path.join(outside, 'bashrc'), 'utf8')).toBe('precious')
      await rm(file)
      await rm(path.dirname(file), {recursive: true})
      await symlink(outside, path.dirname(file))
      await expect(Journal.open(root)).rejects.toThrow(/^refusing to use .*: \.notes-l10n\/journal is a symbolic link/)
      expect(await readFile(path.join(outside, 'bashrc'), 'utf8')).toBe('precious')
      expect((await readdir(outside)).sort()).toEqual(['bashrc'])
    } finally {
      await rm(outside, {recursive: true, force: true})
    }
  })

  test('record fields are checked at the boundary', async () => {
    const journal = await Journal.open(root)
    await expect(journal.append([{...record('A'), markdown: 5} as unknown as JournalRecord])).rejects.toThrow(TypeError)
  })
})

describe('a journal writer killed with SIGKILL mid-append', () => {
  test('reopens without loss of any acknowledged batch and keeps working', async () => {
    const child = await runChild(
      `import {Journal} from './src/state/journal.js'
       const journal = await Journal.open(process.argv[2])
       const markdown = 'x'.repeat(20000)
       for (let batch = 0; ; batch++) {
         await journal.append(Array.from({length: 8}, (_, n) => ({note: 'notes/a.md', locale: 'es', id: 'B' + batch + 'N' + n, markdown, provider: 'p', model: 'm'})))
         console.log('acked ' + batch)
       }`,
      [root]
    )
    await child.line('acked 30')
    child.process.kill('SIGKILL')
    const {signal} = await child.exited
    expect(signal).toBe('SIGKILL')

    const acked = Math.max(...[...child.stdout().matchAll(/acked (\d+)/g)].map((match) => Number(match[1])))
    const journal = await Journal.open(root)
    expect(journal.warnings.length).toBeLessThanOrEqual(1)
    for (let batch = 0; batch <= acked; batch++) {
      for (let n = 0; n < 8; n++)
        expect(journal.lookup('notes/a.md', 'es', `B${batch}N${n}`)?.markdown).toHaveLength(20000)
    }
    await journal.append([record('AFTERKILL0')])
    const again = await Journal.open(root)
    expect(again.warnings).toEqual([])
    expect(again.lookup('notes/a.md', 'es', 'AFTERKILL0')).toBeDefined()
  })
})
