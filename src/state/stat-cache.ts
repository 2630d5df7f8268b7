/**
 * The stat cache: file hashes remembered by size, mtime and inode, like git's index.
 *
 * A warm `check` over 90,000 targets must beat hashing every file (issue 5): a `stat` is far
 * cheaper than a read. A cached hash is used only when size, mtime and inode all match, and the
 * entry is not *racy*: a file modified in the same second as it was hashed (or as the cache was
 * written) could be modified again within that second without its mtime changing on a file
 * system with coarse timestamps, so such entries are always re-read (git's racy-git rule).
 *
 * Beside the hash, an entry can remember one value derived from the file's bytes (discovery's
 * front-matter locale), valid exactly as long as the hash is.
 *
 * It is only a cache (`.notes-l10n/stat-cache`, never committed): a missing, corrupt or foreign
 * cache is silently rebuilt, unlike the lock and the journal.
 *
 * The file is one line per file, tab-separated, read lazily: a line is split only when its file
 * is looked up. Loading 100,000 entries is then one `split`, not 100,000 objects.
 */
import {closeSync, fstatSync, openSync, readSync, statSync, type Stats} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {contentHash} from './hash.js'
import {writeFileAtomic} from '../pipeline/write.js'
import {ensureStateDirectory} from './mutex.js'

/** The cache file, relative to the project root. */
export const STAT_CACHE_FILE = '.notes-l10n/stat-cache'

/** What keeps a relative name from being a cache key as it is: `..`, `.`, `//`, a backslash, a trailing `/`. */
const NOT_PLAIN = /\\|\/\/|(?:^|\/)\.{1,2}(?:\/|$)|^$|\/$/

/** First line of the file; a cache with another header (version, digest) is discarded. */
const HEADER = 'notes-l10n stat cache 2'

export interface StatCacheOptions {
  /**
   * How a file's bytes are hashed. Default: `contentHash(bytes)`, which equals `contentHash(text)`
   * of the decoded text for UTF-8 files (the lock's source and target hashes).
   */
  digest?: (bytes: Uint8Array) => string
  /** Names `digest` in the cache file: a cache made with another digest is discarded. */
  digestId?: string
}

/** A value derived from a file's bytes, remembered with its hash. */
export interface Derivation {
  /** Names what is derived (and with which parameters): a memo of another name is recomputed. */
  name: string
  derive: (bytes: Uint8Array) => string | undefined
}

/** What is remembered per file. `hashedAt` is when it was read, for the racy rule. */
interface Entry {
  size: number
  mtimeMs: number
  ino: number
  hash: string
  hashedAt: number
  /** `name` of the derivation and its value (`undefined`: derived, and there was nothing). */
  memo?: {name: string; value: string | undefined}
}

export class StatCache {
  /** Files answered from the cache / read and hashed, since load (for benchmarks and tests). */
  hits = 0
  misses = 0
  readonly #root: string
  readonly #digest: (bytes: Uint8Array) => string
  /** Entries as read (the rest of their line) until looked up, then parsed. */
  readonly #entries: Map<string, Entry | string>
  /** The cache file's mtime: caps every loaded `hashedAt` (git's rule, against a skewed clock). */
  readonly #writtenMs: number
  readonly #header: string
  #dirty = false

  private constructor(root: string, options: StatCacheOptions, entries: Map<string, Entry | string>, writtenMs: number) {
    this.#root = path.resolve(root)
    this.#digest = options.digest ?? ((bytes) => contentHash(bytes))
    this.#header = headerFor(options)
    this.#entries = entries
    this.#writtenMs = writtenMs
  }

  /** Loads the cache of the project at `root`; anything unreadable gives an empty cache. */
  static async load(root: string, options: StatCacheOptions = {}): Promise<StatCache> {
    const file = path.join(root, STAT_CACHE_FILE)
    try {
      const [text, stats] = await Promise.all([readFile(file, 'utf8'), stat(file)])
      const entries = readLines(text, headerFor(options))
      if (entries) return new StatCache(root, options, entries, stats.mtimeMs)
    } catch {
      // Missing or unreadable: it is only a cache.
    }
    return new StatCache(root, options, new Map(), 0)
  }

