/**
 * The `fetch` the OpenAI SDK is handed, for chat completions and the Batch API alike: one bounded
 * attempt (deadline, reply size, no redirects, the reply checked before the SDK reads it) and
 * `retry-after` acted on before the SDK sleeps through it (docs/providers.md). Plus how the
 * endpoint is shown in messages and the key kept out of them. Imports nothing from `openai`.
 */

import {createRedactor} from '../redact.js'
import {readBounded, unreachable} from './reply.js'

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1'

/** 429 codes that mean "pay first": retrying can't help (docs/rules.md A3). */
export const BILLING_CODES: ReadonlySet<string> = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'project_spend_limit_exceeded',
  'organization_spend_limit_exceeded',
  'organization_usage_limit_exceeded'
])

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
export function boundedFetch(fetchImpl: typeof globalThis.fetch, limits: BoundedFetchLimits): typeof globalThis.fetch {
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
export interface BoundedFetchLimits {
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
export function watchRetryAfter(
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
export function isRetryableStatus(status: number | undefined): boolean {
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
  return (typeof code === 'string' && BILLING_CODES.has(code)) || (typeof type === 'string' && BILLING_CODES.has(type))
}

/** `retry-after-ms`, else `retry-after` (seconds or an HTTP date), as the SDK reads them. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
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
export function redactor(apiKey: string): (text: string) => string {
  const redactor = createRedactor([apiKey])
  return (text) => redactor.redact(text)
}

/** The endpoint as shown in messages: no credentials, query or fragment. */
export function displayURL(baseURL: string): string {
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
