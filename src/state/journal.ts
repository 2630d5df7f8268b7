/**
 * The journal: translations accepted from the provider but not yet written and locked.
 *
 * A provider request costs money; a crash, kill -9 or Ctrl-C between accepting its answer and
 * writing the note must not make the next `sync` pay for it again (docs/rules.md D7, D9). So every accepted
 * batch is appended here, and fsynced, before anything else happens to it. Once the note is
 * written and the lock saved, its records are settled and dropped when the journal is closed.
 *
 * It also holds a write-ahead mark per target written but not yet locked (`recordWritten`): the
 * lock entry the file will get, so a crash between writing the file and saving the lock cannot make
 * the next run take the tool's own output for a human edit.
 *
 * Format: one file, `.notes-l10n/journal/accepted.jsonl` (never committed), JSON lines: a header
 * `{"journal":1}`, then records, written marks, reject marks and settle marks. Appending is the only write while a run lives,
 * so the worst a crash can leave is an incomplete last line, which is ignored with a warning. An
 * invalid line anywhere else was not made by a crash: the file is refused rather than guessed at.
 *
 * Memory: the journal keeps an index, not the records — where each live record and written mark
 * is in the file (byte offset and length) — and reads a line back when it is asked for. A run
 * over a large project (or one resuming a killed large run) would otherwise hold every accepted
 * translation and every written note's lock entry until the end (bench/limits.md, section 2).
 */

import type {Stats} from 'node:fs'
import {closeSync, constants, readSync} from 'node:fs'
import {type FileHandle, lstat, open, unlink} from 'node:fs/promises'
import path from 'node:path'
import {errnoCode} from '../io/errno.js'
import {ensureDirectory, syncDirectory, writeFileAtomic} from '../io/write.js'
import {redactSecrets} from '../redact.js'
import {UserError} from '../types.js'
import {isRecord} from '../values.js'
import {copyEntry, type LockEntry, migrateProvenance, RECORDED_FIELDS, type SegmentRecord} from './lock.js'
import {ensureStateDirectory, STATE_DIRECTORY} from './mutex.js'
import {openRegularFileSync, readRegularFile, refuseIrregular} from './regular-file.js'

/** The journal file, relative to the project root. */
export const JOURNAL_FILE = `${STATE_DIRECTORY}/journal/accepted.jsonl`

export const JOURNAL_VERSION = 1

export interface JournalRecord {
  /** Source note, project-relative. */
  note: string
  locale: string
  /** Source segment id (its content address). */
  id: string
  /** The accepted translation, tokens restored. */
  markdown: string
  /** Glossary fingerprint the translation was checked against, when the segment has terms. */
  glossary?: string
  provider: string
  model: string
}

/**
 * A written mark: the target of `note` in `locale` was written and will be locked with `entry`.
 * Until the lock is saved, this is what tells the tool's own output from a human edit.
 */
interface Written {
  written: string
  locale: string
  entry: LockEntry
}

/** A reject mark: these records of the note and locale were rejected on reassembly; the others stay. */
interface Reject {
  rejected: string
  locale: string
  ids: string[]
}

/** A settle mark: the note and locale were written and locked; their earlier records are void. */
interface Settle {
  settled: string
  locale: string
}

const HEADER = `${JSON.stringify({journal: JOURNAL_VERSION})}\n`
const RECORD_KEYS = ['note', 'locale', 'id', 'markdown', 'provider', 'model'] as const

/** Where one line is in the journal file: `length` bytes from `offset`, its newline excluded. */
interface LineRef {
  readonly offset: number
  readonly length: number
}

/** Durable appends that share one write and one datasync. */
interface AppendGroup {
  text: string
  /** In-memory effects, run in order once the text is durable, each with where its lines went. */
  apply: Array<{lines: number; run: (refs: readonly LineRef[]) => void}>
  done: Promise<void>
}

