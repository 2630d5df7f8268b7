/**
 * The stat cache: file hashes remembered by size, mtime and inode, like git's index.
 *
 * A warm `check` over 90,000 targets must beat hashing every file (issue 5): a `stat` is far
 * cheaper than a read. A cached hash is used only when size, mtime and inode all match, and the
 * entry is not *racy*: a file modified in the same second as it was hashed (or as the cache was
 * written) could be modified again within that second without its mtime changing on a file
 * system with coarse timestamps, so such entries are always re-read (git's racy-git rule).
 *
 * Beside the hash, an entry can remember one value (a *memo*) that stays valid exactly as long as
 * the file's bytes do: discovery keeps each source's front-matter locale there, `check` its last
 * verdict on a target.
 *
 * It is only a cache (`.notes-l10n/stat-cache`, never committed): a missing, corrupt or foreign
 * cache is silently rebuilt, unlike the lock and the journal.
 *
 * Like git's index the file is binary, a table of columns (`v8.serialize`): loading 100,000
 * entries is one deserialisation and one Map of names, and a lookup compares numbers, with no
 * text to parse per file (a line-per-file text format cost ~1.4 µs a file to parse, more than
 * half of the `stat` it saves a read for).
 */
import {closeSync, constants, fstatSync, openSync, readSync, statSync} from 'node:fs'
import {stat} from 'node:fs/promises'
import {availableParallelism} from 'node:os'
import path from 'node:path'
import {deserialize, serialize} from 'node:v8'
import {contentHash} from '../io/hash.js'
import {writeFileAtomic} from '../io/write.js'
import {UserError} from '../types.js'
import {checkFiles, Found, readWithStats, STRIDE, sameStats} from './hash-workers.js'
import {ensureStateDirectory, STATE_DIRECTORY} from './mutex.js'
import {readRegularFile} from './regular-file.js'

/** The cache file, relative to the project root. */
export const STAT_CACHE_FILE = `${STATE_DIRECTORY}/stat-cache`

/** Names this layout of the table; a cache of another format (or V8) is discarded. */
const FORMAT = 'notes-l10n stat cache 4'

/** The default digest, `contentHash(bytes)`: the one the worker threads compute. */
const DEFAULT_DIGEST = 'sha256-base64url-10'

/** Below this many files to read, worker threads cost more to start than they save. */
const PARALLEL_FROM = 2000

/** What relative name cannot be a cache key as it is: `..`, `.`, `//`, a backslash, a trailing `/`. */
const NOT_PLAIN = /\\|\/\/|(?:^|\/)\.{1,2}(?:\/|$)|^$|\/$/

/** The calls `readWithStats` reads a file with. */
const READ_CALLS = {openSync, fstatSync, readSync, closeSync, constants}

/** Numbers per entry in the table: size, mtimeMs, ino, hashedAt. */
const COLUMNS = 4

export interface StatCacheOptions {
  /**
   * How a file's bytes are hashed. Default: `contentHash(bytes)`, which equals `contentHash(text)`
   * of the decoded text for UTF-8 files (the lock's source and target hashes).
   */
  digest?: (bytes: Uint8Array) => string
  /** Names `digest` in the cache file: a cache made with another digest is discarded. */
  digestId?: string
}

/** When worker threads are used (tests lower `parallelFrom`), how many, and what to do meanwhile. */
export interface WorkerOptions {
  threads?: number
  parallelFrom?: number
  /** Work for this thread while the workers read (called only when they do). */
  meanwhile?: () => unknown
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
  /** `name` of the memo and its value (`undefined`: remembered that there was nothing). */
  memo?: {name: string; value: string | undefined}
}

/** The cache file's contents: one row per file, in columns. */
interface Table {
  format: string
  digest: string
  v8: string
  keys: string[]
  /** {@link COLUMNS} numbers a row. */
  numbers: Float64Array
  hashes: string[]
  /** Distinct memo names; rows refer to them by index. */
  memoNames: string[]
  /** Per row: index into `memoNames`, or -1 for no memo. */
  memoName: Int32Array
  /** Per row: the memo's value (null: nothing, or no memo). */
  memoValues: Array<string | null>
}

