/**
 * The stat cache's hit/miss/racy rules. Timestamps are set explicitly with utimes, so nothing here
 * depends on how fast the test runs.
 */
import {mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {serialize} from 'node:v8'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {contentHash} from '../../src/io/hash.js'
import {STAT_CACHE_FILE, StatCache} from '../../src/state/stat-cache.js'

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
  test("hashes what contentHash gives for the file's text; accepts relative and absolute paths", async () => {
    await put('# Título\n', anHourAgo())
    const cache = await StatCache.load(root)
    expect(cache.hashSync('notes/a.md')).toBe(contentHash('# Título\n'))
    expect(cache.hashSync(note())).toBe(contentHash('# Título\n'))
    expect(cache.misses).toBe(1)
    expect(cache.hits).toBe(1)
  })

  test('hit: same size, mtime and inode after a reload → the cached hash, the file is not read', async () => {
    const mtime = anHourAgo()
    await put('version one', mtime)
    const first = await StatCache.load(root)
    const hash = first.hashSync('notes/a.md')
    await first.save()

    // Same size, same inode, mtime put back: only a cache that did not read the file returns the old hash.
    await put('version two', mtime)
    const warm = await StatCache.load(root)
    expect(warm.hashSync('notes/a.md')).toBe(hash)
    expect(warm.hits).toBe(1)
    expect(warm.misses).toBe(0)
  })

  test('miss: a changed size, mtime or inode is read again', async () => {
    const mtime = anHourAgo()
    await put('version one', mtime)
    const first = await StatCache.load(root)
    first.hashSync('notes/a.md')
    await first.save()

    await put('version three!', mtime) // size
    expect((await StatCache.load(root)).hashSync('notes/a.md')).toBe(contentHash('version three!'))

    const cache = await StatCache.load(root)
    cache.hashSync('notes/a.md')
    await cache.save()
    await put('version four!!', mtime - 10) // mtime only
    expect((await StatCache.load(root)).hashSync('notes/a.md')).toBe(contentHash('version four!!'))

    const again = await StatCache.load(root)
    again.hashSync('notes/a.md')
    await again.save()
    const before = (await stat(note())).ino
    await rm(note())
    await put('version five!!', mtime - 10) // a new inode (git checkout replaces files)
    const hash = (await StatCache.load(root)).hashSync('notes/a.md')
    // Some file systems hand the freed inode straight back; the check means something only when they do not.
    if ((await stat(note())).ino !== before) expect(hash).toBe(contentHash('version five!!'))
  })

  test('racy: a file modified in the same second as it was hashed (or later) is always read again', async () => {
    const future = inAMinute() // "same second or later" than any hash made now
    await put('racy one', future)
    const first = await StatCache.load(root)
    expect(first.hashSync('notes/a.md')).toBe(contentHash('racy one'))
    await first.save()

    await put('racy two', future) // same size, inode and mtime: only the racy rule catches it
    const second = await StatCache.load(root)
    expect(second.hashSync('notes/a.md')).toBe(contentHash('racy two'))
    expect(second.misses).toBe(1)
    // within one run as well
    await put('racy 3!!', future)
    expect(second.hashSync('notes/a.md')).toBe(contentHash('racy 3!!'))
  })

  test('racy against the cache write: an entry whose mtime is not older than the cache file is read again', async () => {
    const mtime = anHourAgo()
    await put('one', mtime)
    const first = await StatCache.load(root)
    first.hashSync('notes/a.md')
    await first.save()
    // A system clock ahead of the file system's: the cache file's own mtime (fs clock) caps hashedAt.
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    await utimes(cacheFile, mtime, mtime)
    await put('two', mtime)
    expect((await StatCache.load(root)).hashSync('notes/a.md')).toBe(contentHash('two'))
  })

  test('a corrupt, foreign-format, other-V8 or other-digest cache is silently rebuilt, never believed', async () => {
    await put('text', anHourAgo())
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    await mkdir(path.dirname(cacheFile), {recursive: true})
    const {size, mtimeMs, ino} = await stat(note())
    // A table that matches the file's stats with a wrong hash: believed only if it were accepted.
    const table = (changes: Record<string, unknown> = {}) =>
      serialize({
        format: 'notes-l10n stat cache 4',
        digest: 'sha256-base64url-10',
        v8: process.versions.v8,
        keys: ['notes/a.md'],
        numbers: new Float64Array([size, mtimeMs, ino, mtimeMs + 5000]),
        hashes: ['stale'],
        memoNames: [],
        memoName: new Int32Array([-1]),
        memoValues: [null],
        ...changes
      })
    // The well-formed table is believed (that is what makes the others meaningful).
    await writeFile(cacheFile, table())
    expect((await StatCache.load(root)).hashSync('notes/a.md')).toBe('stale')
    for (const broken of [
      table({format: 'notes-l10n stat cache 3'}),
      table({v8: '0.0.0'}),
      table({digest: 'other-digest'}),
      table({hashes: []}),
      table({numbers: [size, mtimeMs, ino, mtimeMs + 5000]}),
      table().subarray(0, 40),
      Buffer.from('{"version":1,"digest":"sha256-base64url-10","files":{}}\n'),
      Buffer.alloc(0)
    ]) {
      await writeFile(cacheFile, broken)
      const cache = await StatCache.load(root)
      expect(cache.hashSync('notes/a.md')).toBe(contentHash('text'))
    }
    const cache = await StatCache.load(root)
    cache.hashSync('notes/a.md')
    await cache.save()
    const custom = await StatCache.load(root, {digest: () => 'custom-hash', digestId: 'test'})
    expect(custom.hashSync('notes/a.md')).toBe('custom-hash')
  })

  test('save writes only when something changed; prune drops files not looked at', async () => {
    await put('a', anHourAgo(), 'a.md')
    await put('b', anHourAgo(), 'b.md')
    const cache = await StatCache.load(root)
    cache.hashSync('notes/a.md')
    cache.hashSync('notes/b.md')
    await cache.save()
    const cacheFile = path.join(root, STAT_CACHE_FILE)
    const written = await stat(cacheFile)

    const warm = await StatCache.load(root)
    warm.hashSync('notes/a.md')
    await warm.save()
    expect((await stat(cacheFile)).ino).toBe(written.ino)

    await warm.save({prune: true})
    const pruned = await StatCache.load(root)
    pruned.hashSync('notes/a.md')
    pruned.hashSync('notes/b.md')
    expect([pruned.hits, pruned.misses]).toEqual([1, 1])
  })

  test('a file that disappeared throws ENOENT and is forgotten', async () => {
    await put('a', anHourAgo())
    const cache = await StatCache.load(root)
    cache.hashSync('notes/a.md')
    await cache.save()
    await rm(note())
    const after = await StatCache.load(root)
    expect(() => after.hashSync('notes/a.md')).toThrow(expect.objectContaining({code: 'ENOENT'}))
    await after.save()
    expect(await readFile(path.join(root, STAT_CACHE_FILE), 'utf8')).not.toContain('notes/a.md')
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
    const again = await StatCache.load(root)
    again.hashSync(note())
    expect([again.hits, again.misses]).toEqual([1, 0])
  })

  test('names with tabs and line breaks are cached like any other', async () => {
    await put('odd', anHourAgo(), 'a\tb\nc.md')
    const cache = await StatCache.load(root)
    expect(cache.hashSync('notes/a\tb\nc.md')).toBe(contentHash('odd'))
    await cache.save()
    const again = await StatCache.load(root)
    expect(again.hashSync('notes/a\tb\nc.md')).toBe(contentHash('odd'))
    expect([again.hits, again.misses]).toEqual([1, 0])
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
    // The same read gave the hash, and the next hash is answered from that lookup: no stat, no read.
    expect(first.hashSync('notes/a.md')).toBe(contentHash('alpha beta'))
    expect([first.hits, first.misses]).toEqual([0, 1])
    await first.save()

    const warm = await StatCache.load(root)
    expect(warm.derived('notes/a.md', firstWord(calls))).toBe('alpha')
    expect(calls).toEqual(['alpha'])
    expect(warm.misses).toBe(0)

    await put('gamma delta', anHourAgo() + 5)
    const changed = await StatCache.load(root)
    expect(changed.derived('notes/a.md', firstWord(calls))).toBe('gamma')
    expect(calls).toEqual(['alpha', 'gamma'])
    // Answered once from the lookup even when the file has gone since; then looked for again.
    await rm(note())
    expect(changed.hashSync('notes/a.md')).toBe(contentHash('gamma delta'))
    expect(() => changed.hashSync('notes/a.md')).toThrow(expect.objectContaining({code: 'ENOENT'}))
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

describe('StatCache.memo and remember', () => {
  test("a remembered value lives as long as the file's bytes: kept across runs and touches, dropped on a change", async () => {
    await put('version one', anHourAgo())
    const first = await StatCache.load(root)
    first.hashSync('notes/a.md')
    first.remember('notes/a.md', 'verdict', 'current')
    expect(first.memo('notes/a.md', 'verdict')).toBe('current')
    expect(first.memo('notes/a.md', 'other')).toBeUndefined()
    await first.save()

    const warm = await StatCache.load(root)
    warm.hashSync('notes/a.md')
    expect(warm.memo('notes/a.md', 'verdict')).toBe('current')

    // Touched, same bytes: read again, and the value still holds.
    await utimes(note(), anHourAgo() + 10, anHourAgo() + 10)
    const touched = await StatCache.load(root)
    touched.hashSync('notes/a.md')
    expect(touched.misses).toBe(1)
    expect(touched.memo('notes/a.md', 'verdict')).toBe('current')
    await touched.save()

    await put('version two', anHourAgo() + 20)
    const changed = await StatCache.load(root)
    changed.hashSync('notes/a.md')
    expect(changed.memo('notes/a.md', 'verdict')).toBeUndefined()
  })

  test('remember does nothing for a file never looked up', async () => {
    await put('x', anHourAgo())
    const cache = await StatCache.load(root)
    cache.remember('notes/a.md', 'verdict', 'current')
    expect(cache.memo('notes/a.md', 'verdict')).toBeUndefined()
  })
})

describe('StatCache.refresh (worker threads)', () => {
  test('hashes unknown files on workers as contentHash does; each is then answered once without a stat', async () => {
    const texts = ['alpha', 'beta\n', 'γάμμα', '']
    for (const [index, text] of texts.entries()) await put(text, anHourAgo(), `${index}.md`)
    const files = texts.map((_, index) => `notes/${index}.md`)
    const cache = await StatCache.load(root)
    await cache.refresh(files, {threads: 2, parallelFrom: 1})
    expect(cache.misses).toBe(texts.length)
    // Gone since the refresh: the first answer is the refresh's, the next one looks again.
    await rm(note('0.md'))
    expect(texts.map((_, index) => cache.hashSync(`notes/${index}.md`))).toEqual(texts.map((text) => contentHash(text)))
    expect(() => cache.hashSync('notes/0.md')).toThrow(expect.objectContaining({code: 'ENOENT'}))
    await cache.save()
    const warm = await StatCache.load(root)
    expect(warm.hashSync('notes/1.md')).toBe(contentHash('beta\n'))
    expect(warm.hits).toBe(1)
  })

  test('leaves known files, missing files and small runs to hashSync', async () => {
    await put('known', anHourAgo(), 'known.md')
    await put('new', anHourAgo(), 'new.md')
    const first = await StatCache.load(root)
    first.hashSync('notes/known.md')
    await first.save()

    const cache = await StatCache.load(root)
    await cache.refresh(['notes/known.md', 'notes/new.md', 'notes/missing.md'], {parallelFrom: 1, threads: 1})
    expect(cache.misses).toBe(1)
    expect(cache.hashSync('notes/known.md')).toBe(contentHash('known'))
    expect(cache.hits).toBe(1)
    expect(() => cache.hashSync('notes/missing.md')).toThrow(expect.objectContaining({code: 'ENOENT'}))

    const small = await StatCache.load(root)
    await small.refresh(['notes/new.md'])
    expect(small.misses).toBe(0)
  })
})

describe('StatCache.verify (worker threads)', () => {
  test('files whose stats still match are answered once without a stat; changed ones are read again', async () => {
    await put('same', anHourAgo(), 'same.md')
    await put('before', anHourAgo(), 'changed.md')
    const first = await StatCache.load(root)
    first.hashSync('notes/same.md')
    first.hashSync('notes/changed.md')
    await first.save()

    await put('after, longer', anHourAgo(), 'changed.md')
    const cache = await StatCache.load(root)
    await cache.verify({parallelFrom: 1, threads: 1})
    await rm(note('same.md'))
    // Confirmed by the worker before it went: answered from the cache, once.
    expect(cache.hashSync('notes/same.md')).toBe(contentHash('same'))
    expect(() => cache.hashSync('notes/same.md')).toThrow(expect.objectContaining({code: 'ENOENT'}))
    expect(cache.hashSync('notes/changed.md')).toBe(contentHash('after, longer'))
    expect([cache.hits, cache.misses]).toEqual([1, 1])
  })

  test('leaves small caches to hashSync', async () => {
    await put('x', anHourAgo())
    const first = await StatCache.load(root)
    first.hashSync('notes/a.md')
    await first.save()
    const cache = await StatCache.load(root)
    await cache.verify()
    await rm(note())
    expect(() => cache.hashSync('notes/a.md')).toThrow(expect.objectContaining({code: 'ENOENT'}))
  })
})
