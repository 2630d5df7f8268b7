/**
 * The lock's text (docs/state.md): the entry types, the reader that validates a parsed document
 * and keeps each entry packed until asked, and the writer that lays entries out for git (one note
 * a block, one locale a line, shared ids once per note, fixed key order). Pure: `lock.ts` holds
 * the entries and does the I/O.
 */
import {lineAt} from '../text/lines.js'
import {UserError} from '../types.js'
import {compareCodeUnits, isRecord} from '../values.js'

/** The lock's file name at the project root. */
export const LOCK_FILE = 'notes-l10n.lock'

/**
 * The format version this code writes. Version 1 (read, and migrated: {@link migrateProvenance})
 * recorded the provider per note and locale only; version 2 records per segment which machine
 * translations the offline pseudo provider made (`*`) or the translation memory reused (`=`),
 * and which human segments lack the source's inline markup (`!?`).
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
   * A human segment holding something `check` reports (`!?`): it lacks some of the source's inline
   * markup (bold, a link…; a warning), or its code, URLs or do-not-translate terms differ (an
   * error). Kept as written; `check` looks inside its note instead of trusting the hashes. Only
   * set together with `human`.
   */
  reported?: boolean
  /**
   * A human segment that a `sync` found under a changed source and kept for review (`!!`): its
   * record still names the old source. An edit of it after that is the reviewer's answer; an edit
   * made before any sync saw the source change is not (the two orders leave the same files, so
   * only this mark tells them apart — docs/state.md, "Human edits"). Only set together with `human`.
   */
  review?: boolean
  /**
   * The translation was not made for this segment but copied from another occurrence of the same
   * segment (the translation memory, `src/sync/memory.ts`; reported `reused from notes/x.md`).
   * Kept while the segment stays current; a human edit makes it `human` instead.
   */
  reused?: boolean
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
  readonly reported: boolean
}

/** Segment ids: base64url content hashes, `~k` for the k-th duplicate. */
const ID_PATTERN = /^[\w-]+(?:~\d+)?$/
/** Translation hashes: base64url. */
const HASH_PATTERN = /^[\w-]+$/
/** Glossary fingerprints are opaque, but must not contain the separators of the packed format. */
const FINGERPRINT_PATTERN = /^[^\s!:]+$/
/**
 * One packed segment: `<target>[!|!!|!?|!!?|=*|=|*][:<glossary>]` — `!` marks a human edit, `!!` one
 * awaiting review, `?` after them a human edit `check` must look into (it lacks the source's
 * markup, or its code, URLs or terms differ); a machine translation may carry `=` (reused from another
 * occurrence by the translation memory) and `*` (made by the offline pseudo provider).
 */
const PACKED_PATTERN = /^([\w-]+)(!!?\??|=?\*?)(?::([^\s!:]+))?$/
/** A whole `ids` string: {@link ID_PATTERN}s separated by single spaces (or nothing). */
const ID_LIST_PATTERN = /^(?:[\w-]+(?:~\d+)?(?: [\w-]+(?:~\d+)?)*)?$/
/** A whole `segments` string: packed segments separated by single spaces (or nothing). */
const PACKED_LIST_PATTERN = /^(?:[\w-]+(?:!!?\??|=?\*?)(?::[^\s!:]+)?(?: [\w-]+(?:!!?\??|=?\*?)(?::[^\s!:]+)?)*)?$/

/** Keys of a locale line, in the order they are written. */
const ENTRY_KEYS = ['source', 'target', 'provider', 'model', 'glossary', ...RECORDED_FIELDS, 'ids', 'segments'] as const

export const RECOVERY = `restore it from git (git checkout ${LOCK_FILE}) or delete it to rebuild from the targets (everything becomes hand-edited)`

/**
 * One note's block. The note-level `ids` are the id list most locales share (ties: the first
 * locale in order); a locale whose ids differ (translated from another version of the source)
 * carries its own `ids`.
 */
export function serialiseNote(note: string, locales: ReadonlyMap<string, LockEntry | PackedEntry>): string {
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
  // A human edit of a reused translation is the human's: `!` wins over `=`.
  const mark = segment.human
    ? `!${segment.review ? '!' : ''}${segment.reported ? '?' : ''}`
    : `${segment.reused ? '=' : ''}${segment.pseudo ? '*' : ''}`
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

/**
 * Validates the parsed document and hands each entry to `adopt`, still packed. Messages point at
 * the note's line when possible.
 */
export function readDocument(
  value: unknown,
  text: string,
  file: string,
  adopt: (note: string, locale: string, entry: PackedEntry) => void
): void {
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
      adopt(
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
  if (legacy && /[*?=]|!!/.test(packed)) throw fail('a version 1 lock has no "*", "=", "!!" or "!?" segment marks')
  if (!PACKED_LIST_PATTERN.test(packed)) {
    const index = words(packed).findIndex((word) => !PACKED_PATTERN.test(word))
    throw fail(
      `segment ${index + 1} ${JSON.stringify(words(packed)[index])} is not "<hash>[!|!!|!?|!!?|=*|=|*][:<glossary>]"`
    )
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
export class PackedEntry implements EntryHead {
  readonly glossary?: string
  inputs?: string
  keys?: string
  output?: string
  readonly #ids: string
  readonly #packed: string
  readonly reported: boolean

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
    this.reported = packed.includes('?')
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

/**
 * `entry` packed as the lock writes it (a copy: later changes to `entry` do not show). An entry
 * kept this way costs its two lists of text instead of an object per segment; a run sets one per
 * note and locale and holds them all until the lock is saved (bench/limits.md, section 2).
 */
export function packEntry(entry: LockEntry): PackedEntry {
  const packed = new PackedEntry(
    entry.source,
    entry.target,
    entry.provider,
    entry.model,
    entry.glossary,
    entry.segments.map((segment) => segment.id).join(' '),
    entry.segments.map(packSegment).join(' '),
    entry.segments.length
  )
  Object.assign(packed, recordedOf(entry))
  return packed
}

/** Segment records of a validated id list and packed list (same length, both well-formed). */
function unpack(ids: string, packed: string): SegmentRecord[] {
  const hashes = words(packed)
  return words(ids).map((id, index): SegmentRecord => {
    const [, target, mark, glossary] = PACKED_PATTERN.exec(hashes[index]!)!
    const record: SegmentRecord = {id, target: target!}
    if (glossary !== undefined) record.glossary = glossary
    if (mark?.startsWith('!')) record.human = true
    if (mark?.startsWith('!!')) record.review = true
    if (mark?.endsWith('?')) record.reported = true
    if (mark?.startsWith('=')) record.reused = true
    if (mark?.endsWith('*')) record.pseudo = true
    return record
  })
}

/** Programmer errors: an entry that the packed format could not represent faithfully. */
export function assertEntry(note: string, locale: string, entry: LockEntry): void {
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
      if (segment.human && segment.reported) record.reported = true
      if (segment.human && segment.review) record.review = true
      if (!segment.human && segment.reused) record.reused = true
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
export function errorLine(text: string, reason: string): number {
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
export function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort(compareCodeUnits)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value
}
