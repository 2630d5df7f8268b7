/**
 * The committed lock, `notes-l10n.lock`: what each translation was made from (docs/rules.md D4–D6, D12, D13).
 *
 * Per source note and locale it records the source file hash, the target file hash as written,
 * provider and model, and per segment (document order) the segment id, a hash of the translation
 * written, the glossary fingerprint (only for segments with terms) and whether the segment is a
 * human edit. `check` compares files with it offline; `sync` uses it to tell its own output from a
 * translator's edits.
 *
 * The text format is JSON laid out for git (see docs/state.md for the full reference; its reader
 * and writer are `lock-format.ts`, this file holds the entries and does the I/O):
 *
 * - one note per block, one locale per line, blank lines between them, so that two branches
 *   touching different notes (or different locales of one note) never change adjacent lines and
 *   merge without conflicts;
 * - the segment ids, shared by all locales of a note in the common case, are written once per note
 *   (`ids`) and each locale line lists only its translation hashes — this halves the size: 10,000
 *   notes × 9 locales × 40 segments come to about 45 MB;
 * - keys in a fixed order, notes and locales sorted by code unit: same content, same bytes (D13).
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {errnoCode} from '../io/errno.js'
import {contentHash} from '../io/hash.js'
import {writeFileAtomic} from '../io/write.js'
import {UserError} from '../types.js'
import {
  assertEntry,
  copyEntry,
  type EntryHead,
  errorLine,
  LOCK_FILE,
  LOCK_VERSION,
  type LockEntry,
  PackedEntry,
  packEntry,
  RECOVERY,
  readDocument,
  serialiseNote,
  sorted
} from './lock-format.js'
import {readRegularFileSync} from './regular-file.js'

export {
  copyEntry,
  type EntryHead,
  LOCK_FILE,
  LOCK_VERSION,
  type LockEntry,
  migrateProvenance,
  RECORDED_FIELDS,
  type SegmentRecord
} from './lock-format.js'

/**
 * The hash recorded as {@link SegmentRecord.target}: 8 base64url characters of the segment's
 * markdown with line endings normalised to `\n` (a CRLF checkout must not look like a human edit).
 */
export function segmentTargetHash(markdown: string): string {
  return contentHash(markdown.replace(/\r\n?/g, '\n'), 8)
}

/** Stores a validated entry as it is (no copy, no re-validation): for the reader only. */
const ADOPT = Symbol('adopt')

/** The lock: entries by source note (project-relative, `/`) and target locale. */
export class Lockfile {
  readonly #notes = new Map<string, Map<string, LockEntry | PackedEntry>>()
  /** The bytes last read or written, so `save` can skip a write that would change nothing. */
  #onDisk: string | undefined

  /** Reads `notes-l10n.lock` at `root`; a missing file is an empty lock, a broken one a {@link UserError}. */
  static async load(root: string): Promise<Lockfile> {
    let text: string
    try {
      // Read without the event loop: parsing blocks the thread anyway, and `check` reads the lock
      // while worker threads hash files, so an async read would only add a round trip.
      // A FIFO, socket, device or folder planted as the lock is refused, never waited on.
      const bytes = readRegularFileSync(path.join(root, LOCK_FILE), LOCK_FILE)
      if (bytes === undefined) return new Lockfile()
      text = bytes.toString('utf8')
    } catch (error) {
      if (error instanceof UserError) throw error
      if (errnoCode(error) === 'ENOENT') return new Lockfile()
      throw new UserError(
        `${LOCK_FILE} cannot be read (${errnoCode(error) ?? String(error)}) — check its permissions, or ${RECOVERY}`
      )
    }
    const lock = Lockfile.parse(text, LOCK_FILE)
    lock.#onDisk = text
    return lock
  }

