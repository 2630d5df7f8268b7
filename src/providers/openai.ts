/**
 * The OpenAI provider: translation through any OpenAI-compatible chat completions endpoint.
 *
 * The only module that imports `openai`. Retries have one owner per layer (docs/decisions.md §6):
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
import {setTimeout as sleep} from 'node:timers/promises'
import OpenAI from 'openai'
import type {ChatCompletion, ChatCompletionCreateParamsNonStreaming} from 'openai/resources/chat/completions'
import pLimit, {type LimitFunction} from 'p-limit'
import pRetry, {AbortError} from 'p-retry'
import {createRedactor} from '../redact.js'
import {type Provider, type TranslateJob, type TranslateOutcome, type Usage, UserError} from '../types.js'
import {BATCH_ENDPOINT} from './batch-jsonl.js'
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
import {completionTokensOf, promptTokensOf} from './estimate.js'
import {addUsage, costOf, emptyUsage, type Price, type PriceTable, priceFor} from './prices.js'
import {
  type Feedback,
  looksLikeRefusal,
  type ParsedReply,
  parsePlainReply,
  parseReply,
  type WireSegment
} from './prompt.js'
import {
  checkCompletion,
  checkJsonObject,
  DEFAULT_MAX_REPLY_BYTES,
  DEFAULT_TIMEOUT_MS,
  ReplyError,
  readBounded,
  UnreachableError,
  unreachable,
  usageCount
} from './reply.js'
import {
  type ChatRequestBody,
  chatRequestBody,
  groupSegments,
  type RequestSettings,
  requestSettings,
  segmentTokens
} from './requests.js'

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

/** 429 codes that mean "pay first": retrying can't help (docs/rules.md A3). */
const billingCodes = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'project_spend_limit_exceeded',
  'organization_spend_limit_exceeded',
  'organization_usage_limit_exceeded'
])

const defaultBaseURL = 'https://api.openai.com/v1'

/**
 * Warn when the SDK will log request and response bodies (docs/rules.md S1).
 *
 * @param env
 *   The environment (`process.env` at the CLI).
 * @returns
 *   A one-line warning, or `undefined` when logging is not at debug level.
 */
