/**
 * What `sync` takes and reports, and the state one run carries from note to note.
 */
import type {NotePlan} from '../config/load.js'
import type {NoteText} from '../pipeline/read.js'
import type {Problem, Project, ProjectOptions} from '../project/project.js'
import type {OrphanPool} from '../project/renames.js'
import type {TargetVerdict} from '../project/target-plan.js'
import type {Estimate} from '../providers/estimate.js'
import type {ProviderSettings} from '../providers/select.js'
import type {Journal} from '../state/journal.js'
import type {Finding, Provider, TranslateJob, Usage} from '../types.js'
import type {Pricing} from './budget.js'
import type {TranslationMemory} from './memory.js'
import type {NotePool} from './note-pool.js'

export interface SyncOptions extends ProjectOptions {
  /** Provider settings from flags; merged over the config's. */
  provider?: Partial<ProviderSettings>
  dryRun?: boolean
  /** `false`: a dry run that only plans (the live display's totals): no token estimate of the requests. */
  estimate?: boolean
  /** Re-translate human edits whose source changed (needs review) and unalignable targets. */
  force?: boolean
  /** Re-translate everything the tool wrote, e.g. after changing model. Human edits are kept. */
  retranslate?: boolean
  /** Glossary violations block the segment instead of being reported. */
  strictGlossary?: boolean
  env: Readonly<Record<string, string | undefined>>
  /**
   * Worker threads that analyse and reassemble notes (`note-pool.ts`): 0 does it all on the main
   * thread. Default: `NOTES_L10N_WORKERS`, else one per core beyond the first (at most four; none
   * on two cores or fewer).
   */
  workers?: number
  signal?: AbortSignal
  /** Called once per note and locale as soon as it is finished. */
  onNote?: (result: NoteResult) => void
  /**
   * `false`: once a note's result has been handed to `onNote` and `onEvent`, the run keeps only
   * its status, counts and message — its segment outcomes and findings leave memory (the
   * result's `segments` and `findings` are empty). For callers that print each note as it
   * finishes and need only the totals at the end (the CLI without `--json` or `--report`): a run
   * otherwise holds an outcome per segment of the whole project until it ends.
   */
  keepDetails?: boolean
  /** For tests: use this provider instead of the configured one. */
  providerOverride?: Provider
  /**
   * Human translations to apply (e.g. from an imported XLIFF/PO file), as logical Markdown by
   * note, locale and segment id. They are written and locked as human work.
   */
  overrides?: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, string>>>
  /**
   * `false`: call no provider (import-only runs). A note that still has untranslated segments
   * is then not written.
   */
  translate?: boolean
  /** Sync only the notes of shard `index` (1-based) of `count`: see {@link shardOf}. */
  shard?: {index: number; count: number}
  /**
   * Refuse to start when the run's estimate exceeds this many USD, and stop before the request
   * that would make the running total exceed it (`SyncResult.stopped`). Needs a priced model.
   */
  maxCostUsd?: number
  /** Progress: called as work starts and finishes (see {@link SyncEvent}). */
  onEvent?: (event: SyncEvent) => void
  /**
   * Batch API submission: jobs with pending segments are handed here instead of to the provider;
   * their notes are reported `queued` and not written.
   */
  queue?: (job: TranslateJob) => void
  /** The caller already holds the run mutex (`sync --batch` around its submit or collect). */
  runLockHeld?: boolean
}

/**
 * What a run reports while it works, for progress displays and `--json` (one event per line).
 *
 * - `note-started`: a note and locale with segments to translate is handed to the provider;
 * - `segment-batch`: one request's segments were accepted (and journaled); `usage` is the run's
 *   total so far and `inFlight` the requests in flight, when the provider reports them; `priced`
 *   false means costs are unknown (not $0);
 * - `note-finished`: a note and locale is done, whatever the outcome.
 */
export type SyncEvent =
  | {type: 'note-started'; note: string; locale: string; output: string; segments: number}
  | {
      type: 'segment-batch'
      note: string
      locale: string
      accepted: number
      usage?: Usage
      inFlight?: number
      priced: boolean
    }
  | {
      type: 'note-finished'
      note: string
      locale: string
      output: string
      status: NoteStatus
      counts: NoteResult['counts']
    }

