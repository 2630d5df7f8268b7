/**
 * One chat completions request of the OpenAI provider, and the run state every request shares:
 * the run-wide limiter, the pause a rate limit sets for every worker, the cost held against
 * `--max-cost` while a request is in flight, the `json_object` fallback, usage counting, and the
 * errors that stop the run (`openai-failures.ts` words them).
 */

import {setTimeout as sleep} from 'node:timers/promises'
import OpenAI from 'openai'
import type {ChatCompletion, ChatCompletionCreateParamsNonStreaming} from 'openai/resources/chat/completions'
import type {LimitFunction} from 'p-limit'
import {AbortError} from 'p-retry'
import type {TranslateJob, TranslateOutcome, Usage} from '../types.js'
import {INTERRUPTED, ProviderFatalError, RequestFailedError} from './errors.js'
import {completionTokensOf, promptTokensOf} from './estimate.js'
import {
  fatalError,
  isUnreachable,
  longWaitError,
  requestFailure,
  UNREACHABLE_REQUESTS,
  unreachableError
} from './openai-failures.js'
import {isRetryableStatus, retryAfterMs} from './openai-fetch.js'
import {addUsage, costOf, type Price} from './prices.js'
import type {Feedback, WireSegment} from './prompt.js'
import {usageCount} from './reply.js'
import {type ChatRequestBody, chatRequestBody, type RequestSettings} from './requests.js'

/** State shared by every job of one provider instance. */
export interface Run {
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
export interface JobRun {
  readonly run: Run
  readonly job: TranslateJob
  readonly signal: AbortSignal
  readonly outcome: TranslateOutcome
  /** Prompt tokens of each segment's text, by id. */
  readonly tokens: ReadonlyMap<string, number>
}

/**
 * Send one request through the run-wide limiter, after any run-wide pause, handling the errors
 * that change how the run proceeds (fatal errors, long waits, the `json_object` fallback).
 *
 * @throws {AbortError}
 *   Wrapping `ProviderFatalError`, `RequestFailedError` or the SDK's abort error: never retried
 *   by the validation layer.
 */
export async function send(
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
export function pauseWorkers(run: Run, wait: number): void {
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
