import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {LOCK_FILE, type LockEntry, Lockfile, segmentTargetHash} from '../../src/state/lock.js'
import {mergeThreeWay} from '../../src/state/lock-three-way.js'
import {UserError} from '../../src/types.js'

function entry(overrides: Partial<LockEntry> = {}): LockEntry {
  return {
    source: 'Src0123456',
    target: 'Tgt0123456',
    provider: 'openai',
    model: 'gpt-4o-mini',
    segments: [
      {id: 'AAAAAAAAAA', target: 'aaaaaaaa'},
      {id: 'BBBBBBBBBB', target: 'bbbbbbbb', glossary: 'GlossFp123'},
      {id: 'BBBBBBBBBB~2', target: 'cccccccc', human: true},
      {id: 'DDDDDDDDDD', target: 'dddddddd', glossary: 'GlossFp456', human: true}
    ],
    ...overrides
  }
}

function sample(): Lockfile {
  const lock = new Lockfile()
  lock.set('notes/b.md', 'fr', entry())
  lock.set('notes/a.md', 'es', entry())
  lock.set('notes/a.md', 'de', entry({source: 'Older00000', segments: [{id: 'ZZZZZZZZZZ', target: 'zzzzzzzz'}]}))
  lock.set('notes/a.md', 'zh-Hant', entry())
  lock.set('notes/c.md', 'es', {source: 's', target: 't', provider: 'copy', model: 'copy', segments: []})
  return lock
}

describe('segmentTargetHash', () => {
  test('is 8 base64url characters and ignores the line-ending style', () => {
    expect(segmentTargetHash('a\nb')).toMatch(/^[\w-]{8}$/)
    expect(segmentTargetHash('a\r\nb')).toBe(segmentTargetHash('a\nb'))
    expect(segmentTargetHash('a\rb')).toBe(segmentTargetHash('a\nb'))
    expect(segmentTargetHash('a b')).not.toBe(segmentTargetHash('a\nb'))
  })
})

