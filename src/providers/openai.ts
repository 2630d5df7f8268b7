/**
 * The OpenAI provider: translation through any OpenAI-compatible chat completions endpoint.
 *
 * With `openai-request.ts` (one request and the run state), `openai-failures.ts` (API errors as
 * messages), `openai-fetch.ts` (the bounded `fetch` handed to the SDK) and `openai-batch.ts` (the
 * Batch API client), the only modules that import `openai` (test/architecture/layers.test.ts).
 * Retries have one owner per layer (docs/decisions.md §6):
 *
 * - the SDK retries transport failures (408/409/429/5xx, connection errors, timeouts) with its own
 *   `maxRetries` and `timeout`, obeying `x-should-retry` and short `retry-after` headers;
 * - p-retry retries validation failures only, feeding the problems back, for the failing segments
 *   only;
 * - a reply cut at the token limit is split in halves, not retried as is;
 * - everything else fails the request's segments (400, refusal, content filter, exhausted transport
 *   retries) or stops the run (`ProviderFatalError`: billing, key, model, endpoint, long waits).
 */

import {setMaxListeners} from 'node:events'
import OpenAI from 'openai'
import pLimit from 'p-limit'
import pRetry, {AbortError} from 'p-retry'
import {type Provider, type TranslateJob, type TranslateOutcome, type Usage, UserError} from '../types.js'
import {halve} from './batching.js'
import {
  checkCandidates,
  INTERRUPTED,
  IncompleteReplyError,
  oneLine,
  ProviderFatalError,
  RejectedReplyError,
  RequestFailedError,
  ValidationError
} from './errors.js'
import {boundedFetch, DEFAULT_BASE_URL, displayURL, redactor, watchRetryAfter} from './openai-fetch.js'
import {type JobRun, pauseWorkers, type Run, send} from './openai-request.js'
import {costOf, emptyUsage, type PriceTable, priceFor} from './prices.js'
import {
  type Feedback,
  looksLikeRefusal,
  type ParsedReply,
  parsePlainReply,
  parseReply,
  type WireSegment
} from './prompt.js'
import {checkCompletion, DEFAULT_MAX_REPLY_BYTES, DEFAULT_TIMEOUT_MS} from './reply.js'
import {groupSegments, requestSettings, segmentTokens} from './requests.js'

export interface OpenAIProviderOptions {
  /** The caller reads `OPENAI_API_KEY`; it is never logged, echoed or put in a message. */
  apiKey: string
  /** Resolved by the caller (`OPENAI_BASE_URL`, `--base-url`, config); `undefined` → OpenAI. */
  baseURL?: string
  model: string
  /** Requests in flight across all jobs of this provider instance (default 8). */
  concurrency?: number
  /**
   * Total deadline of one HTTP attempt — connect, headers and the whole body — in ms (default
   * 120 000). The SDK's own timeout ends when the headers arrive; the body is read inside our
   * `fetch`, under this deadline, so a body that never ends or trickles fails the attempt.
   */
  timeoutMs?: number
  /** Most bytes of one reply, counted after decompression (default 8 MiB): a gzip bomb stops here. */
  maxReplyBytes?: number
  /** SDK transport retries (default 2). */
  maxRetries?: number
  /** Validation retries with feedback (default 2). */
  validationRetries?: number
  /** Delay before the first validation retry, doubled after each (default 500 ms). */
  validationRetryDelayMs?: number
  /**
   * `auto` (default): strict `json_schema`, switching to `json_object` for the rest of the run when
   * the endpoint rejects `response_format` with a 400.
   */
  responseFormat?: 'auto' | 'json_schema' | 'json_object'
  /**
   * Prompt tokens of segment text per request (default 3000). Measured on the shared corpus
   * (o200k): a whole note is 100–5 000 tokens including code, which is never sent, and paragraphs
   * are 19 tokens at the median, 229 at p99. Every request pays the instructions (~230 tokens)
   * again, so fewer, larger requests are cheaper: 3000 sends almost every note in one request.
   * The limit is the reply: translations run up to ~2× the source for the longest-writing
   * languages, plus ~3 tokens of JSON per segment with request-local keys, so ≤ ~6 300 tokens, under
   * the 8 192-token output cap of DeepSeek and Qwen (and `completionLimit`'s own cap); it finishes
   * well within the 120 s timeout, and a truncated reply is halved and re-sent.
   */
  maxBatchTokens?: number
  /** Segments per request (default 96, see `DEFAULT_MAX_BATCH_SEGMENTS`): each is a property of the strict schema. */
  maxBatchSegments?: number
  /**
   * The longest `retry-after` (over the SDK's 60 s) to wait for, pausing every worker; a longer
   * one stops the run with a message (default 0: stop at once).
   */
  maxLongRetryAfterMs?: number
  /**
   * `retry-after` values above this are ours to handle (wait bounded by `maxLongRetryAfterMs`, or
   * stop) instead of the SDK's (default 60 000 ms, the most the SDK should honour: its sleep can't
   * be interrupted, so a lower value makes Ctrl-C more responsive).
   */
  longRetryAfterMs?: number
  /** Price overrides (USD per 1M tokens) by model. */
  prices?: PriceTable
  /**
   * Stop the run (`ProviderFatalError` `budget`) before a request whose estimated cost
   * (`estimate.ts`), added to what was spent and what is in flight, would exceed this many USD.
   * Needs a priced model: the caller refuses the option otherwise.
   */
  maxCostUsd?: number
}

