/**
 * `sync --batch` and `notes-l10n batch status|collect`: large backfills through the OpenAI Batch
 * API, at half the online price, with results within 24 hours.
 *
 * Submitting runs a normal sync pass that queues pending segments instead of translating them,
 * builds the same requests the online provider would send (`requests.ts`), uploads them and
 * records the batch (`state/batches.ts`). Collecting downloads the results, saves them, and runs a
 * sync pass over the batch's notes whose provider answers from the results
 * (`batch-results.ts`): the same `check`, journal and writes as online. Returns results; never
 * prints.
 */
import path from 'node:path'
import {loadConfig, type ResolvedConfig} from '../config/load.js'
import {openProject} from '../project/project.js'
import {inputFiles, parseResults, requestLine} from '../providers/batch-jsonl.js'
import {createBatchResultsProvider} from '../providers/batch-results.js'
import {addEstimate, type Estimate, emptyEstimate, estimateJob} from '../providers/estimate.js'
import type {BatchClient, BatchInfo} from '../providers/openai-batch.js'
import {withoutDuplicates} from '../providers/packer.js'
import {planRequests} from '../providers/requests.js'
import {endpointOf, type ProviderSettings} from '../providers/select.js'
import {
  type BatchRecord,
  type BatchRecordRequest,
  listBatches,
  readResults,
  removeBatch,
  saveBatch,
  saveResults
} from '../state/batches.js'
import {acquireRunLock} from '../state/mutex.js'
import type {TranslateJob} from '../types.js'
import {UserError} from '../types.js'
import {compareCodeUnits} from '../values.js'
import {pricingOf, providerSettings, type SyncOptions, type SyncResult, sync} from './sync.js'

export interface BatchOptions extends SyncOptions {
  /** For tests: the Batch API client to use instead of one made from the environment. */
  client?: (baseURL: string | undefined) => BatchClient
  /** For tests: runs after results are saved and before they are applied (an injected crash). */
  beforeApply?: (batch: string) => void | Promise<void>
}

/** An open batch as reported by `batch status`. */
export interface BatchSummary {
  id: string
  /** The API's status (`in_progress`, `completed`, …), or `downloaded` when results are saved locally. */
  status: string
  submitted: string
  requests: number
  notes: number
  counts?: BatchInfo['counts']
}

export interface CollectResult {
  /** Batches still running. */
  pending: BatchSummary[]
  /** Batches whose results were applied, with the sync pass that applied them. */
  applied: Array<{batch: BatchSummary; result: SyncResult}>
}

export interface SubmitResult {
  /** Batches created (a backfill over the per-batch limits makes several). */
  batches: BatchSummary[]
  /** Estimate at the Batch API's price. */
  estimate: Estimate
  /** Segments submitted: each distinct one once. */
  segments: number
  /** Further occurrences of them, not submitted: answered from the first one's result at collect. */
  duplicates: number
  /** The sync pass that queued the segments (notes `queued`; others written as usual). */
  result: SyncResult
}

/** States in which a batch will still change. */
const RUNNING = new Set(['validating', 'in_progress', 'finalizing', 'cancelling'])

/**
 * `sync --batch`: collect finished batches; when none is still running, submit what is pending.
 * The run mutex is held around the whole of it (two runs would submit the same segments twice).
 * `--dry-run` collects nothing, uploads nothing and creates no batch: it reports what would be
 * submitted and its estimate at the Batch API's price.
 */
export async function syncBatch(options: BatchOptions): Promise<{collected: CollectResult; submitted?: SubmitResult}> {
  if (options.dryRun) return {collected: {pending: [], applied: []}, submitted: await submitBatch(options)}
  return await holdingRunLock(options, async (held) => {
    const collected = await collectBatches(held)
    if (collected.pending.length > 0) return {collected}
    return {collected, submitted: await submitBatch(held)}
  })
}

/** Runs `work` holding the run mutex (unless the caller already holds it), with options that say so. */
async function holdingRunLock<T>(options: BatchOptions, work: (held: BatchOptions) => Promise<T>): Promise<T> {
  if (options.runLockHeld) return await work(options)
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  const release = await acquireRunLock(config.root)
  try {
    return await work({...options, runLockHeld: true})
  } finally {
    await release()
  }
}

