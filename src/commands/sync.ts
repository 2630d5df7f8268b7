/**
 * `notes-l10n sync`: bring every target file up to date with its source, paying only for new or
 * changed segments and never overwriting a human edit.
 *
 * Returns what it did; the CLI prints it. The run is plan → translate → commit (src/sync/): this
 * module opens the project, takes the run lock, runs every note and saves the lock and journal.
 */
import pLimit from 'p-limit'
import {openProject, type Project} from '../project/project.js'
import {NoteGate} from '../providers/packer.js'
import {addUsage, emptyUsage} from '../providers/prices.js'
import {type ProviderMaker, providerMaker} from '../providers/select.js'
import {listBatches} from '../state/batches.js'
import {Journal} from '../state/journal.js'
import {acquireRunLock} from '../state/mutex.js'
import {
  type Pricing,
  perLocaleProviders,
  pricingOf,
  providerSettings,
  refuseOverBudget,
  refuseUnpriced
} from '../sync/budget.js'
import {removeTemps} from '../sync/commit.js'
import {TranslationMemory} from '../sync/memory.js'
import {syncNote} from '../sync/note.js'
import {NotePool, workersWanted} from '../sync/note-pool.js'
import {orphanPool, removeOrphans} from '../sync/orphans.js'
import {localeEstimates, packedEstimates} from '../sync/plan.js'
import {adoptWrittenMarks} from '../sync/recover.js'
import {shardOf} from '../sync/shard.js'
import type {Run, SyncOptions, SyncResult} from '../sync/types.js'
import type {Provider, Usage} from '../types.js'

export {type Pricing, pricingOf, providerSettings} from '../sync/budget.js'
export {workersWanted} from '../sync/note-pool.js'
export {shardOf} from '../sync/shard.js'
export type {
  LocaleEstimate,
  NoteResult,
  NoteStatus,
  SegmentOutcome,
  SyncEvent,
  SyncOptions,
  SyncResult
} from '../sync/types.js'

export async function sync(options: SyncOptions): Promise<SyncResult> {
  const project = await openProject(options)
  // Every note's outputs, before sharding: links between notes point at their translations.
  const outputs = new Map<string, string>()
  for (const plan of project.plans)
    for (const target of plan.targets) outputs.set(`${target.locale}\0${plan.source}`, target.output)
  if (options.shard) {
    // Every note, before sharding: a shard tells a renamed note from a deleted one by all of them.
    project.everyPlan = project.plans
    const {index, count} = options.shard
    project.plans = project.plans.filter((plan) => shardOf(plan.source, count) === index)
  }
  const settings = providerSettings(project, options)
  const offline = options.dryRun || options.translate === false || options.queue !== undefined
  const pricing = pricingOf(settings, options.env)
  if (options.maxCostUsd !== undefined && !offline && (settings.name !== 'pseudo' || options.providerOverride)) {
    refuseUnpriced(options, settings, pricing)
    // The budget is checked against the plan of this very project (a dry run of every note,
    // priced as the real provider would be): nothing is sent before it passes.
    // Requests are priced packed across notes, as the run would send them.
    const planned = await runNotes(
      project,
      outputs,
      dryRunOf(options),
      {provider: undefined},
      new NoteGate(),
      pricingOf({...settings, name: 'openai'}, options.env)
    )
    refuseOverBudget(options.maxCostUsd, planned.estimate?.total)
  }
  // Notes in flight, so the provider packs the requests of all of them (`providers/packer.ts`).
  const gate = new NoteGate()
  const make = options.providerOverride || offline ? undefined : await providerMaker(settings.name, options.env, gate)
  const provider = options.providerOverride ?? make?.({...settings, maxCostUsd: options.maxCostUsd})
  const estimating =
    options.dryRun && options.estimate !== false && settings.name !== 'pseudo' && !options.providerOverride
  // `sync --batch` holds the mutex around its whole submit or collect and says so (`runLockHeld`).
  const release = options.dryRun || options.runLockHeld ? undefined : await acquireRunLock(project.root)
  try {
    return await runNotes(project, outputs, options, {provider, make}, gate, estimating ? pricing : undefined)
  } finally {
    await release?.()
  }
}

/** The options of the dry run that plans a `--max-cost` run: no callbacks, no provider. */
function dryRunOf(options: SyncOptions): SyncOptions {
  const {
    providerOverride: _override,
    onNote: _onNote,
    onEvent: _onEvent,
    queue: _queue,
    runLockHeld: _held,
    ...rest
  } = options
  return {
    ...rest,
    dryRun: true,
    maxCostUsd: undefined,
    keepDetails: false,
    provider: {...options.provider, name: 'openai'}
  }
}

