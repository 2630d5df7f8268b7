/**
 * Size arithmetic of the lock (issue 5: 10,000 notes × 9 locales must stay well under 100 MB).
 *
 * Not a timing test: it serialises a generated lock of a few hundred notes with realistic field
 * widths, checks that the size grows exactly linearly with the number of notes, and extrapolates.
 * `STRESS=1` also builds the full 10,000-note lock.
 */
import {describe, expect, test} from 'vitest'
import {contentHash} from '../../src/io/hash.js'
import {Lockfile, segmentTargetHash} from '../../src/state/lock.js'

const LOCALES = ['de', 'es', 'fr', 'it', 'ja', 'ko', 'pt-BR', 'zh-Hans', 'zh-Hant']
const SEGMENTS = 40
const MB = 1024 * 1024

/**
 * A lock as a busy blog would have it: 60-character note paths, 40 segments per note, one segment
 * in five with glossary terms (8-character fingerprint), one in fifty a human edit, one in fifty a
 * duplicate (`~2`), one locale in nine translated from an older source version (its own ids).
 */
function generate(notes: number): Lockfile {
  const lock = new Lockfile()
  for (let n = 0; n < notes; n++) {
    const note = `notes/2024/2024-03-15-a-fairly-long-descriptive-slug-${String(n).padStart(6, '0')}.md`
    const ids = Array.from({length: SEGMENTS}, (_, s) =>
      s % 50 === 49 ? `${contentHash(`${note}${s - 1}`)}~2` : contentHash(`${note}${s}`)
    )
    LOCALES.forEach((locale, l) => {
      const stale = l === 0
      lock.set(note, locale, {
        source: contentHash(`${note}${stale ? 'old' : ''}`),
        target: contentHash(`${note}${locale}`),
        provider: 'openai',
        model: 'gpt-4o-mini',
        segments: ids.map((id, s) => ({
          id: stale && s === 0 ? contentHash(`${note}old`) : id,
          target: segmentTargetHash(`${note}${locale}${s}`),
          ...(s % 5 === 0 ? {glossary: contentHash(`g${s}`, 8)} : {}),
          ...(s % 50 === 7 ? {human: true} : {})
        }))
      })
    })
  }
  return lock
}

function bytes(lock: Lockfile): number {
  return Buffer.byteLength(lock.serialise())
}

describe('lock size', () => {
  test('grows linearly per note, and 10,000 notes × 9 locales × 40 segments stay under 60 MB', () => {
    const small = bytes(generate(50))
    const large = bytes(generate(100))
    const perNote = (large - small) / 50
    const overhead = small - 50 * perNote
    expect(Number.isInteger(perNote)).toBe(true)
    expect(bytes(generate(150))).toBe(overhead + 150 * perNote)

    const full = overhead + 10_000 * perNote
    // About 57 MB with these pessimistic proportions, 47 MB with no glossary terms and no stale locale (docs/state.md).
    expect(full / MB).toBeLessThan(60)
    expect(full / MB).toBeGreaterThan(30) // the generator really has 40 segments × 9 locales per note
  })

  test('writing the shared ids once per note saves over a third against per-locale ids', () => {
    const lock = generate(50)
    const shared = bytes(lock)
    const repeated = lock
      .serialise()
      .split('\n')
      .reduce((sum, line) => {
        const ids = /^ {6}"ids": "(.*)"/.exec(line)
        return ids ? sum + (ids[1]!.length + 10) * (LOCALES.length - 2) : sum
      }, shared)
    expect(shared / repeated).toBeLessThan(0.67)
  })

  test.runIf(process.env.STRESS)('the full 10,000-note lock measures under 60 MB', () => {
    expect(bytes(generate(10_000)) / MB).toBeLessThan(60)
  })
})