export class Journal {
  /** Problems the journal recovered from on open (a torn last line), for the CLI to print. */
  readonly warnings: readonly string[]
  readonly #file: string
  readonly #root: string
  /** Where the live records are in the file, by note and locale, then by segment id. */
  readonly #live = new Map<string, Map<string, LineRef>>()
  /** Where the written marks (lock entries of targets written but not yet locked) are, by note and locale. */
  readonly #written = new Map<string, LineRef>()
  /** A descriptor for reading lines back, opened on the first read, closed by {@link close}. */
  #reader: number | undefined
  /** Record and settle lines in the file (header excluded): more than the live records means compaction pays. */
  #lines = 0
  /** Bytes of the file known to be complete lines; a failed append is cut back to this. */
  #size = 0
  #handle: FileHandle | undefined
  #queue: Promise<unknown> = Promise.resolve()
  /**
   * Durable appends waiting for their turn in the queue: they share one write and one datasync
   * (group commit). With many notes in flight, appends arrive while a datasync runs; syncing each
   * on its own serialised every note behind the disk.
   */
  #group: AppendGroup | undefined
  #closed = false
  #broken: unknown

  private constructor(root: string, warnings: string[]) {
    this.#root = root
    this.#file = path.join(root, JOURNAL_FILE)
    this.warnings = warnings
  }

