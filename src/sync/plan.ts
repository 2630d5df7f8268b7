/**
 * The pure part of `sync`: from a note, its alignment with the target and the lock, decide what
 * each segment becomes (reused, kept as human work, rendered for free, sent to the provider), and
 * describe the outcome. Data in, data out: no file, provider, journal or clock — see
 * test/sync/plan.test.ts.
 */

import type {NotePlan} from '../config/load.js'
import type {Glossary} from '../glossary/load.js'
import {errnoMessage} from '../io/errno.js'
import {type AnalysedNote, isUntranslatable} from '../pipeline/analyse.js'
import {looksLikeCode} from '../pipeline/codelike.js'
import {restore} from '../pipeline/restore.js'
import {markdownInSourceSpace, type Rewrites} from '../project/url-space.js'
import {addEstimate, type Estimate, emptyEstimate, estimateJob} from '../providers/estimate.js'
import {packJobs} from '../providers/packer.js'
import {tokensForLocale} from '../review/target-tokens.js'
import type {Decision} from '../state/align.js'
import {type LockEntry, type SegmentRecord, segmentTargetHash} from '../state/lock.js'
import type {Finding, Segment} from '../types.js'
import {UserError} from '../types.js'
import type {Pricing} from './budget.js'
import type {EstimatedJob, LocaleEstimate, NoteResult, SegmentOutcome, Target} from './types.js'

/** The alignment's decisions, with human translations given for this run (an import) put over them. */
export function withOverrides(
  segments: readonly Segment[],
  decisions: readonly Decision[],
  overrides: ReadonlyMap<string, string> | undefined
): Decision[] {
  if (!overrides) return [...decisions]
  return decisions.map((decision, index): Decision => {
    const markdown = overrides.get(segments[index]!.id)
    return markdown === undefined ? decision : {state: 'human', markdown}
  })
}

/**
 * A machine translation of a paragraph taken from the target holds its link titles' (and image
 * alts') translations in its own text; a title that must be translated again while its paragraph
 * need not (a glossary change that touches only the title) has no place to go in that text, and
 * failed the note on every run. The paragraph is translated again with it.
 */
export function withNestedPending(segments: readonly Segment[], decisions: readonly Decision[]): Decision[] {
  const result = [...decisions]
  for (const [child, parent] of enclosing(segments)) {
    const nested = result[child]!
    if (nested.state === 'pending' && result[parent]!.state === 'current')
      result[parent] = {state: 'pending', reason: nested.reason}
  }
  return result
}

/** What a note's segments become before any provider is asked. */
export interface SegmentPlan {
  /** Segments with no usable translation. */
  pending: Segment[]
  /** Pending segments that need the provider (the rest are rendered here, for free). */
  remote: Segment[]
  /** Logical Markdown of every segment that has its translation already, by segment id. */
  markdown: Map<string, string>
  /** Paragraphs that look like code, copied untranslated (docs/rules.md, Q29). */
  findings: Finding[]
}

/**
 * Decides each segment's text from its decision: translations taken from the target are mapped
 * back into the source's URL space (`rewriteRead`: the forms a target may hold, tried in order), nested segments of a paragraph taken from the
 * target are dropped (the paragraph already holds them), and pending segments with nothing to
 * translate but placeholders are rendered with the locale's term renderings.
 */