/** An OpenAI provider with run-wide accounting. */
export interface OpenAIProvider extends Provider {
  /** Cumulative usage of every job so far. */
  usage(): Usage
  /** False when the model has no price (default table or overrides): costs are then reported as 0. */
  readonly priced: boolean
  /** Requests in flight and waiting for a slot right now, for progress displays. */
  activity(): {inFlight: number; queued: number}
}

/**
 * Create the provider. One instance per run: its limiter, fallback state, pause gate and usage
 * are shared by every job, and a fatal error in one job stops them all.
 *
 * @throws {UserError}
 *   When `apiKey` is empty.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): OpenAIProvider {
  if (options.apiKey.trim() === '') {
    throw new UserError(
      'No API key: OPENAI_API_KEY is empty or unset. Set it (export OPENAI_API_KEY=…; any non-empty value for a local endpoint that needs none), or use --provider pseudo to work offline.'
    )
  }

  const settings = {
    ...requestSettings(options.model, options.baseURL, options),
    endpoint: displayURL(options.baseURL ?? DEFAULT_BASE_URL),
    validationRetries: options.validationRetries ?? 2,
    validationRetryDelayMs: options.validationRetryDelayMs ?? 500,
    maxRetries: options.maxRetries ?? 2,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxReplyBytes: options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES,
    maxLongRetryAfterMs: options.maxLongRetryAfterMs ?? 0,
    // docs/rules.md A2: the SDK sleeps for any retry-after; above this we decide instead.
    longRetryAfterMs: options.longRetryAfterMs ?? 60_000,
    fixedFormat: options.responseFormat !== undefined && options.responseFormat !== 'auto'
  } as const

  const price = priceFor(options.model, options.prices)
  const run: Run = {
    settings,
    client: new OpenAI({
      apiKey: options.apiKey,
      // Explicit, so the SDK never picks an endpoint from the environment behind the caller's back.
      baseURL: options.baseURL ?? DEFAULT_BASE_URL,
      maxRetries: settings.maxRetries,
      timeout: settings.timeoutMs,
      fetch: watchRetryAfter(
        boundedFetch(globalThis.fetch, {
          timeoutMs: settings.timeoutMs,
          maxReplyBytes: () => settings.maxReplyBytes,
          check: (text, contentType) => {
            checkCompletion(text, contentType)
            return 'json'
          }
        }),
        settings.longRetryAfterMs,
        (wait) => pauseWorkers(run, wait)
      )
    }),
    limit: pLimit(options.concurrency ?? 8),
    format: options.responseFormat === 'json_object' ? 'json_object' : 'json_schema',
    stop: new AbortController(),
    fatal: undefined,
    resumeAt: 0,
    redact: redactor(options.apiKey),
    total: emptyUsage(),
    price,
    maxCostUsd: options.maxCostUsd,
    reservedUsd: 0,
    unreachable: 0
  }

  return {
    name: 'openai',
    model: options.model,
    priced: price !== undefined,
    usage: () => ({...run.total, costUsd: costOf(run.total, price)}),
    activity: () => ({inFlight: run.limit.activeCount, queued: run.limit.pendingCount}),
    async translate(job, translateOptions) {
      const outcome = await translateJob(run, job, translateOptions?.signal)
      outcome.usage.costUsd = costOf(outcome.usage, price)
      return outcome
    }
  }
}

async function translateJob(run: Run, job: TranslateJob, signal: AbortSignal | undefined): Promise<TranslateOutcome> {
  if (run.fatal) throw run.fatal

  const outcome: TranslateOutcome = {
    translations: new Map(),
    failures: new Map(),
    findings: [],
    usage: emptyUsage()
  }
  const jobSignal = signal ? AbortSignal.any([signal, run.stop.signal]) : run.stop.signal
  // Every request in flight listens to it; more than Node's default of 10 is normal here.
  setMaxListeners(0, jobSignal)
  // Counted once per job: the tokenizer is pure JS, and the counts serve batching and every limit.
  const tokens = segmentTokens(job)
  const jobRun: JobRun = {run, job, signal: jobSignal, outcome, tokens}

  const groups = groupSegments(run.settings, job, tokens)

  // Settle every group before deciding: a rejected Promise.all would leave requests running.
  const results = await Promise.allSettled(groups.map((group) => translateGroup(jobRun, group, false)))
  if (run.fatal) throw run.fatal
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason
  }

  // Every id ends in exactly one map, whatever happened above.
  for (const {id} of job.segments) {
    if (!outcome.translations.has(id) && !outcome.failures.has(id)) {
      outcome.failures.set(id, jobRun.signal.aborted ? INTERRUPTED : 'not translated')
    }
  }
  return outcome
}

/**
 * Translate one group of segments (one request, then validation retries of the failing ones),
 * recording results in the job's outcome. Rejects only with fatal or unexpected errors.
 *
 * @param raised
 *   Whether the completion limit is already raised (a single segment cut at the limit once).
 */
