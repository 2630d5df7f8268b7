/**
 * The stat cache: file hashes remembered by size, mtime and inode, like git's index.
 *
 * A warm `check` over 90,000 targets must beat hashing every file (issue 5): a `stat` is far
 * cheaper than a read. A cached hash is used only when size, mtime and inode all match, and the
 * entry is not *racy*: a file modified in the same second as it was hashed (or as the cache was
 * written) could be modified again within that second without its mtime changing on a file
 * system with coarse timestamps, so such entries are always re-read (git's racy-git rule).
 *
 * It is only a cache (`.notes-l10n/stat-cache.json`, never committed): a missing, corrupt or
 * foreign cache is silently rebuilt, unlike the lock and the journal.
 */
import {readFileSync, statSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {contentHash} from './hash.js'
import {writeFileAtomic} from '../pipeline/write.js'
import {ensureStateDirectory} from './mutex.js'

/** The cache file, relative to the project root. */
export const STAT_CACHE_FILE = '.notes-l10n/stat-cache.json'

const VERSION = 1

export interface StatCacheOptions {
  /**
   * How a file's bytes are hashed. Default: `contentHash(bytes)`, which equals `contentHash(text)`
   * of the decoded text for UTF-8 files (the lock's source and target hashes).
   */
  digest?: (bytes: Uint8Array) => string
  /** Names `digest` in the cache file: a cache made with another digest is discarded. */
  digestId?: string
}

/** What is remembered per file. `hashedAt` is when it was read, for the racy rule. */
interface Entry {
  size: number
  mtimeMs: number
  ino: number
  hash: string
  hashedAt: number
}

export class StatCache {
  /** Files answered from the cache / read and hashed, since load (for benchmarks and tests). */
  hits = 0
  misses = 0
  readonly #root: string
  readonly #digest: (bytes: Uint8Array) => string
  readonly #digestId: string
  readonly #entries: Map<string, Entry>
  readonly #used = new Set<string>()
  #dirty = false

  private constructor(root: string, options: StatCacheOptions, entries: Map<string, Entry>) {
    this.#root = path.resolve(root)
    this.#digest = options.digest ?? ((bytes) => contentHash(bytes))
    this.#digestId = options.digestId ?? (options.digest ? 'custom' : 'sha256-base64url-10')
    this.#entries = entries
  }

  /** Loads the cache of the project at `root`; anything unreadable gives an empty cache. */
  static async load(root: string, options: StatCacheOptions = {}): Promise<StatCache> {
    const file = path.join(root, STAT_CACHE_FILE)
    const digestId = options.digestId ?? (options.digest ? 'custom' : 'sha256-base64url-10')
    try {
      const [text, stats] = await Promise.all([readFile(file, 'utf8'), stat(file)])
      const entries = readEntries(JSON.parse(text), digestId, stats.mtimeMs)
      if (entries) return new StatCache(root, options, entries)
    } catch {
      // Missing or corrupt: it is only a cache.
    }
    return new StatCache(root, options, new Map())
  }

  /**
   * The hash of `file` (absolute, or relative to the root): from the cache when its size, mtime
   * and inode are unchanged and the entry is not racy, else read and hashed.
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
    const absolute = path.resolve(this.#root, file)
    const key = path.relative(this.#root, absolute).split(path.sep).join('/')
    this.#used.add(key)
    let stats
    try {
      stats = statSync(absolute)
    } catch (error) {
      if (this.#entries.delete(key)) this.#dirty = true
      throw error
    }
    const cached = this.#entries.get(key)
    if (cached && cached.size === stats.size && cached.mtimeMs === stats.mtimeMs && cached.ino === stats.ino && !racy(cached)) {
      this.hits++
      return cached.hash
    }

    // Stat before reading: a change during the read then leaves an entry that no longer matches.
    const hashedAt = Date.now()
    const hash = this.#digest(readFileSync(absolute))
    this.misses++
    this.#entries.set(key, {size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, hash, hashedAt})
    this.#dirty = true
    return hash
  }

  /**
   * Writes the cache atomically when it changed. With `prune`, entries for files not hashed since
   * load are dropped (for a run that looked at every file, so deleted files do not linger).
   */
  async save(options: {prune?: boolean} = {}): Promise<void> {
    if (options.prune) {
      for (const key of this.#entries.keys()) {
        if (!this.#used.has(key)) {
          this.#entries.delete(key)
          this.#dirty = true
        }
      }
    }
    if (!this.#dirty) return
    const keys = [...this.#entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const lines = keys.map((key) => {
      const entry = this.#entries.get(key)!
      return `${JSON.stringify(key)}:${JSON.stringify([entry.size, entry.mtimeMs, entry.ino, entry.hash, entry.hashedAt])}`
    })
    const text = `{"version":${VERSION},"digest":${JSON.stringify(this.#digestId)},"files":{\n${lines.join(',\n')}\n}}\n`
    await ensureStateDirectory(this.#root)
    await writeFileAtomic(path.join(this.#root, STAT_CACHE_FILE), text, {root: this.#root})
    this.#dirty = false
  }

}

/**
 * Modified in the same second as (or after) it was hashed: a second change within that second
 * may have left the mtime as it was, so the mtime cannot vouch for the hash.
 */
function racy(entry: Entry): boolean {
  return entry.mtimeMs >= floorSecond(entry.hashedAt)
}

/**
 * Validates a loaded cache. `writtenMs` (the cache file's mtime, on the file system's clock) caps
 * each entry's `hashedAt`, which is git's rule and guards against a skewed system clock.
 */
function readEntries(value: unknown, digestId: string, writtenMs: number): Map<string, Entry> | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const {version, digest, files} = value as Record<string, unknown>
  if (version !== VERSION || digest !== digestId || typeof files !== 'object' || files === null) return undefined
  const entries = new Map<string, Entry>()
  for (const [key, raw] of Object.entries(files)) {
    if (!Array.isArray(raw) || raw.length !== 5) return undefined
    const [size, mtimeMs, ino, hash, hashedAt] = raw as unknown[]
    if (typeof size !== 'number' || typeof mtimeMs !== 'number' || typeof ino !== 'number' || typeof hash !== 'string' || typeof hashedAt !== 'number') {
      return undefined
    }
    entries.set(key, {size, mtimeMs, ino, hash, hashedAt: Math.min(hashedAt, writtenMs)})
  }
  return entries
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000
}