/** Dry-run figures of one target locale. */
export interface LocaleEstimate extends Estimate {
  locale: string
  /** Notes with segments to translate. */
  notes: number
  /** Segments to translate. */
  segments: number
  /** Segments whose translation is reused (current, journaled). */
  reused: number
}

export type NoteStatus =
  /** Written (created or updated). */
  | 'written'
  /** Already up to date: nothing written. */
  | 'unchanged'
  /** The target locale is the source's own: copied with front-matter set. */
  | 'copied'
  /**
   * Would be written (dry run): the plan's verdict is missing, untracked or stale (segments to
   * translate or to take out, a config change, a rename) — the file, or at least its lock entry.
   */
  | 'pending'
  /** Left untouched: the target could not be aligned with its source (edited structurally). */
  | 'untouched'
  /** Not written: some segments could not be translated; the previous target is unchanged. */
  | 'failed'
  /** Not written yet: its pending segments were queued for the Batch API. */
  | 'queued'

export interface SegmentOutcome {
  id: string
  line: number
  state: 'translated' | 'reused' | 'human' | 'needs-review' | 'failed' | 'pending'
  reason?: string
}

export interface NoteResult {
  note: string
  locale: string
  output: string
  status: NoteStatus
  /** Counts of segment outcomes. */
  counts: Record<SegmentOutcome['state'], number>
  segments: SegmentOutcome[]
  findings: Finding[]
  /** Why the note was untouched or failed, in one line. */
  message?: string
  /**
   * Dry run: the one plan's verdict on the target (src/project/target-plan.ts), the verdict
   * `check`, `status`, `diff` and `export` report for it (docs/state.md, "Verdicts").
   */
  verdict?: TargetVerdict
  /** Source tokens (segment text only) still to translate (dry run). */
  pendingTokens?: number
  /** The requests that translating it would take (dry run, providers that make requests). */
  estimate?: Estimate
}

export interface SyncResult {
  notes: NoteResult[]
  problems: Problem[]
  usage: Usage
  provider: string
  model: string
  dryRun: boolean
  interrupted: boolean
  /** False when the model has no price: costs are unknown, not $0. */
  priced: boolean
  /** Per-locale estimate (dry run, or before a run with `maxCostUsd`), locales sorted. */
  estimate?: {locales: LocaleEstimate[]; total: Estimate}
  /** Things the run recovered from (a torn journal line, stale temp files), one line each. */
  warnings: string[]
  /** Why the run stopped early (cost limit, billing, bad key…): the rest was not attempted. */
  stopped?: {message: string; exitCode: 1 | 2}
}

/** One run of `sync`: the project, its options and what the notes done so far left for the rest. */
export interface Run {
  project: Project
  /** `locale \0 source note` → that note's output in the locale (all notes, whatever the shard). */
  outputs: ReadonlyMap<string, string>
  options: SyncOptions
  /** The provider for a target locale: its own model when the config names one (`provider.models`). */
  providerFor(locale: string): Provider | undefined
  journal: Journal | undefined
  result: SyncResult
  written: Array<{note: string; locale: string}>
  /** Set when the run estimates the requests of pending segments (dry run): with the jobs, packed at the end. */
  estimate: (Pricing & {jobs: EstimatedJob[]}) | undefined
  /** Target folders this run already checked for symlinks (see `WriteOptions.verified`). */
  verifiedFolders: Set<string>
  /** The run translates with a real provider: output of the offline pseudo provider is not current. */
  real: boolean
  /** Lock entries whose source note is gone: renamed notes claim them, the rest are removed at the end. */
  orphans: OrphanPool | undefined
  /** Every target path of the run's plans. */
  plannedOutputs: ReadonlySet<string>
  /**
   * Current translations anywhere in the project, offered before a segment is sent
   * (`memory.ts`); undefined when the run must not reuse (`--retranslate`, import-only runs).
   */
  memory: TranslationMemory | undefined
  /** The run's worker threads (`note-pool.ts`); undefined when every note is analysed on the main thread. */
  notePool?: NotePool | undefined
}

/** A dry run's job as plain data (the job's closures hold the parsed note), packed across notes at the end. */
export type EstimatedJob = Pick<
  TranslateJob,
  'note' | 'sourceLocale' | 'targetLocale' | 'title' | 'context' | 'terms' | 'segments'
>

export type Target = NotePlan['targets'][number]

/** The target as a successful read found it (`text` undefined: it does not exist). */
export interface TargetRead {
  text: NoteText | undefined
}
