/**
 * `notes-l10n sync`: bring every target file up to date with its source, paying only for new or
 * changed segments and never overwriting a human edit.
 *
 * Returns what it did; the CLI prints it. Effects are confined to the modules it calls: reading
 * notes, the provider, atomic writes, the lock and the journal.
 */
import {createHash} from 'node:crypto'
import path from 'node:path'
import {unlink} from 'node:fs/promises'
import {setImmediate as nextTurn} from 'node:timers/promises'
import pLimit from 'p-limit'
import {assertWritable, frontmatterEdit, plannedOutput, rebaseLink, targetUrlForms, type NotePlan} from '../config/load.js'
import {onlyTerms, requiredTerms, segmentFingerprint, verifyTerms, visibleText} from '../glossary/load.js'
import {isUntranslatable, type AnalysedNote} from '../pipeline/analyse.js'
import {looksLikeCode} from '../pipeline/codelike.js'
import type {NoteText} from '../pipeline/read.js'
import {addedLines} from '../pipeline/frontmatter.js'
import {restore} from '../pipeline/protect.js'
import {reassemble} from '../pipeline/reassemble.js'
import {normaliseTranslation, validateTranslation} from '../pipeline/validate.js'
import {removeStaleTemps, writeFileAtomic} from '../pipeline/write.js'
import {ProviderFatalError} from '../providers/errors.js'
import {addEstimate, emptyEstimate, estimateJob, type Estimate} from '../providers/estimate.js'
import type {OpenAIProvider} from '../providers/openai.js'
import {NoteGate, packJobs} from '../providers/packer.js'
import {addUsage, emptyUsage, priceFor, type Price} from '../providers/prices.js'
import {requestSettings, type RequestSettings} from '../providers/requests.js'
import {defaultModel, selectProvider, type ProviderSettings} from '../providers/select.js'
import {countTokens} from '../providers/tokens.js'
import {tokensForLocale} from '../review/target-tokens.js'
import {align, type Decision} from '../state/align.js'
import {contentHash} from '../state/hash.js'
import {listBatches} from '../state/batches.js'
import {JOURNAL_FILE, Journal} from '../state/journal.js'
import {segmentTargetHash, type LockEntry} from '../state/lock.js'
import {acquireRunLock} from '../state/mutex.js'
import type {Finding, Provider, RequiredTerm, Segment, TranslateJob, Usage} from '../types.js'
import {UserError} from '../types.js'
import {markdownInSourceSpace} from './url-space.js'
import {analyse} from './analyse.js'
import {errnoCode, errnoMessage} from '../errno.js'
import {keysOf, recordedInputs, staleInputs} from './provenance.js'
import {OrphanPool, type Orphan} from './renames.js'
import {glossaryVersion, openProject, readText, type Problem, type Project, type ProjectOptions} from './project.js'
import {containsSecret} from '../redact.js'

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
  signal?: AbortSignal
  /** Called once per note and locale as soon as it is finished. */
  onNote?: (result: NoteResult) => void
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
  | {type: 'segment-batch'; note: string; locale: string; accepted: number; usage?: Usage; inFlight?: number; priced: boolean}
  | {type: 'note-finished'; note: string; locale: string; output: string; status: NoteStatus; counts: NoteResult['counts']}

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
  /** Would be written (dry run). */
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

export async function sync(options: SyncOptions): Promise<SyncResult> {
  const project = await openProject(options)
  // Every note's outputs, before sharding: links between notes point at their translations.
  const outputs = new Map<string, string>()
  for (const plan of project.plans) for (const target of plan.targets) outputs.set(`${target.locale}\0${plan.source}`, target.output)
  if (options.shard) project.plans = project.plans.filter((plan) => shardOf(plan.source, options.shard!.count) === options.shard!.index)
  const settings = providerSettings(project, options)
  const offline = options.dryRun || options.translate === false || options.queue !== undefined
  const pricing = pricingOf(settings, options.env)
  if (options.maxCostUsd !== undefined && !offline) await refuseOverBudget(options, settings, pricing)
  // Notes in flight, so the provider packs the requests of all of them (`providers/packer.ts`).
  const gate = new NoteGate()
  const provider = options.providerOverride ?? (offline ? undefined : selectProvider({...settings, maxCostUsd: options.maxCostUsd}, options.env, gate))
  const result: SyncResult = {
    notes: [],
    problems: [...project.problems],
    usage: emptyUsage(),
    provider: provider?.name ?? (options.translate === false ? 'none' : settings.name),
    model: provider?.model ?? (options.translate === false ? '' : pricing.settings.model),
    dryRun: Boolean(options.dryRun),
    interrupted: false,
    priced: provider && 'priced' in provider && typeof provider.priced === 'boolean' ? provider.priced : pricing.price !== undefined,
    warnings: []
  }
  const estimating = options.dryRun && options.estimate !== false && settings.name !== 'pseudo' && !options.providerOverride

  // `sync --batch` holds the mutex around its whole submit or collect and says so (`runLockHeld`).
  const release = options.dryRun || options.runLockHeld ? undefined : await acquireRunLock(project.root)
  let journal: Journal | undefined
  let completed = false
  try {
    const lock = project.lock
    journal = options.dryRun ? undefined : await Journal.open(project.root)
    if (journal) result.warnings.push(...journal.warnings)
    if (!options.dryRun) result.warnings.push(...(await removeTemps(project)))
    if (!options.dryRun && !options.queue && !options.providerOverride && provider) {
      const open = await listBatches(project.root)
      if (open.length > 0) {
        result.warnings.push(
          `${open.length} Batch API batch${open.length === 1 ? ' is' : 'es are'} still open (${open.map((batch) => batch.id).join(', ')}): segments they carry are paid again by this online run — run notes-l10n batch collect first to use them`
        )
      }
    }
    const written: Array<{note: string; locale: string}> = []
    const run: Run = {
      project,
      outputs,
      options,
      providerFor: perLocaleProviders(project, options, settings, provider, gate),
      journal,
      result,
      written,
      estimate: estimating ? {...pricing, jobs: []} : undefined,
      verifiedFolders: new Set(),
      real: options.translate !== false && (provider?.name ?? settings.name) !== 'pseudo',
      // Renames and deletions are only judged over the whole project.
      orphans: options.paths?.length || options.shard ? undefined : orphanPool(project, options)
    }

    // Notes in flight are bounded (memory); the provider bounds requests in flight on its own.
    const limit = pLimit(Math.max(2, (settings.concurrency ?? 8) * 2))
    // Settle every note before deciding: a rejected Promise.all would leave notes writing after
    // the run lock is released.
    const settled = await Promise.allSettled(project.plans.map((plan) => limit(() => gate.around(() => syncNote(run, plan)))))
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason

    result.interrupted = Boolean(options.signal?.aborted) && !result.stopped
    // A run stopped mid-request (cost limit, billing, bad key) never saw that note's outcome: the
    // providers' own totals are what was spent.
    if (result.stopped) result.usage = spentBy(project, run, result.usage)
    if (estimating) result.estimate = localeEstimates(result.notes, packedEstimates(run))
    if (run.orphans && !result.interrupted && !result.stopped) await removeOrphans(run, run.orphans)
    if (!options.dryRun) {
      await lock.save(project.root)
      // Journal records and write-ahead marks are only dropped once the lock that supersedes them is on disk.
      for (const {note, locale} of written) await journal!.settle(note, locale)
      await journal!.close()
      // What discovery learned about the sources (hash, front-matter locale) serves the next run.
      await project.statCache.save()
    }
    completed = true
  } finally {
    // A failed run leaves the journal file as it is (the next run replays it), but never an open handle.
    if (!completed) await journal?.close({compact: false}).catch(() => undefined)
    await release?.()
  }

  result.notes.sort((a, b) => a.note.localeCompare(b.note) || a.locale.localeCompare(b.locale))
  return result
}

