/**
 * The one plan every command reports (src/project/target-plan.ts): a note's segments, its
 * target's alignment, the lock entry and the config's inputs in; the verdict and each segment's
 * fate out — no temp folder, no lock file.
 */
import {describe, expect, it} from 'vitest'
import {analyseNote} from '../../src/pipeline/analyse.js'
import {decodeNote} from '../../src/pipeline/read.js'
import {type ConfigInputs, planTarget, provenByHashes, staleAgainst} from '../../src/project/target-plan.js'
import {align} from '../../src/state/align.js'
import {type LockEntry, segmentTargetHash} from '../../src/state/lock.js'

const note = (markdown: string) => analyseNote('a.md', decodeNote(new TextEncoder().encode(markdown), 'a.md'))
const config: ConfigInputs = {fingerprint: 'inputs-1', output: 'es/a.md', realProvider: false}

const source = note('One sentence.\n\nTwo sentences here.\n')
const target = note('Una frase.\n\nDos frases aquí.\n')
/** The entry sync would have written for `target` made from `source`. */
const entry: LockEntry = {
  source: 'src-hash',
  target: 'tgt-hash',
  provider: 'openai',
  model: 'm',
  inputs: 'inputs-1',
  output: 'es/a.md',
  segments: source.segments.map((segment, index) => ({
    id: segment.id,
    target: segmentTargetHash(target.segments[index]!.markdown)
  }))
}
const aligned = (from = source, written = target, with_: LockEntry | undefined = entry) =>
  align({
    source: from.segments,
    fingerprints: from.segments.map(() => undefined),
    entry: with_,
    target: written.segments
  })

describe('planTarget', () => {
  it('current: every segment reused, nothing to do', () => {
    const plan = planTarget({segments: source.segments, alignment: aligned(), entry, config})
    expect(plan).toMatchObject({verdict: 'current', pending: 0, needsReview: 0, removed: 0})
    expect(plan.segments?.map((segment) => segment.decision)).toEqual(['current', 'current'])
  })

  it('missing: no target file, every segment to translate', () => {
    expect(planTarget({segments: source.segments, alignment: undefined, entry: undefined, config})).toMatchObject({
      verdict: 'missing',
      pending: 2
    })
  })

  it('stale: an edited paragraph is one pending segment with its old translation', () => {
    const edited = note('One sentence.\n\nTwo sentences changed.\n')
    const plan = planTarget({segments: edited.segments, alignment: aligned(edited), entry, config})
    expect(plan).toMatchObject({verdict: 'stale', pending: 1})
    expect(plan.segments?.[1]).toMatchObject({decision: 'pending', reason: 'changed', translation: 'Dos frases aquí.'})
  })

  it('stale: a removed paragraph leaves a translation sync takes out', () => {
    const shorter = note('One sentence.\n')
    const plan = planTarget({segments: shorter.segments, alignment: aligned(shorter), entry, config})
    expect(plan).toMatchObject({verdict: 'stale', pending: 0, removed: 1})
    expect(plan.message).toMatch(/1 segment whose source was removed/)
  })

  it('stale: a config change re-assembles for free, its segments stay current', () => {
    const plan = planTarget({
      segments: source.segments,
      alignment: aligned(),
      entry,
      config: {...config, fingerprint: 'inputs-2'}
    })
    expect(plan).toMatchObject({verdict: 'stale', pending: 0, inputs: expect.stringMatching(/config/)})
  })

  it('stale: a renamed note has its translation moved, nothing translated', () => {
    const plan = planTarget({segments: source.segments, alignment: aligned(), entry, config, renamedFrom: 'old.md'})
    expect(plan).toMatchObject({verdict: 'stale', pending: 0, renamedFrom: 'old.md'})
  })

  it('needs-review: a human translation whose source changed', () => {
    const human: LockEntry = {...entry, segments: entry.segments.map((record) => ({...record, human: true}))}
    const edited = note('One sentence.\n\nTwo sentences changed.\n')
    const plan = planTarget({
      segments: edited.segments,
      alignment: aligned(edited, target, human),
      entry: human,
      config
    })
    expect(plan).toMatchObject({verdict: 'needs-review', pending: 0, needsReview: 1})
  })

  it('untracked and misaligned', () => {
    expect(
      planTarget({segments: source.segments, alignment: aligned(source, target, undefined), entry: undefined, config})
    ).toMatchObject({verdict: 'untracked'})
    const split = note('Una frase.\n\nDos.\n\nFrases.\n')
    expect(planTarget({segments: source.segments, alignment: aligned(source, split), entry, config})).toMatchObject({
      verdict: 'misaligned'
    })
  })

  it('pseudo output under a real provider: its segments are pending (reason provider), not an input change', () => {
    const pseudo = {...entry, provider: 'pseudo'}
    const alignment = align({
      source: source.segments,
      fingerprints: source.segments.map(() => undefined),
      entry: pseudo,
      target: target.segments,
      replaceMachine: true
    })
    const plan = planTarget({
      segments: source.segments,
      alignment,
      entry: pseudo,
      config: {...config, realProvider: true}
    })
    expect(plan).toMatchObject({verdict: 'stale', pending: 2})
    expect(plan.inputs).toBeUndefined()
  })
})

describe('provenByHashes and staleAgainst', () => {
  const hashes = {source: 'src-hash', target: 'tgt-hash', glossary: undefined, copy: false}
  it('hashes, glossary and inputs all match: current without a parse', () => {
    expect(provenByHashes(entry, hashes, config)).toBe(true)
    expect(provenByHashes(entry, {...hashes, target: 'edited'}, config)).toBe(false)
    expect(provenByHashes(entry, {...hashes, glossary: 'g2'}, config)).toBe(false)
    expect(provenByHashes(entry, {...hashes, glossary: 'g2', copy: true}, config)).toBe(true)
    expect(provenByHashes(entry, hashes, {...config, output: 'es/b.md'})).toBe(false)
  })
  it('names what changed', () => {
    expect(staleAgainst(entry, {...config, output: 'es/b.md'})).toMatch(/output path changed \(was es\/a\.md\)/)
    expect(staleAgainst({...entry, provider: 'pseudo'}, {...config, realProvider: true})).toMatch(/pseudo/)
    expect(staleAgainst({...entry, inputs: undefined}, {...config, fingerprint: 'x'})).toBeUndefined()
  })
})