  /**
   * Opens the journal of the project at `root`, replaying what a previous run left. A torn last
   * line is cut off (with a warning). Nothing is created until the first append.
   *
   * @throws {UserError} when a line other than the last is not a journal line, or the version is unknown.
   */
  static async open(root: string): Promise<Journal> {
    const warnings: string[] = []
    const journal = new Journal(root, warnings)
    await refuseLinks(root)
    let bytes: Buffer
    try {
      // A FIFO planted as the journal is refused at once: a plain read would block forever.
      const read = await readRegularFile(journal.#file, JOURNAL_FILE)
      if (read === undefined) return journal
      bytes = read
    } catch (error) {
      if (error instanceof UserError) throw error
      if (errnoCode(error) === 'ENOENT') return journal
      throw new UserError(
        `${JOURNAL_FILE} cannot be read (${errnoCode(error) ?? String(error)}) — check its permissions, or delete it (accepted translations not yet written will be requested again)`
      )
    }

    const complete = bytes.lastIndexOf(0x0a) + 1
    if (complete < bytes.length) {
      warnings.push(
        `${JOURNAL_FILE}: ignored an incomplete last line (a run was interrupted while writing it); its translations will be requested again`
      )
      await cutTo(journal.#file, complete)
    }
    let text: string
    try {
      text = new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(0, complete))
    } catch {
      throw corrupt(1, 'it is not UTF-8 text')
    }
    journal.#replay(text, bytes.subarray(0, complete))
    journal.#size = complete
    return journal
  }

  /**
   * The latest accepted translation of segment `id` of `note` in `locale`, unless settled since
   * (read back from the file). A closed journal holds nothing.
   */
  lookup(note: string, locale: string, id: string): JournalRecord | undefined {
    const ref = this.#live.get(key(note, locale))?.get(id)
    return ref && this.#recordAt(ref)
  }

  /** The lock entry recorded by {@link recordWritten} for this note and locale, unless settled since. */
  written(note: string, locale: string): LockEntry | undefined {
    const ref = this.#written.get(key(note, locale))
    return ref && this.#markAt(ref).entry
  }

  /** Every live write-ahead mark: the note, the locale and the lock entry its target was about to get. */
  *marks(): IterableIterator<{note: string; locale: string; entry: LockEntry}> {
    for (const ref of this.#written.values()) {
      const mark = this.#markAt(ref)
      yield {note: mark.written, locale: mark.locale, entry: mark.entry}
    }
  }

  /** Every live record (accepted, not yet settled). */
  *records(): IterableIterator<JournalRecord> {
    for (const records of this.#live.values()) for (const ref of records.values()) yield this.#recordAt(ref)
  }

  /**
   * Appends one provider request's accepted translations and fsyncs once for the batch: when this
   * resolves, they survive a crash or a power loss.
   */
  async append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return
    const checked = records.map(recordLine)
    const lines = checked.map((record) => `${JSON.stringify(record)}\n`).join('')
    await this.#appendDurably(lines, checked.length, (refs) => {
      checked.forEach((record, index) => {
        this.#remember(record.note, record.locale, record.id, refs[index]!)
      })
    })
  }

  /**
   * Records, durably, the lock entry a target is about to get — *before* the file is written
   * (write-ahead). A crash at any point then leaves the next run knowing both what the file was
   * and what it may now be: the mark applies only when the file on disk hashes to its `target`
   * (see `sync`), else the lock's entry still describes the file.
   */
  async recordWritten(note: string, locale: string, entry: LockEntry): Promise<void> {
    const mark: Written = {written: note, locale, entry: copyEntry(entry)}
    const line = `${JSON.stringify(mark)}\n`
    await this.#appendDurably(line, 1, (refs) => {
      this.#written.set(key(note, locale), refs[0]!)
    })
  }

  /**
   * The target marked by {@link recordWritten} is on disk: its accepted records leave memory (they
   * stay in the file until settled, and the mark covers them). Nothing in this run looks them up
   * again, and holding every note's Markdown until the end of a 10,000-note run cost tens of MB.
   * Not called when the write failed, so compaction keeps the paid records.
   */
  wrote(note: string, locale: string): void {
    this.#live.delete(key(note, locale))
  }

  /**
   * Voids only the records of `ids` (translations the reassembler rejected, which would be
   * rejected again); the note's other accepted translations and its written mark stay live.
   */
  async reject(note: string, locale: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    this.#group = undefined
    await this.#enqueue(async () => {
      const records = this.#live.get(key(note, locale))
      const live = ids.filter((id) => records?.has(id))
      if (live.length === 0) return
      await this.#write(`${JSON.stringify({rejected: note, locale, ids: live} satisfies Reject)}\n`, false)
      for (const id of live) records!.delete(id)
      if (records!.size === 0) this.#live.delete(key(note, locale))
    })
  }

  /**
   * Marks `note` in `locale` as written and locked: its records are no longer needed. The mark is
   * not fsynced: losing it in a power cut only keeps records that are still correct translations.
   */
  async settle(note: string, locale: string): Promise<void> {
    // Checked in the queue, so that an append still in flight for this note is settled too; appends
    // made from now on go after the settle mark.
    this.#group = undefined
    await this.#enqueue(async () => {
      if (!this.#live.has(key(note, locale)) && !this.#written.has(key(note, locale))) return
      await this.#write(`${JSON.stringify({settled: note, locale} satisfies Settle)}\n`, false)
      this.#live.delete(key(note, locale))
      this.#written.delete(key(note, locale))
    })
  }

  /**
   * Waits for pending appends, then compacts: removes the file when nothing is live, else rewrites
   * it with the live records only. `{compact: false}` (a run that failed) only closes the file and
   * leaves it as it is for the next run to replay. Idempotent.
   */
  async close(options: {compact?: boolean} = {}): Promise<void> {
    if (this.#closed) return
    await this.#queue.catch(() => undefined)
    this.#closed = true
    await this.#handle?.close()
    this.#handle = undefined
    let live: string[] = []
    try {
      if (options.compact === false) return
      live = [...this.records()].map((record) => `${JSON.stringify(recordLine(record))}\n`)
      for (const ref of this.#written.values()) live.push(`${JSON.stringify(this.#markAt(ref))}\n`)
    } finally {
      // The index points into this file: once it is closed (and maybe rewritten), it points nowhere.
      if (this.#reader !== undefined) closeSync(this.#reader)
      this.#reader = undefined
      this.#live.clear()
      this.#written.clear()
    }
    if (live.length === 0) {
      await unlink(this.#file).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error
      })
      return
    }
    if (this.#lines === live.length) return
    const text = HEADER + live.join('')
    await writeFileAtomic(this.#file, text, {root: this.#root})
  }

  /**
   * Appends `text` and datasyncs, then runs `apply`; resolves when the text is durable. Appends
   * made before the previous write is done join one group: one write, one datasync, in the order
   * they were made.
   */
  #appendDurably(text: string, lines: number, apply: (refs: readonly LineRef[]) => void): Promise<void> {
    let group = this.#group
    if (!group) {
      if (this.#closed) return Promise.reject(new Error('the journal is closed'))
      const created: AppendGroup = {text: '', apply: [], done: Promise.resolve()}
      created.done = this.#enqueue(async () => {
        // From here on this group's bytes are decided: later appends start the next group.
        if (this.#group === created) this.#group = undefined
        const refs = await this.#write(created.text, true)
        let at = 0
        for (const each of created.apply) {
          each.run(refs.slice(at, at + each.lines))
          at += each.lines
        }
      })
      this.#group = created
      group = created
    }
    group.text += text
    group.apply.push({lines, run: apply})
    return group.done
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'))
    const next = this.#queue.then(() => {
      if (this.#broken !== undefined) throw this.#broken
      return task()
    })
    this.#queue = next.catch(() => undefined)
    return next
  }

  /** Appends `text` (whole lines); returns where each of its lines is in the file. */
  async #write(text: string, durable: boolean): Promise<LineRef[]> {
    const handle = await this.#open()
    const bytes = Buffer.from(redactSecrets(text, false))
    try {
      await handle.writeFile(bytes)
      if (durable) await handle.datasync()
      const refs = lineRefs(bytes, this.#size)
      this.#size += bytes.length
      this.#lines += refs.length
      return refs
    } catch (error) {
      // A partial line followed by later appends would read as corruption: cut it off, or stop appending.
      await handle.truncate(this.#size).catch((truncateError: unknown) => {
        this.#broken = truncateError
      })
      throw asUserError(error)
    }
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle) return this.#handle
    try {
      await ensureStateDirectory(this.#root)
      await ensureDirectory(this.#root, path.dirname(this.#file))
      // Appending cannot go through a temp file, so refuse a planted symlink here instead (docs/rules.md S5).
      // O_NONBLOCK: a FIFO planted since the replay fails at once (ENXIO) instead of waiting for a reader.
      const handle = await open(
        this.#file,
        constants.O_WRONLY |
          constants.O_APPEND |
          constants.O_CREAT |
          (constants.O_NOFOLLOW ?? 0) |
          (constants.O_NONBLOCK ?? 0)
      )
      try {
        refuseIrregular(await handle.stat(), JOURNAL_FILE)
      } catch (error) {
        await handle.close()
        throw error
      }
      if (this.#size === 0) {
        await handle.truncate(0)
        await handle.writeFile(HEADER)
        await handle.datasync()
        this.#size = Buffer.byteLength(HEADER)
        // The new file's directory entry, made durable as far as the platform allows.
        await syncDirectory(path.dirname(this.#file)).catch(() => undefined)
      }
      this.#handle = handle
      return handle
    } catch (error) {
      throw asUserError(error)
    }
  }

  /** Replays the file's complete lines (`text`, decoded from `bytes`), keeping where each live one is. */
  #replay(text: string, bytes: Buffer): void {
    const lines = text.split('\n')
    lines.pop()
    const refs = lineRefs(bytes, 0)
    lines.forEach((line, index) => {
      const number = index + 1
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (error) {
        throw corrupt(number, error instanceof Error ? error.message : String(error))
      }
      if (index === 0) {
        if (!isRecord(value) || typeof value.journal !== 'number')
          throw corrupt(number, 'expected the header {"journal":1}')
        if (value.journal !== JOURNAL_VERSION) {
          throw new UserError(
            `${JOURNAL_FILE} has format version ${value.journal}, this notes-l10n reads version ${JOURNAL_VERSION} — finish the run with the notes-l10n that started it, or delete the file (accepted translations not yet written will be requested again)`
          )
        }
        return
      }
      this.#lines++
      const settle = asSettle(value)
      if (settle) {
        this.#live.delete(key(settle.settled, settle.locale))
        this.#written.delete(key(settle.settled, settle.locale))
        return
      }
      const reject = asReject(value)
      if (reject) {
        const records = this.#live.get(key(reject.rejected, reject.locale))
        for (const id of reject.ids) records?.delete(id)
        if (records?.size === 0) this.#live.delete(key(reject.rejected, reject.locale))
        return
      }
      if (isRecord(value) && 'written' in value) {
        const mark = asWritten(value)
        if (!mark) throw corrupt(number, 'expected a written mark with note, locale and a lock entry')
        this.#written.set(key(mark.written, mark.locale), refs[index]!)
        return
      }
      const record = asRecord(value)
      if (!record) throw corrupt(number, 'expected a record with note, locale, id, markdown, provider and model')
      this.#remember(record.note, record.locale, record.id, refs[index]!)
    })
  }

  #remember(note: string, locale: string, id: string, ref: LineRef): void {
    const noteKey = key(note, locale)
    let records = this.#live.get(noteKey)
    if (!records) {
      records = new Map()
      this.#live.set(noteKey, records)
    }
    records.set(id, ref)
  }

  /** The record at `ref`, read back and checked as on replay. */
  #recordAt(ref: LineRef): JournalRecord {
    const record = asRecord(this.#lineAt(ref))
    if (!record) throw changed()
    return record
  }

  /** The written mark at `ref`, read back and checked as on replay (a fresh copy of its entry). */
  #markAt(ref: LineRef): Written {
    const value = this.#lineAt(ref)
    const mark = isRecord(value) ? asWritten(value) : undefined
    if (!mark) throw changed()
    return mark
  }

  /** The JSON value of the line at `ref`. */
  #lineAt(ref: LineRef): unknown {
    const buffer = Buffer.allocUnsafe(ref.length)
    let read = 0
    try {
      this.#reader ??= openRegularFileSync(this.#file, JOURNAL_FILE)
      if (this.#reader === undefined) throw changed()
      while (read < ref.length) {
        const count = readSync(this.#reader, buffer, read, ref.length - read, ref.offset + read)
        if (count === 0) break
        read += count
      }
    } catch (error) {
      if (error instanceof UserError) throw error
      throw new UserError(
        `${JOURNAL_FILE} cannot be read back (${errnoCode(error) ?? String(error)}) — check the disk, then re-run \`sync\` (accepted translations not yet written will be requested again if the file is lost)`
      )
    }
    if (read < ref.length) throw changed()
    try {
      return JSON.parse(buffer.toString('utf8'))
    } catch {
      throw changed()
    }
  }
}

/** Where each complete line of `bytes` is, in a file in which `bytes` start at `offset`. */
function lineRefs(bytes: Buffer, offset: number): LineRef[] {
  const refs: LineRef[] = []
  for (let from = 0, newline = bytes.indexOf(0x0a); newline !== -1; ) {
    refs.push({offset: offset + from, length: newline - from})
    from = newline + 1
    newline = bytes.indexOf(0x0a, from)
  }
  return refs
}

function changed(): UserError {
  return new UserError(
    `${JOURNAL_FILE} changed while this run was using it — another program wrote to it; re-run \`sync\` (translations journaled before are kept when the file is intact)`
  )
}

/** The record as it is written: fixed key order, unknown fields dropped, types checked. */
function recordLine(record: JournalRecord): JournalRecord {
  for (const field of RECORD_KEYS) {
    if (typeof record[field] !== 'string') throw new TypeError(`journal record: "${field}" must be a string`)
  }
  if (record.glossary !== undefined && typeof record.glossary !== 'string')
    throw new TypeError('journal record: "glossary" must be a string')
  const line: JournalRecord = {
    note: record.note,
    locale: record.locale,
    id: record.id,
    markdown: record.markdown,
    provider: record.provider,
    model: record.model
  }
  if (record.glossary !== undefined) line.glossary = record.glossary
  return line
}

function asRecord(value: unknown): JournalRecord | undefined {
  if (!isRecord(value)) return undefined
  if (!RECORD_KEYS.every((field) => typeof value[field] === 'string')) return undefined
  if (value.glossary !== undefined && typeof value.glossary !== 'string') return undefined
  return recordLine(value as unknown as JournalRecord)
}

function asWritten(value: Record<string, unknown>): Written | undefined {
  const {written, locale, entry} = value
  if (typeof written !== 'string' || typeof locale !== 'string' || !isRecord(entry)) return undefined
  const {source, target, provider, model, glossary, segments} = entry
  if (
    typeof source !== 'string' ||
    typeof target !== 'string' ||
    typeof provider !== 'string' ||
    typeof model !== 'string'
  )
    return undefined
  if (glossary !== undefined && typeof glossary !== 'string') return undefined
  // What else the target was made from (config fingerprint, keys, output path): kept, or a
  // recovered mark would read as an entry from before they were recorded.
  const recorded: Partial<Record<(typeof RECORDED_FIELDS)[number], string>> = {}
  for (const field of RECORDED_FIELDS) {
    const value = entry[field]
    if (value === undefined) continue
    if (typeof value !== 'string') return undefined
    recorded[field] = value
  }
  if (!Array.isArray(segments)) return undefined
  const records: SegmentRecord[] = []
  for (const segment of segments as unknown[]) {
    if (!isRecord(segment) || typeof segment.id !== 'string' || typeof segment.target !== 'string') return undefined
    if (segment.glossary !== undefined && typeof segment.glossary !== 'string') return undefined
    for (const flag of ['human', 'pseudo', 'reported', 'review', 'reused'] as const)
      if (segment[flag] !== undefined && typeof segment[flag] !== 'boolean') return undefined
    records.push(segment as unknown as SegmentRecord)
  }
  return {
    written,
    locale,
    // A mark of an older notes-l10n says `pseudo` for the whole entry only.
    entry: migrateProvenance(
      copyEntry({
        source,
        target,
        provider,
        model,
        ...(glossary === undefined ? {} : {glossary}),
        ...recorded,
        segments: records
      })
    )
  }
}

function asReject(value: unknown): Reject | undefined {
  if (
    !isRecord(value) ||
    typeof value.rejected !== 'string' ||
    typeof value.locale !== 'string' ||
    !Array.isArray(value.ids)
  )
    return undefined
  const ids = value.ids as unknown[]
  if (!ids.every((id): id is string => typeof id === 'string')) return undefined
  return {rejected: value.rejected, locale: value.locale, ids}
}

function asSettle(value: unknown): Settle | undefined {
  if (!isRecord(value) || typeof value.settled !== 'string' || typeof value.locale !== 'string') return undefined
  return {settled: value.settled, locale: value.locale}
}

function corrupt(line: number, problem: string): UserError {
  return new UserError(
    `${JOURNAL_FILE} is corrupt at line ${line} (${problem}); it was not written by an interrupted run — delete ${JOURNAL_FILE} to start over (accepted translations not yet written will be requested and paid again)`
  )
}

function asUserError(error: unknown): unknown {
  const code = errnoCode(error)
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new UserError(
      `cannot write ${JOURNAL_FILE}: no space left on device — free space and re-run \`sync\`; translations already journaled are kept`
    )
  }
  if (code === 'ENXIO') {
    return new UserError(
      `${JOURNAL_FILE} is a named pipe (FIFO) or socket, not a regular file — notes-l10n reads and writes only regular files there; remove it and re-run`
    )
  }
  if (code === 'ELOOP') {
    return new UserError(
      `refusing to write ${JOURNAL_FILE}: it is a symbolic link — notes-l10n never writes through symlinks; delete it and re-run \`sync\``
    )
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new UserError(
      `cannot write ${JOURNAL_FILE}: ${code === 'EROFS' ? 'read-only file system' : 'permission denied'} — make .notes-l10n writable and re-run \`sync\``
    )
  }
  return error
}

/**
 * Refuses a journal file, or a folder above it, that is a symlink: opening would read, cut and
 * append to whatever it points at (a planted `.notes-l10n` in a hostile repository, docs/rules.md S5).
 */
async function refuseLinks(root: string): Promise<void> {
  let relative = ''
  for (const part of JOURNAL_FILE.split('/')) {
    relative = relative ? `${relative}/${part}` : part
    let stats: Stats
    try {
      stats = await lstat(path.join(root, relative))
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return
      throw error
    }
    if (stats.isSymbolicLink()) {
      throw new UserError(
        `refusing to use ${JOURNAL_FILE}: ${relative} is a symbolic link — notes-l10n never writes through symlinks; delete the link and re-run \`sync\``
      )
    }
  }
}

async function cutTo(file: string, size: number): Promise<void> {
  const handle = await open(file, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0))
  try {
    await handle.truncate(size)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

function key(note: string, locale: string): string {
  return `${note}\0${locale}`
}