interface Run {
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
}

async function syncNote(run: Run, plan: NotePlan): Promise<void> {
  if (run.options.signal?.aborted || run.result.stopped) return
  const {project} = run
  let text: NoteText
  try {
    const read = await readText(project.root, plan.source, project.config.limits.maxFileBytes)
    if (!read) throw new UserError(`${plan.source}: the source disappeared during the run`)
    text = read
  } catch (error) {
    run.result.problems.push({file: plan.source, message: messageOf(error, plan.source)})
    return
  }
  const sourceHash = contentHash(withBom(text))
  // Parsing is the expensive step: only when some target is not proven current by its hashes.
  let note: AnalysedNote | undefined

  for (const target of plan.targets) {
    if (run.options.signal?.aborted || run.result.stopped) return
    try {
      const proof = await provenCurrent(run, plan, target, sourceHash)
      let outcome = proof.result
      if (!outcome) {
        if (!note) {
          // Parsing holds the thread for a while: let replies that arrived and requests that are
          // ready go first, so the provider never waits behind other notes' parses.
          await nextTurn()
          if (run.options.signal?.aborted || run.result.stopped) return
          try {
            note = analyse(project, plan.source, text)
          } catch (error) {
            run.result.problems.push({file: plan.source, message: messageOf(error, plan.source)})
            return
          }
        }
        outcome = target.copy
          ? await copyNote(run, plan, note, target, sourceHash, proof.read)
          : await translateNote(run, plan, note, target, sourceHash, proof.read)
      }
      run.result.notes.push(outcome)
      run.options.onNote?.(outcome)
      run.options.onEvent?.({
        type: 'note-finished',
        note: outcome.note,
        locale: outcome.locale,
        output: outcome.output,
        status: outcome.status,
        counts: {...outcome.counts}
      })
    } catch (error) {
      if (error instanceof ProviderFatalError) {
        // No later request can succeed: say it once, not once per remaining note.
        run.result.stopped ??= {message: error.message, exitCode: error.exitCode}
        return
      }
      if (error instanceof UserError) {
        run.result.problems.push({file: target.output, message: messageOf(error, target.output)})
        continue
      }
      throw error
    }
  }
}

type Target = NotePlan['targets'][number]

/** The target as a successful read found it (`text` undefined: it does not exist). */
interface TargetRead {
  text: NoteText | undefined
}

/** Reads the target, unless an earlier read of this run already did (`read`). */
async function targetText(run: Run, target: Target, read: TargetRead | undefined): Promise<NoteText | undefined> {
  return read ? read.text : await readText(run.project.root, target.output, Number.MAX_SAFE_INTEGER)
}

/**
 * The result for a target that needs no work, when its lock entry proves it current without a
 * parse: the source and the target are byte-for-byte what the entry was made from and wrote, and
 * the glossary does exactly what it did then. `result` is undefined when that cannot be proven;
 * `read` is the target as read on the way, when it was read without error.
 */
