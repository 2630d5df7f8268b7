/**
 * Batch records (`src/state/batches.ts`): the duplicates a request answers (`copies`) survive the
 * round trip, a record written before they existed is still read, and a copy answered by a segment
 * the request did not send is refused with the one-line fix.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {BATCHES_DIRECTORY, type BatchRecord, listBatches, saveBatch} from '../../src/state/batches.js'

const roots: string[] = []
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, {recursive: true, force: true})
})

async function project(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-batches-'))
  roots.push(root)
  return root
}

const record = (requests: BatchRecord['requests']): BatchRecord => ({
  version: 1,
  id: 'batch_1',
  inputFileId: 'file_1',
  model: 'gpt-4.1-mini',
  submitted: '2026-12-07T15:00:00.000Z',
  status: 'submitted',
  requests
})

describe('batch records', () => {
  it('keep the duplicates each request answers', async () => {
    const root = await project()
    const saved = record({
      r1: {
        note: 'notes/a.md',
        locale: 'es',
        ids: ['aaa', 'bbb'],
        copies: [{note: 'notes/b.md', id: 'bbb~2', of: 'bbb'}]
      }
    })
    await saveBatch(root, saved)
    expect(await listBatches(root)).toEqual([saved])
  })

  it('read a record without copies (written before duplicates were left out)', async () => {
    const root = await project()
    await mkdir(path.join(root, BATCHES_DIRECTORY), {recursive: true})
    const old = record({r1: {note: 'notes/a.md', locale: 'es', ids: ['aaa']}})
    await writeFile(path.join(root, BATCHES_DIRECTORY, 'batch_1.json'), JSON.stringify(old))
    expect(await listBatches(root)).toEqual([old])
  })

  it('refuse a copy answered by a segment its request did not send', async () => {
    const root = await project()
    await mkdir(path.join(root, BATCHES_DIRECTORY), {recursive: true})
    const bad = record({
      r1: {note: 'notes/a.md', locale: 'es', ids: ['aaa'], copies: [{note: 'notes/b.md', id: 'ccc', of: 'ccc'}]}
    })
    await writeFile(path.join(root, BATCHES_DIRECTORY, 'batch_1.json'), JSON.stringify(bad))
    await expect(listBatches(root)).rejects.toThrow(
      /^\.notes-l10n\/batches\/batch_1\.json is not a batch record notes-l10n wrote — delete it/
    )
  })
})