/** The open batches, with the API's status of those not yet downloaded. */
export async function batchStatus(options: BatchOptions): Promise<BatchSummary[]> {
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  const summaries: BatchSummary[] = []
  for (const record of await listBatches(config.root)) {
    if (record.status === 'downloaded') {
      summaries.push(summary(record, 'downloaded'))
      continue
    }
    const info = await (await clientFor(options, config.provider, record.baseURL)).retrieve(record.id)
    summaries.push(summary(record, info.status, info.counts))
  }
  return summaries
}

/** Download and apply every finished batch; report the ones still running. */
export async function collectBatches(options: BatchOptions): Promise<CollectResult> {
  if (!options.runLockHeld) return await holdingRunLock(options, collectBatches)
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  const root = config.root
  const result: CollectResult = {pending: [], applied: []}
  for (let record of await listBatches(root)) {
    let counts: BatchInfo['counts'] | undefined
    if (record.status === 'submitted') {
      const client = await clientFor(options, config.provider, record.baseURL)
      const info = await client.retrieve(record.id)
      counts = info.counts
      if (RUNNING.has(info.status)) {
        result.pending.push(summary(record, info.status, info.counts))
        continue
      }
      // Completed, or failed/expired/cancelled: whatever finished is in the files and is used.
      const texts = await Promise.all(
        [info.outputFileId, info.errorFileId].map((file) => (file ? client.download(file) : ''))
      )
      await saveResults(root, record, texts.filter(Boolean).join('\n'))
      record = {...record, status: 'downloaded'}
    }
    await options.beforeApply?.(record.id)
    const applied = await applyBatch(options, config, record)
    await removeBatch(root, record.id)
    result.applied.push({batch: summary(record, 'applied', counts), result: applied})
  }
  return result
}

/** Queue every pending segment into new batches. */
async function submitBatch(options: BatchOptions): Promise<SubmitResult> {
  const project = await openProject(options)
  const settings = providerSettings(project, options)
  if (settings.name !== 'openai') {
    throw new UserError(
      `--batch needs the openai provider, received --provider ${settings.name}: drop --provider pseudo, or run sync without --batch`
    )
  }
  const pricing = pricingOf(settings, options.env)
  if (pricing.settings.qwenMt) {
    throw new UserError(
      `--batch: model ${pricing.settings.model} (Qwen-MT) has no Batch API; run sync without --batch, or choose another --model`
    )
  }
  const baseURL = endpointOf(settings, options.env)

  // Writes what needs no translation, queues the rest; the budget is checked before anything is sent.
  const queued: TranslateJob[] = []
  const result = await sync({...plainSync(options), queue: (job) => queued.push(job)})
  const lines: string[] = []
  const requests = new Map<string, BatchRecordRequest>()
  const estimate = emptyEstimate()
  let segments = 0
  // Notes finish in any order: sort, so the same pending work always makes the same file.
  queued.sort((a, b) => compareCodeUnits(a.note, b.note) || compareCodeUnits(a.targetLocale, b.targetLocale))
  // Each distinct segment is sent once, as online (`packer.ts`); the other occurrences are
  // recorded with the request that carries the first one and answered from it at collect.
  const {jobs, duplicates} = withoutDuplicates(queued)
  /** `locale note id` of each segment sent → the request carrying it. */
  const carriedBy = new Map<string, BatchRecordRequest>()
  for (const job of jobs) {
    segments += job.segments.length
    addEstimate(estimate, estimateJob(pricing.settings, job, pricing.price, {batch: true}))
    for (const request of planRequests(pricing.settings, job)) {
      const customId = `r${requests.size + 1}`
      const carried: BatchRecordRequest = {
        note: job.note,
        locale: job.targetLocale,
        ids: request.segments.map(({id}) => id)
      }
      requests.set(customId, carried)
      for (const id of carried.ids) carriedBy.set(`${carried.locale}\0${job.note}\0${id}`, carried)
      lines.push(requestLine(customId, request.body))
    }
  }
  for (const duplicate of duplicates) {
    // Its first occurrence has the same locale (the language pair is part of what makes it one).
    const carried = carriedBy.get(`${duplicate.locale}\0${duplicate.of.note}\0${duplicate.of.id}`)!
    carried.copies ??= []
    carried.copies.push({note: duplicate.note, id: duplicate.id, of: duplicate.of.id})
  }
  if (options.maxCostUsd !== undefined && lines.length > 0) {
    if (!pricing.price) {
      throw new UserError(
        `--max-cost ${options.maxCostUsd}: the cost of model ${pricing.settings.model} is unknown — add its price to provider.prices in the config, or drop --max-cost`
      )
    }
    if (estimate.costUsd > options.maxCostUsd) {
      throw new UserError(
        `--max-cost ${options.maxCostUsd}: this batch is estimated at $${estimate.costUsd.toFixed(4)} at the Batch API's 50% price (${estimate.requests} requests); nothing was sent — raise --max-cost, or sync fewer notes or locales`,
        1
      )
    }
  }

  const batches: BatchSummary[] = []
  if (lines.length > 0 && !options.dryRun) {
    const client = await clientFor(options, settings, baseURL)
    for (const file of inputFiles(lines)) {
      const created = await client.submit(file.join(''), 'notes-l10n-batch.jsonl')
      const own: BatchRecord['requests'] = {}
      for (const line of file) {
        const customId = (JSON.parse(line) as {custom_id: string}).custom_id
        own[customId] = requests.get(customId)!
      }
      const record: BatchRecord = {
        version: 1,
        id: created.id,
        inputFileId: created.inputFileId,
        model: pricing.settings.model,
        ...(baseURL ? {baseURL} : {}),
        submitted: new Date().toISOString(),
        status: 'submitted',
        requests: own
      }
      await saveBatch(project.root, record)
      batches.push(summary(record, created.status, created.counts))
    }
  }
  return {batches, estimate, segments, duplicates: duplicates.length, result}
}