async function provenCurrent(
  run: Run,
  plan: NotePlan,
  target: Target,
  sourceHash: string
): Promise<{result?: NoteResult; read?: TargetRead}> {
  const {options, project} = run
  if (options.force || options.retranslate || options.overrides?.get(plan.source)?.has(target.locale)) return {}
  const mark = run.journal?.written(plan.source, target.locale)
  const locked = run.project.lock.get(plan.source, target.locale)
  if (!mark && (!locked || locked.source !== sourceHash)) return {}
  let read: TargetRead
  try {
    read = {text: await readText(project.root, target.output, Number.MAX_SAFE_INTEGER)}
  } catch {
    // Whoever reads it next reports the error.
    return {}
  }
  const existing = read.text
  const hash = existing ? contentHash(withBom(existing)) : undefined
  const entry = madeFrom(run, plan, target.locale, hash)
  if (!entry || entry.source !== sourceHash) return {read}
  if (!target.copy && entry.glossary !== glossaryVersion(project, target.locale)) return {read}
  // An entry from before the inputs were recorded is looked at once (for free) to record them.
  if (entry.inputs === undefined || staleInputs(project.config, target, entry, run.real) !== undefined) return {read}
  if (hash !== entry.target) return {read}

  const result = emptyResult(plan, target)
  result.status = 'unchanged'
  for (const record of entry.segments) result.counts[record.human ? 'human' : 'reused']++
  return {result, read}
}


/**
 * The lock entry that describes the target on disk (hash `hash`, segments `segments` when parsed).
 *
 * A run writes a target only after its write-ahead mark is durable in the journal, and drops the
 * mark only after the lock is saved; so after a crash the file is either what the lock says or
 * what the mark says. The file's hash decides; a file a human edited since matches neither, and
 * then the entry more of whose segment hashes it matches wins (so the tool's own text is never
 * taken for a human edit). A mark that describes the file is adopted into the lock now, whatever
 * happens to the note later in this run (a failure, a rejection).
 */
function madeFrom(run: Run, plan: NotePlan, locale: string, hash: string | undefined, segments?: readonly Segment[]): LockEntry | undefined {
  const locked = run.project.lock.get(plan.source, locale)
  const mark = run.journal?.written(plan.source, locale)
  if (!mark || hash === undefined) return locked
  let chosen: LockEntry | undefined
  if (hash === mark.target) chosen = mark
  else if (locked && hash === locked.target) chosen = locked
  else if (!locked) chosen = mark
  else if (segments) chosen = segmentMatches(mark, segments) > segmentMatches(locked, segments) ? mark : locked
  if (chosen !== mark) return locked
  if (!run.options.dryRun) {
    run.project.lock.set(plan.source, locale, mark)
    run.written.push({note: plan.source, locale})
  }
  return mark
}

/** How many of `segments` (a target file's) hash to what `entry` records at the same place. */
function segmentMatches(entry: LockEntry, segments: readonly Segment[]): number {
  if (entry.segments.length !== segments.length) return -1
  return entry.segments.filter((record, index) => segmentTargetHash(segments[index]!.markdown) === record.target).length
}

async function copyNote(
  run: Run,
  plan: NotePlan,
  note: AnalysedNote,
  target: Target,
  sourceHash: string,
  read: TargetRead | undefined
): Promise<NoteResult> {
  const edit = frontmatterEdit(run.project.config, {tag: target.locale, path: target.localeForPath}, frontmatterData(note))
  const {text} = reassemble(note, new Map(), {frontmatter: {set: edit.set, drop: edit.drop}})
  const result = emptyResult(plan, target)
  const existing = await targetText(run, target, read).catch(() => undefined)
  const current = existing !== undefined && withBom(existing) === text
  const entry: LockEntry = {source: sourceHash, target: contentHash(text), provider: 'copy', model: 'copy', ...recordedInputs(run.project.config, target), segments: []}
  if (run.options.dryRun) {
    result.status = current ? 'unchanged' : 'pending'
    return result
  }
  if (!current) await write(run, target.output, text)
  run.project.lock.set(plan.source, target.locale, entry)
  result.status = current ? 'unchanged' : 'copied'
  return result
}