export function planSegments(
  note: Pick<AnalysedNote, 'segments' | 'layouts'>,
  decisions: readonly Decision[],
  context: {locale: string; glossary: Glossary | undefined; rewriteRead: Rewrites}
): SegmentPlan {
  const pending = note.segments.filter((_, index) => decisions[index]!.state === 'pending')
  const markdown = new Map<string, string>()
  const fromTarget = new Set<number>()
  note.segments.forEach((segment, index) => {
    const decision = decisions[index]!
    if (decision.state === 'pending') return
    if (decision.state === 'journaled') {
      markdown.set(segment.id, decision.markdown)
      return
    }
    markdown.set(segment.id, markdownInSourceSpace(decision.markdown, segment, context.rewriteRead))
    fromTarget.add(index)
  })
  // A link title or image alt sits inside its paragraph. Text taken from the target file already
  // holds its nested segments' translations; splicing them in again would fail. A new title inside
  // a paragraph a human keeps is not sent either: the human's text has no place for it (or holds
  // their own title), so it would be paid for and rejected on every run.
  const held = new Set<string>()
  for (const [child, parent] of enclosing(note.segments)) {
    if (!fromTarget.has(parent)) continue
    markdown.delete(note.segments[child]!.id)
    const state = decisions[parent]!.state
    if (state === 'human' || state === 'needs-review') held.add(note.segments[child]!.id)
  }
  // Segments with nothing to translate but placeholders (a heading that is only a glossary name,
  // a cell holding `42`) are rendered here, for free: restoring them applies the locale's term
  // renderings. They are never sent, estimated or queued.
  const findings: Finding[] = []
  const rendered = (segment: Segment) =>
    restore(
      segment.text,
      tokensForLocale(segment, context.locale, context.glossary),
      note.layouts.get(segment.id)?.placement
    )
  for (const segment of pending) {
    if (isUntranslatable(segment)) markdown.set(segment.id, rendered(segment))
    else if (looksLikeCode(segment)) {
      // Code left as prose by a broken fence: copied as it is, never sent, and reported so that
      // the fence can be fixed (docs/rules.md, Q29).
      markdown.set(segment.id, rendered(segment))
      findings.push({
        rule: 'Q29',
        severity: 'warning',
        segment: segment.id,
        line: segment.line,
        message: `paragraph looks like code, left untranslated: ${JSON.stringify(segment.markdown.split('\n')[0]!.slice(0, 60))}; put it in a code fence (\`\`\`) if it is code`
      })
    }
  }
  const remote = pending.filter((segment) => !markdown.has(segment.id) && !held.has(segment.id))
  return {pending, remote, markdown, findings}
}

/** The lock entry of a target about to be written. */
export function lockEntryFor(input: {
  segments: readonly Segment[]
  decisions: readonly Decision[]
  fingerprints: ReadonlyArray<string | undefined>
  /** Logical Markdown of each segment as the written target reads back. */
  written: readonly string[]
  previous: LockEntry | undefined
  sourceHash: string
  targetHash: string
  /** Who translated in this run (undefined: nobody). */
  provider: {name: string; model: string} | undefined
  /** This run made translations (sent segments, a first entry, or replaced pseudo output). */
  madeNow: boolean
  /** Ids of the segments the provider translated in this run (the rest were rendered here or reused). */
  translated?: ReadonlySet<string>
  /** Ids of human segments with something `check` reports (missing markup, a changed URL…): `check` looks inside. */
  reported?: ReadonlySet<string>
  /** Segments whose translation this run copied from another occurrence (reported `reused from …`). */
  reused: ReadonlySet<string>
  /** Of those, the ones the offline pseudo provider made. */
  reusedPseudo?: ReadonlySet<string>
  /** And the ones a human wrote: human here too. */
  reusedHuman?: ReadonlySet<string>
  glossary: string | undefined
  inputs: {inputs: string; output: string; keys?: string}
}): LockEntry {
  const {previous, decisions} = input
  const reviewPending = decisions.some((decision) => decision.state === 'needs-review')
  const byPseudo = input.provider?.name === 'pseudo'
  const segments = input.segments.map((segment, index): SegmentRecord => {
    const decision = decisions[index]!
    const human =
      decision.state === 'human' ||
      decision.state === 'needs-review' ||
      (decision.state === 'pending' && input.reusedHuman?.has(segment.id) === true)
    const fingerprint = input.fingerprints[index]
    // Provenance per segment: a translation the pseudo provider made now, or one reused that it
    // made before, is pseudo; a real run re-sends exactly those (docs/state.md, "Provenance").
    const pseudo =
      decision.state === 'pending'
        ? (byPseudo && input.translated?.has(segment.id) === true) || input.reusedPseudo?.has(segment.id) === true
        : (decision.state === 'current' || decision.state === 'journaled') && decision.pseudo === true
    const reused =
      !human && (input.reused.has(segment.id) || (decision.state === 'current' && decision.reused === true))
    return {
      // A kept translation of an older source stays recorded against that source until reviewed.
      id: decision.state === 'needs-review' ? decision.previousId : segment.id,
      target: segmentTargetHash(input.written[index]!),
      ...(fingerprint ? {glossary: fingerprint} : {}),
      ...(human ? {human: true} : {}),
      ...(human && input.reported?.has(segment.id) ? {reported: true} : {}),
      // Flagged for review now: an edit after this run is the reviewer's answer (align.ts).
      ...(decision.state === 'needs-review' ? {review: true} : {}),
      ...(pseudo ? {pseudo: true} : {}),
      ...(reused ? {reused: true} : {})
    }
  })
  // The entry says `pseudo` exactly while a segment holds pseudo output (so `check` can tell from
  // the entry alone whether to look inside for a real provider); otherwise it names who made the
  // machine translations: this run's provider when it translated, else whoever did before.
  const anyPseudo = segments.some((segment) => segment.pseudo)
  const real = input.provider && !byPseudo ? input.provider : undefined
  const maker = anyPseudo
    ? {name: 'pseudo', model: byPseudo ? input.provider!.model : 'pseudo'}
    : input.madeNow && real
      ? real
      : previous && previous.provider !== 'pseudo'
        ? {name: previous.provider, model: previous.model}
        : (real ?? {name: 'human', model: 'human'})
  return {
    // With a translation still waiting for review the target is not current: keep the old source
    // hash so `check` looks inside the note instead of trusting the hashes.
    source: reviewPending && previous ? previous.source : input.sourceHash,
    target: input.targetHash,
    provider: maker.name,
    model: maker.model,
    ...(input.glossary !== undefined ? {glossary: input.glossary} : {}),
    ...input.inputs,
    segments
  }
}