export function debugLogWarning(env: Record<string, string | undefined>): string | undefined {
  if (env.OPENAI_LOG?.trim().toLowerCase() !== 'debug') return undefined
  return 'OPENAI_LOG=debug makes the openai SDK log every request and response body (your notes and their translations); unset OPENAI_LOG unless you are debugging, and never share that log.'
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
    endpoint: displayURL(options.baseURL ?? defaultBaseURL),
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
      baseURL: options.baseURL ?? defaultBaseURL,
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

/** State shared by every job of one provider instance. */
interface Run {
  readonly settings: Readonly<
    RequestSettings & {
      endpoint: string
      validationRetries: number
      validationRetryDelayMs: number
      maxRetries: number
      timeoutMs: number
      maxReplyBytes: number
      maxLongRetryAfterMs: number
      longRetryAfterMs: number
      fixedFormat: boolean
    }
  >
  readonly client: OpenAI
  /** One limiter for all jobs: the concurrency option bounds requests in flight run-wide. */
  readonly limit: LimitFunction
  /** Current `response_format`; `auto` downgrades it once, for the rest of the run. */
  format: 'json_schema' | 'json_object'
  /** Aborted on a fatal error so every worker stops. */
  readonly stop: AbortController
  fatal: ProviderFatalError | undefined
  /** Epoch ms before which no request starts (a long `retry-after` pauses every worker). */
  resumeAt: number
  readonly redact: (text: string) => string
  readonly total: Usage
  readonly price: Price | undefined
  readonly maxCostUsd: number | undefined
  /** Estimated cost of the requests in flight, held against `maxCostUsd` until their usage is known. */
  reservedUsd: number
  /** Requests in a row whose every attempt failed to reach the endpoint (reset by any reply). */
  unreachable: number
}

/** State of one job. */
interface JobRun {
  readonly run: Run
  readonly job: TranslateJob
  readonly signal: AbortSignal
  readonly outcome: TranslateOutcome
  /** Prompt tokens of each segment's text, by id. */
  readonly tokens: ReadonlyMap<string, number>
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
 * Send one request through the run-wide limiter, after any run-wide pause, handling the errors
 * that change how the run proceeds (fatal errors, long waits, the `json_object` fallback).
 *
 * @throws {AbortError}
 *   Wrapping `ProviderFatalError`, `RequestFailedError` or the SDK's abort error: never retried
 *   by the validation layer.
 */
async function send(
  jobRun: JobRun,
  segments: readonly WireSegment[],
  feedback: Feedback | undefined,
  raised: boolean
): Promise<ChatCompletion> {
  const {run, signal} = jobRun
  let waitedLong = false

  for (;;) {
    let sentFormat = run.format
    try {
      const completion = await run.limit(async () => {
        // Inside the slot, so a worker that waits for a pause keeps its place in the queue.
        await pausedWorkers(run, signal)
        if (run.fatal) throw run.fatal
        if (signal.aborted) throw new OpenAI.APIUserAbortError()
        // Built now, not when queued, so a fallback decided meanwhile applies at once.
        sentFormat = run.format
        const body = chatRequestBody(run.settings, jobRun.job, segments, jobRun.tokens, run.format, {feedback, raised})
        const reserved = reserveBudget(run, body, segments)
        try {
          // `translation_options` is DashScope's (Python's `extra_body`); the SDK sends unknown members as is.
          const reply = await run.client.chat.completions.create(body as ChatCompletionCreateParamsNonStreaming, {
            signal
          })
          run.unreachable = 0
          // Counted before the slot frees up, so the next request's budget check sees it.
          countUsage(jobRun, reply, body, segments)
          return reply
        } finally {
          run.reservedUsd -= reserved
        }
      })
      return completion
    } catch (error) {
      if (error instanceof ProviderFatalError) throw new AbortError(error)
      if (error instanceof OpenAI.APIUserAbortError || signal.aborted) {
        throw new AbortError(new RequestFailedError(INTERRUPTED))
      }
      if (!(error instanceof OpenAI.APIError)) throw error
      if (!isUnreachable(error)) run.unreachable = 0

      const fatal = fatalError(run, error)
      if (fatal) throw new AbortError(stopRun(run, fatal))

      if (isUnreachable(error)) {
        // Sent again rather than failed: either a later request gets through (a blip), or the
        // run stops with one message instead of one identical line per segment.
        run.unreachable++
        if (run.unreachable >= UNREACHABLE_REQUESTS) throw new AbortError(stopRun(run, unreachableError(run, error)))
        continue
      }

      const wait = retryAfterMs(error.headers)
      if (wait !== undefined && wait > run.settings.longRetryAfterMs && isRetryableStatus(error.status)) {
        if (!waitedLong && wait <= run.settings.maxLongRetryAfterMs) {
          waitedLong = true
          pauseWorkers(run, wait)
          continue
        }
        throw new AbortError(stopRun(run, longWaitError(run, wait)))
      }

      if (
        error.status === 400 &&
        // Compare with what this request sent: concurrent requests get the same 400.
        sentFormat === 'json_schema' &&
        !run.settings.fixedFormat &&
        !run.settings.qwenMt &&
        /response_format|json_schema/i.test(`${error.param ?? ''} ${error.message}`)
      ) {
        run.format = 'json_object'
        continue
      }

      throw new AbortError(new RequestFailedError(requestFailure(run, error)))
    }
  }
}

/**
 * Hold this request's estimated cost against the run's limit, or stop the run when spent, in
 * flight and this request together would exceed it.
 *
 * @returns
 *   The amount reserved, to release when the request settles.
 */
function reserveBudget(run: Run, body: ChatRequestBody, segments: readonly WireSegment[]): number {
  if (run.maxCostUsd === undefined) return 0
  const estimate = costOf(
    {
      requests: 1,
      promptTokens: promptTokensOf(body),
      completionTokens: completionTokensOf(run.settings, segments),
      cachedTokens: 0
    },
    run.price
  )
  const spent = costOf(run.total, run.price)
  const total = spent + run.reservedUsd + estimate
  if (total > run.maxCostUsd) {
    throw stopRun(
      run,
      new ProviderFatalError(
        `cost limit $${run.maxCostUsd} (--max-cost) reached: $${spent.toFixed(4)} spent, and the next request (about $${estimate.toFixed(4)}) would bring the run to about $${total.toFixed(4)}; stopped before sending it — work accepted so far is kept: raise --max-cost, or run sync again to continue`,
        'budget'
      )
    )
  }
  run.reservedUsd += estimate
  return estimate
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

/**
 * Count a reply's usage in its job and in the run (costs are priced from the totals later). A
 * count the endpoint leaves out or reports as anything but a finite, non-negative number is
 * unknown, and estimated from the request (as `--dry-run` does), so `--max-cost` keeps working.
 */
function countUsage(
  jobRun: JobRun,
  completion: ChatCompletion,
  body: ChatRequestBody,
  segments: readonly WireSegment[]
): void {
  const usage: unknown = completion.usage
  const field = (object: unknown, key: string): unknown =>
    typeof object === 'object' && object !== null && key in object
      ? (object as Record<string, unknown>)[key]
      : undefined
  const promptTokens = usageCount(field(usage, 'prompt_tokens')) ?? promptTokensOf(body)
  const cached =
    usageCount(field(field(usage, 'prompt_tokens_details'), 'cached_tokens')) ??
    usageCount(field(usage, 'prompt_cache_hit_tokens')) ??
    0
  const delta: Usage = {
    requests: 1,
    promptTokens,
    completionTokens:
      usageCount(field(usage, 'completion_tokens')) ?? completionTokensOf(jobRun.run.settings, segments),
    cachedTokens: Math.min(cached, promptTokens),
    costUsd: 0
  }
  addUsage(jobRun.outcome.usage, delta)
  addUsage(jobRun.run.total, delta)
}

/** Pause every worker for `wait` ms from now (never shortening a pause already set). */
function pauseWorkers(run: Run, wait: number): void {
  run.resumeAt = Math.max(run.resumeAt, Date.now() + wait)
}

/** Wait while a rate limit pauses every worker (docs/rules.md A11), or until `signal` aborts. */
async function pausedWorkers(run: Run, signal: AbortSignal): Promise<void> {
  for (let pause = run.resumeAt - Date.now(); pause > 0 && !signal.aborted; pause = run.resumeAt - Date.now()) {
    await sleep(pause, undefined, {signal}).catch(() => {})
  }
}

/** Record the first fatal error and stop every worker. */
function stopRun(run: Run, error: ProviderFatalError): ProviderFatalError {
  run.fatal ??= error
  run.stop.abort(run.fatal)
  return run.fatal
}

/**
 * Requests in a row that never reached the endpoint (every attempt a connection error or a
 * connect/header timeout) before the run stops with one message: each has already been tried
 * `maxRetries + 1` times, so three mean the endpoint is down or the URL is wrong, not a blip. A
 * request that fails this way is sent again (counting again) until then, so none fails alone.
 */
const UNREACHABLE_REQUESTS = 3

/**
 * A request whose every attempt failed to connect (refused, unresolved, not connected in time,
 * closed before any answer). A server that accepts the connection and then never answers is not
 * unreachable: that request times out and fails on its own.
 */
function isUnreachable(error: InstanceType<typeof OpenAI.APIError>): boolean {
  return error instanceof OpenAI.APIConnectionError && error.cause instanceof UnreachableError
}

/** Why the run stops after {@link UNREACHABLE_REQUESTS} unreachable requests in a row. */
function unreachableError(run: Run, error: InstanceType<typeof OpenAI.APIError>): ProviderFatalError {
  const why = oneLine(run.redact(connectionCause(error)))
  return new ProviderFatalError(
    `could not reach the API at ${run.settings.endpoint} (${UNREACHABLE_REQUESTS} requests in a row, ${run.settings.maxRetries + 1} attempt(s) each: ${why}): check --base-url / OPENAI_BASE_URL and that the server is running; stopped early — work accepted so far is kept, run sync again to continue`,
    'unreachable'
  )
}

/** The deepest message of a connection error's cause chain (`ECONNREFUSED …`), else its own. */
function connectionCause(error: Error): string {
  let message = error.message
  let cause: unknown = error.cause
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const code = (cause as {code?: unknown}).code
    message = typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message
    cause = cause.cause
  }
  return message
}

/** Errors after which no request of this run can succeed. */
function fatalError(run: Run, error: InstanceType<typeof OpenAI.APIError>): ProviderFatalError | undefined {
  const {endpoint, model} = run.settings
  const code = `${error.code ?? ''}`
  const type = `${error.type ?? ''}`

  if (error.status !== undefined && error.status >= 300 && error.status < 400) {
    // `boundedFetch` follows no redirect: the note text must reach only the endpoint the user named.
    const location = error.headers?.get('location')
    let target = 'another address'
    if (location) {
      try {
        target = displayURL(new URL(location, `${endpoint}/`).toString())
      } catch {
        target = 'an unreadable address'
      }
    }
    return new ProviderFatalError(
      `The API at ${endpoint} redirects requests (${error.status}) to ${oneLine(run.redact(target))}: notes-l10n follows no redirects, so your notes go only where you point them — set --base-url (or OPENAI_BASE_URL) to the endpoint's final address.`,
      'redirect'
    )
  }

  if (error.status === 429 && (billingCodes.has(code) || billingCodes.has(type))) {
    return new ProviderFatalError(
      `The API at ${endpoint} refused model ${model} for billing reasons (429 ${code || type}): add credit or raise the spend limit of your account, then run again; work accepted so far is kept.`,
      'billing'
    )
  }
  if (error.status === 401) {
    return new ProviderFatalError(
      `The API at ${endpoint} rejected the API key (401) for model ${model}: check OPENAI_API_KEY, and that the key belongs to this endpoint (set --base-url or OPENAI_BASE_URL for another provider).`,
      'auth'
    )
  }
  if (error.status === 403) {
    return new ProviderFatalError(
      `The API at ${endpoint} denied access (403) to model ${model}: check that your key's project or region may use this model.`,
      'permission'
    )
  }
  if (error.status === 404) {
    return new ProviderFatalError(
      `The API at ${endpoint} has no model ${model} or no chat completions route (404): check --model, and that the base URL ends with the API root (e.g. …/v1).`,
      'not-found'
    )
  }
  return undefined
}

function longWaitError(run: Run, wait: number): ProviderFatalError {
  const allowed = run.settings.maxLongRetryAfterMs
  return new ProviderFatalError(
    `The API at ${run.settings.endpoint} asks to wait ${Math.ceil(wait / 1000)} s before the next request for model ${run.settings.model} (rate or daily limit), longer than the ${Math.round(allowed / 1000)} s allowed: run again later, or allow a longer wait (maxLongRetryAfterMs); work accepted so far is kept.`,
    'rate-limit'
  )
}

/** One line for a request the API refused or that transport retries could not complete. */
function requestFailure(run: Run, error: InstanceType<typeof OpenAI.APIError>): string {
  const attempts = `${run.settings.maxRetries + 1} attempt(s)`
  if (error.cause instanceof ReplyError) {
    return `unusable reply from ${run.settings.endpoint} (${attempts}): ${error.cause.message}`
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return `no reply from ${run.settings.endpoint} within ${run.settings.timeoutMs} ms (${attempts})`
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return `could not reach ${run.settings.endpoint} (${attempts}): ${oneLine(run.redact(connectionCause(error)))}`
  }
  const message = oneLine(run.redact(error.message))
  if (isRetryableStatus(error.status)) {
    return `the API kept failing (${attempts}): ${message}`
  }
  return `the API rejected the request: ${message}`
}

/**
 * Wrap `fetch` so that one attempt is bounded whatever the endpoint does (docs/providers.md):
 *
 * - a total deadline (`timeoutMs`) over connect, headers and body: the body is read here, before
 *   the SDK's `fetch` call returns, so the SDK's own timeout and ours both cover it;
 * - at most `maxReplyBytes` read, counted after decompression (`readBounded` cancels the stream at
 *   the limit: a gzip bomb never inflates further);
 * - a failure before any response that is not the deadline (refused, not found, not connected in
 *   time) becomes an `UnreachableError`: `send` counts those towards stopping the run;
 * - no redirects: a 3xx comes back as it is, with `x-should-retry: false`, and `send` stops the run
 *   (the note text went to the named endpoint only, never to where it points);
 * - a 2xx that fails `limits.check` throws a {@link ReplyError}: for chat completions, anything
 *   that is not a well-formed completion (HTML, SSE, empty, `choices: null`, non-string content,
 *   an envelope nested past `MAX_REPLY_DEPTH`); for the Batch API, a file or batch object that is
 *   not one JSON object. The SDK retries it like any transport failure, then the request fails
 *   with that reason.
 *
 * The one wrapper every provider call goes through (chat completions and `createBatchClient`).
 * What reaches the SDK is a buffered `Response` without `content-encoding`, labelled JSON unless
 * the check says it is a file's raw content.
 */
function boundedFetch(fetchImpl: typeof globalThis.fetch, limits: BoundedFetchLimits): typeof globalThis.fetch {
  return async (input, init) => {
    const path = urlPath(input)
    const deadline = AbortSignal.timeout(limits.timeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline
    let response: Response
    try {
      response = await fetchImpl(input, {...init, signal, redirect: 'manual'})
    } catch (error) {
      // The deadline or the caller: the SDK tells those apart itself. Anything else happened
      // before any answer: the endpoint could not be reached (counted towards stopping the run).
      if (signal.aborted) throw error
      throw unreachable(error)
    }
    const headers = new Headers(response.headers)
    headers.delete('content-encoding')
    headers.delete('content-length')
    const shape = {status: response.status, statusText: response.statusText, headers}
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined)
      if (!headers.has('x-should-retry')) headers.set('x-should-retry', 'false')
      return new Response(null, shape)
    }
    const bytes = await readBounded(response, limits.maxReplyBytes(path), signal, limits.timeoutMs)
    if (!response.ok) return new Response(bytes, shape)
    const text = new TextDecoder().decode(bytes)
    if (limits.check(text, response.headers.get('content-type'), path) === 'json')
      headers.set('content-type', 'application/json')
    return new Response(text, shape)
  }
}

/** What {@link boundedFetch} enforces on every attempt; the checks differ between chat completions and the Batch API. */
interface BoundedFetchLimits {
  timeoutMs: number
  /** Most decoded bytes of a reply to the request at this URL path. */
  maxReplyBytes: (path: string) => number
  /**
   * Checks a 2xx reply to the request at `path`; throws a {@link ReplyError} when it is unusable.
   * `json`: hand it to the SDK as JSON; `raw`: as it came (a file's content).
   */
  check: (text: string, contentType: string | null, path: string) => 'json' | 'raw'
}

function urlPath(input: Parameters<typeof globalThis.fetch>[0]): string {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  try {
    return new URL(href).pathname
  } catch {
    return href
  }
}

/**
 * Wrap `fetch` to act on `retry-after` before the SDK sees it:
 *
 * - a 429 with a `retry-after` the SDK will honour pauses every worker for as long (A11), not just
 *   the one the SDK retries;
 * - billing 429s, and any retryable status with a `retry-after` over `longRetryAfterMs` (which the
 *   SDK would sleep through, unabortable) get `x-should-retry: false`, so the SDK gives up at once
 *   and `send` decides.
 */
function watchRetryAfter(
  fetchImpl: typeof globalThis.fetch,
  longRetryAfterMs: number,
  pauseWorkers: (wait: number) => void
): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init)
    if (!isRetryableStatus(response.status)) return response

    const wait = retryAfterMs(response.headers)
    const body = await response.text()
    const hopeless = (wait !== undefined && wait > longRetryAfterMs) || (response.status === 429 && isBillingBody(body))
    if (response.status === 429 && !hopeless && wait !== undefined && wait > 0) pauseWorkers(wait)
    const headers = new Headers(response.headers)
    // A server that says whether to retry is obeyed (A8): only an unset header is ours to set.
    if (hopeless && !headers.has('x-should-retry')) headers.set('x-should-retry', 'false')
    return new Response(body, {status: response.status, statusText: response.statusText, headers})
  }
}