async function translateNote(
  run: Run,
  plan: NotePlan,
  note: AnalysedNote,
  target: Target,
  sourceHash: string,
  read: TargetRead | undefined
): Promise<NoteResult> {
  const {project, options} = run
  const locale = target.locale
  const provider = run.providerFor(locale)
  const result = emptyResult(plan, target)
  const glossary = project.glossary

  const recorded = run.journal?.written(plan.source, locale) ?? run.project.lock.get(plan.source, locale)
  // A note renamed or moved (its lock entry is under its old path) keeps its translations.
  const renamed = recorded ? undefined : claimRename(run, plan, locale, sourceHash, note)
  let entry = recorded ?? renamed?.entry
  let existingText = await targetText(run, target, read)
  // The translation is where the entry says it was written when it is not (yet) at its new path:
  // an output template changed, or the note was renamed.
  let movedFrom: string | undefined
  const previousOutput = renamed?.output ?? entry?.output
  if (!existingText && previousOutput !== undefined && previousOutput !== target.output) {
    existingText = await readText(project.root, previousOutput, Number.MAX_SAFE_INTEGER).catch(() => undefined)
    if (existingText) movedFrom = previousOutput
  }
  if (!renamed) entry = madeFrom(run, plan, locale, existingText ? contentHash(withBom(existingText)) : undefined)
  let existing: AnalysedNote | undefined
  if (existingText) {
    try {
      existing = analyse(project, movedFrom ?? target.output, existingText, undefined, entry ? keysOf(project.config, entry) : undefined)
    } catch (error) {
      if (!options.force) {
        result.status = 'untouched'
        result.message = `${messageOf(error, target.output)} — fix the file, or run with --force to translate it afresh`
        return result
      }
    }
  }

  const fingerprints = note.segments.map((segment) =>
    glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
  )
  // After a crash the journal's write-ahead mark or the lock describes the target: the file decides (madeFrom).
  if (!renamed && existing) entry = madeFrom(run, plan, locale, contentHash(withBom(existingText!)), existing.segments)
  const alignment = align({
    source: note.segments,
    fingerprints,
    entry,
    target: existing?.segments,
    journal: run.journal
      ? (id) => {
          const record = run.journal!.lookup(plan.source, locale, id)
          // Pseudo output waiting in the journal is not a translation for a real provider.
          return record && run.real && record.provider === 'pseudo' ? undefined : record
        }
      : undefined,
    retranslate: options.retranslate,
    force: options.force,
    replaceMachine: run.real && entry?.provider === 'pseudo'
  })
  if (!alignment.aligned) {
    result.status = 'untouched'
    result.message = `${target.output}: ${alignment.reason}`
    return result
  }

  const overrides = options.overrides?.get(plan.source)?.get(locale)
  const decisions = overrides
    ? alignment.decisions.map((decision, index): Decision => {
        const markdown = overrides.get(note.segments[index]!.id)
        return markdown === undefined ? decision : {state: 'human', markdown}
      })
    : alignment.decisions
  const pending = note.segments.filter((_, index) => decisions[index]!.state === 'pending')
  const translationOf = (other: string): string | undefined => run.outputs.get(`${locale}\0${other}`)
  const rewriteUrl = project.config.links.rebase ? (url: string) => rebaseLink(url, plan.source, target.output, translationOf) : undefined
  // Text read from a target is in the URL space it was written in: rebased for the file it was
  // read from (a link to another note pointing at that note's translation, or at the source when
  // it had none then), or not at all if rebasing was off then. Mapping rebased forms back is
  // harmless when there are none, so it is done whatever the config says now (which may have changed).
  const readFrom = movedFrom ?? target.output
  // A target read from where an older config wrote it links to the other notes' translations
  // where that config wrote them (their lock entries say where).
  const readForms = targetUrlForms(plan.source, readFrom, translationOf, (other) => project.lock.get(other, locale)?.output)
  const inSourceSpace = (text: string, segment: Segment) => markdownInSourceSpace(text, segment, readForms)
  const markdown = new Map<string, string>()
  const fromTarget = new Set<number>()
  note.segments.forEach((segment, index) => {
    const decision = decisions[index]!
    if (decision.state === 'pending') return
    if (decision.state === 'journaled') {
      markdown.set(segment.id, decision.markdown)
      return
    }
    markdown.set(segment.id, inSourceSpace(decision.markdown, segment))
    fromTarget.add(index)
  })
  // A link title or image alt sits inside its paragraph. Text taken from the target file already
  // holds its nested segments' translations; splicing them in again would fail.
  for (const [child, parent] of enclosing(note.segments)) {
    if (fromTarget.has(parent)) markdown.delete(note.segments[child]!.id)
  }

  // Segments with nothing to translate but placeholders (a heading that is only a glossary name,
  // a cell holding `42`) are rendered here, for free: restoring them applies the locale's term
  // renderings. They are never sent, estimated or queued.
  for (const segment of pending) {
    if (isUntranslatable(segment)) markdown.set(segment.id, restore(segment.text, tokensForLocale(segment, locale, run.project.glossary)))
    else if (looksLikeCode(segment)) {
      // Code left as prose by a broken fence: copied as it is, never sent, and reported so that
      // the fence can be fixed (docs/rules.md, Q29).
      markdown.set(segment.id, restore(segment.text, tokensForLocale(segment, locale, run.project.glossary)))
      result.findings.push({
        rule: 'Q29',
        severity: 'warning',
        segment: segment.id,
        line: segment.line,
        message: `paragraph looks like code, left untranslated: ${JSON.stringify(segment.markdown.split('\n')[0]!.slice(0, 60))}; put it in a code fence (\`\`\`) if it is code`
      })
    }
  }
  const remote = pending.filter((segment) => !markdown.has(segment.id))

  if (options.dryRun) {
    // `sync --batch --dry-run`: what would be submitted, sent nowhere.
    if (options.queue && pending.length > 0) options.queue(buildJob(run, provider, plan, note, locale, pending, decisions))
    describeDecisions(result, note.segments, decisions, {dryRun: true})
    result.status = pending.length > 0 || !existingText ? 'pending' : 'unchanged'
    result.pendingTokens = remote.reduce((sum, segment) => sum + countTokens(segment.text), 0)
    if (run.estimate && remote.length > 0) {
      const job = buildJob(run, provider, plan, note, locale, remote, decisions)
      result.estimate = estimateJob(run.estimate.settings, job, run.estimate.price)
      // Plain data only: the job's closures hold the parsed note.
      const {sourceLocale, targetLocale, title, context, terms, segments} = job
      run.estimate.jobs.push({sourceLocale, targetLocale, ...(title !== undefined ? {title} : {}), context, terms, segments})
    }
    return result
  }

  if (options.queue && remote.length > 0) {
    options.queue(buildJob(run, provider, plan, note, locale, remote, decisions))
    describeDecisions(result, note.segments, decisions, {dryRun: true})
    result.status = 'queued'
    return result
  }

  const failures = new Map<string, string>()
  const reusedFrom = new Map<string, string>()
  if (remote.length > 0 && !provider) {
    for (const segment of remote) failures.set(segment.id, 'not translated yet (this run calls no provider): run notes-l10n sync')
  } else if (remote.length > 0) {
    options.onEvent?.({type: 'note-started', note: plan.source, locale, output: target.output, segments: remote.length})
    const outcome = await provider!.translate(buildJob(run, provider, plan, note, locale, remote, decisions), {signal: options.signal})
    addUsage(run.result.usage, outcome.usage)
    result.findings.push(...outcome.findings)
    const byId = new Map(note.segments.map((segment) => [segment.id, segment]))
    for (const [id, translation] of outcome.translations) {
      const segment = byId.get(id)!
      markdown.set(id, restore(normaliseTranslation(segment, translation), tokensForLocale(segment, locale, run.project.glossary)))
    }
    for (const [id, reason] of outcome.failures) failures.set(id, reason)
    for (const [id, from] of outcome.reused ?? []) reusedFrom.set(id, from)
    for (const segment of remote) {
      if (!markdown.has(segment.id) && !failures.has(segment.id)) failures.set(segment.id, 'the provider returned no translation')
    }
  }

  const edit = frontmatterEdit(project.config, {tag: locale, path: target.localeForPath}, frontmatterData(note))
  // Keys a human added to the translation's front-matter (`reviewed_by: maria`) are kept; keys
  // the policy sets or drops are the tool's.
  const append = addedLines(note.frontmatter, existing?.frontmatter, new Set([...Object.keys(edit.set), ...edit.drop]))
  const assembled = reassemble(note, markdown, {frontmatter: {set: edit.set, drop: edit.drop, append}, rewriteUrl})
  for (const [id, reason] of assembled.rejected) failures.set(id, reason)

  describeDecisions(result, note.segments, decisions, {dryRun: false, failures, reusedFrom})
  if (failures.size > 0) {
    result.status = 'failed'
    result.message = `${failures.size} segment${failures.size === 1 ? '' : 's'} could not be translated; ${target.output} was left as it was`
    // A translation the reassembler rejected would be rejected again: do not reuse it from the
    // journal. Only those: the note's other accepted (paid) translations stay for the next run.
    if (assembled.rejected.size > 0) await run.journal!.reject(plan.source, locale, [...assembled.rejected.keys()])
    return result
  }

  // Hash what the target's segments will look like when read back (escaping may have changed them),
  // so the next run recognises its own work and tells it from a human edit. Reassembly's safety
  // net already parsed this text: reading it back costs no third parse.
  const written = analyse(project, target.output, {...note.source, text: stripBom(assembled.text, note.source.bom)}, assembled.parsed)
  if (written.segments.length !== note.segments.length) {
    // Whatever a model or a translator wrote, segments survive reassembly one for one; if they
    // did not, this note fails (reported, exit 1) and the run goes on — never exit 3 for a
    // note's content, and the lock is still saved for every other note.
    result.status = 'failed'
    result.message = `${target.output}: the translation would have ${written.segments.length} segments where the source has ${note.segments.length}, so it was not written — edit the translated segments that change the note's structure, or run with --force to translate it afresh`
    return result
  }
  if (!entry && existingText && !options.force) {
    // Adopting a translation made before notes-l10n: its prose is kept as human work, but
    // anything else the tool would rewrite (code, URLs, markup) is the user's call, never silent.
    const lines = bodyDifferences(withBom(existingText), assembled.text)
    if (lines.length > 0) {
      result.status = 'untouched'
      result.message = `${target.output}: adopting this existing translation would change it outside its prose at ${lines
        .slice(0, 5)
        .map((line) => `${target.output}:${line}`)
        .join(', ')}${lines.length > 5 ? ` and ${lines.length - 5} more lines` : ''} (code, URLs or markup differ from the source) — left as it is; make those parts match ${plan.source}, or run sync --force to take them from the source`
      return result
    }
  }
  const reviewPending = decisions.some((decision) => decision.state === 'needs-review')
  const madeNow = remote.length > 0 || !entry || (run.real && entry.provider === 'pseudo')
  const newEntry: LockEntry = {
    // With a translation still waiting for review the target is not current: keep the old source
    // hash so `check` looks inside the note instead of trusting the hashes.
    source: reviewPending && entry ? entry.source : sourceHash,
    target: contentHash(assembled.text),
    // Who made the translations: this run's provider when it translated (or replaced pseudo
    // output), else whoever made them before. A run of the pseudo provider that translates
    // anything marks the entry `pseudo`; a real run replaces all pseudo output (replaceMachine).
    provider: madeNow && provider ? provider.name : (entry?.provider ?? 'human'),
    model: madeNow && provider ? provider.model : (entry?.model ?? 'human'),
    ...(project.glossary ? {glossary: glossaryVersion(project, locale)} : {}),
    ...recordedInputs(project.config, target),
    segments: note.segments.map((segment, index) => {
      const decision = decisions[index]!
      const human = decision.state === 'human' || decision.state === 'needs-review'
      return {
        // A kept translation of an older source stays recorded against that source until reviewed.
        id: decision.state === 'needs-review' ? decision.previousId : segment.id,
        target: segmentTargetHash(written.segments[index]!.markdown),
        ...(fingerprints[index] ? {glossary: fingerprints[index]} : {}),
        ...(human ? {human: true} : {})
      }
    })
  }

  const unchanged = movedFrom === undefined && existingText !== undefined && withBom(existingText) === assembled.text
  if (!unchanged) {
    // Write-ahead: the journal says what this file is about to be made from before it is written,
    // and keeps saying it until the lock is saved, so a crash at any point cannot make the next
    // run mistake the tool's own output for a human edit (see madeFrom).
    await run.journal!.recordWritten(plan.source, locale, newEntry)
    await write(run, target.output, assembled.text)
    run.journal!.wrote(plan.source, locale)
  }
  run.project.lock.set(plan.source, locale, newEntry)
  run.written.push({note: plan.source, locale})
  result.status = unchanged ? 'unchanged' : 'written'
  if (renamed) {
    run.project.lock.delete(renamed.note, locale)
    result.message = `renamed from ${renamed.note}: its translation was kept`
  }
  if (movedFrom) await removeMoved(run, movedFrom)
  else if (renamed?.output && renamed.output !== target.output) await removeIfMachineMade(run, renamed.output, renamed.entry)
  return result
}

