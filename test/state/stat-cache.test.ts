/**
 * The stat cache's hit/miss/racy rules. Timestamps are set explicitly with utimes, so nothing here
 * depends on how fast the test runs.
 */
import {mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {STAT_CACHE_FILE, StatCache} from '../../src/state/stat-cache.js'
import {contentHash} from '../../src/state/hash.js'

let root: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-statcache-'))
  await mkdir(path.join(root, 'notes'))
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

const note = (name = 'a.md') => path.join(root, 'notes', name)

/** Writes `text` in place (same inode) and sets the mtime to `seconds` since the epoch. */
async function put(text: string, seconds: number, name = 'a.md'): Promise<void> {
  await writeFile(note(name), text)
  await utimes(note(name), seconds, seconds)
}

const anHourAgo = () => Math.floor(Date.now() / 1000) - 3600
const inAMinute = () => Math.floor(Date.now() / 1000) + 60

describe('StatCache', () => {
  test('hashes what contentHash gives for the file\'s text; accepts relative and absolute paths', async () => {
    await put('# Título\n', anHourAgo())
    const cache = await StatCache.load(root)
    expect(await cache.hash('notes/a.md')).toBe(contentHash('# Título\n'))
    expect(await cache.hash(note())).toBe(contentHash('# Título\n'))
    expect(cache.misses).toBe(1)
    expect(cache.hits).toBe(1)
  })

  test('hit: same size, mtime and inode after a reload → the cached hash, the file is not read', async () => {
    const mtime = anHourAgo()
    await put('version one', mtime)
    const first = await StatCache.load(root)
    const hash = await first.hash('notes/a.md')
    await first.save()

    // Same size, same inode, mtime put back: only a cache that did not read the file returns the old hash.
    await put('version two', mtime)
    const warm = await StatCache.load(root)
    expect(await warm.hash('notes/a.md')).toBe(hash)
    expect(warm.hits).toBe(1)
    expect(warm.misses).toBe(0)
  })

  test('miss: a changed size, mtime or inode is read again', async () => {
    const mtime = anHourAgo()
    await put('version one', mtime)
    const first = await StatCache.load(root)
    await first.hash('notes/a.md')
    await first.save()

    await put('version three!', mtime) // size
    expect(await (await StatCache.load(root)).hash('notes/a.md')).toBe(contentHash('version three!'))

    const cache = await StatCache.load(root)
    await cache.hash('notes/a.md')
    await cache.save()
    await put('version four!!', mtime - 10) // mtime only
    expect(await (await StatCache.load(root)).hash('notes/a.md')).toBe(contentHash('version four!!'))

    const again = await StatCache.load(root)
    await again.hash('notes/a.md')
    await again.save()
    const before = (await stat(note())).ino
    await rm(note())
    await put('version five!!', mtime - 10) // a new inode (git checkout replaces files)
    const hash = await (await StatCache.load(root)).hash('notes/a.md')
    // Some file systems hand the freed inode straight back; the check means something only when they do not.
    if ((await stat(note())).ino !== before) expect(hash).toBe(contentHash('version five!!'))
  })

  test('racy: a file modified in the same second as it was hashed (or later) is always read again', async () => {
    const future = inAMinute() // "same second or later" than any hash made now
    await put('racy one', future)
    const first = await StatCache.load(root)
    expect(await first.hash('notes/a.md')).toBe(contentHash('racy one'))
    await first.save()

    await put('racy two', future) // same size, inode and mtime: only the racy rule catches it
    const second = await StatCache.load(root)
    expect(await second.hash('notes/a.md')).toBe(contentHash('racy two'))
    expect(second.misses).toBe(1)
    // within one run as well
    await put('racy 3!!', future)
    expect(await second.hash('notes/a.md')).toBe(contentHash('racy 3!!'))
  })

  test('racy against the cache write: an entry whose mtime is not older than the cache file is read again', async () => {
    const mtime = anHourAgo()
    await put('one', mtime)
    const first = await StatCache.load(root)
    await first.hash('notes/a.md')
    await first.save()
    // A system clock ahead of the file system's: the cache file's own mtime (fs clock) caps hashedAt.
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    await utimes(cacheFile, mtime, mtime)
    await put('two', mtime)
    expect(await (await StatCache.load(root)).hash('notes/a.md')).toBe(contentHash('two'))
  })

  test('a corrupt, foreign-version or other-digest cache is silently rebuilt', async () => {
    await put('text', anHourAgo())
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    await mkdir(path.dirname(cacheFile), {recursive: true})
    const size = (await stat(note())).size
    const header = 'notes-l10n stat cache 2 sha256-base64url-10\n'
    for (const broken of [
      // the cache format of version 1, a truncated file, another digest, and lines that are not entries
      '{"version":1,"digest":"sha256-base64url-10","files":{\n"notes/a.md":[4,1,1,"stale",1]}}\n',
      `${header}notes/a.md\t${size}\t1`,
      `notes-l10n stat cache 2 other-digest\nnotes/a.md\t${size}\t1\t1\tstale\t1\n`,
      `${header}notes/a.md\t${size}\tx\t1\tstale\t1\n`,
      `${header}notes/a.md\t${size}\t1\t1\tstale\t1\t["front-matter lang"\n`,
      ''
    ]) {
      await writeFile(cacheFile, broken)
      const cache = await StatCache.load(root)
      expect(await cache.hash('notes/a.md')).toBe(contentHash('text'))
    }
    const cache = await StatCache.load(root)
    await cache.hash('notes/a.md')
    await cache.save()
    const custom = await StatCache.load(root, {digest: () => 'custom-hash', digestId: 'test'})
    expect(await custom.hash('notes/a.md')).toBe('custom-hash')
  })

  test('save writes only when something changed; prune drops files not looked at', async () => {
    await put('a', anHourAgo(), 'a.md')
    await put('b', anHourAgo(), 'b.md')
    const cache = await StatCache.load(root)
    await cache.hash('notes/a.md')
    await cache.hash('notes/b.md')
    await cache.save()
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    const written = await stat(cacheFile)

    const warm = await StatCache.load(root)
    await warm.hash('notes/a.md')
    await warm.save()
    expect((await stat(cacheFile)).ino).toBe(written.ino)

    await warm.save({prune: true})
    const text = await readFile(cacheFile, 'utf8')
    expect(text).toContain('\nnotes/a.md\t')
    expect(text).not.toContain('notes/b.md')
  })

  test('a file that disappeared throws ENOENT and is forgotten', async () => {
    await put('a', anHourAgo())
    const cache = await StatCache.load(root)
    await cache.hash('notes/a.md')
    await cache.save()
    await rm(note())
    const after = await StatCache.load(root)
    await expect(after.hash('notes/a.md')).rejects.toMatchObject({code: 'ENOENT'})
    await after.save()
    expect(await readFile(path.join(root, STAT_CACHE_FILE), 'utf8')).not.toContain('notes/a.md')
  })

  test('a malformed line costs only its own file a read; the other entries stay cached', async () => {
    await put('a', anHourAgo(), 'a.md')
    await put('b', anHourAgo(), 'b.md')
    const first = await StatCache.load(root)
    first.hashSync('notes/a.md')
    first.hashSync('notes/b.md')
    await first.save()
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    const text = await readFile(cacheFile, 'utf8')
    await writeFile(cacheFile, text.replace(/^(notes\/a\.md\t)\d+/m, '$1size?'))
    const cache = await StatCache.load(root)
    expect(cache.hashSync('notes/a.md')).toBe(contentHash('a'))
    expect(cache.hashSync('notes/b.md')).toBe(contentHash('b'))
    expect([cache.hits, cache.misses]).toEqual([1, 1])
  })

  test('relative, absolute and ./-prefixed names are one entry', async () => {
    await put('one', anHourAgo())
    const cache = await StatCache.load(root)
    cache.hashSync('notes/a.md')
    cache.hashSync(note())
    cache.hashSync('./notes/a.md')
    cache.hashSync('notes/../notes/a.md')
    expect([cache.hits, cache.misses]).toEqual([3, 1])
    await cache.save()
    expect((await readFile(path.join(root, STAT_CACHE_FILE), 'utf8')).match(/notes\/a\.md/g)).toHaveLength(1)
  })

  test('a name with a tab is hashed but not cached (it cannot be a line of the file)', async () => {
    await put('tabbed', anHourAgo(), 'a\tb.md')
    const cache = await StatCache.load(root)
    expect(cache.hashSync('notes/a\tb.md')).toBe(contentHash('tabbed'))
    await cache.save()
    const again = await StatCache.load(root)
    expect(again.hashSync('notes/a\tb.md')).toBe(contentHash('tabbed'))
    expect(again.misses).toBe(1)
  })

  test('a file that grew past its stat size is hashed whole', async () => {
    const big = 'x'.repeat(70_000)
    await put(big, anHourAgo())
    const cache = await StatCache.load(root)
    expect(cache.hashSync('notes/a.md')).toBe(contentHash(big))
  })
})

describe('StatCache.derived', () => {
  const firstWord = (calls: string[]) => ({
    name: 'first word',
    derive: (bytes: Uint8Array) => {
      const word = Buffer.from(bytes).toString('utf8').split(' ')[0]
      calls.push(word!)
      return word === '-' ? undefined : word
    }
  })

  test('is derived once per version of the file, remembered across runs with the hash', async () => {
    await put('alpha beta', anHourAgo())
    const calls: string[] = []
    const first = await StatCache.load(root)
    expect(first.derived('notes/a.md', firstWord(calls))).toBe('alpha')
    // the same read gave the hash: hashing now is a hit
    expect(first.hashSync('notes/a.md')).toBe(contentHash('alpha beta'))
    expect([first.hits, first.misses]).toEqual([1, 1])
    await first.save()

    const warm = await StatCache.load(root)
    expect(warm.derived('notes/a.md', firstWord(calls))).toBe('alpha')
    expect(calls).toEqual(['alpha'])
    expect(warm.misses).toBe(0)

    await put('gamma delta', anHourAgo() + 5)
    const changed = await StatCache.load(root)
    expect(changed.derived('notes/a.md', firstWord(calls))).toBe('gamma')
    expect(calls).toEqual(['alpha', 'gamma'])
  })

  test('remembers "nothing there" too, and a derivation of another name is computed afresh', async () => {
    await put('- nothing', anHourAgo())
    const calls: string[] = []
    const first = await StatCache.load(root)
    expect(first.derived('notes/a.md', firstWord(calls))).toBeUndefined()
    await first.save()
    const warm = await StatCache.load(root)
    expect(warm.derived('notes/a.md', firstWord(calls))).toBeUndefined()
    expect(calls).toEqual(['-'])
    expect(warm.derived('notes/a.md', {name: 'length', derive: (bytes) => String(bytes.length)})).toBe('9')
  })

  test('a value with tabs, line breaks and quotes survives the file', async () => {
    await put('x', anHourAgo())
    const odd = 'a\tb\nc "d" \\e'
    const first = await StatCache.load(root)
    first.derived('notes/a.md', {name: 'odd', derive: () => odd})
    await first.save()
    const warm = await StatCache.load(root)
    expect(warm.derived('notes/a.md', {name: 'odd', derive: () => 'recomputed'})).toBe(odd)
  })
})
