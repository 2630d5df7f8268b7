/**
 * The committed lock, `notes-l10n.lock`: what each translation was made from (docs/rules.md D4–D6, D12, D13).
 *
 * Per source note and locale it records the source file hash, the target file hash as written,
 * provider and model, and per segment (document order) the segment id, a hash of the translation
 * written, the glossary fingerprint (only for segments with terms) and whether the segment is a
 * human edit. `check` compares files with it offline; `sync` uses it to tell its own output from a
 * translator's edits.
 *
 * The text format is JSON laid out for git (see docs/state.md for the full reference):
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
import {lineAt} from '../text/lines.js'
import {UserError} from '../types.js'
import {compareCodeUnits, isRecord} from '../values.js'
import {readRegularFileSync} from './regular-file.js'

/** The lock's file name at the project root. */
export const LOCK_FILE = 'notes-l10n.lock'

/**
 * The format version this code writes. Version 1 (read, and migrated: {@link migrateProvenance})
 * recorded the provider per note and locale only; version 2 records per segment which machine
 * translations the offline pseudo provider made (`*`) and which human segments lack the
 * source's inline markup (`!?`).
 */
export const LOCK_VERSION = 2

/** Format versions this code reads. */
const READABLE_VERSIONS: readonly unknown[] = [1, 2]

export interface SegmentRecord {
  /** The segment id (content address of the source segment). */
  id: string
  /** {@link segmentTargetHash} of the translated segment markdown written. */
  target: string
  /** Glossary fingerprint of the terms in this segment; absent when it has none. */
  glossary?: string
  /** The target segment is a human edit: the reference translation, never overwritten. */
  human?: boolean
  /**
   * A machine translation made by the offline pseudo provider: never current for a real provider,
   * which translates exactly these segments again. Never set together with `human`.
   */
  pseudo?: boolean
  /**
   * A human segment that lacks some of the source's inline markup (bold, a link…): kept as
   * written, and `check` looks inside the note to report it. Only set together with `human`.
   */
  lacksMarkup?: boolean
}

export interface LockEntry {
  /** contentHash of the source file text the translation was made from. */
  source: string
  /** contentHash of the target file text as written. */
  target: string
  provider: string
  model: string
  /**
   * Fingerprint of the whole glossary when the entry was written (absent without a glossary).
   * While it is unchanged, matching file hashes prove the target current without parsing; a
   * glossary edit can re-open segments in any note, so it sends every note through a full look.
   */
  glossary?: string
  /**
   * What else the target was made from ({@link RECORDED_FIELDS}): the fingerprint of the
   * config that shapes the output, the front-matter keys segmented, the target path. Absent in
   * entries written before they were recorded (see docs/state.md, "Provenance").
   */
  inputs?: string
  keys?: string
  output?: string
  /** In document order. */
  segments: SegmentRecord[]
}

/**
 * Optional string fields of an entry that record more of what a translation was made from,
 * written in this order after `model`. Added without a format version bump: a lock without them
 * reads as before (each absent field means "not recorded"), and one with them is refused by an
 * older notes-l10n as having an unknown key.
 *
 * - `inputs`: fingerprint of the config that shapes this locale's output and of the segmentation
 *   rules (`inputsFingerprint` in src/project/provenance.ts);
 * - `keys`: the front-matter keys that were segments, space-separated (absent: `title`);
 * - `output`: the target file written, project-relative.
 */
export const RECORDED_FIELDS = ['inputs', 'keys', 'output'] as const
type RecordedField = (typeof RECORDED_FIELDS)[number]

/**
 * A lock entry without its segment records, how many it has, and whether a human segment lacks
 * the source's markup (then `check` looks inside the note, to report it).
 */
export type EntryHead = Readonly<Omit<LockEntry, 'segments'>> & {
  readonly segmentCount: number
  readonly lacksMarkup: boolean
}

