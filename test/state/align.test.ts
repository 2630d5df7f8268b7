import {describe, expect, it} from 'vitest'
import {align, type Decision} from '../../src/state/align.js'
import {type LockEntry, segmentTargetHash} from '../../src/state/lock.js'
import type {Segment, SegmentKind} from '../../src/types.js'

/** A source or target segment; only id, kind and markdown matter to alignment. */
function seg(id: string, markdown = id, kind: SegmentKind = 'paragraph'): Segment {
  return {id, kind, line: 1, start: 0, end: 0, markdown, text: markdown, tokens: []}
}

/** A lock entry recording that `written[i]` was written for source id `ids[i]`. */
function entry(ids: string[], written: string[], human: number[] = [], provider = 'openai'): LockEntry {
  return {
    source: 'x',
    target: 'y',
    provider,
    model: provider,
    segments: ids.map((id, index) => ({
      id,
      target: segmentTargetHash(written[index]!),
      ...(human.includes(index) ? {human: true} : {})
    }))
  }
}

const states = (decisions: Decision[]) => decisions.map((decision) => decision.state)

describe('align', () => {
  const source = [seg('a'), seg('b'), seg('c')]
  const lock = entry(['a', 'b', 'c'], ['A', 'B', 'C'])
  const target = [seg('t1', 'A'), seg('t2', 'B'), seg('t3', 'C')]

  it('reuses every segment of an unchanged note', () => {
    const result = align({source, fingerprints: [], entry: lock, target})
    expect(result.aligned && result.decisions).toEqual([
      {state: 'current', markdown: 'A'},
      {state: 'current', markdown: 'B'},
      {state: 'current', markdown: 'C'}
    ])
  })

  it('sends only the edited paragraph, with its previous translation as a hint', () => {
    const result = align({source: [seg('a'), seg('b2'), seg('c')], fingerprints: [], entry: lock, target})
    expect(result.aligned && result.decisions[1]).toEqual({
      state: 'pending',
      reason: 'changed',
      previous: 'B',
      previousId: 'b'
    })
    expect(result.aligned && states(result.decisions)).toEqual(['current', 'pending', 'current'])
  })

  it('sends only an inserted paragraph: the others keep their translations', () => {
    const result = align({source: [seg('new'), seg('a'), seg('b'), seg('c')], fingerprints: [], entry: lock, target})
    expect(result.aligned && result.decisions).toEqual([
      {state: 'pending', reason: 'new'},
      {state: 'current', markdown: 'A'},
      {state: 'current', markdown: 'B'},
      {state: 'current', markdown: 'C'}
    ])
  })

  it('keeps translations of moved paragraphs', () => {
    const result = align({source: [seg('c'), seg('a'), seg('b')], fingerprints: [], entry: lock, target})
    expect(result.aligned && result.decisions.map((d) => d.state === 'current' && d.markdown)).toEqual(['C', 'A', 'B'])
  })

  it('D4: a target segment that differs from what the tool wrote is a human edit and is kept', () => {
    const edited = [seg('t1', 'A'), seg('t2', 'B by a human'), seg('t3', 'C')]
    const result = align({source, fingerprints: [], entry: lock, target: edited})
    expect(result.aligned && result.decisions[1]).toEqual({state: 'human', markdown: 'B by a human'})
  })

  it('D5: a human translation whose source changed needs review and is kept', () => {
    const result = align({
      source: [seg('a'), seg('b2'), seg('c')],
      fingerprints: [],
      entry: entry(['a', 'b', 'c'], ['A', 'B', 'C'], [1]),
      target
    })
    expect(result.aligned && result.decisions[1]).toEqual({state: 'needs-review', markdown: 'B', previousId: 'b'})
  })

  it('a paragraph deleted and its neighbour edited at once: the edit is paired with the human translation, never dropping it', () => {
    // Old: title, b (machine), c (edited by a human). New: b deleted, c edited.
    const result = align({
      source: [seg('a'), seg('c2')],
      fingerprints: [],
      entry: entry(['a', 'b', 'c'], ['A', 'B', 'C'], [2]),
      target
    })
    expect(result.aligned && result.decisions).toEqual([
      {state: 'current', markdown: 'A'},
      {state: 'needs-review', markdown: 'C', previousId: 'c'}
    ])
    // Without a human translation among them, the first candidate is paired, as before.
    const machine = align({source: [seg('a'), seg('c2')], fingerprints: [], entry: lock, target})
    expect(machine.aligned && machine.decisions[1]).toMatchObject({state: 'pending', previousId: 'b'})
    // As many new segments as old ones in the gap: paired in order, the human one with its own.
    const both = align({
      source: [seg('a'), seg('b2'), seg('c2')],
      fingerprints: [],
      entry: entry(['a', 'b', 'c'], ['A', 'B', 'C'], [2]),
      target
    })
    expect(both.aligned && states(both.decisions)).toEqual(['current', 'pending', 'needs-review'])
  })

  it('editing a translation flagged as needing review (`!!`) marks it reviewed', () => {
    const flagged = entry(['a', 'b', 'c'], ['A', 'B', 'C'], [1])
    flagged.segments[1]!.review = true
    const edited = [seg('t1', 'A'), seg('t2', 'B, reviewed'), seg('t3', 'C')]
    const result = align({source: [seg('a'), seg('b2'), seg('c')], fingerprints: [], entry: flagged, target: edited})
    expect(result.aligned && result.decisions[1]).toEqual({state: 'human', markdown: 'B, reviewed'})
  })

  it('a human translation edited again while its source changed, with no sync between, needs review', () => {
    const human = entry(['a', 'b', 'c'], ['A', 'B', 'C'], [1])
    const edited = [seg('t1', 'A'), seg('t2', 'B, edited again'), seg('t3', 'C')]
    const result = align({source: [seg('a'), seg('b2'), seg('c')], fingerprints: [], entry: human, target: edited})
    expect(result.aligned && result.decisions[1]).toEqual({
      state: 'needs-review',
      markdown: 'B, edited again',
      previousId: 'b'
    })
  })

  it('--force re-translates a human translation whose source changed', () => {
    const result = align({
      source: [seg('a'), seg('b2'), seg('c')],
      fingerprints: [],
      entry: entry(['a', 'b', 'c'], ['A', 'B', 'C'], [1]),
      target,
      force: true
    })
    expect(result.aligned && result.decisions[1]).toEqual({
      state: 'pending',
      reason: 'forced',
      previous: 'B',
      previousId: 'b'
    })
  })

  it('re-opens a segment whose glossary fingerprint changed, and only that one', () => {
    const result = align({source, fingerprints: [undefined, 'g2', undefined], entry: lock, target})
    expect(result.aligned && states(result.decisions)).toEqual(['current', 'pending', 'current'])
  })

  it('--retranslate re-opens machine translations but keeps human ones', () => {
    const edited = [seg('t1', 'A'), seg('t2', 'B by a human'), seg('t3', 'C')]
    const result = align({source, fingerprints: [], entry: lock, target: edited, retranslate: true})
    expect(result.aligned && states(result.decisions)).toEqual(['pending', 'human', 'pending'])
  })

  it('refuses a target whose segments cannot be matched to the lock, and says how to fix it', () => {
    const result = align({source, fingerprints: [], entry: lock, target: [seg('t1', 'A'), seg('t2', 'B')]})
    expect(result.aligned).toBe(false)
    expect(!result.aligned && result.reason).toMatch(/target has 2 segments where the lock records 3.*--force/)
  })

  it('says which structure is missing when a translator removed a titled link or an image from a paragraph', () => {
    const titled = [seg('p1'), seg('t1', 'Guide', 'linkTitle'), seg('p2')]
    const result = align({
      source: titled,
      fingerprints: [],
      entry: entry(['p1', 't1', 'p2'], ['P1', 'Guía', 'P2']),
      target: [seg('x1', 'P1 by a human, without the link'), seg('x2', 'P2')]
    })
    expect(!result.aligned && result.reason).toMatch(
      /^the translation lacks a link title or image alt text that the source has .*put the link or image back, with its title or alt text, or run with --force to translate the file afresh \(which replaces its human edits\)$/
    )
    // A paragraph gone as well is a structure change of another kind.
    const other = align({
      source: titled,
      fingerprints: [],
      entry: entry(['p1', 't1', 'p2'], ['P1', 'Guía', 'P2']),
      target: [seg('x1', 'P1')]
    })
    expect(!other.aligned && other.reason).toMatch(/^the target has 1 segment where the lock records 3/)
  })

  it('D7: a translation accepted before a crash is reused from the journal, not paid again', () => {
    const result = align({
      source: [seg('a'), seg('b2'), seg('c')],
      fingerprints: [],
      entry: lock,
      target,
      journal: (id) => (id === 'b2' ? {markdown: 'B2'} : undefined)
    })
    expect(result.aligned && result.decisions[1]).toEqual({state: 'journaled', markdown: 'B2'})
  })

  it('adopts an untracked target whose segments line up kind by kind as human work', () => {
    const result = align({source, fingerprints: [], target})
    expect(result.aligned && states(result.decisions)).toEqual(['human', 'human', 'human'])
  })

  it('does not adopt an untracked target whose shape differs', () => {
    const result = align({
      source,
      fingerprints: [],
      target: [seg('t1', 'A', 'heading'), seg('t2', 'B'), seg('t3', 'C')]
    })
    expect(result.aligned).toBe(false)
  })

  it('translates everything when there is no target', () => {
    const result = align({source, fingerprints: []})
    expect(result.aligned && states(result.decisions)).toEqual(['pending', 'pending', 'pending'])
  })

  it('an entry written before letterless segments were segments still lines up with its target (migration)', () => {
    // The old lock recorded a, b, c; the target read today also has the letterless cell "42".
    const withCell = [seg('t1', 'A'), seg('t42', '42', 'tableCell'), seg('t2', 'B'), seg('t3', 'C')]
    const sourceNow = [seg('a'), seg('n42', '42', 'tableCell'), seg('b'), seg('c')]
    const legacy = align({source: sourceNow, fingerprints: [], entry: lock, target: withCell})
    expect(legacy.aligned && states(legacy.decisions)).toEqual(['current', 'pending', 'current', 'current'])
    // An entry that records its inputs was written with today's segmentation: no such leeway.
    const recorded = align({
      source: sourceNow,
      fingerprints: [],
      entry: {...lock, inputs: 'abcdefgh'},
      target: withCell
    })
    expect(recorded.aligned).toBe(false)
  })

  it('replaceMachine re-translates machine segments and keeps human ones', () => {
    const result = align({
      source,
      fingerprints: [],
      entry: entry(['a', 'b', 'c'], ['A', 'B', 'C'], [1], 'pseudo'),
      target,
      replaceMachine: true
    })
    // An entry without per-segment marks (lock version 1): every machine segment is pseudo-made.
    expect(result.aligned && states(result.decisions)).toEqual(['pending', 'human', 'pending'])
  })

  it('replaceMachine re-translates exactly the segments the pseudo provider made', () => {
    const mixed = entry(['a', 'b', 'c'], ['A', 'B', 'C'], [1], 'pseudo')
    mixed.segments[2]!.pseudo = true
    const real = align({source, fingerprints: [], entry: mixed, target, replaceMachine: true})
    expect(real.aligned && states(real.decisions)).toEqual(['current', 'human', 'pending'])
    // Without a real provider the pseudo translation is reused, and stays marked as pseudo.
    const offline = align({source, fingerprints: [], entry: mixed, target})
    expect(offline.aligned && offline.decisions[2]).toEqual({state: 'current', markdown: 'C', pseudo: true})
  })
})