/** The statuses the SDK retries when the server doesn't say otherwise. */
function isRetryableStatus(status: number | undefined): boolean {
  return status !== undefined && (status === 408 || status === 409 || status === 429 || status >= 500)
}

function isBillingBody(body: string): boolean {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return false
  }
  const error = typeof value === 'object' && value !== null && 'error' in value ? value.error : undefined
  if (typeof error !== 'object' || error === null) return false
  const code = 'code' in error ? error.code : undefined
  const type = 'type' in error ? error.type : undefined
  return (typeof code === 'string' && billingCodes.has(code)) || (typeof type === 'string' && billingCodes.has(type))
}

/** `retry-after-ms`, else `retry-after` (seconds or an HTTP date), as the SDK reads them. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '')
  if (Number.isFinite(milliseconds)) return milliseconds
  const value = headers?.get('retry-after')
  if (!value) return undefined
  const seconds = Number.parseFloat(value)
  if (Number.isFinite(seconds)) return seconds * 1000
  const date = Date.parse(value)
  return Number.isFinite(date) ? date - Date.now() : undefined
}

/** Remove the key, and anything shaped like one, from text that came from the endpoint. */
function redactor(apiKey: string): (text: string) => string {
  const redactor = createRedactor([apiKey])
  return (text) => redactor.redact(text)
}