describe('Lockfile', () => {
  test('round-trips every field, including glossary and human marks and per-locale ids', () => {
    const lock = sample()
    const again = Lockfile.parse(lock.serialise(), LOCK_FILE)
    expect([...again.entries()]).toEqual([...lock.entries()])
    expect(again.get('notes/a.md', 'es')).toEqual(entry())
    expect(again.get('notes/a.md', 'de')?.segments).toEqual([{id: 'ZZZZZZZZZZ', target: 'zzzzzzzz'}])
    expect(again.get('notes/c.md', 'es')?.segments).toEqual([])
    expect(again.serialise()).toBe(lock.serialise())
  })

  test('a reused translation is packed as `=`, after the hash and before the glossary; a human mark wins', () => {
    const lock = new Lockfile()
    lock.set(
      'notes/a.md',
      'es',
      entry({
        segments: [
          {id: 'AAAAAAAAAA', target: 'aaaaaaaa', reused: true},
          {id: 'BBBBBBBBBB', target: 'bbbbbbbb', glossary: 'GlossFp123', reused: true},
          {id: 'CCCCCCCCCC', target: 'cccccccc', human: true, reused: true}
        ]
      })
    )
    const text = lock.serialise()
    expect(text).toContain('"segments": "aaaaaaaa= bbbbbbbb=:GlossFp123 cccccccc!"')
    expect(Lockfile.parse(text, LOCK_FILE).get('notes/a.md', 'es')?.segments).toEqual([
      {id: 'AAAAAAAAAA', target: 'aaaaaaaa', reused: true},
      {id: 'BBBBBBBBBB', target: 'bbbbbbbb', glossary: 'GlossFp123', reused: true},
      {id: 'CCCCCCCCCC', target: 'cccccccc', human: true}
    ])
    expect(() => Lockfile.parse(text.replace('aaaaaaaa=', 'aaaaaaaa=!'), LOCK_FILE)).toThrow(UserError)
  })

  test('a reused translation the pseudo provider made is packed `=*` and read back as both', () => {
    const lock = new Lockfile()
    const segments = [
      {id: 'AAAAAAAAAA', target: 'aaaaaaaa', reused: true, pseudo: true},
      {id: 'BBBBBBBBBB', target: 'bbbbbbbb', glossary: 'GlossFp123', pseudo: true}
    ]
    lock.set('notes/a.md', 'es', entry({provider: 'pseudo', model: 'pseudo', segments}))
    const text = lock.serialise()
    expect(text).toContain('"segments": "aaaaaaaa=* bbbbbbbb*:GlossFp123"')
    expect(Lockfile.parse(text, LOCK_FILE).get('notes/a.md', 'es')?.segments).toEqual(segments)
    expect(() => Lockfile.parse(text.replace('aaaaaaaa=*', 'aaaaaaaa*='), LOCK_FILE)).toThrow(UserError)
  })

  test('a snapshot does not see later changes of its lock, nor the lock those of the snapshot', () => {
    const lock = Lockfile.parse(sample().serialise(), LOCK_FILE)
    const snapshot = lock.snapshot()
    lock.delete('notes/a.md', 'es')
    lock.set('notes/new.md', 'es', entry())
    snapshot.set('notes/c.md', 'de', entry())
    expect(snapshot.peek('notes/a.md', 'es')).toEqual(entry())
    expect(snapshot.peek('notes/new.md', 'es')).toBeUndefined()
    expect(lock.peek('notes/c.md', 'de')).toBeUndefined()
  })

  test("head gives an entry's hashes and segment count, read or set, without its segments", () => {
    const read = Lockfile.parse(sample().serialise(), LOCK_FILE)
    for (const lock of [sample(), read]) {
      expect(lock.head('notes/a.md', 'es')).toEqual({
        source: 'Src0123456',
        target: 'Tgt0123456',
        provider: 'openai',
        model: 'gpt-4o-mini',
        segmentCount: 4,
        reported: false
      })
      expect(lock.head('notes/a.md', 'de')?.segmentCount).toBe(1)
      expect(lock.head('notes/a.md', 'it')).toBeUndefined()
      expect(lock.head('notes/zz.md', 'es')).toBeUndefined()
    }
    expect(read.head('notes/a.md', 'es')).not.toHaveProperty('segments')
    // Asking for the whole entry afterwards still gives every segment record.
    expect(read.get('notes/a.md', 'es')).toEqual(entry())
  })

  test('round-trips per-segment provenance: pseudo-made (*), human without the source markup (!?), awaiting review (!!, !!?)', () => {
    const lock = new Lockfile()
    const marked = entry({
      provider: 'pseudo',
      model: 'pseudo',
      segments: [
        {id: 'AAAAAAAAAA', target: 'aaaaaaaa', pseudo: true},
        {id: 'BBBBBBBBBB', target: 'bbbbbbbb', glossary: 'GlossFp123', pseudo: true},
        {id: 'CCCCCCCCCC', target: 'cccccccc'},
        {id: 'DDDDDDDDDD', target: 'dddddddd', glossary: 'GlossFp456', human: true, reported: true},
        {id: 'EEEEEEEEEE', target: 'eeeeeeee', human: true, review: true},
        {id: 'FFFFFFFFFF', target: 'ffffffff', human: true, reported: true, review: true}
      ]
    })
    lock.set('notes/a.md', 'es', marked)
    const text = lock.serialise()
    expect(text).toContain(
      '"segments": "aaaaaaaa* bbbbbbbb*:GlossFp123 cccccccc dddddddd!?:GlossFp456 eeeeeeee!! ffffffff!!?"'
    )
    const again = Lockfile.parse(text, LOCK_FILE)
    expect(again.head('notes/a.md', 'es')?.reported).toBe(true)
    expect(again.get('notes/a.md', 'es')).toEqual(marked)
    expect(again.serialise()).toBe(text)
  })

  test('a version 1 lock is migrated: a pseudo entry marks every machine segment pseudo-made, and is written as version 2', () => {
    const v1 = sample()
    v1.set('notes/b.md', 'fr', entry({provider: 'pseudo', model: 'pseudo'}))
    const text = v1.serialise().replace('"version": 2', '"version": 1')
    const migrated = Lockfile.parse(text, LOCK_FILE)
    // Version 1 said "pseudo" for the whole entry while any pseudo output might remain in it.
    expect(
      migrated.get('notes/b.md', 'fr')!.segments.map((segment) => [Boolean(segment.pseudo), Boolean(segment.human)])
    ).toEqual([
      [true, false],
      [true, false],
      [false, true],
      [false, true]
    ])
    // Entries of a real provider are read as they were.
    expect(migrated.get('notes/a.md', 'es')).toEqual(entry())
    const written = migrated.serialise()
    expect(written).toMatch(/^\{\n {2}"version": 2,/)
    expect(written).toContain('"segments": "aaaaaaaa* bbbbbbbb*:GlossFp123 cccccccc! dddddddd!:GlossFp456"')
    expect(Lockfile.parse(written, LOCK_FILE).get('notes/b.md', 'fr')).toEqual(migrated.get('notes/b.md', 'fr'))
  })

  test('entries read and never asked for are written back as read, next to changed ones', () => {
    const text = sample().serialise()
    const lock = Lockfile.parse(text, LOCK_FILE)
    expect(lock.serialise()).toBe(text)
    lock.set('notes/b.md', 'fr', entry({source: 'Changed000'}))
    const changed = lock.serialise()
    expect(changed).toBe(text.replace(/("fr": \{"source": )"Src0123456"/, '$1"Changed000"'))
    expect(changed).not.toBe(text)
  })

  test('serialises deterministically whatever the insertion order (D13)', () => {
    const forward = sample()
    const backward = new Lockfile()
    for (const [note, locale, value] of [...forward.entries()].reverse()) backward.set(note, locale, value)
    expect(backward.serialise()).toBe(forward.serialise())
  })

  test('sorts by code unit, not by locale collation', () => {
    const lock = new Lockfile()
    lock.set('notes/b.md', 'es', entry())
    lock.set('notes/B.md', 'es', entry())
    lock.set('notes/a.md', 'es', entry())
    expect(lock.notes()).toEqual(['notes/B.md', 'notes/a.md', 'notes/b.md'])
  })

  test('writes the shared ids once per note and one line per locale', () => {
    const text = sample().serialise()
    // notes/a.md (es, zh-Hant share it; de differs) and notes/b.md: once per note, not per locale
    expect(text.match(/AAAAAAAAAA/g)).toHaveLength(2)
    const lines = text.split('\n')
    const es = lines.filter((line) => line.trimStart().startsWith('"es"'))
    expect(es).toHaveLength(2)
    // the locale translated from another source version carries its own ids
    expect(lines.find((line) => line.trimStart().startsWith('"de"'))).toContain('"ids": "ZZZZZZZZZZ"')
    expect(text.endsWith('}\n')).toBe(true)
  })

  test("a change to one note changes only that note's lines", () => {
    const before = sample()
    const after = sample()
    after.set('notes/b.md', 'fr', entry({target: 'Changed000'}))
    const a = before.serialise().split('\n')
    const b = after.serialise().split('\n')
    expect(b).toHaveLength(a.length)
    const changed = a.flatMap((line, index) => (line === b[index] ? [] : [index]))
    expect(changed).toHaveLength(1)
    expect(b[changed[0]!]).toContain('Changed000')
  })

  test("copies entries on set, so later mutation of the caller's object does not leak in", () => {
    const lock = new Lockfile()
    const value = entry()
    lock.set('notes/a.md', 'es', value)
    value.segments[0]!.target = 'mutated0'
    value.segments.push({id: 'EEEEEEEEEE', target: 'eeeeeeee'})
    expect(lock.get('notes/a.md', 'es')).toEqual(entry())
  })

  test('delete removes one locale and the note block when it was the last', () => {
    const lock = sample()
    lock.delete('notes/c.md', 'es')
    lock.delete('notes/a.md', 'es')
    lock.delete('notes/nope.md', 'es')
    expect(lock.notes()).toEqual(['notes/a.md', 'notes/b.md'])
    expect(lock.get('notes/a.md', 'es')).toBeUndefined()
    expect(lock.get('notes/a.md', 'de')).toBeDefined()
    expect(lock.serialise()).not.toContain('notes/c.md')
  })

  test('shard locks merged three-way against their base: each entry from the lock that changed it, in either order', () => {
    const base = new Lockfile()
    base.set('notes/a.md', 'es', entry({target: 'Base000000'}))
    base.set('notes/b.md', 'es', entry({target: 'Base000000'}))
    // Every shard's lock holds every entry: its own notes' new, the others' as they were.
    const shardA = Lockfile.parse(base.serialise(), LOCK_FILE)
    shardA.set('notes/a.md', 'es', entry({target: 'NewA000000'}))
    const shardB = Lockfile.parse(base.serialise(), LOCK_FILE)
    shardB.set('notes/b.md', 'es', entry({target: 'NewB000000'}))
    shardB.set('notes/c.md', 'fr', entry())
    const merge = (first: Lockfile, second: Lockfile) =>
      mergeThreeWay(base, mergeThreeWay(base, base, first).lock, second)
    const ab = merge(shardA, shardB)
    const ba = merge(shardB, shardA)
    expect(ab.conflicts).toEqual([])
    expect(ab.lock.get('notes/a.md', 'es')?.target).toBe('NewA000000')
    expect(ab.lock.get('notes/b.md', 'es')?.target).toBe('NewB000000')
    expect(ab.lock.size).toBe(3)
    expect(ab.lock.serialise()).toBe(ba.lock.serialise())
  })

  test('an empty lock is a valid, versioned document', () => {
    const text = new Lockfile().serialise()
    expect(JSON.parse(text)).toEqual({version: 2, notes: {}})
    expect(Lockfile.parse(text, LOCK_FILE).size).toBe(0)
  })

  test('refuses entries the format cannot represent (programmer errors)', () => {
    const lock = new Lockfile()
    expect(() => lock.set('n.md', 'es', entry({segments: [{id: 'has space', target: 'aaaaaaaa'}]}))).toThrow(TypeError)
    expect(() => lock.set('n.md', 'es', entry({segments: [{id: 'AAAAAAAAAA', target: 'aa:aa'}]}))).toThrow(TypeError)
    expect(() =>
      lock.set('n.md', 'es', entry({segments: [{id: 'AAAAAAAAAA', target: 'aaaa', glossary: 'a b'}]}))
    ).toThrow(TypeError)
    expect(() => lock.set('n.md', 'ids', entry())).toThrow(TypeError)
  })
})

describe('Lockfile.parse refuses a broken lock, never treating it as empty (D10)', () => {
  const good = sample().serialise()

  function refusal(text: string): UserError {
    try {
      Lockfile.parse(text, LOCK_FILE)
    } catch (error) {
      expect(error).toBeInstanceOf(UserError)
      return error as UserError
    }
    throw new Error('expected a refusal')
  }

  test('truncated: names the file, the line and the fix', () => {
    const truncated = good.slice(0, good.indexOf('"notes/b.md"') + 40)
    const error = refusal(truncated)
    const lastLine = truncated.split('\n').length
    expect(error.message).toMatch(new RegExp(`^notes-l10n\\.lock is not valid JSON at line ${lastLine}: `))
    expect(error.message).toContain('git checkout notes-l10n.lock')
    expect(error.message).toContain('delete it to rebuild from the targets')
    expect(error.message).not.toContain('\n')
  })

  test('corrupt in the middle: the line of the fault', () => {
    const lines = good.split('\n')
    const index = lines.findIndex((line) => line.includes('"notes/b.md"'))
    lines[index] = lines[index]!.replace('{', '{{')
    expect(refusal(lines.join('\n')).message).toContain(`at line ${index + 1}:`)
  })

  test('empty file', () => {
    expect(refusal('').message).toMatch(/^notes-l10n\.lock is not valid JSON at line 1: /)
  })

  test('unknown or missing version', () => {
    expect(refusal(good.replace('"version": 2', '"version": 3')).message).toMatch(
      /^notes-l10n\.lock has format version 3, this notes-l10n reads versions 1 and 2 — upgrade notes-l10n/
    )
    expect(refusal('{"notes": {}}').message).toContain('has format version no version')
    expect(refusal('[]').message).toContain('expected a JSON object')
  })

  test('valid JSON of the wrong shape names the note, the locale and the problem', () => {
    const mismatch = good.replace(
      '"segments": "aaaaaaaa bbbbbbbb:GlossFp123 cccccccc! dddddddd!:GlossFp456"',
      '"segments": "aaaaaaaa"'
    )
    const error = refusal(mismatch)
    expect(error.message).toMatch(
      /^notes-l10n\.lock is not a valid lock at line \d+: "notes\/a\.md" locale "es": 1 segment hashes for 4 segment ids — restore it/
    )
    expect(refusal(good.replace('"provider": "openai"', '"provider": 7')).message).toContain(
      '"provider" should be a string, got number'
    )
    expect(refusal(good.replace('"model"', '"modle"')).message).toContain('unknown key "modle"')
    expect(refusal(good.replace('aaaaaaaa bbbbbbbb', 'aa?aaaaa bbbbbbbb')).message).toContain(
      'is not "<hash>[!|!!|!?|!!?|=*|=|*][:<glossary>]"'
    )
    expect(refusal(good.replace('aaaaaaaa bbbbbbbb', 'aaaaaaaa*! bbbbbbbb')).message).toContain('is not')
    // Version 1 had no per-segment marks.
    expect(refusal(good.replace('"version": 2', '"version": 1').replace('aaaaaaaa ', 'aaaaaaaa* ')).message).toContain(
      'a version 1 lock has no "*", "=", "!!" or "!?" segment marks'
    )
    expect(refusal('{"version": 1, "notes": {"n.md": {"es": {}}}}').message).toContain('has no "ids" string')
    expect(refusal(good.replace('AAAAAAAAAA BBBBBBBBBB', 'AAAAAAAAAA  BBBBBBBBBB')).message).toContain(
      'segment id "" is not a segment id'
    )
    expect(refusal(good.replace('AAAAAAAAAA BBBBBBBBBB', 'AAAA/AAAAA BBBBBBBBBB')).message).toContain(
      'segment id "AAAA/AAAAA" is not a segment id'
    )
    expect(refusal(good.replace('aaaaaaaa bbbbbbbb', 'aaaaaaaa  bbbbbbbb')).message).toContain(
      'segment 2 "" is not "<hash>[!|!!|!?|!!?|=*|=|*][:<glossary>]"'
    )
  })

  test("the line of a shape problem is the note's line", () => {
    const broken = good.replace('"provider": "copy"', '"provider": null')
    const line = good.split('\n').findIndex((text) => text.includes('"notes/c.md"')) + 1
    expect(refusal(broken).message).toContain(`at line ${line}:`)
  })
})

describe('Lockfile.load and save', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-lock-'))
  })
  afterEach(async () => {
    await rm(root, {recursive: true, force: true})
  })

  test('a missing file is an empty lock, and saving an empty lock creates no file', async () => {
    const lock = await Lockfile.load(root)
    expect(lock.size).toBe(0)
    await lock.save(root)
    await expect(stat(path.join(root, LOCK_FILE))).rejects.toMatchObject({code: 'ENOENT'})
  })

  test('save then load round-trips; an unchanged lock is not rewritten', async () => {
    const lock = sample()
    await lock.save(root)
    const file = path.join(root, LOCK_FILE)
    expect(await readFile(file, 'utf8')).toBe(lock.serialise())

    const loaded = await Lockfile.load(root)
    expect([...loaded.entries()]).toEqual([...lock.entries()])
    const before = await stat(file)
    loaded.set('notes/a.md', 'es', entry()) // same content
    await loaded.save(root)
    const after = await stat(file)
    expect(after.ino).toBe(before.ino) // a rewrite would rename a new inode into place

    loaded.set('notes/a.md', 'es', entry({target: 'Changed000'}))
    await loaded.save(root)
    expect((await stat(file)).ino).not.toBe(before.ino)
    expect((await Lockfile.load(root)).get('notes/a.md', 'es')?.target).toBe('Changed000')
  })

  test('a lock checked out with CRLF line endings is not rewritten when nothing changed', async () => {
    const file = path.join(root, LOCK_FILE)
    await writeFile(file, sample().serialise().replace(/\n/g, '\r\n'))
    const before = await stat(file)
    const lock = await Lockfile.load(root)
    expect(lock.get('notes/a.md', 'es')).toEqual(entry())
    await lock.save(root)
    expect((await stat(file)).ino).toBe(before.ino)
  })

  test('a lock emptied by deletions is still written (the file must not keep stale entries)', async () => {
    await sample().save(root)
    const lock = await Lockfile.load(root)
    for (const [note, locale] of [...lock.entries()]) lock.delete(note, locale)
    await lock.save(root)
    expect(JSON.parse(await readFile(path.join(root, LOCK_FILE), 'utf8'))).toEqual({version: 2, notes: {}})
  })

  test('a corrupt file on disk is refused by load', async () => {
    await writeFile(path.join(root, LOCK_FILE), sample().serialise().slice(0, 100))
    await expect(Lockfile.load(root)).rejects.toThrow(
      /^notes-l10n\.lock is not valid JSON at line \d+: .* — restore it from git/
    )
  })
})
