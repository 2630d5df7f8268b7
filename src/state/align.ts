/**
 * Decides, for every segment of a source note, what a target file already holds for it.
 *
 * Pure: the caller reads the source, the target and the lock; this module only compares them.
 * `sync` uses the decisions to pay only for what changed and never to overwrite a human edit;
 * `check` and `diff` use the same decisions to report, so the three can never disagree.
 */
import {isUntranslatable} from '../text/letters.js'
import type {Segment, SegmentKind} from '../types.js'
import type {LockEntry} from './lock.js'
import {migrateProvenance, segmentTargetHash} from './lock.js'

export type Decision =
  /**
   * The target holds the tool's own translation of this exact source: reuse it. `pseudo`: it was
   * made by the offline pseudo provider (recorded again as such); `reused`: the lock records it as
   * copied from another occurrence (`SegmentRecord.reused`).
   */
  | {state: 'current'; markdown: string; pseudo?: boolean; reused?: boolean}
  /** The target holds a human translation of this exact source: keep it, never overwrite. */
  | {state: 'human'; markdown: string}
  /** A human translation whose source has changed since: kept as is until someone reviews it. */
  | {state: 'needs-review'; markdown: string; previousId: string}
  /** Accepted earlier but not yet locked (a run that was interrupted): reuse without paying again. */
  | {state: 'journaled'; markdown: string; pseudo?: boolean}
  /**
   * Must be translated: `reason` says why. When the source changed, `previous` is the old
   * translation and `previousId` the id of the source it was made from.
   */
  | {
      state: 'pending'
      reason: 'new' | 'changed' | 'glossary' | 'retranslate' | 'forced' | 'provider'
      previous?: string
      previousId?: string
    }

export interface AlignInput {
  source: readonly Segment[]
  /** Current glossary fingerprint of each source segment, by index (undefined: no terms). */
  fingerprints: ReadonlyArray<string | undefined>
  /**
   * What the lock (or, after a crash, the journal's record of a written note) says the target was
   * made from.
   */
  entry?: LockEntry
  /** Segments of the existing target file, or undefined when there is none. */
  target?: readonly Segment[]
  /** A translation accepted or written for this note and locale that the lock does not know yet. */
  journal?: (id: string) => {markdown: string; glossary?: string; provider?: string} | undefined
  retranslate?: boolean
  force?: boolean
  /**
   * This run has a real provider: the entry's machine translations made by the offline pseudo
   * provider (`pseudo` in their records) must be made again; human segments and translations of
   * a real provider are kept.
   */
  replaceMachine?: boolean
}

export type AlignResult = {aligned: true; decisions: Decision[]} | {aligned: false; reason: string}

interface OldSegment {
  id: string
  kind: SegmentKind | undefined
  markdown: string
  human: boolean
  /** A machine translation of the offline pseudo provider. */
  pseudo?: boolean
  /**
   * Flagged for review by a sync (the lock's `!!`) and edited since: the reviewer's answer to
   * "needs review". A human edit made before any sync saw its source change is not one: the same
   * files could mean either order, so that one is asked for review.
   */
  reviewed?: boolean
  /** Copied from another occurrence when it was written (the lock's `=`), and not edited since. */
  reused?: boolean
  glossary?: string
}

/** Aligns a target with its source; see {@link Decision} for the outcomes. */
export function align(input: AlignInput): AlignResult {
  const old = oldSegments(input)
  if (old === 'misaligned') return {aligned: false, reason: misaligned(input)}

  const matches = match(input.source, old)
  const decisions = input.source.map((segment, index): Decision => {
    const fingerprint = input.fingerprints[index]
    const matched = matches.same[index]
    if (matched !== undefined) {
      const previous = old[matched]!
      if (previous.human) return {state: 'human', markdown: previous.markdown}
      if (input.retranslate) return {state: 'pending', reason: 'retranslate'}
      if (input.replaceMachine && previous.pseudo)
        return {state: 'pending', reason: 'provider', previous: previous.markdown, previousId: previous.id}
      if (previous.glossary !== fingerprint) return fromJournal(input, segment, fingerprint, 'glossary')
      return {
        state: 'current',
        markdown: previous.markdown,
        ...(previous.pseudo ? {pseudo: true} : {}),
        ...(previous.reused ? {reused: true} : {})
      }
    }

    const changed = matches.changed[index]
    if (changed !== undefined) {
      const previous = old[changed]!
      if (previous.human && !input.force) {
        if (previous.reviewed) return {state: 'human', markdown: previous.markdown}
        return {state: 'needs-review', markdown: previous.markdown, previousId: previous.id}
      }
      return fromJournal(input, segment, fingerprint, input.force && previous.human ? 'forced' : 'changed', previous)
    }

    return fromJournal(input, segment, fingerprint, 'new')
  })

  return {aligned: true, decisions}
}

function fromJournal(
  input: AlignInput,
  segment: Segment,
  fingerprint: string | undefined,
  reason: 'new' | 'changed' | 'glossary' | 'forced',
  previous?: OldSegment
): Decision {
  const journaled = input.retranslate ? undefined : input.journal?.(segment.id)
  if (journaled && journaled.glossary === fingerprint)
    return journaled.provider === 'pseudo'
      ? {state: 'journaled', markdown: journaled.markdown, pseudo: true}
      : {state: 'journaled', markdown: journaled.markdown}
  return previous === undefined
    ? {state: 'pending', reason}
    : {state: 'pending', reason, previous: previous.markdown, previousId: previous.id}
}

/** Segments that sit inside a paragraph's link or image: a translator who drops the link drops them. */
const INSIDE: ReadonlySet<SegmentKind | undefined> = new Set(['linkTitle', 'imageAlt'])