  /**
   * Parses lock text. Pure. `file` names the file in messages.
   *
   * @throws {UserError} on invalid JSON (with the line), an unknown version, or a malformed entry —
   *   never an empty lock, which would silently re-pay or mark everything stale (docs/rules.md D10).
   */
  static parse(text: string, file: string): Lockfile {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new UserError(`${file} is not valid JSON at line ${errorLine(text, reason)}: ${reason} — ${RECOVERY}`)
    }
    const lock = new Lockfile()
    readDocument(value, text, file, (note, locale, entry) => lock[ADOPT](note, locale, entry))
    return lock
  }

  /**
   * The entry, unpacked into a fresh object the caller may keep or change. The lock itself keeps
   * every entry packed (its text as written): a sync sets or reads one per note and locale, and
   * objects per segment held until the lock is saved grew with the project (bench/limits.md, 2).
   */
  get(note: string, locale: string): LockEntry | undefined {
    const entry = this.#notes.get(note)?.get(locale)
    return entry instanceof PackedEntry ? entry.unpack() : entry && copyEntry(entry)
  }

  /**
   * An entry without its segment records: what `check` compares when the file hashes may prove a
   * target current. Loading a lock of 90,000 entries stays a JSON.parse as long as only this is
   * asked for.
   */
  head(note: string, locale: string): EntryHead | undefined {
    const entry = this.#notes.get(note)?.get(locale)
    if (entry === undefined || entry instanceof PackedEntry) return entry
    const {segments, ...head} = entry
    return {...head, segmentCount: segments.length, reported: segments.some((segment) => segment.reported)}
  }

  /**
   * The entry for reading only: for readers that look at many entries once (the translation
   * memory's index). The result may be the lock's own object: read it, never change it.
   */
  peek(note: string, locale: string): Readonly<LockEntry> | undefined {
    const entry = this.#notes.get(note)?.get(locale)
    return entry instanceof PackedEntry ? entry.unpack() : entry
  }

  /**
   * The entries as they are now, in a lock of their own: later `set` and `delete` on either do not
   * show in the other. Entries are shared, not copied (neither lock changes an entry in place), so
   * this costs one map per note.
   */
  snapshot(): Lockfile {
    const copy = new Lockfile()
    for (const [note, locales] of this.#notes) copy.#notes.set(note, new Map(locales))
    return copy
  }

  /** Records an entry (packed, so a copy: later changes to `entry` do not leak in). */
  set(note: string, locale: string, entry: LockEntry): void {
    assertEntry(note, locale, entry)
    this.#localesOf(note).set(locale, packEntry(entry))
  }

  /** {@link set} for entries the reader has validated and nobody else holds. */
  [ADOPT](note: string, locale: string, entry: PackedEntry): void {
    this.#localesOf(note).set(locale, entry)
  }

  /** The entries of `note` by locale, made when it has none yet. */
  #localesOf(note: string): Map<string, LockEntry | PackedEntry> {
    let locales = this.#notes.get(note)
    if (!locales) {
      locales = new Map()
      this.#notes.set(note, locales)
    }
    return locales
  }

  delete(note: string, locale: string): void {
    const locales = this.#notes.get(note)
    if (!locales) return
    locales.delete(locale)
    if (locales.size === 0) this.#notes.delete(note)
  }

  /** Every entry, notes and locales in the order they are written. */
  *entries(): IterableIterator<[note: string, locale: string, entry: LockEntry]> {
    for (const [note, locale] of this.keys()) yield [note, locale, this.get(note, locale)!]
  }

  /** Every (note, locale) with an entry, in the order they are written. */
  *keys(): IterableIterator<[note: string, locale: string]> {
    for (const note of sorted(this.#notes.keys())) {
      for (const locale of sorted(this.#notes.get(note)!.keys())) yield [note, locale]
    }
  }

  /** Source notes with at least one entry, sorted. */
  notes(): string[] {
    return sorted(this.#notes.keys())
  }

  /** Number of (note, locale) entries. */
  get size(): number {
    let size = 0
    for (const locales of this.#notes.values()) size += locales.size
    return size
  }

  /** The lock as text. Pure and deterministic: the same entries give the same bytes (docs/rules.md D13). */
  serialise(): string {
    const blocks = this.notes().map((note) => serialiseNote(note, this.#notes.get(note)!))
    if (blocks.length === 0) return `{\n  "version": ${LOCK_VERSION},\n  "notes": {}\n}\n`
    return `{\n  "version": ${LOCK_VERSION},\n  "notes": {\n\n${blocks.join(',\n\n')}\n\n  }\n}\n`
  }

  /** Writes the lock atomically at `root`; does nothing when the file already holds these bytes. */
  async save(root: string): Promise<void> {
    const text = this.serialise()
    // A checkout with core.autocrlf turns the lock's LF into CRLF: same content, no rewrite.
    if (text === this.#onDisk?.replace(/\r\n/g, '\n')) return
    if (this.#onDisk === undefined && this.size === 0) {
      // Nothing recorded and no file: keep it that way rather than commit an empty lock.
      if (!existsSync(path.join(root, LOCK_FILE))) return
    }
    await writeFileAtomic(path.join(root, LOCK_FILE), text, {root})
    this.#onDisk = text
  }
}
