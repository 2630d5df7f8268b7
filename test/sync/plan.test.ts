/**
 * The pure planner of `sync` (src/sync/plan.ts): decisions in, segment plan, outcomes and lock
 * entry out — no temp folder, no provider, no lock file.
 */
import {describe, expect, it} from 'vitest'
import {contentHash} from '../../src/io/hash.js'
import {analyseNote} from '../../src/pipeline/analyse.js'
import {decodeNote} from '../../src/pipeline/read.js'
import type {Decision} from '../../src/state/align.js'
import {
  bodyDifferences,
  describeDecisions,
  emptyResult,
  enclosing,
  localeEstimates,
  lockEntryFor,
  planSegments,
  withOverrides
} from '../../src/sync/plan.js'
import {shardOf} from '../../src/sync/shard.js'
import type {NoteResult} from '../../src/sync/types.js'

const note = (markdown: string) => analyseNote('a.md', decodeNote(new TextEncoder().encode(markdown), 'a.md'))
const identity = (url: string) => url

describe('planSegments', () => {
  const source = note('# Hello\n\nA [link](x.md "A title") here.\n\n`42`\n')
  const at = (text: string) => source.segments.findIndex((segment) => segment.markdown.includes(text))

  it('sends only pending segments with words; reused ones keep their Markdown', () => {
    const decisions: Decision[] = source.segments.map((_segment, index) =>
      index === at('Hello') ? {state: 'current', markdown: '# Hallo'.slice(2)} : {state: 'pending', reason: 'new'}
    )
    const plan = planSegments(source, decisions, {locale: 'de', glossary: undefined, rewriteRead: identity})
    expect(plan.markdown.get(source.segments[at('Hello')]!.id)).toBe('Hallo')
    expect(plan.pending.map((segment) => segment.id)).not.toContain(source.segments[at('Hello')]!.id)
    // Every pending segment is either rendered for free or remote, never both.
    for (const segment of plan.pending) expect(plan.markdown.has(segment.id)).not.toBe(plan.remote.includes(segment))
    expect(plan.remote.length).toBeGreaterThan(0)
  })

  it('drops a nested segment (a link title) when its paragraph comes from the target', () => {
    const pairs = enclosing(source.segments)
    expect(pairs.length).toBeGreaterThan(0)
    const [child, parent] = pairs[0]!
    const decisions: Decision[] = source.segments.map(
      (segment, index): Decision =>
        index === parent || index === child
          ? {state: 'human', markdown: segment.markdown}
          : {state: 'pending', reason: 'new'}
    )
    const plan = planSegments(source, decisions, {locale: 'de', glossary: undefined, rewriteRead: identity})
    expect(plan.markdown.has(source.segments[parent]!.id)).toBe(true)
    expect(plan.markdown.has(source.segments[child]!.id)).toBe(false)
  })

  it('never sends a new link title inside a paragraph a human keeps (it has no place there; it was paid and rejected every run)', () => {
    const [child, parent] = enclosing(source.segments)[0]!
    const decisions: Decision[] = source.segments.map(
      (_segment, index): Decision =>
        index === parent
          ? {state: 'needs-review', markdown: 'Ein Absatz, von Hand übersetzt.', previousId: 'old'}
          : {state: 'pending', reason: index === child ? 'changed' : 'new'}
    )
    const plan = planSegments(source, decisions, {locale: 'de', glossary: undefined, rewriteRead: identity})
    expect(plan.remote.map((segment) => segment.id)).not.toContain(source.segments[child]!.id)
    expect(plan.markdown.has(source.segments[child]!.id)).toBe(false)
    expect(plan.remote.length).toBeGreaterThan(0)
    // Inside a machine translation taken from the target, a pending title is still sent.
    const machine = planSegments(
      source,
      decisions.map((decision, index) => (index === parent ? {state: 'current', markdown: 'Ein Absatz.'} : decision)),
      {locale: 'de', glossary: undefined, rewriteRead: identity}
    )
    expect(machine.remote.map((segment) => segment.id)).toContain(source.segments[child]!.id)
  })
})

describe('withOverrides', () => {
  it('puts imported human translations over the alignment, and nothing else', () => {
    const source = note('One.\n\nTwo.\n')
    const decisions: Decision[] = source.segments.map(() => ({state: 'pending', reason: 'new'}))
    const out = withOverrides(source.segments, decisions, new Map([[source.segments[1]!.id, 'Zwei.']]))
    expect(out[0]).toEqual({state: 'pending', reason: 'new'})
    expect(out[1]).toEqual({state: 'human', markdown: 'Zwei.'})
    expect(withOverrides(source.segments, decisions, undefined)).toEqual(decisions)
  })
})

describe('describeDecisions', () => {
  it('counts reused, human, translated and failed segments', () => {
    const source = note('One.\n\nTwo.\n\nThree.\n\nFour.\n')
    const [a, b, c, d] = source.segments
    const decisions: Decision[] = [
      {state: 'current', markdown: 'Eins.'},
      {state: 'human', markdown: 'Zwei.'},
      {state: 'pending', reason: 'new'},
      {state: 'pending', reason: 'changed'}
    ]
    const plan = {source: 'a.md', sourceLocale: 'en', targets: []} as unknown as Parameters<typeof emptyResult>[0]
    const result = emptyResult(plan, {locale: 'de', output: 'de/a.md'} as Parameters<typeof emptyResult>[1])
    describeDecisions(result, [a!, b!, c!, d!], decisions, {dryRun: false, failures: new Map([[d!.id, 'no reply']])})
    expect(result.counts).toMatchObject({reused: 1, human: 1, translated: 1, failed: 1})
    const dry = emptyResult(plan, {locale: 'de', output: 'de/a.md'} as Parameters<typeof emptyResult>[1])
    describeDecisions(dry, [a!, b!, c!, d!], decisions, {dryRun: true})
    expect(dry.counts.pending).toBe(2)
  })
})