async function translateGroup(jobRun: JobRun, group: readonly WireSegment[], raised: boolean): Promise<void> {
  const {run, job, outcome, signal} = jobRun
  let pending: readonly WireSegment[] = group
  let feedback: Feedback | undefined
  let refusals = 0
  const retries = run.settings.qwenMt
    ? // Qwen-MT takes a single user message: no feedback possible, so one identical retry at most.
      Math.min(run.settings.validationRetries, 1)
    : run.settings.validationRetries

  const attempt = async (): Promise<void> => {
    const completion = await send(jobRun, pending, feedback, raised)
    // The slot this request held is free: let the next queued request reach the socket before this
    // thread spends time reading, validating and committing this reply (and the notes it settles),
    // so requests stay in flight while it works (bench figure 8).
    await new Promise<void>((resolve) => setImmediate(resolve))
    const choice = completion.choices[0]
    if (!choice) throw new AbortError(new RequestFailedError('the reply had no choices'))
    if (choice.finish_reason === 'length') throw new AbortError(new IncompleteReplyError())
    if (choice.finish_reason === 'content_filter') {
      throw new AbortError(
        new RejectedReplyError("the endpoint's content filter blocked the reply (finish_reason: content_filter)")
      )
    }

    const content = choice.message.content ?? ''
    // Read once, for the refusal test and the candidates; Qwen-MT replies are plain text.
    const reply = run.settings.qwenMt ? undefined : parseReply(content, pending)
    const refusal = refusalOf(run, choice.message.refusal, content, pending, reply)
    if (refusal !== undefined) {
      refusals++
      if (refusals > 1) throw new AbortError(new RejectedReplyError(refusal))
      const said = choice.message.refusal || content || '(no reply)'
      feedback = {
        previous: new Map(),
        unreadable: run.redact(said).slice(0, 4000),
        problems: sameProblem(pending, refusal)
      }
      throw new ValidationError(feedback.problems)
    }

    const read = readCandidates(content, pending, reply)
    if (typeof read === 'string') {
      feedback = {
        previous: new Map(),
        unreadable: run.redact(content).slice(0, 4000),
        problems: sameProblem(pending, read)
      }
      throw new ValidationError(feedback.problems)
    }
    const {candidates} = read

    const {accepted, problems, warnings} = checkCandidates(
      job,
      pending.map(({id}) => id),
      candidates,
      read.rejected
    )

    if (accepted.size > 0) {
      for (const [id, text] of accepted) outcome.translations.set(id, text)
      outcome.findings.push(...warnings)
      await job.onAccepted?.(accepted)
    }

    if (problems.size > 0) {
      pending = pending.filter(({id}) => problems.has(id))
      feedback = {previous: candidates, problems}
      throw new ValidationError(problems)
    }
  }

  try {
    await pRetry(attempt, {
      retries,
      signal,
      minTimeout: run.settings.validationRetryDelayMs,
      factor: 2,
      shouldRetry: ({error}) => error instanceof ValidationError
    })
  } catch (error) {
    if (error instanceof ProviderFatalError) throw error
    if (signal.aborted) return fail(outcome, pending, INTERRUPTED)

    if (error instanceof ValidationError) {
      for (const {id} of pending) {
        const reasons = error.problems.get(id) ?? ['rejected']
        outcome.failures.set(id, `rejected after ${retries + 1} attempt(s): ${reasons.join('; ')}`)
      }
      return
    }

    if (error instanceof IncompleteReplyError) {
      if (pending.length > 1) {
        const halves = halve(pending)
        await Promise.all(halves.map((half) => translateGroup(jobRun, half, raised)))
        return
      }
      if (!raised) return translateGroup(jobRun, pending, true)
      return fail(
        outcome,
        pending,
        'the reply was cut at the token limit (finish_reason: length) even for this segment alone with a raised limit'
      )
    }

    if (error instanceof RejectedReplyError || error instanceof RequestFailedError) {
      return fail(outcome, pending, error.message)
    }

    throw error
  }
}