/** Pairs of (segment index, index of the innermost segment whose range contains it). */
export function enclosing(segments: readonly Segment[]): Array<[number, number]> {
  const order = segments
    .map((segment, index) => ({segment, index}))
    .filter(({segment}) => segment.kind !== 'frontmatter')
    .sort((a, b) => a.segment.start - b.segment.start || b.segment.end - a.segment.end)
  const pairs: Array<[number, number]> = []
  const open: Array<{segment: Segment; index: number}> = []
  for (const item of order) {
    while (open.length > 0 && open[open.length - 1]!.segment.end <= item.segment.start) open.pop()
    const parent = open[open.length - 1]
    if (parent && item.segment.end <= parent.segment.end) pairs.push([item.index, parent.index])
    open.push(item)
  }
  return pairs
}

export function describeDecisions(
  result: NoteResult,
  segments: readonly Segment[],
  decisions: readonly Decision[],
  options: {dryRun: boolean; failures?: ReadonlyMap<string, string>; reusedFrom?: ReadonlyMap<string, string>}
): void {
  segments.forEach((segment, index) => {
    const decision = decisions[index]!
    const failure = options.failures?.get(segment.id)
    const from = options.reusedFrom?.get(segment.id)
    const [state, reason]: [SegmentOutcome['state'], string | undefined] =
      failure !== undefined
        ? ['failed', failure]
        : from !== undefined
          ? ['reused', `reused from ${from}`]
          : decision.state === 'pending'
            ? [options.dryRun ? 'pending' : 'translated', decision.reason]
            : decision.state === 'current' || decision.state === 'journaled'
              ? ['reused', undefined]
              : [decision.state, undefined]
    // One literal of one shape (no spread): a run keeps an outcome per segment of every note
    // until it ends, and a spread copy costs ~5× the bytes of a literal (bench/limits.md, 2).
    const outcome: SegmentOutcome =
      reason === undefined
        ? {id: segment.id, line: segment.line, state}
        : {id: segment.id, line: segment.line, state, reason}
    result.segments.push(outcome)
    result.counts[outcome.state]++
  })
}