describe('lockEntryFor', () => {
  const source = note('One.\n\nTwo.\n')
  const base = {
    segments: source.segments,
    fingerprints: [undefined, undefined],
    written: ['Eins.', 'Zwei.'],
    sourceHash: 'S',
    targetHash: contentHash('x'),
    glossary: undefined,
    inputs: {inputs: 'I', output: 'de/a.md'},
    reused: new Set<string>()
  }

  it("names this run's provider when it translated, and marks human work", () => {
    const entry = lockEntryFor({
      ...base,
      decisions: [
        {state: 'pending', reason: 'new'},
        {state: 'human', markdown: 'Zwei.'}
      ],
      previous: undefined,
      provider: {name: 'openai', model: 'gpt'},
      madeNow: true
    })
    expect(entry).toMatchObject({source: 'S', provider: 'openai', model: 'gpt', output: 'de/a.md'})
    expect(entry.segments.map((segment) => Boolean(segment.human))).toEqual([false, true])
  })

  it('keeps the old source hash and id while a human translation awaits review', () => {
    const previous = {source: 'OLD', target: 't', provider: 'human', model: 'human', segments: []}
    const entry = lockEntryFor({
      ...base,
      decisions: [
        {state: 'current', markdown: 'Eins.'},
        {state: 'needs-review', markdown: 'Zwei.', previousId: 'old-id'}
      ],
      previous,
      provider: {name: 'openai', model: 'gpt'},
      madeNow: false
    })
    expect(entry.source).toBe('OLD')
    expect(entry.provider).toBe('human')
    expect(entry.segments[1]!.id).toBe('old-id')
  })

  it('marks a translation reused in this run, keeps the mark while it stays current, and never on human work', () => {
    const [one, two] = source.segments
    const now = lockEntryFor({
      ...base,
      decisions: [
        {state: 'pending', reason: 'new'},
        {state: 'human', markdown: 'Zwei.'}
      ],
      previous: undefined,
      provider: {name: 'openai', model: 'gpt'},
      madeNow: true,
      reused: new Set([one!.id, two!.id])
    })
    expect(now.segments.map((segment) => [Boolean(segment.reused), Boolean(segment.human)])).toEqual([
      [true, false],
      [false, true]
    ])
    const later = lockEntryFor({
      ...base,
      decisions: [
        {state: 'current', markdown: 'Eins.', reused: true},
        {state: 'current', markdown: 'Zwei.'}
      ],
      previous: now,
      provider: {name: 'openai', model: 'gpt'},
      madeNow: false
    })
    expect(later.segments.map((segment) => Boolean(segment.reused))).toEqual([true, false])
  })
})

describe('over the plan', () => {
  it('localeEstimates counts pending notes per locale, sorted, and costs each locale its packed requests', () => {
    const result = (locale: string, pending: number, costUsd: number): NoteResult => ({
      note: 'a.md',
      locale,
      output: `${locale}/a.md`,
      status: 'pending',
      segments: [],
      findings: [],
      counts: {translated: 0, reused: 1, human: 0, 'needs-review': 0, failed: 0, pending},
      estimate: {requests: 1, promptTokens: 10, completionTokens: 5, costUsd}
    })
    // Requests are packed across notes: the two fr notes' own estimates (0.5 + 0.25) are not summed.
    const packed = new Map([['fr', {requests: 1, promptTokens: 15, completionTokens: 8, costUsd: 0.6}]])
    const {locales, total} = localeEstimates(
      [result('fr', 2, 0.5), result('de', 0, 0.25), result('fr', 1, 0.25)],
      packed
    )
    expect(locales.map((locale) => [locale.locale, locale.notes, locale.segments, locale.reused])).toEqual([
      ['de', 0, 0, 1],
      ['fr', 2, 3, 2]
    ])
    expect(locales.map((locale) => [locale.locale, locale.requests, locale.costUsd])).toEqual([
      ['de', 0, 0],
      ['fr', 1, 0.6]
    ])
    expect(total.costUsd).toBeCloseTo(0.6)
    expect(total.requests).toBe(1)
  })

  it('shardOf is stable and within range', () => {
    for (const file of ['a.md', 'b/c.md', 'd.md']) {
      const shard = shardOf(file, 4)
      expect(shard).toBeGreaterThanOrEqual(1)
      expect(shard).toBeLessThanOrEqual(4)
      expect(shardOf(file, 4)).toBe(shard)
    }
  })

  it('bodyDifferences ignores front-matter and names the lines that change', () => {
    expect(bodyDifferences('---\na: 1\n---\nx\ny\n', '---\na: 2\n---\nx\ny\n')).toEqual([])
    expect(bodyDifferences('---\na: 1\n---\nx\ny\n', '---\na: 1\n---\nx\nz\n')).toEqual([5])
  })
})