/**
 * A refusal, an empty reply or refusal-like text instead of JSON: the reason, else `undefined`.
 *
 * @param reply
 *   The content read as JSON; `undefined` for Qwen-MT (plain text).
 */
function refusalOf(
  run: Run,
  refusal: string | null | undefined,
  content: string,
  pending: readonly WireSegment[],
  reply: ParsedReply | undefined
): string | undefined {
  if (refusal) return `the model refused: ${oneLine(run.redact(refusal))}`
  if (content.trim() === '') return 'the reply was empty'
  const source = run.settings.qwenMt ? (pending[0]?.text ?? '') : ''
  const isText = run.settings.qwenMt || reply?.problem !== undefined
  if (isText && looksLikeRefusal(content) && !looksLikeRefusal(source)) {
    return `the model refused: ${oneLine(run.redact(content))}`
  }
  return undefined
}

/**
 * Candidates of a reply by id, or why the reply can't be read.
 *
 * @param reply
 *   The content read as JSON; `undefined` for Qwen-MT, whose plain-text reply is read here.
 */
function readCandidates(
  content: string,
  pending: readonly WireSegment[],
  reply: ParsedReply | undefined
): Pick<ParsedReply, 'candidates' | 'rejected'> | string {
  if (reply === undefined) {
    const [segment] = pending
    if (!segment) return {candidates: new Map(), rejected: new Map()}
    const read = parsePlainReply(content, segment.text)
    return 'problem' in read
      ? {candidates: new Map(), rejected: new Map([[segment.id, read.problem]])}
      : {candidates: new Map([[segment.id, read.text]]), rejected: new Map()}
  }
  return reply.problem === undefined ? reply : `L11: ${reply.problem}`
}

function fail(outcome: TranslateOutcome, segments: readonly WireSegment[], reason: string): void {
  for (const {id} of segments) outcome.failures.set(id, reason)
}

function sameProblem(segments: readonly WireSegment[], problem: string): Map<string, string[]> {
  return new Map(segments.map(({id}) => [id, [problem]]))
}
