/**
 * What the next `sync` does to one target, decided once for every command: `sync --dry-run`
 * reports it, `check` turns it into findings, `status` counts it, `diff` shows it and `export`
 * hands its segments to reviewers (docs/state.md, "Verdicts"). Pure: the
 * callers read files, hash them and align segments (`state/align.ts`); this module only decides.
 */
import type {AlignResult, Decision} from '../state/align.js'
import type {EntryHead, LockEntry} from '../state/lock.js'
import type {Segment} from '../types.js'

/**
 * The verdict on one target:
 * - `current`: nothing to do;
 * - `missing`: no target file: every segment is to be translated;
 * - `untracked`: a file the lock has no record of: `sync` adopts it (its prose kept as human work);
 * - `misaligned`: its segments cannot be matched with the source's: `sync` leaves it untouched;
 * - `stale`: `sync` writes it: segments to translate, translations of removed segments to take
 *   out, a config change to re-assemble for free, or a renamed note's translation to move;
 * - `needs-review`: only human translations whose source changed: a human decides.
 */
export type TargetVerdict = 'current' | 'missing' | 'untracked' | 'misaligned' | 'stale' | 'needs-review'

/** One source segment in the plan. */
export interface PlannedSegment {
  id: string
  /** Line of the segment in the source note. */
  line: number
  decision: Decision['state']
  /** Why a pending segment is to be translated. */
  reason?: Extract<Decision, {state: 'pending'}>['reason']
  /** For changed and needs-review segments: the id of the source the old translation was made from. */
  previousId?: string
  source: string
  /** What the target holds for it (for a pending segment: the old translation, if any). */
  translation?: string
}

export interface TargetPlan {
  verdict: TargetVerdict
  /** Every source segment, when the target was aligned (undefined when proven current by hashes, missing, or unmatched). */
  segments?: PlannedSegment[]
  /** Segments to translate. */
  pending: number
  /** Human translations waiting for review. */
  needsReview: number
  /** Translations in the target whose source segment was removed (`sync` takes them out). */
  removed: number
  /** Why the target is stale besides its segments (config changed, renamed): one clause. */
  inputs?: string
  /** The old path of a renamed note whose translation `sync` moves (its lock entry is under that path). */
  renamedFrom?: string
  /** One line for a verdict that is not about segments (untracked, misaligned, removed, inputs). */
  message?: string
}

/** What a config or a provider change means for an entry, besides its source and glossary. */
export interface ConfigInputs {
  /** `inputsFingerprint` of the target (src/project/provenance.ts). */
  fingerprint: string
  /** Where the config writes the target now. */
  output: string
  /** The run (or the config) names a real provider: pseudo output is not a translation. */
  realProvider: boolean
}

/**
 * Why an entry's target is not current for these inputs, beyond its source and glossary;
 * undefined when nothing but those matters. An entry written before inputs were recorded is
 * taken as made from the current config.
 */
export function staleAgainst(entry: Pick<EntryHead, 'provider' | 'inputs' | 'output'>, config: ConfigInputs) {
  if (config.realProvider && entry.provider === 'pseudo') return 'it holds output of the offline pseudo provider'
  if (entry.inputs === undefined) return undefined
  if (entry.output !== undefined && entry.output !== config.output)
    return `the output path changed (was ${entry.output})`
  if (entry.inputs !== config.fingerprint)
    return 'the config that shapes the output changed (front-matter policy, keys or set values, link rebasing, locale form, or the segmentation rules)'
  return undefined
}

/**
 * Whether hashes alone prove a target current, without a parse: the source and the target are
 * byte for byte what the entry was made from and wrote, the glossary does what it did then
 * (`glossary`: its version for the locale, undefined for a copy, which has none) and no input changed.
 */