/** The endpoint as shown in messages: no credentials, query or fragment. */
function displayURL(baseURL: string): string {
  try {
    const url = new URL(baseURL)
    url.username = ''
    url.password = ''
    url.search = ''
    url.hash = ''
    return url.toString().replace(/\/$/, '')
  } catch {
    return baseURL
  }
}

function fail(outcome: TranslateOutcome, segments: readonly WireSegment[], reason: string): void {
  for (const {id} of segments) outcome.failures.set(id, reason)
}

function sameProblem(segments: readonly WireSegment[], problem: string): Map<string, string[]> {
  return new Map(segments.map(({id}) => [id, [problem]]))
}

/**
 * A Batch API file's content (the output or error JSONL of a whole batch) may be this many times
 * `maxReplyBytes` (default 8 MiB × 32 = 256 MiB, above the API's 200 MB input limit).
 */
export const BATCH_FILE_FACTOR = 32

/** `GET …/files/{id}/content`: JSONL, not a JSON object. */
function isFileContent(path: string): boolean {
  return /\/files\/[^/]+\/content$/.test(path)
}

/** A batch as the API reports it. */
export interface BatchInfo {
  id: string
  /** `validating`, `in_progress`, `finalizing`, `completed`, `failed`, `expired`, `cancelling`, `cancelled`. */
  status: string
  outputFileId?: string
  errorFileId?: string
  counts: {total: number; completed: number; failed: number}
}