/** Why a target cannot be matched to its source, and what to do, in one line. */
function misaligned(input: AlignInput): string {
  const target = input.target ?? []
  const recorded = input.entry ? input.entry.segments.length : input.source.length
  const count = (segments: readonly Segment[], inside: boolean) =>
    segments.filter((segment) => INSIDE.has(segment.kind) === inside).length
  const lost = count(input.source, true) - count(target, true)
  // The paragraphs line up and only titles or alt texts are missing: a link or image was removed.
  if (input.source.length === recorded && count(target, false) === count(input.source, false) && lost > 0)
    return `the translation lacks ${lost === 1 ? 'a link title or image alt text' : `${lost} link titles or image alt texts`} that the source has (a link with a title, or an image, was removed from a translated paragraph), so its translations cannot be matched to their sources: put the link or image back, with its title or alt text, or run with --force to translate the file afresh (which replaces its human edits)`
  return `the target has ${target.length} segment${target.length === 1 ? '' : 's'} where ${
    input.entry ? `the lock records ${recorded}` : `the source has ${recorded}`
  }, so its translations cannot be matched to their sources (a paragraph was added, removed or split by hand): fix the structure by hand, or run with --force to translate it afresh (which replaces its human edits)`
}

/**
 * What the target held, segment by segment, with the id of the source each was made from.
 *
 * With a lock entry, target segment i was written for the entry's segment i (splicing keeps the
 * shape). Without one (a translation made before the tool, or a lost lock), a target whose
 * segments line up kind by kind with the current source is adopted as human work: it is kept,
 * never silently replaced.
 */
function oldSegments(input: AlignInput): OldSegment[] | 'misaligned' {
  let {entry} = input
  const {target} = input
  if (!target) return []

  if (entry) {
    entry = migrateProvenance(entry)
    let written: readonly Segment[] = target
    if (written.length !== entry.segments.length && entry.inputs === undefined) {
      // An entry written before letterless segments were segments: the target read then had
      // none of them (docs/state.md, "Segment identity").
      written = target.filter((segment) => !isUntranslatable(segment))
    }
    if (written.length !== entry.segments.length) return input.force ? [] : 'misaligned'
    return entry.segments.map((record, index) => {
      const segment = written[index]!
      const edited = segmentTargetHash(segment.markdown) !== record.target
      return {
        id: record.id,
        kind: segment.kind,
        markdown: segment.markdown,
        human: Boolean(record.human) || edited,
        reviewed: Boolean(record.human && record.review) && edited,
        reused: Boolean(record.reused) && !edited,
        glossary: record.glossary,
        ...(record.pseudo && !edited ? {pseudo: true} : {})
      }
    })
  }

  // Adoption: with --force a target that lines up still keeps its prose (human edits win); only
  // one that cannot be matched is translated afresh.
  const lined =
    target.length === input.source.length &&
    target.every((segment, index) => segment.kind === input.source[index]!.kind)
  if (!lined) return input.force ? [] : 'misaligned'
  return target.map((segment, index) => ({
    id: input.source[index]!.id,
    kind: segment.kind,
    markdown: segment.markdown,
    human: true
  }))
}

/**
 * Matches current source segments to old ones: first by id (content address, so moves and
 * insertions keep their translations), then pairs the leftovers that sit between the same matched
 * neighbours and have the same kind — those are edits of one segment ("changed").
 *
 * Returns, by index of `source`, the index in `old` of the same segment (`same`) or of the segment
 * it is an edit of (`changed`).
 */
export function match(
  source: ReadonlyArray<{id: string; kind: SegmentKind | undefined}>,
  old: ReadonlyArray<{id: string; kind: SegmentKind | undefined; human?: boolean}>
) {
  const byId = new Map<string, number[]>()
  old.forEach((segment, index) => {
    const list = byId.get(segment.id)
    if (list) list.push(index)
    else byId.set(segment.id, [index])
  })

  const same: Array<number | undefined> = []
  const used = new Set<number>()
  source.forEach((segment, index) => {
    const candidates = byId.get(segment.id)
    const found = candidates?.find((candidate) => !used.has(candidate))
    if (found !== undefined) {
      same[index] = found
      used.add(found)
    }
  })

  const changed: Array<number | undefined> = []
  let lowerBound = -1
  source.forEach((segment, index) => {
    const matched = same[index]
    if (matched !== undefined) {
      lowerBound = Math.max(lowerBound, matched)
      return
    }
    const upperBound = nextMatched(same, index) ?? old.length
    const candidates: number[] = []
    for (let candidate = lowerBound + 1; candidate < upperBound; candidate++)
      if (!used.has(candidate) && old[candidate]!.kind === segment.kind) candidates.push(candidate)
    if (candidates.length === 0) return
    // More old segments than new ones of this kind in the gap: some were deleted, and which ones the
    // ids cannot tell. Pairing an edit with a human translation keeps the human's text (asked for
    // review) where pairing it with a machine one would drop it: among the ones that may be
    // skipped, a human one wins (docs/state.md, "Segment identity").
    let spare = candidates.length
    for (let later = index; later < source.length && same[later] === undefined; later++)
      if (source[later]!.kind === segment.kind) spare--
    const chosen =
      candidates.slice(0, Math.max(0, spare) + 1).find((candidate) => old[candidate]!.human) ?? candidates[0]!
    changed[index] = chosen
    used.add(chosen)
    lowerBound = chosen
  })

  return {same, changed}
}

function nextMatched(same: ReadonlyArray<number | undefined>, from: number): number | undefined {
  for (let index = from + 1; index < same.length; index++) {
    if (same[index] !== undefined) return same[index]
  }
  return undefined
}