/** Segment ids: base64url content hashes, `~k` for the k-th duplicate. */
const ID_PATTERN = /^[\w-]+(?:~\d+)?$/
/** Translation hashes: base64url. */
const HASH_PATTERN = /^[\w-]+$/
/** Glossary fingerprints are opaque, but must not contain the separators of the packed format. */
const FINGERPRINT_PATTERN = /^[^\s!:]+$/
/**
 * One packed segment: `<target>[!|!?|*][:<glossary>]` — `!` marks a human edit, `!?` a human edit
 * lacking the source's markup, `*` a machine translation of the offline pseudo provider.
 */
const PACKED_PATTERN = /^([\w-]+)(!\??|\*)?(?::([^\s!:]+))?$/
/** A whole `ids` string: {@link ID_PATTERN}s separated by single spaces (or nothing). */
const ID_LIST_PATTERN = /^(?:[\w-]+(?:~\d+)?(?: [\w-]+(?:~\d+)?)*)?$/
/** A whole `segments` string: packed segments separated by single spaces (or nothing). */
const PACKED_LIST_PATTERN = /^(?:[\w-]+(?:!\??|\*)?(?::[^\s!:]+)?(?: [\w-]+(?:!\??|\*)?(?::[^\s!:]+)?)*)?$/

/** Keys of a locale line, in the order they are written. */
const ENTRY_KEYS = ['source', 'target', 'provider', 'model', 'glossary', ...RECORDED_FIELDS, 'ids', 'segments'] as const