/** Run sync over the batch's notes with a provider that answers from its saved results. */
async function applyBatch(options: BatchOptions, config: ResolvedConfig, record: BatchRecord): Promise<SyncResult> {
  const root = config.root
  const settings: ProviderSettings = {
    ...config.provider,
    ...(options.provider?.prices ? {prices: options.provider.prices} : {})
  }
  const pricing = pricingOf({...settings, model: record.model}, options.env)
  const requests = new Map(Object.entries(record.requests))
  const provider = createBatchResultsProvider({
    batch: record.id,
    model: record.model,
    requests,
    results: parseResults(await readResults(root, record)),
    price: pricing.price
  })
  // A note whose queued segments are all duplicates has no request of its own: its copies name it.
  const notes = [...new Set(waiting(record).map((request) => request.note))].sort()
  const locales = [...new Set(waiting(record).map((request) => request.locale))].sort()
  const result = await sync({
    ...plainSync(options),
    paths: notes.map((note) => path.join(root, note)),
    locales,
    shard: undefined,
    providerOverride: provider
  })
  result.provider = 'openai-batch'
  result.model = record.model
  result.priced = pricing.price !== undefined
  return result
}

/** Options for an inner sync pass: no budget (checked or already paid), no batch hooks. */
function plainSync(options: BatchOptions): SyncOptions {
  const {client: _client, beforeApply: _beforeApply, maxCostUsd: _maxCost, queue: _queue, ...rest} = options
  return rest
}

/**
 * A Batch API client bounded like chat completions: `provider.timeoutMs`, `maxReplyBytes`, `maxRetries` apply.
 * The openai SDK is imported here, by batch runs only (`providers/select.ts` says why).
 */
async function clientFor(
  options: BatchOptions,
  limits: Pick<ProviderSettings, 'timeoutMs' | 'maxReplyBytes' | 'maxRetries'>,
  baseURL: string | undefined
): Promise<BatchClient> {
  if (options.client) return options.client(baseURL)
  const {createBatchClient} = await import('../providers/openai-batch.js')
  return createBatchClient({
    apiKey: options.env.OPENAI_API_KEY ?? '',
    baseURL,
    ...(limits.timeoutMs === undefined ? {} : {timeoutMs: limits.timeoutMs}),
    ...(limits.maxReplyBytes === undefined ? {} : {maxReplyBytes: limits.maxReplyBytes}),
    ...(limits.maxRetries === undefined ? {} : {maxRetries: limits.maxRetries})
  })
}

/** Every note and locale the batch answers: those of its requests, and of the duplicates they answer. */
function waiting(record: BatchRecord): Array<{note: string; locale: string}> {
  return Object.values(record.requests).flatMap((request) => [
    request,
    ...(request.copies ?? []).map((copy) => ({note: copy.note, locale: request.locale}))
  ])
}

function summary(record: BatchRecord, status: string, counts?: BatchInfo['counts']): BatchSummary {
  return {
    id: record.id,
    status,
    submitted: record.submitted,
    requests: Object.keys(record.requests).length,
    notes: new Set(waiting(record).map((request) => `${request.note}\0${request.locale}`)).size,
    ...(counts ? {counts} : {})
  }
}