export class StatCache {
  /** Files answered from the cache / read and hashed, since load (for benchmarks and tests). */
  hits = 0
  misses = 0
  readonly #root: string
  readonly #digest: (bytes: Uint8Array) => string
  readonly #digestId: string
  /** The table as loaded, and each key's row in it. */
  readonly #table: Table
  readonly #rows: Map<string, number>
  /** The cache file's mtime: caps every loaded `hashedAt` (git's rule, against a skewed clock). */
  readonly #writtenMs: number
  /** Entries made or changed in this run; `null`: the file is gone. They override the table. */
  readonly #changed = new Map<string, Entry | null>()
  /** Hashes just found (by a worker, or by {@link derived}) and not asked for since: answered without a stat, once. */
  readonly #fresh = new Set<string>()
  /** Per table row: looked at in this run (`prune` drops the others; changed entries are kept). */
  readonly #used: Uint8Array
  /** Per table row: stats confirmed by {@link verify} and not asked for since (answered once without a stat). */
  #verified: Uint8Array | undefined
  #dirty = false

  private constructor(root: string, options: StatCacheOptions, table: Table | undefined, writtenMs: number) {
    this.#root = path.resolve(root)
    this.#digest = options.digest ?? ((bytes) => contentHash(bytes))
    this.#digestId = digestIdOf(options)
    this.#table = table ?? emptyTable(this.#digestId)
    this.#rows = new Map(this.#table.keys.map((key, row) => [key, row]))
    this.#used = new Uint8Array(this.#table.keys.length)
    this.#writtenMs = writtenMs
  }

  /** Loads the cache of the project at `root`; anything unreadable gives an empty cache. */
  static async load(root: string, options: StatCacheOptions = {}): Promise<StatCache> {
    const file = path.join(root, STAT_CACHE_FILE)
    try {
      const bytes = await readRegularFile(file, STAT_CACHE_FILE)
      if (bytes !== undefined) {
        const stats = await stat(file)
        const table = readTable(deserialize(bytes), digestIdOf(options))
        if (table) return new StatCache(root, options, table, stats.mtimeMs)
      }
    } catch (error) {
      // A FIFO or folder in its place is refused (it would also block the write); anything else
      // missing, truncated or foreign is fine: it is only a cache.
      if (error instanceof UserError) throw error
    }
    return new StatCache(root, options, undefined, 0)
  }

  /**
   * The hash of `file` (relative to the root with `/`, or absolute): from the cache when its
   * size, mtime and inode are unchanged and the entry is not racy, else read and hashed.
   *
   * Synchronous: `check` hashes tens of thousands of small files one after another, and an async
   * stat or read per file cost a thread-pool round trip each (measured: 7 s of a warm 10,000 × 9
   * check); the synchronous calls are a plain system call.
   *
   * @throws the file system error when the file cannot be read (ENOENT when it is gone).
   */
  hashSync(file: string): string {
    // Confirmed by a worker a moment ago (see verify): the table's hash, with no stat and no entry built.
    const row = this.#verified ? this.#takeVerified(file) : undefined
    if (row !== undefined) {
      this.#used[row] = 1
      this.hits++
      return this.#table.hashes[row]!
    }
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
    // Discovery asks this of every source just before `check` hashes it: one stat serves both.
    this.#fresh.add(this.#place(file).key)
    return entry.memo!.value
  }