/** Every note of the project through plan → translate → commit; then the lock and journal saved. */
async function runNotes(
  project: Project,
  outputs: ReadonlyMap<string, string>,
  options: SyncOptions,
  /** The run's provider (none for a dry run) and the maker of one a model, for `provider.models`. */
  {provider, make}: {provider: Provider | undefined; make?: ProviderMaker | undefined},
  gate: NoteGate,
  estimate: Pricing | undefined
): Promise<SyncResult> {
  const settings = providerSettings(project, options)
  const pricing = pricingOf(settings, options.env)
  const result: SyncResult = {
    notes: [],
    problems: [...project.problems],
    usage: emptyUsage(),
    provider: provider?.name ?? (options.translate === false ? 'none' : settings.name),
    model: provider?.model ?? (options.translate === false ? '' : pricing.settings.model),
    dryRun: Boolean(options.dryRun),
    interrupted: false,
    priced:
      provider && 'priced' in provider && typeof provider.priced === 'boolean'
        ? provider.priced
        : pricing.price !== undefined,
    warnings: []
  }
  const lock = project.lock
  const journal = options.dryRun ? undefined : await Journal.open(project.root)
  let completed = false
  let notePool: NotePool | undefined
  try {
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
    // Before renames are judged and notes planned: a killed run's marks that describe their files.
    const recovered = journal ? await adoptWrittenMarks(project, journal) : []
    const real = options.translate !== false && (provider?.name ?? settings.name) !== 'pseudo'
    const run: Run = {
      project,
      outputs,
      options,
      providerFor: perLocaleProviders(project, options, settings, provider, make),
      journal,
      result,
      written: recovered,
      estimate: estimate ? {...estimate, jobs: []} : undefined,
      verifiedFolders: new Set(),
      real,
      // Renames and deletions are only judged over the whole project: a shard claims renames (it
      // knows every note), but only a run over every note removes deleted notes' entries.
      orphans: options.paths?.length ? undefined : orphanPool(project, options, project.everyPlan),
      plannedOutputs: new Set(project.plans.flatMap((plan) => plan.targets.map((target) => target.output))),
      // Judged against the lock as the run found it: what notes write meanwhile does not change
      // what is offered (docs/state.md, "Translation memory").
      memory:
        options.translate === false || options.retranslate
          ? undefined
          : new TranslationMemory({
              project,
              lock: project.lock.snapshot(),
              real,
              outputOf: (locale, note) => outputs.get(`${locale}\0${note}`)
            })
    }

    // Parsing and reassembly on worker threads, started with the first note to analyse.
    notePool = run.notePool = NotePool.create(workersWanted(options.workers, options.env), project.plans.length, {
      frontmatterKeys: project.config.frontmatter.translateKeys,
      jsxAttributes: project.config.mdx.attributes,
      glossary: project.glossary,
      outputs
    })
    // Notes in flight are bounded (memory); the provider bounds requests in flight on its own.
    const limit = pLimit(Math.max(2, (settings.concurrency ?? 8) * 2))
    // Settle every note before deciding: a rejected Promise.all would leave notes writing after
    // the run lock is released.
    const settled = await Promise.allSettled(
      project.plans.map((plan) =>
        // What the worker threads hold for a note (its analysis, its targets') goes when it is done.
        limit(() => gate.around(() => syncNote(run, plan).finally(() => run.notePool?.release(plan.source))))
      )
    )
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason

    result.interrupted = Boolean(options.signal?.aborted) && !result.stopped
    // A run stopped mid-request (cost limit, billing, bad key) never saw that note's outcome: the
    // providers' own totals are what was spent.
    if (result.stopped) result.usage = spentBy(project, run, result.usage)
    if (run.estimate) result.estimate = localeEstimates(result.notes, packedEstimates(run.estimate))
    if (run.orphans && !options.shard && !result.interrupted && !result.stopped) await removeOrphans(run, run.orphans)
    if (journal) {
      await lock.save(project.root)
      // Journal records and write-ahead marks are only dropped once the lock that supersedes them is on disk.
      for (const {note, locale} of run.written) await journal.settle(note, locale)
      await journal.close()
      // What discovery learned about the sources (hash, front-matter locale) serves the next run.
      await project.statCache.save()
    }
    completed = true
  } finally {
    await notePool?.close()
    // A failed run leaves the journal file as it is (the next run replays it), but never an open handle.
    if (!completed) await journal?.close({compact: false}).catch(() => undefined)
  }
  result.notes.sort((a, b) => a.note.localeCompare(b.note) || a.locale.localeCompare(b.locale))
  return result
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
