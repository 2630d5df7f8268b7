/**
 * Open Batch API jobs: `.notes-l10n/batches/<batch id>.json` (never committed).
 *
 * A record is written (atomically) as soon as the batch exists, so a crash after `sync --batch`
 * returns — or while it collects — never loses the batch or pays for it twice. Collection
 * progress is recorded in the same file: `submitted`, then `downloaded` once the results are
 * saved beside it (`<id>.output.jsonl`), so a crash between download and apply applies the saved
 * results without downloading again. The record is removed only after the notes are written and
 * the lock saved; applying twice is harmless because accepted translations are journaled and then
 * locked, and a segment already current is never sent to the results provider again.
 */
import {readdir, unlink} from 'node:fs/promises'
import path from 'node:path'
import {errnoCode} from '../io/errno.js'
import {writeFileAtomic} from '../io/write.js'
import {UserError} from '../types.js'
import {compareCodeUnits} from '../values.js'
import {ensureStateDirectory, STATE_DIRECTORY} from './mutex.js'
import {readRegularFile} from './regular-file.js'

/** The folder of batch records, relative to the project root. */
export const BATCHES_DIRECTORY = `${STATE_DIRECTORY}/batches`

export interface BatchRecord {
  version: 1
  /** The API's batch id. */
  id: string
  inputFileId: string
  model: string
  /** Endpoint the batch was sent to (`undefined`: OpenAI). */
  baseURL?: string
  /** ISO time of submission: the 24 h window starts here. */
  submitted: string
  status: 'submitted' | 'downloaded'
  /** What each request carried, by `custom_id`. */
  requests: Record<string, BatchRecordRequest>
}

export interface BatchRecordRequest {
  note: string
  locale: string
  /** The segments sent, in the order sent (the reply's keys are positions in it). */
  ids: string[]
  /**
   * Exact duplicates of them elsewhere (same locale; `of` is one of `ids`), not sent: each is
   * answered from `of`'s result when the batch is collected.
   */
  copies?: Array<{note: string; id: string; of: string}>
}

/** Batch ids become file names: refuse anything but a plain id. */
const ID_PATTERN = /^[\w-]{1,200}$/

export async function saveBatch(root: string, record: BatchRecord): Promise<void> {
  await ensureStateDirectory(root)
  await writeFileAtomic(fileOf(root, record.id, '.json'), `${JSON.stringify(record)}\n`, {root})
}

/** Every open batch, oldest first. */
export async function listBatches(root: string): Promise<BatchRecord[]> {
  let names: string[]
  try {
    names = await readdir(path.join(root, BATCHES_DIRECTORY))
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return []
    throw error
  }
  const records: BatchRecord[] = []
  for (const name of names.filter((candidate) => candidate.endsWith('.json')).sort()) {
    const shown = `${BATCHES_DIRECTORY}/${name}`
    const bytes = await readRegularFile(path.join(root, BATCHES_DIRECTORY, name), shown)
    if (bytes !== undefined) records.push(parseRecord(bytes.toString('utf8'), shown))
  }
  return records.sort((a, b) => compareCodeUnits(a.submitted, b.submitted))
}

/** Saves the downloaded results, then marks the record `downloaded`. */
export async function saveResults(root: string, record: BatchRecord, text: string): Promise<void> {
  await writeFileAtomic(fileOf(root, record.id, '.output.jsonl'), text, {root})
  await saveBatch(root, {...record, status: 'downloaded'})
}

export async function readResults(root: string, record: BatchRecord): Promise<string> {
  const file = fileOf(root, record.id, '.output.jsonl')
  const bytes = await readRegularFile(file, `${BATCHES_DIRECTORY}/${path.basename(file)}`)
  if (bytes === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), {code: 'ENOENT'})
  return bytes.toString('utf8')
}

/** Forgets a batch whose results are applied. */
export async function removeBatch(root: string, id: string): Promise<void> {
  for (const suffix of ['.output.jsonl', '.json']) {
    await unlink(fileOf(root, id, suffix)).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error
    })
  }
}

function fileOf(root: string, id: string, suffix: string): string {
  if (!ID_PATTERN.test(id))
    throw new UserError(
      `the Batch API returned the batch id ${JSON.stringify(id).slice(0, 80)}, expected letters, digits, _ and - only: is the base URL an OpenAI-compatible endpoint?`
    )
  return path.join(root, BATCHES_DIRECTORY, id + suffix)
}

function parseRecord(text: string, file: string): BatchRecord {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  const fail = () =>
    new UserError(
      `${file} is not a batch record notes-l10n wrote — delete it (its batch's results will not be collected; the next sync translates those segments again)`
    )
  if (typeof value !== 'object' || value === null) throw fail()
  const record = value as Partial<BatchRecord>
  if (
    record.version !== 1 ||
    typeof record.id !== 'string' ||
    !ID_PATTERN.test(record.id) ||
    typeof record.inputFileId !== 'string'
  )
    throw fail()
  if (
    typeof record.model !== 'string' ||
    typeof record.submitted !== 'string' ||
    (record.status !== 'submitted' && record.status !== 'downloaded')
  )
    throw fail()
  if (typeof record.requests !== 'object' || record.requests === null) throw fail()
  for (const request of Object.values(record.requests)) {
    if (
      typeof request?.note !== 'string' ||
      typeof request.locale !== 'string' ||
      !Array.isArray(request.ids) ||
      !request.ids.every((id) => typeof id === 'string') ||
      !(
        request.copies === undefined ||
        (Array.isArray(request.copies) &&
          request.copies.every(
            (copy) =>
              typeof copy?.note === 'string' &&
              typeof copy.id === 'string' &&
              typeof copy.of === 'string' &&
              request.ids.includes(copy.of)
          ))
      )
    )
      throw fail()
  }
  if (record.baseURL !== undefined && typeof record.baseURL !== 'string') throw fail()
  return record as BatchRecord
}