export function emptyResult(plan: NotePlan, target: Target): NoteResult {
  return {
    note: plan.source,
    locale: target.locale,
    output: target.output,
    status: 'pending',
    counts: {translated: 0, reused: 0, human: 0, 'needs-review': 0, failed: 0, pending: 0},
    segments: [],
    findings: []
  }
}

/** The requests of each locale's pending segments packed across notes, as the run would send them. */
export function packedEstimates(
  estimate: (Pricing & {jobs: readonly EstimatedJob[]}) | undefined
): Map<string, Estimate> {
  const byLocale = new Map<string, EstimatedJob[]>()
  // In note order, not the order notes finished planning in: the same project always gets the same estimate.
  const jobs = [...(estimate?.jobs ?? [])].sort((a, b) => (a.note < b.note ? -1 : a.note > b.note ? 1 : 0))
  for (const job of jobs) byLocale.set(job.targetLocale, [...(byLocale.get(job.targetLocale) ?? []), job])
  return new Map(
    [...byLocale].map(([locale, jobs]) => [locale, estimateJob(estimate!.settings, packJobs(jobs), estimate!.price)])
  )
}

/** Per-locale estimate from the dry-run results and the locales' packed requests, locales sorted. */
export function localeEstimates(
  notes: readonly NoteResult[],
  packed: ReadonlyMap<string, Estimate>
): {locales: LocaleEstimate[]; total: Estimate} {
  const byLocale = new Map<string, LocaleEstimate>()
  const total = emptyEstimate()
  for (const note of notes) {
    let figures = byLocale.get(note.locale)
    if (!figures) {
      figures = {locale: note.locale, notes: 0, segments: 0, reused: 0, ...emptyEstimate()}
      byLocale.set(note.locale, figures)
    }
    if (note.counts.pending > 0) figures.notes++
    figures.segments += note.counts.pending
    figures.reused += note.counts.reused
  }
  // Requests are packed across notes (`providers/packer.ts`): a locale costs its packed requests,
  // not the sum of its notes' own.
  for (const [locale, estimate] of packed) {
    const figures = byLocale.get(locale)
    if (figures) addEstimate(figures, estimate)
    addEstimate(total, estimate)
  }
  return {
    locales: [...byLocale.values()].sort((a, b) => (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0)),
    total
  }
}

/** The source's front-matter as plain data, for the front-matter policy (`{}` when there is none). */
export function frontmatterData(note: AnalysedNote): Record<string, unknown> {
  const data: unknown = note.frontmatter?.document.toJS({maxAliasCount: 0})
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {}
}

export function withBom(text: {text: string; bom: boolean}): string {
  return (text.bom ? '\uFEFF' : '') + text.text
}

export function stripBom(text: string, bom: boolean): string {
  return bom && text.startsWith('\uFEFF') ? text.slice(1) : text
}

export function messageOf(error: unknown, file: string): string {
  if (error instanceof UserError) return error.message
  return `${file}: ${errnoMessage(error)}`
}

/**
 * 1-based lines of `before` (a target file) that `after` (its reassembly) changes, front-matter
 * aside (the front-matter policy owns it): lines compared in order, a length change reported at
 * the first line where they part.
 */
export function bodyDifferences(before: string, after: string): number[] {
  const split = (text: string) => {
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
    let start = 0
    if (lines[0] === '---') {
      const close = lines.findIndex((line, index) => index > 0 && (line === '---' || line === '...'))
      if (close !== -1) start = close + 1
    }
    return {lines: lines.slice(start), offset: start}
  }
  const old = split(before)
  const next = split(after)
  const differing: number[] = []
  const common = Math.min(old.lines.length, next.lines.length)
  for (let index = 0; index < common; index++)
    if (old.lines[index] !== next.lines[index]) differing.push(old.offset + index + 1)
  if (old.lines.length !== next.lines.length && differing.length === 0) differing.push(old.offset + common + 1)
  return differing
}