  /**
   * The value remembered under `name` with the file's current hash ({@link derived} or
   * {@link remember}), or undefined. Only for a file looked up in this run (its hash asked for),
   * whose entry is then known to match the file.
   */
  memo(file: string, name: string): string | undefined {
    const key = this.#place(file).key
    const changed = this.#changed.get(key)
    if (changed !== undefined) return changed?.memo?.name === name ? changed.memo.value : undefined
    const row = this.#rows.get(key)
    if (row === undefined || this.#table.memoNames[this.#table.memoName[row]!] !== name) return undefined
    return this.#table.memoValues[row] ?? undefined
  }

  /**
   * Remembers `value` under `name` with the file's current hash, replacing what was remembered
   * (one value per file). Valid as long as the file's bytes are: a value that depends on anything
   * else must say so in its `name` or `value`. Only for a file looked up in this run.
   */
  remember(file: string, name: string, value: string | undefined): void {
    const key = this.#place(file).key
    const entry = this.#entry(key)
    if (!entry || (entry.memo?.name === name && entry.memo.value === value)) return
    this.#changed.set(key, {...entry, memo: {name, value}})
    this.#dirty = true
  }

  /**
   * Checks the stats of every file in the cache on worker threads, while this thread goes on
   * (`check` discovers the notes meanwhile). The next lookup of each file whose stats still match
   * is then answered without a system call, as if made when its worker looked; the others are
   * looked at again as usual. Only from {@link PARALLEL_FROM} entries up.
   */
  async verify(options: WorkerOptions = {}): Promise<void> {
    const rows = this.#table.keys.length
    if (rows < (options.parallelFrom ?? PARALLEL_FROM)) return
    const {numbers, keys} = this.#table
    const known = new Float64Array(rows * 3)
    for (let row = 0; row < rows; row++) {
      const at = row * COLUMNS
      const mtimeMs = numbers[at + 1]!
      // Racy entries are read again anyway: not worth a worker's stat.
      known[row * 3] = isRacy(mtimeMs, Math.min(numbers[at + 3]!, this.#writtenMs)) ? Number.NaN : numbers[at]!
      known[row * 3 + 1] = mtimeMs
      known[row * 3 + 2] = numbers[at + 2]!
    }
    const here = process.cwd() === this.#root
    // One core is this thread's, which discovers the notes meanwhile.
    const threads = options.threads ?? Math.max(1, Math.min(availableParallelism() - 1, 4))
    this.#verified = await sameStats(here ? keys : keys.map((key) => path.join(this.#root, key)), known, threads)
  }

  /**
   * Hashes the `files` the cache has no entry for on worker threads (a cold run), when there are
   * at least {@link PARALLEL_FROM} of them, while this thread waits or works; the next
   * {@link hashSync} of each is then answered without a system call, as if made when its worker
   * read it. Files with an entry are left to `hashSync`: there a `stat` on this thread costs less
   * than handing it to a worker.
   */
  async refresh(files: readonly string[], options: WorkerOptions = {}): Promise<void> {
    if (this.#digestId !== DEFAULT_DIGEST) return
    const unknown: Array<{key: string; location: string}> = []
    for (const file of files) {
      const plain = this.#plain(file)
      const known =
        plain !== undefined && (this.#changed.has(plain) ? this.#changed.get(plain) !== null : this.#rows.has(plain))
      if (!known) unknown.push(this.#place(file))
    }
    if (unknown.length < (options.parallelFrom ?? PARALLEL_FROM)) return
    // Earlier than any read the workers make: a later hashedAt could wrongly clear an entry of
    // the racy rule.
    const startedAt = Date.now()
    const hashing = checkFiles(
      unknown.map(({location}) => location),
      options.threads
    )
    await options.meanwhile?.()
    const {found, hashes} = await hashing
    unknown.forEach(({key}, index) => {
      const at = index * STRIDE
      // Looked up on this thread meanwhile, or not read: left to hashSync.
      if (found[at] !== Found.read || this.#changed.has(key)) return
      this.#changed.set(key, {
        size: found[at + 1]!,
        mtimeMs: found[at + 2]!,
        ino: found[at + 3]!,
        hash: hashes[index]!,
        hashedAt: startedAt
      })
      this.#fresh.add(key)
      this.#dirty = true
      this.misses++
    })
  }

  /**
   * Writes the cache atomically when it changed. With `prune`, entries for files not looked at
   * since load are dropped (for a run that looked at every file, so deleted files do not linger).
   */
  async save(options: {prune?: boolean} = {}): Promise<void> {
    if (options.prune && this.#used.includes(0)) this.#dirty = true
    if (!this.#dirty) return

    const kept = this.#table.keys.flatMap((key, row) =>
      !this.#changed.has(key) && (!options.prune || this.#used[row]) ? [row] : []
    )
    const changed = [...this.#changed].filter((pair): pair is [string, Entry] => pair[1] !== null)
    const count = kept.length + changed.length
    const table = emptyTable(this.#digestId)
    table.numbers = new Float64Array(count * COLUMNS)
    table.memoName = new Int32Array(count)
    const names = new Map<string, number>()
    const add = (
      key: string,
      size: number,
      mtimeMs: number,
      ino: number,
      hashedAt: number,
      hash: string,
      memo: Entry['memo']
    ) => {
      const row = table.keys.push(key) - 1
      const at = row * COLUMNS
      table.numbers[at] = size
      table.numbers[at + 1] = mtimeMs
      table.numbers[at + 2] = ino
      table.numbers[at + 3] = hashedAt
      table.hashes.push(hash)
      let name = -1
      if (memo) {
        name = names.get(memo.name) ?? table.memoNames.push(memo.name) - 1
        names.set(memo.name, name)
      }
      table.memoName[row] = name
      table.memoValues.push(memo?.value ?? null)
    }
    const old = this.#table
    for (const row of kept) {
      const at = row * COLUMNS
      const name = old.memoName[row]!
      const memo = name >= 0 ? {name: old.memoNames[name]!, value: old.memoValues[row] ?? undefined} : undefined
      add(
        old.keys[row]!,
        old.numbers[at]!,
        old.numbers[at + 1]!,
        old.numbers[at + 2]!,
        Math.min(old.numbers[at + 3]!, this.#writtenMs),
        old.hashes[row]!,
        memo
      )
    }
    for (const [key, entry] of changed)
      add(key, entry.size, entry.mtimeMs, entry.ino, entry.hashedAt, entry.hash, entry.memo)
    await ensureStateDirectory(this.#root)
    await writeFileAtomic(path.join(this.#root, STAT_CACHE_FILE), serialize(table), {root: this.#root})
    this.#dirty = false
  }

  /** `file` when it is already a key (a plain root-relative path), else undefined. */
  #plain(file: string): string | undefined {
    return path.isAbsolute(file) || NOT_PLAIN.test(file) ? undefined : file
  }

  /** The cache key of `file` and where to open it. */
  #place(file: string): {key: string; location: string} {
    // Callers pass root-relative POSIX paths by the hundred thousand: no path.resolve for those,
    // and, from the root itself, no root prefix for the kernel to walk on every call.
    if (this.#plain(file) !== undefined)
      return {key: file, location: process.cwd() === this.#root ? file : `${this.#root}/${file}`}
    return {
      key: path.relative(this.#root, path.resolve(this.#root, file)).split(path.sep).join('/'),
      location: path.resolve(this.#root, file)
    }
  }

  /** The fresh entry of `file` (with `derivation`'s memo when one is asked for). */
  #look(file: string, derivation?: Derivation): Entry {
    const {key, location} = this.#place(file)
    const cached = this.#entry(key)
    if (cached && (!derivation || cached.memo?.name === derivation.name)) {
      // Hashed or confirmed a moment ago (by a worker, or by `derived`): answered once without a stat.
      if (this.#fresh.size > 0 && this.#fresh.delete(key)) return cached
      if (this.#verified && this.#takeVerified(key) !== undefined) {
        this.hits++
        return cached
      }
    }
    try {
      if (cached) {
        const stats = statSync(location)
        if (
          cached.size === stats.size &&
          cached.mtimeMs === stats.mtimeMs &&
          cached.ino === stats.ino &&
          !racy(cached)
        ) {
          if (!derivation || cached.memo?.name === derivation.name) {
            this.hits++
            return cached
          }
        }
      }
      const hashedAt = Date.now()
      const {stats, bytes} = readWithStats(location, READ_CALLS)
      const entry: Entry = {
        size: stats.size,
        mtimeMs: stats.mtimeMs,
        ino: stats.ino,
        hash: this.#digest(bytes),
        hashedAt
      }
      if (derivation) entry.memo = {name: derivation.name, value: derivation.derive(bytes)}
      else if (cached?.memo && cached.hash === entry.hash) entry.memo = cached.memo
      this.misses++
      this.#changed.set(key, entry)
      this.#dirty = true
      return entry
    } catch (error) {
      if (this.#entry(key)) {
        this.#changed.set(key, null)
        this.#dirty = true
      }
      throw error
    }
  }

  /** The entry of `key` as this run knows it (marking its table row looked at). */
  #entry(key: string): Entry | undefined {
    const changed = this.#changed.get(key)
    if (changed !== undefined) return changed ?? undefined
    const row = this.#rows.get(key)
    if (row === undefined) return undefined
    this.#used[row] = 1
    return this.#fromTable(row)
  }

  /** The row of `key` when a worker confirmed its entry and nobody asked since (it is asked now). */
  #takeVerified(key: string): number | undefined {
    const row = this.#changed.has(key) ? undefined : this.#rows.get(key)
    if (row === undefined || this.#verified?.[row] !== 1) return undefined
    this.#verified[row] = 0
    return row
  }

  #fromTable(row: number): Entry {
    const {numbers, hashes, memoNames, memoName, memoValues} = this.#table
    const at = row * COLUMNS
    const entry: Entry = {
      size: numbers[at]!,
      mtimeMs: numbers[at + 1]!,
      ino: numbers[at + 2]!,
      hash: hashes[row]!,
      hashedAt: Math.min(numbers[at + 3]!, this.#writtenMs)
    }
    const name = memoName[row]!
    if (name >= 0) entry.memo = {name: memoNames[name]!, value: memoValues[row] ?? undefined}
    return entry
  }
}

function digestIdOf(options: StatCacheOptions): string {
  return options.digestId ?? (options.digest ? 'custom' : DEFAULT_DIGEST)
}

function emptyTable(digest: string): Table {
  return {
    format: FORMAT,
    digest,
    v8: process.versions.v8,
    keys: [],
    numbers: new Float64Array(0),
    hashes: [],
    memoNames: [],
    memoName: new Int32Array(0),
    memoValues: []
  }
}

/** The table, when `value` is one of this format, digest and V8, with consistent columns. */
function readTable(value: unknown, digest: string): Table | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const table = value as Partial<Table>
  if (table.format !== FORMAT || table.digest !== digest || table.v8 !== process.versions.v8) return undefined
  const {keys, numbers, hashes, memoNames, memoName, memoValues} = table
  if (!Array.isArray(keys) || !(numbers instanceof Float64Array) || !Array.isArray(hashes) || !Array.isArray(memoNames))
    return undefined
  if (!(memoName instanceof Int32Array) || !Array.isArray(memoValues)) return undefined
  const rows = keys.length
  if (
    numbers.length !== rows * COLUMNS ||
    hashes.length !== rows ||
    memoName.length !== rows ||
    memoValues.length !== rows
  )
    return undefined
  return table as Table
}

/**
 * Modified in the same second as (or after) it was hashed: a second change within that second
 * may have left the mtime as it was, so the mtime cannot vouch for the hash.
 */
function racy(entry: Entry): boolean {
  return isRacy(entry.mtimeMs, entry.hashedAt)
}

function isRacy(mtimeMs: number, hashedAt: number): boolean {
  return mtimeMs >= Math.floor(hashedAt / 1000) * 1000
}