export function provenByHashes(
  entry: Pick<EntryHead, 'source' | 'target' | 'glossary' | 'provider' | 'inputs' | 'output'>,
  hashes: {source: string | undefined; target: string | undefined; glossary: string | undefined; copy: boolean},
  config: ConfigInputs
): boolean {
  return (
    entry.source === hashes.source &&
    entry.target === hashes.target &&
    (hashes.copy || entry.glossary === hashes.glossary) &&
    staleAgainst(entry, config) === undefined
  )
}

export interface PlanInput {
  /** The source note's segments (its analysis). */
  segments: readonly Segment[]
  /** The target aligned with the source through the entry; undefined when there is no target file. */
  alignment: AlignResult | undefined
  /** The lock entry the target was made from (a renamed note's: the entry under its old path). */
  entry: LockEntry | undefined
  config: ConfigInputs
  /** The note was renamed: its entry is under this path, its translation is moved by `sync`. */
  renamedFrom?: string
}

/** The plan of one target: its verdict and what becomes of each segment. */
export function planTarget(input: PlanInput): TargetPlan {
  const {alignment, entry} = input
  const empty = {pending: 0, needsReview: 0, removed: 0}
  if (!alignment) return {verdict: 'missing', ...empty, pending: input.segments.length}
  if (!alignment.aligned) return {verdict: 'misaligned', ...empty, message: alignment.reason}

  const segments = input.segments.map((segment, index) => plannedSegment(segment, alignment.decisions[index]!))
  const pending = segments.filter((segment) => segment.decision === 'pending').length
  const needsReview = segments.filter((segment) => segment.decision === 'needs-review').length
  const plan: TargetPlan = {verdict: 'current', segments, pending, needsReview, removed: 0}
  if (!entry) {
    plan.verdict = 'untracked'
    plan.message =
      'the target exists but the lock has no record of it: run `notes-l10n sync` to adopt it (its prose is kept as human work; if sync reports code or URLs that differ from the source, make them match or run sync --force to take them from the source)'
    return plan
  }
  // Translations of source segments that were since removed: every old segment but those a
  // current segment matched (the same, or an edit of it) is still in the target, and sync takes
  // it out. Without this a deleted paragraph left the note "current".
  const matched = alignment.decisions.filter(
    (decision) => !(decision.state === 'pending' && decision.reason === 'new')
  ).length
  plan.removed = Math.max(0, entry.segments.length - matched)
  const inputs = staleAgainst(entry, input.config)
  // Pseudo output under a real provider is re-translated: its segments say so (reason `provider`).
  if (inputs !== undefined && !(input.config.realProvider && entry.provider === 'pseudo')) plan.inputs = inputs
  if (input.renamedFrom !== undefined) plan.renamedFrom = input.renamedFrom

  if (plan.renamedFrom !== undefined)
    plan.message = `renamed from ${plan.renamedFrom}: run notes-l10n sync to move its translation (its unchanged segments are not translated again)`
  else if (plan.removed > 0)
    plan.message = `it still holds ${plan.removed} segment${plan.removed === 1 ? '' : 's'} whose source was removed: run notes-l10n sync`
  else if (plan.inputs !== undefined)
    plan.message = `${plan.inputs} since it was written: run notes-l10n sync (no translation is requested for this)`
  plan.verdict =
    pending > 0 || plan.removed > 0 || plan.inputs !== undefined || plan.renamedFrom !== undefined
      ? 'stale'
      : needsReview > 0
        ? 'needs-review'
        : 'current'
  return plan
}

function plannedSegment(segment: Segment, decision: Decision): PlannedSegment {
  return {
    id: segment.id,
    line: segment.line,
    decision: decision.state,
    ...(decision.state === 'pending' ? {reason: decision.reason} : {}),
    ...('previousId' in decision && decision.previousId ? {previousId: decision.previousId} : {}),
    source: segment.markdown,
    ...(decision.state === 'pending'
      ? decision.previous === undefined
        ? {}
        : {translation: decision.previous}
      : {translation: decision.markdown})
  }
}