  /**
   * The hash of `file` (relative to the root with `/`, or absolute): from the cache when its
   * size, mtime and inode are unchanged and the entry is not racy, else read and hashed.
   *
   * @throws the file system error when the file cannot be read (ENOENT when it is gone).
   */
  async hash(file: string): Promise<string> {
    return this.hashSync(file)
  }

  /**
   * {@link hash} without the event loop. `check` hashes tens of thousands of small files one
   * after another; an async stat or read per file costs a thread-pool round trip each (measured:
   * 7 s of a warm 10,000 × 9 check), the synchronous calls a plain system call.
   */
  hashSync(file: string): string {
    return this.#look(file).hash
  }

  /**
   * `derivation.derive(bytes of file)`, remembered with the file's hash: computed again only when
   * the file changed. A miss reads the file once for both, so the hash is ready for later.
   *
   * @throws the file system error when the file cannot be read.
   */
  derived(file: string, derivation: Derivation): string | undefined {
    const entry = this.#look(file, derivation)
    return entry.memo!.value
  }

  /**
   * Writes the cache atomically when it changed. With `prune`, entries for files not looked at
   * since load are dropped (for a run that looked at every file, so deleted files do not linger).
   */
  async save(options: {prune?: boolean} = {}): Promise<void> {
    if (options.prune) {
      // Looking an entry up parses it: the ones still unparsed were not looked at.
      for (const [key, entry] of this.#entries) {
        if (typeof entry === 'string') {
          this.#entries.delete(key)
          this.#dirty = true
        }
      }
    }
    if (!this.#dirty) return
    const lines = [this.#header]
    for (const [key, entry] of this.#entries) {
      // A name with a tab or a line break cannot be a line of this file: it is just not cached.
      if (!/[\t\n\r]/.test(key)) lines.push(`${key}\t${typeof entry === 'string' ? entry : formatEntry(entry)}`)
    }
    await ensureStateDirectory(this.#root)
    await writeFileAtomic(path.join(this.#root, STAT_CACHE_FILE), lines.join('\n') + '\n', {root: this.#root})
    this.#dirty = false
  }

  /** The fresh entry of `file` (with `derivation`'s memo when one is asked for). */
  #look(file: string, derivation?: Derivation): Entry {
    // Callers pass root-relative POSIX paths by the hundred thousand: no path.resolve for those,
    // and, from the root itself, no root prefix for the kernel to walk on every call.
    const plain = !path.isAbsolute(file) && !NOT_PLAIN.test(file)
    const key = plain ? file : path.relative(this.#root, path.resolve(this.#root, file)).split(path.sep).join('/')
    const location = plain ? (process.cwd() === this.#root ? file : `${this.#root}/${file}`) : path.resolve(this.#root, file)
    const cached = this.#entry(key)
    try {
      if (cached) {
        const stats = statSync(location)
        if (cached.size === stats.size && cached.mtimeMs === stats.mtimeMs && cached.ino === stats.ino && !racy(cached)) {
          if (!derivation || cached.memo?.name === derivation.name) {
            this.hits++
            return cached
          }
        }
      }
      const hashedAt = Date.now()
      const {stats, bytes} = readWithStats(location)
      const entry: Entry = {size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, hash: this.#digest(bytes), hashedAt}
      if (derivation) entry.memo = {name: derivation.name, value: derivation.derive(bytes)}
      else if (cached?.memo && cached.hash === entry.hash) entry.memo = cached.memo
      this.misses++
      this.#entries.set(key, entry)
      this.#dirty = true
      return entry
    } catch (error) {
      if (this.#entries.delete(key)) this.#dirty = true
      throw error
    }
  }

  #entry(key: string): Entry | undefined {
    const raw = this.#entries.get(key)
    if (typeof raw !== 'string') return raw
    const entry = parseEntry(raw, this.#writtenMs)
    // A malformed line is a miss; its file is read again and the line rewritten.
    if (entry) this.#entries.set(key, entry)
    else this.#entries.delete(key)
    return entry
  }
}

function headerFor(options: StatCacheOptions): string {
  const digestId = options.digestId ?? (options.digest ? 'custom' : 'sha256-base64url-10')
  return `${HEADER} ${digestId}`
}

/** The lines of a cache file by file name, unparsed; undefined when the header is not ours. */
function readLines(text: string, header: string): Map<string, string> | undefined {
  const lines = text.split('\n')
  if (lines[0] !== header || lines.at(-1) !== '') return undefined
  const entries = new Map<string, string>()
  for (let index = 1; index < lines.length - 1; index++) {
    const line = lines[index]!
    const tab = line.indexOf('\t')
    if (tab > 0) entries.set(line.slice(0, tab), line.slice(tab + 1))
  }
  return entries
}

/**
 * One line's fields after the name: size, mtime, inode, hash, hashedAt, then optionally the memo
 * as a JSON pair. Undefined when malformed. Cut with indexOf, not split: a warm `check` parses
 * one line per file it looks at.
 */
function parseEntry(raw: string, writtenMs: number): Entry | undefined {
  const ends: number[] = []
  for (let index = raw.indexOf('\t'); index !== -1 && ends.length < 6; index = raw.indexOf('\t', index + 1)) ends.push(index)
  if (ends.length < 4 || ends.length > 5) return undefined
  const size = Number(raw.slice(0, ends[0]))
  const mtimeMs = Number(raw.slice(ends[0]! + 1, ends[1]))
  const ino = Number(raw.slice(ends[1]! + 1, ends[2]))
  const hash = raw.slice(ends[2]! + 1, ends[3])
  const hashedAt = Number(raw.slice(ends[3]! + 1, ends[4]))
  if (!hash || !Number.isFinite(size + mtimeMs + ino + hashedAt)) return undefined
  const entry: Entry = {size, mtimeMs, ino, hash, hashedAt: Math.min(hashedAt, writtenMs)}
  if (ends.length === 5) {
    const memo = parseMemo(raw.slice(ends[4]! + 1))
    if (!memo) return undefined
    entry.memo = memo
  }
  return entry
}

function parseMemo(text: string): Entry['memo'] {
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && (typeof value[1] === 'string' || value[1] === null)) {
      return {name: value[0], value: value[1] ?? undefined}
    }
  } catch {
    // A broken memo is a miss.
  }
  return undefined
}

function formatEntry(entry: Entry): string {
  // JSON escapes tabs and line breaks, so the memo stays one field of one line.
  const memo = entry.memo ? `\t${JSON.stringify([entry.memo.name, entry.memo.value ?? null])}` : ''
  return `${entry.size}\t${entry.mtimeMs}\t${entry.ino}\t${entry.hash}\t${entry.hashedAt}${memo}`
}

/**
 * The file's bytes and its stats, taken from the open file before reading (a change during the
 * read then leaves an entry that no longer matches). Open, fstat, read and close into a buffer
 * sized from that fstat: `readFileSync` plus a `stat` by path cost twice as much for small files
 * (measured: 100,000 files, 1.2 s against 0.6 s). A file that grew since is read to its end.
 */
function readWithStats(file: string): {stats: Stats; bytes: Uint8Array} {
  const descriptor = openSync(file, 'r')
  try {
    const stats = fstatSync(descriptor)
    let buffer = Buffer.allocUnsafe(stats.size + 1)
    let length = 0
    for (;;) {
      const read = readSync(descriptor, buffer, length, buffer.length - length, null)
      length += read
      // A short read is the end of a regular file (the buffer has a byte to spare for exactly that).
      if (read === 0 || length < buffer.length) return {stats, bytes: buffer.subarray(0, length)}
      const grown = Buffer.allocUnsafe(buffer.length * 2)
      buffer.copy(grown, 0, 0, length)
      buffer = grown
    }
  } finally {
    closeSync(descriptor)
  }
}

/**
 * Modified in the same second as (or after) it was hashed: a second change within that second
 * may have left the mtime as it was, so the mtime cannot vouch for the hash.
 */
function racy(entry: Entry): boolean {
  return entry.mtimeMs >= floorSecond(entry.hashedAt)
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000
}