/** Pairs of (segment index, index of the innermost segment whose range contains it). */
function enclosing(segments: readonly Segment[]): Array<[number, number]> {
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

function buildJob(
  run: Run,
  /** Who will translate (named in the journal); undefined for estimates and batch queues. */
  provider: Provider | undefined,
  plan: NotePlan,
  note: AnalysedNote,
  locale: string,
  pending: readonly Segment[],
  decisions: readonly Decision[]
): TranslateJob {
  const glossary = run.project.glossary
  const byId = new Map(note.segments.map((segment, index) => [segment.id, {segment, index}]))
  const context = new Map<string, {before?: {text: string; translation?: string}; after?: {text: string; translation?: string}}>()
  const terms = new Map<string, RequiredTerm[]>()
  for (const segment of pending) {
    const index = byId.get(segment.id)!.index
    const neighbour = (at: number) => {
      const other = note.segments[at]
      if (!other || other.kind === 'frontmatter') return undefined
      const decision = decisions[at]!
      return {text: other.text, ...(decision.state !== 'pending' ? {translation: decision.markdown} : {})}
    }
    const before = neighbour(index - 1)
    const after = neighbour(index + 1)
    context.set(segment.id, {...(before ? {before} : {}), ...(after ? {after} : {})})
    if (glossary) {
      const required = requiredTerms(glossary, segment.markdown, locale)
      if (required.length > 0) terms.set(segment.id, required)
    }
  }
  const title = note.segments.find((segment) => segment.kind === 'frontmatter' && segment.key === 'title')

  return {
    note: plan.source,
    sourceLocale: plan.sourceLocale,
    targetLocale: locale,
    segments: pending.map((segment) => ({id: segment.id, text: segment.text})),
    ...(title ? {title: title.markdown} : {}),
    context,
    terms,
    check(id, translation) {
      const segment = byId.get(id)?.segment
      if (!segment) return [{rule: 'L7', severity: 'error', message: `unknown segment id "${id}" in the reply`, segment: id}]
      const normalised = normaliseTranslation(segment, translation)
      const findings = validateTranslation(segment, normalised, {sourceLocale: plan.sourceLocale, targetLocale: locale, containsSecret}).filter(
        // Q12 exempts segments made only of glossary terms: their translation may be the source.
        (finding) => !(finding.rule === 'Q12' && glossary && onlyTerms(glossary, visibleText(segment.markdown)))
      )
      if (glossary && !findings.some((finding) => finding.severity === 'error')) {
        const restored = restore(normalised, tokensForLocale(segment, locale, run.project.glossary))
        findings.push(
          ...verifyTerms(glossary, segment.markdown, restored, locale, {strict: run.options.strictGlossary}).map((finding) => ({
            ...finding,
            segment: id,
            line: segment.line
          }))
        )
      }
      return findings
    },
    onAccepted: run.journal
      ? async (accepted) => {
          const records = [...accepted].map(([id, translation]) => {
            const segment = byId.get(id)!.segment
            const fingerprint = glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
            return {
              note: plan.source,
              locale,
              id,
              markdown: restore(normaliseTranslation(segment, translation), tokensForLocale(segment, locale, run.project.glossary)),
              ...(fingerprint ? {glossary: fingerprint} : {}),
              provider: provider?.name ?? run.result.provider,
              model: provider?.model ?? run.result.model
            }
          })
          await run.journal!.append(records)
          run.options.onEvent?.({type: 'segment-batch', note: plan.source, locale, accepted: accepted.size, ...activityOf(provider), priced: run.result.priced})
        }
      : undefined
  }
}

function describeDecisions(
  result: NoteResult,
  segments: readonly Segment[],
  decisions: readonly Decision[],
  options: {dryRun: boolean; failures?: ReadonlyMap<string, string>; reusedFrom?: ReadonlyMap<string, string>}
): void {
  segments.forEach((segment, index) => {
    const decision = decisions[index]!
    const failure = options.failures?.get(segment.id)
    const from = options.reusedFrom?.get(segment.id)
    const base = {id: segment.id, line: segment.line}
    const outcome: SegmentOutcome =
      failure !== undefined
        ? {...base, state: 'failed', reason: failure}
        : from !== undefined
          ? {...base, state: 'reused', reason: `reused from ${from}`}
        : decision.state === 'pending'
          ? {...base, state: options.dryRun ? 'pending' : 'translated', reason: decision.reason}
          : decision.state === 'current' || decision.state === 'journaled'
            ? {...base, state: 'reused'}
            : {...base, state: decision.state}
    result.segments.push(outcome)
    result.counts[outcome.state]++
  })
}

function emptyResult(plan: NotePlan, target: Target): NoteResult {
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

async function write(run: Run, file: string, text: string): Promise<void> {
  await assertWritable(run.project.root, file)
  await writeFileAtomic(path.join(run.project.root, file), text, {root: run.project.root, verified: run.verifiedFolders})
}

/**
 * The shard (1-based) of a source note among `count`: a hash of its project-relative path, so a
 * note keeps its shard when others are added, removed or renamed, and every machine agrees.
 */
export function shardOf(source: string, count: number): number {
  const digest = createHash('sha256').update(source).digest()
  return (digest.readUInt32BE(0) % count) + 1
}

/** Provider settings of a run: flags over config. */
export function providerSettings(project: Project, options: Pick<SyncOptions, 'provider'>): ProviderSettings {
  return {...project.config.provider, ...definedOnly(options.provider ?? {})}
}

/** How the configured provider's requests are shaped and priced. */
export interface Pricing {
  settings: RequestSettings
  price: Price | undefined
}

/** Request settings and price of the provider `settings` describe (no provider is created). */
export function pricingOf(settings: ProviderSettings, env: Readonly<Record<string, string | undefined>>): Pricing {
  const model = settings.model ?? (settings.name === 'pseudo' ? 'pseudo' : defaultModel)
  return {
    settings: requestSettings(model, settings.baseURL ?? env.OPENAI_BASE_URL, {maxBatchTokens: settings.maxBatchTokens}),
    price: settings.name === 'pseudo' ? {input: 0, output: 0} : priceFor(model, settings.prices)
  }
}

/** Refuse to start a run whose estimate exceeds `maxCostUsd` (or whose cost cannot be known). */
async function refuseOverBudget(options: SyncOptions, settings: ProviderSettings, pricing: Pricing): Promise<void> {
  if (settings.name === 'pseudo' && !options.providerOverride) return
  if (!pricing.price) {
    throw new UserError(
      `--max-cost ${options.maxCostUsd}: the cost of model ${pricing.settings.model} is unknown — add its price to provider.prices in the config (USD per million tokens), or drop --max-cost`
    )
  }
  const {providerOverride: _override, onNote: _onNote, onEvent: _onEvent, queue: _queue, ...rest} = options
  const planned = await sync({...rest, dryRun: true, maxCostUsd: undefined, provider: {...options.provider, name: 'openai'}})
  const total = planned.estimate?.total ?? emptyEstimate()
  if (total.costUsd > options.maxCostUsd!) {
    throw new UserError(
      `--max-cost ${options.maxCostUsd}: this run is estimated at $${total.costUsd.toFixed(4)} (${total.requests} requests, ${total.promptTokens} prompt + ${total.completionTokens} completion tokens); nothing was sent — raise --max-cost, or sync fewer notes or locales (see sync --dry-run)`,
      1
    )
  }
}

/** Per-locale estimate from the dry-run results, locales sorted. */
type EstimatedJob = Pick<TranslateJob, 'sourceLocale' | 'targetLocale' | 'title' | 'context' | 'terms' | 'segments'>

/** The requests of each locale's pending segments packed across notes, as the run would send them. */
function packedEstimates(run: Run): Map<string, Estimate> {
  const byLocale = new Map<string, EstimatedJob[]>()
  for (const job of run.estimate?.jobs ?? []) byLocale.set(job.targetLocale, [...(byLocale.get(job.targetLocale) ?? []), job])
  return new Map([...byLocale].map(([locale, jobs]) => [locale, estimateJob(run.estimate!.settings, packJobs(jobs), run.estimate!.price)]))
}

function localeEstimates(notes: readonly NoteResult[], packed: ReadonlyMap<string, Estimate>): {locales: LocaleEstimate[]; total: Estimate} {
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
  return {locales: [...byLocale.values()].sort((a, b) => (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0)), total}
}

/**
 * Temp files a killed run left beside the targets, the lock and the journal (docs/rules.md D1), removed;
 * one line per file.
 */
async function removeTemps(project: Project): Promise<string[]> {
  const folders = new Set([project.root, path.join(project.root, path.dirname(JOURNAL_FILE))])
  for (const plan of project.plans) for (const target of plan.targets) folders.add(path.dirname(path.join(project.root, target.output)))
  const removed: string[] = []
  for (const folder of folders) {
    for (const name of await removeStaleTemps(folder)) {
      removed.push(`removed ${path.relative(project.root, path.join(folder, name))}, a temp file left by an interrupted run`)
    }
  }
  return removed
}

/**
 * Per-locale models (`provider.models` in the config, by locale tag): one provider a model, made
 * on first use. `--model` on the command line, a provider given by a test, and the pseudo
 * provider use one provider for every locale.
 */
function perLocaleProviders(
  project: Project,
  options: SyncOptions,
  settings: ProviderSettings,
  provider: Provider | undefined,
  gate: NoteGate
): (locale: string) => Provider | undefined {
  const models = project.config.provider.models
  if (!provider || options.providerOverride || options.provider?.model || settings.name === 'pseudo' || Object.keys(models).length === 0) {
    return () => provider
  }
  const byModel = new Map<string, Provider>([[provider.model, provider]])
  return (locale) => {
    const model = models[locale]
    if (!model) return provider
    let chosen = byModel.get(model)
    if (!chosen) {
      chosen = selectProvider({...settings, model, maxCostUsd: options.maxCostUsd}, options.env, gate)
      byModel.set(model, chosen)
    }
    return chosen
  }
}

/** The run's usage so far and requests in flight, when the provider reports them. */
function activityOf(provider: Provider | undefined): {usage?: Usage; inFlight?: number} {
  const reporting = provider as Partial<Pick<OpenAIProvider, 'usage' | 'activity'>> | undefined
  return {
    ...(typeof reporting?.usage === 'function' ? {usage: reporting.usage()} : {}),
    ...(typeof reporting?.activity === 'function' ? {inFlight: reporting.activity().inFlight} : {})
  }
}

/** The source's front-matter as plain data, for the front-matter policy (`{}` when there is none). */
function frontmatterData(note: AnalysedNote): Record<string, unknown> {
  const data: unknown = note.frontmatter?.document.toJS({maxAliasCount: 0})
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {}
}

function withBom(text: {text: string; bom: boolean}): string {
  return (text.bom ? '\uFEFF' : '') + text.text
}

function stripBom(text: string, bom: boolean): string {
  return bom && text.startsWith('\uFEFF') ? text.slice(1) : text
}

function messageOf(error: unknown, file: string): string {
  if (error instanceof UserError) return error.message
  return `${file}: ${errnoMessage(error)}`
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Lock entries of the run's locales whose source note is gone (renamed, moved or deleted), for
 * new notes to claim and the rest to be removed (see `renames.ts`).
 */
function orphanPool(project: Project, options: SyncOptions): OrphanPool {
  // A note skipped for a problem (bad front-matter…) still exists: it is neither renamed nor deleted.
  const known = new Set([...project.plans.map((plan) => plan.source), ...project.problems.map((problem) => problem.file)])
  const locales = new Set(project.plans.flatMap((plan) => plan.targets.map((target) => target.locale)))
  // Without notes there are no plans to name the locales: every locale of a deleted note goes.
  const every = locales.size === 0 && !options.locales?.length
  const orphans: Orphan[] = []
  for (const [note, locale] of project.lock.keys()) {
    if (known.has(note) || (!every && !locales.has(locale))) continue
    const entry = project.lock.get(note, locale)!
    orphans.push({note, locale, entry, output: entry.output ?? plannedOutput(project.config, note, locale)})
  }
  return new OrphanPool(orphans)
}

/** The orphan a new note (no lock entry of its own) is a rename of, if any. */
function claimRename(run: Run, plan: NotePlan, locale: string, sourceHash: string, note: AnalysedNote): Orphan | undefined {
  return run.orphans?.claim(
    locale,
    sourceHash,
    note.segments.map((segment) => segment.id)
  )
}

/** Lock entries of deleted notes removed, with their translations when the tool wrote them unchanged. */
async function removeOrphans(run: Run, pool: OrphanPool): Promise<void> {
  for (const orphan of pool.remaining()) {
    if (run.options.dryRun) {
      run.result.warnings.push(`${orphan.note} no longer exists: sync would remove its ${orphan.locale} lock entry${orphan.output ? ` and ${orphan.output} unless edited by hand` : ''}`)
      continue
    }
    if (orphan.output && !plannedOutputs(run).has(orphan.output)) {
      await removeIfMachineMade(run, orphan.output, orphan.entry, orphan.note)
    }
    run.project.lock.delete(orphan.note, orphan.locale)
  }
}

/**
 * Removes a translation whose note is gone, if the tool wrote it and nobody edited it since
 * (its hash is the entry's and no segment is human work); otherwise keeps it and says so.
 */
async function removeIfMachineMade(run: Run, file: string, entry: LockEntry, note?: string): Promise<void> {
  let text: NoteText | undefined
  try {
    text = await readText(run.project.root, file, Number.MAX_SAFE_INTEGER)
  } catch {
    text = undefined
  }
  if (!text) return
  const human = entry.segments.some((segment) => segment.human)
  if (human || contentHash(withBom(text)) !== entry.target) {
    run.result.warnings.push(
      `kept ${file}: ${note ? `its source ${note} no longer exists` : 'its note was renamed'}, but it holds ${human ? 'human translations' : 'changes made after the last sync'} — delete it by hand if it is no longer wanted (the lock no longer records it)`
    )
    return
  }
  await removeFile(run, file)
}

/** Removes the file a translation was read from after it was written at its new path. */
async function removeMoved(run: Run, file: string): Promise<void> {
  if (plannedOutputs(run).has(file)) return
  if (run.options.paths?.length || run.options.shard) {
    // Only some notes are planned: the old path may be another note's target.
    run.result.warnings.push(`left ${file} in place: its translation now lives at its new path, and with a path filter this run cannot tell whether another note writes there — delete it by hand if nothing does`)
    return
  }
  await removeFile(run, file)
}

const outputsOfRun = new WeakMap<Run, Set<string>>()

/** Every target path of the run's plans (made once per run). */
function plannedOutputs(run: Run): Set<string> {
  let outputs = outputsOfRun.get(run)
  if (!outputs) {
    outputs = new Set(run.project.plans.flatMap((plan) => plan.targets.map((target) => target.output)))
    outputsOfRun.set(run, outputs)
  }
  return outputs
}

async function removeFile(run: Run, file: string): Promise<void> {
  await assertWritable(run.project.root, file)
  try {
    await unlink(path.join(run.project.root, file))
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw new UserError(`cannot remove ${file}: ${errnoMessage(error)} — remove it by hand`)
  }
}

/**
 * 1-based lines of `before` (a target file) that `after` (its reassembly) changes, front-matter
 * aside (the front-matter policy owns it): lines compared in order, a length change reported at
 * the first line where they part.
 */
function bodyDifferences(before: string, after: string): number[] {
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
  for (let index = 0; index < common; index++) if (old.lines[index] !== next.lines[index]) differing.push(old.offset + index + 1)
  if (old.lines.length !== next.lines.length && differing.length === 0) differing.push(old.offset + common + 1)
  return differing
}

/** What the run's providers spent in all, when each keeps a total; else what the notes reported. */
function spentBy(project: Project, run: Run, reported: Usage): Usage {
  const providers = new Set<Provider>()
  for (const locale of new Set(project.plans.flatMap((plan) => plan.targets.map((target) => target.locale)))) {
    const provider = run.providerFor(locale)
    if (provider) providers.add(provider)
  }
  const total = emptyUsage()
  for (const provider of providers) {
    const counted = (provider as Provider & {usage?: () => Usage}).usage?.()
    if (!counted) return reported
    addUsage(total, counted)
  }
  return total.requests >= reported.requests ? total : reported
}