const RECOVERY = `restore it from git (git checkout ${LOCK_FILE}) or delete it to rebuild from the targets (everything becomes hand-edited)`

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
    return Lockfile.loadSync(root)
  }

  /**
   * {@link load} without the event loop, for the lock `check` reads lazily from a getter. (Parsing
   * blocks the thread anyway: an async read would only add a round trip.)
   */
  static loadSync(root: string): Lockfile {
    let text: string
    try {
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
    readDocument(value, text, file, lock)
    return lock
  }

  /** The entry of `note` and `locale`, segments unpacked. */
  get(note: string, locale: string): LockEntry | undefined {
    const locales = this.#notes.get(note)
    const entry = locales?.get(locale)
    if (!(entry instanceof PackedEntry)) return entry
    const unpacked = entry.unpack()
    locales!.set(locale, unpacked)
    return unpacked
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
    return {...head, segmentCount: segments.length, lacksMarkup: segments.some((segment) => segment.lacksMarkup)}
  }

  /** Records an entry (a copy: later changes to `entry` do not leak in). */
  set(note: string, locale: string, entry: LockEntry): void {
    assertEntry(note, locale, entry)
    this.#localesOf(note).set(locale, copyEntry(entry))
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

  /**
   * Takes every entry of `other`, replacing this lock's entry for the same note and locale. Shards
   * (`--shard i/n`) write disjoint entries, so merging their locks in any order gives one result.
   */
  merge(other: Lockfile): void {
    for (const [note, locale, entry] of other.entries()) this.set(note, locale, entry)
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

/**
 * One note's block. The note-level `ids` are the id list most locales share (ties: the first
 * locale in order); a locale whose ids differ (translated from another version of the source)
 * carries its own `ids`.
 */
function serialiseNote(note: string, locales: ReadonlyMap<string, LockEntry | PackedEntry>): string {
  const order = sorted(locales.keys())
  const lists = order.map((locale) => idList(locales.get(locale)!))
  const shared = mostCommon(lists)
  const lines = [`      "ids": ${JSON.stringify(shared)}`]
  order.forEach((locale, index) => {
    const entry = locales.get(locale)!
    const ids = lists[index] === shared ? undefined : lists[index]
    lines.push(`      ${JSON.stringify(locale)}: ${serialiseEntry(entry, ids)}`)
  })
  return `    ${JSON.stringify(note)}: {\n${lines.join(',\n\n')}\n    }`
}

function serialiseEntry(entry: LockEntry | PackedEntry, ids: string | undefined): string {
  const fields: Record<(typeof ENTRY_KEYS)[number], string | undefined> = {
    source: entry.source,
    target: entry.target,
    provider: entry.provider,
    model: entry.model,
    glossary: entry.glossary,
    inputs: entry.inputs,
    keys: entry.keys,
    output: entry.output,
    ids,
    segments: entry instanceof PackedEntry ? entry.segmentList() : entry.segments.map(packSegment).join(' ')
  }
  const parts = ENTRY_KEYS.filter((key) => fields[key] !== undefined).map(
    (key) => `${JSON.stringify(key)}: ${JSON.stringify(fields[key])}`
  )
  return `{${parts.join(', ')}}`
}

/** The entry's segment ids as the lock writes them; a packed entry already holds that text. */
function idList(entry: LockEntry | PackedEntry): string {
  return entry instanceof PackedEntry ? entry.idList() : entry.segments.map((segment) => segment.id).join(' ')
}

function packSegment(segment: SegmentRecord): string {
  const mark = segment.human ? (segment.lacksMarkup ? '!?' : '!') : segment.pseudo ? '*' : ''
  return segment.target + mark + (segment.glossary === undefined ? '' : `:${segment.glossary}`)
}

function mostCommon(lists: readonly string[]): string {
  const counts = new Map<string, number>()
  let best = lists[0] ?? ''
  for (const list of lists) {
    const count = (counts.get(list) ?? 0) + 1
    counts.set(list, count)
    if (count > (counts.get(best) ?? 0)) best = list
  }
  return best
}

/** Validates the parsed document and fills `lock`. Messages point at the note's line when possible. */
function readDocument(value: unknown, text: string, file: string, lock: Lockfile): void {
  if (!isRecord(value))
    throw broken(file, 1, `expected a JSON object with "version" and "notes", got ${describe(value)}`)
  if (!READABLE_VERSIONS.includes(value.version)) {
    const version = JSON.stringify(value.version) ?? 'no version'
    throw new UserError(
      `${file} has format version ${version}, this notes-l10n reads versions ${READABLE_VERSIONS.join(' and ')} — upgrade notes-l10n if the lock was written by a newer one, or ${RECOVERY}`
    )
  }
  const legacy = value.version === 1
  const notes = value.notes
  if (!isRecord(notes))
    throw broken(file, lineOf(text, '"notes"'), `"notes" should be an object, got ${describe(notes)}`)

  for (const note in notes) {
    const block = notes[note]
    // Only an error needs the line: finding it for every note made loading quadratic in the notes.
    const line = () => lineOf(text, JSON.stringify(note))
    if (!isRecord(block))
      throw broken(file, line(), `note ${JSON.stringify(note)} should be an object, got ${describe(block)}`)
    const shared = block.ids
    if (typeof shared !== 'string') throw broken(file, line(), `note ${JSON.stringify(note)} has no "ids" string`)
    let sharedCount: number | undefined
    for (const locale in block) {
      if (locale === 'ids') continue
      const fail = (problem: string) =>
        broken(file, line(), `${JSON.stringify(note)} locale ${JSON.stringify(locale)}: ${problem}`)
      const raw = block[locale]
      const own = isRecord(raw) && typeof raw.ids === 'string' ? raw.ids : undefined
      if (own === undefined && sharedCount === undefined) sharedCount = countIds(shared, fail)
      lock[ADOPT](
        note,
        locale,
        readEntry(raw, own ?? shared, own === undefined ? sharedCount! : countIds(own, fail), fail, legacy)
      )
    }
  }
}

/**
 * Validates one locale line and keeps its segments packed: the whole list is checked with one
 * pattern here, and split into records only when something asks for them. A `check` whose
 * hashes all match never does, and loading a lock of 90,000 entries stays a JSON.parse.
 */
function readEntry(
  raw: unknown,
  ids: string,
  count: number,
  fail: (problem: string) => UserError,
  legacy: boolean
): PackedEntry {
  if (!isRecord(raw)) throw fail(`expected an object, got ${describe(raw)}`)
  for (const key in raw) {
    if (!(ENTRY_KEYS as readonly string[]).includes(key)) throw fail(`unknown key ${JSON.stringify(key)}`)
  }
  const {source, target, provider, model, segments, glossary} = raw
  for (const [key, field] of [
    ['source', source],
    ['target', target],
    ['provider', provider],
    ['model', model],
    ['segments', segments]
  ] as const) {
    if (typeof field !== 'string') throw fail(`"${key}" should be a string, got ${describe(field)}`)
  }
  if (raw.ids !== undefined && typeof raw.ids !== 'string')
    throw fail(`"ids" should be a string, got ${describe(raw.ids)}`)
  if (glossary !== undefined && typeof glossary !== 'string')
    throw fail(`"glossary" should be a string, got ${describe(glossary)}`)
  for (const key of RECORDED_FIELDS) {
    if (raw[key] !== undefined && typeof raw[key] !== 'string')
      throw fail(`"${key}" should be a string, got ${describe(raw[key])}`)
  }

  let packed = segments as string
  if (legacy && /[*?]/.test(packed)) throw fail('a version 1 lock has no "*" or "!?" segment marks')
  if (!PACKED_LIST_PATTERN.test(packed)) {
    const index = words(packed).findIndex((word) => !PACKED_PATTERN.test(word))
    throw fail(`segment ${index + 1} ${JSON.stringify(words(packed)[index])} is not "<hash>[!|!?|*][:<glossary>]"`)
  }
  // Version 1 said `pseudo` for the whole entry while any pseudo output might remain in it: every
  // machine segment of such an entry is taken as pseudo-made (migrateProvenance).
  if (legacy && provider === 'pseudo') packed = words(packed).map(markPseudo).join(' ')
  const hashes = packed === '' ? 0 : countSpaces(packed) + 1
  if (hashes !== count) throw fail(`${hashes} segment hashes for ${count} segment ids`)
  const entry = new PackedEntry(
    source as string,
    target as string,
    provider as string,
    model as string,
    glossary as string | undefined,
    ids,
    packed,
    count
  )
  for (const key of RECORDED_FIELDS) if (raw[key] !== undefined) entry[key] = raw[key] as string
  return entry
}

/** The number of ids in a space-separated id list, or a {@link UserError} naming the first bad one. */
function countIds(ids: string, fail: (problem: string) => UserError): number {
  if (!ID_LIST_PATTERN.test(ids)) {
    const bad = words(ids).find((id) => !ID_PATTERN.test(id))
    throw fail(`segment id ${JSON.stringify(bad)} is not a segment id`)
  }
  return ids === '' ? 0 : countSpaces(ids) + 1
}

function countSpaces(list: string): number {
  let count = 0
  for (let index = list.indexOf(' '); index !== -1; index = list.indexOf(' ', index + 1)) count++
  return count
}

/**
 * A validated entry as read from the lock, its segments still as lock text: they are split into
 * records only when the entry is asked for ({@link Lockfile.get}), and written back as read
 * otherwise.
 */
class PackedEntry implements EntryHead {
  readonly glossary?: string
  inputs?: string
  keys?: string
  output?: string
  readonly #ids: string
  readonly #packed: string
  readonly lacksMarkup: boolean

  constructor(
    readonly source: string,
    readonly target: string,
    readonly provider: string,
    readonly model: string,
    glossary: string | undefined,
    ids: string,
    packed: string,
    readonly segmentCount: number
  ) {
    if (glossary !== undefined) this.glossary = glossary
    this.#ids = ids
    this.#packed = packed
    this.lacksMarkup = packed.includes('?')
  }

  /** The `ids` text as read. */
  idList(): string {
    return this.#ids
  }

  /** The `segments` text as read. */
  segmentList(): string {
    return this.#packed
  }

  unpack(): LockEntry {
    const entry: LockEntry = {
      source: this.source,
      target: this.target,
      provider: this.provider,
      model: this.model,
      segments: unpack(this.#ids, this.#packed)
    }
    if (this.glossary !== undefined) entry.glossary = this.glossary
    Object.assign(entry, recordedOf(this))
    return entry
  }
}

/** Segment records of a validated id list and packed list (same length, both well-formed). */
function unpack(ids: string, packed: string): SegmentRecord[] {
  const hashes = words(packed)
  return words(ids).map((id, index): SegmentRecord => {
    const [, target, mark, glossary] = PACKED_PATTERN.exec(hashes[index]!)!
    const record: SegmentRecord = {id, target: target!}
    if (glossary !== undefined) record.glossary = glossary
    if (mark?.startsWith('!')) record.human = true
    if (mark === '!?') record.lacksMarkup = true
    if (mark === '*') record.pseudo = true
    return record
  })
}

/** Programmer errors: an entry that the packed format could not represent faithfully. */
function assertEntry(note: string, locale: string, entry: LockEntry): void {
  const where = `lock entry ${JSON.stringify(note)} ${JSON.stringify(locale)}`
  if (locale === 'ids') throw new TypeError(`${where}: "ids" is not a locale`)
  for (const segment of entry.segments) {
    if (!ID_PATTERN.test(segment.id))
      throw new TypeError(`${where}: segment id ${JSON.stringify(segment.id)} is not base64url[~k]`)
    if (!HASH_PATTERN.test(segment.target))
      throw new TypeError(`${where}: target hash ${JSON.stringify(segment.target)} is not base64url`)
    if (segment.glossary !== undefined && !FINGERPRINT_PATTERN.test(segment.glossary)) {
      throw new TypeError(
        `${where}: glossary fingerprint ${JSON.stringify(segment.glossary)} contains whitespace, "!" or ":"`
      )
    }
  }
}

/** A deep copy of an entry (the lock and the journal never share objects with their callers). */
export function copyEntry(entry: LockEntry): LockEntry {
  return {
    source: entry.source,
    target: entry.target,
    provider: entry.provider,
    model: entry.model,
    ...(entry.glossary === undefined ? {} : {glossary: entry.glossary}),
    ...recordedOf(entry),
    segments: entry.segments.map((segment) => {
      const record: SegmentRecord = {id: segment.id, target: segment.target}
      if (segment.glossary !== undefined) record.glossary = segment.glossary
      if (segment.human) record.human = true
      if (segment.human && segment.lacksMarkup) record.lacksMarkup = true
      if (!segment.human && segment.pseudo) record.pseudo = true
      return record
    })
  }
}

/**
 * An entry in today's terms. Entries written before provenance was recorded per segment (lock
 * version 1, or a journal mark of an older notes-l10n) said `pseudo` for the whole entry while
 * any output of the pseudo provider might remain in it: every machine segment of such an entry
 * is taken as pseudo-made — a real provider translates them again, as it did then. Entries that
 * mark their pseudo segments are returned as they are.
 */
export function migrateProvenance(entry: LockEntry): LockEntry {
  if (entry.provider !== 'pseudo' || entry.segments.some((segment) => segment.pseudo)) return entry
  return {
    ...entry,
    segments: entry.segments.map((segment) => (segment.human ? segment : {...segment, pseudo: true}))
  }
}

/** A packed version 1 segment with the pseudo mark, unless it is human. */
function markPseudo(word: string): string {
  const [, target, mark, glossary] = PACKED_PATTERN.exec(word)!
  return mark ? word : `${target}*${glossary === undefined ? '' : `:${glossary}`}`
}

/** The {@link RECORDED_FIELDS} an entry has, and only those. */
function recordedOf(entry: Partial<Record<RecordedField, string>>): Partial<Record<RecordedField, string>> {
  const fields: Partial<Record<RecordedField, string>> = {}
  for (const key of RECORDED_FIELDS) if (entry[key] !== undefined) fields[key] = entry[key]
  return fields
}

function broken(file: string, line: number, problem: string): UserError {
  return new UserError(`${file} is not a valid lock at line ${line}: ${problem} — ${RECOVERY}`)
}

/**
 * The 1-based line of a JSON.parse failure. V8 reports a character position ("at position 123")
 * or a line ("line 3 column 5") depending on its version, or nothing when the input just ends.
 */
function errorLine(text: string, reason: string): number {
  const line = /\bline (\d+)/.exec(reason)
  if (line) return Number(line[1])
  const position = /\bposition (\d+)/.exec(reason)
  const offset = position ? Number(position[1]) : text.length
  return lineAt(text, offset)
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle)
  return index === -1 ? 1 : lineAt(text, index)
}

function words(list: string): string[] {
  return list === '' ? [] : list.split(' ')
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort(compareCodeUnits)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value
}