/** The Batch API calls `sync --batch` makes. */
export interface BatchClient {
  /** Uploads a JSONL input file (purpose `batch`) and creates its batch (`/v1/chat/completions`, 24 h). */
  submit(jsonl: string, name: string): Promise<BatchInfo & {inputFileId: string}>
  retrieve(id: string): Promise<BatchInfo>
  /** The text of an output or error file. */
  download(fileId: string): Promise<string>
}

/**
 * A Batch API client. API errors become `UserError`s naming the endpoint and what to do (the key
 * is never in them); transport retries are the SDK's.
 */
export function createBatchClient(options: {
  apiKey: string
  baseURL?: string
  /** Total deadline of one attempt, body included (default 300 000: a batch file can be large). */
  timeoutMs?: number
  /** Most decoded bytes of a file/batch object (default 8 MiB); a file's content may be {@link BATCH_FILE_FACTOR} times more. */
  maxReplyBytes?: number
  maxRetries?: number
}): BatchClient {
  if (options.apiKey.trim() === '') {
    throw new UserError(
      'No API key: OPENAI_API_KEY is empty or unset. Set it (export OPENAI_API_KEY=…) to use the Batch API.'
    )
  }
  const endpoint = displayURL(options.baseURL ?? defaultBaseURL)
  const redact = redactor(options.apiKey)
  const timeoutMs = options.timeoutMs ?? 300_000
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? defaultBaseURL,
    maxRetries: options.maxRetries ?? 2,
    timeout: timeoutMs,
    // The same bounded attempt as chat completions (docs/providers.md, "One bounded request").
    fetch: boundedFetch(globalThis.fetch, {
      timeoutMs,
      maxReplyBytes: (path) => (isFileContent(path) ? maxReplyBytes * BATCH_FILE_FACTOR : maxReplyBytes),
      check: (text, contentType, path) => {
        if (isFileContent(path)) return 'raw'
        checkJsonObject(text, contentType)
        return 'json'
      }
    })
  })
  const attempts = `${(options.maxRetries ?? 2) + 1} attempt(s)`
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request()
    } catch (error) {
      if (!(error instanceof OpenAI.APIError)) throw error
      const again = 'run again; nothing was lost'
      if (error.status !== undefined && error.status >= 300 && error.status < 400) {
        // `boundedFetch` follows no redirect: the requests (note text) go only to the named endpoint.
        throw new UserError(
          `the Batch API at ${endpoint} redirects (${error.status}) the request to ${what}: notes-l10n follows no redirects — set --base-url (or OPENAI_BASE_URL) to the endpoint's final address, then ${again}`
        )
      }
      if (error instanceof OpenAI.APIConnectionTimeoutError) {
        throw new UserError(
          `the Batch API at ${endpoint} did not reply within ${timeoutMs} ms to ${what} (${attempts}) — ${again}`,
          1
        )
      }
      if (error instanceof OpenAI.APIConnectionError) {
        const reason =
          error.cause instanceof ReplyError
            ? `unusable reply: ${error.cause.message}`
            : `could not reach it: ${connectionCause(error)}`
        throw new UserError(
          `the Batch API at ${endpoint} failed to ${what} (${attempts}), ${oneLine(redact(reason))} — ${again}`,
          1
        )
      }
      throw new UserError(
        `the Batch API at ${endpoint} failed to ${what} (${error.status ?? 'no reply'}): ${oneLine(redact(error.message))} — check the endpoint supports /v1/files and /v1/batches, then ${again}`,
        error.status === 401 || error.status === 403 || error.status === 404 ? 2 : 1
      )
    }
  }
  /** The SDK casts whatever JSON object came back: check the fields that are read. */
  const expect = (what: string, value: {id?: unknown; status?: unknown}, batch: boolean): void => {
    if (typeof value.id !== 'string' || value.id === '' || (batch && typeof value.status !== 'string')) {
      throw new UserError(
        `the Batch API at ${endpoint} answered the request to ${what} with no ${batch ? 'batch' : 'file'} object (no "id"${batch ? ' or "status"' : ''}) — check the endpoint supports /v1/files and /v1/batches, then run again; nothing was lost`,
        1
      )
    }
  }
  const info = (what: string, batch: OpenAI.Batches.Batch): BatchInfo => {
    expect(what, batch, true)
    return batchInfo(batch)
  }
  const batchInfo = (batch: OpenAI.Batches.Batch): BatchInfo => ({
    id: batch.id,
    status: batch.status,
    ...(batch.output_file_id ? {outputFileId: batch.output_file_id} : {}),
    ...(batch.error_file_id ? {errorFileId: batch.error_file_id} : {}),
    counts: {
      total: batch.request_counts?.total ?? 0,
      completed: batch.request_counts?.completed ?? 0,
      failed: batch.request_counts?.failed ?? 0
    }
  })

  return {
    async submit(jsonl, name) {
      const file = await call('upload the requests', async () =>
        client.files.create({file: await OpenAI.toFile(Buffer.from(jsonl), name), purpose: 'batch'})
      )
      expect('upload the requests', file, false)
      const batch = await call('create the batch', () =>
        client.batches.create({input_file_id: file.id, endpoint: BATCH_ENDPOINT, completion_window: '24h'})
      )
      return {...info('create the batch', batch), inputFileId: file.id}
    },
    retrieve: async (id) =>
      info(`retrieve batch ${id}`, await call(`retrieve batch ${id}`, () => client.batches.retrieve(id))),
    download: (fileId) => call(`download file ${fileId}`, async () => (await client.files.content(fileId)).text())
  }
}
