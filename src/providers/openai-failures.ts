/**
 * The OpenAI API's errors as one-line messages: which stop the run (`ProviderFatalError`: billing,
 * key, model, endpoint, redirects, long waits, an unreachable endpoint) and how a failed request is
 * worded. Messages name the endpoint and model, never the key (`redact`).
 */

import OpenAI from 'openai'
import {oneLine, ProviderFatalError} from './errors.js'
import {BILLING_CODES, displayURL, isRetryableStatus} from './openai-fetch.js'
import {ReplyError, UnreachableError} from './reply.js'

/** What the messages name: the run's settings and its key redaction (the provider's run state has both). */
export interface FailureContext {
  readonly settings: Readonly<{
    endpoint: string
    model: string
    maxRetries: number
    timeoutMs: number
    maxLongRetryAfterMs: number
  }>
  readonly redact: (text: string) => string
}

/**
 * Requests in a row that never reached the endpoint (every attempt a connection error or a
 * connect/header timeout) before the run stops with one message: each has already been tried
 * `maxRetries + 1` times, so three mean the endpoint is down or the URL is wrong, not a blip. A
 * request that fails this way is sent again (counting again) until then, so none fails alone.
 */
export const UNREACHABLE_REQUESTS = 3

/**
 * A request whose every attempt failed to connect (refused, unresolved, not connected in time,
 * closed before any answer). A server that accepts the connection and then never answers is not
 * unreachable: that request times out and fails on its own.
 */
export function isUnreachable(error: InstanceType<typeof OpenAI.APIError>): boolean {
  return error instanceof OpenAI.APIConnectionError && error.cause instanceof UnreachableError
}

/** Why the run stops after {@link UNREACHABLE_REQUESTS} unreachable requests in a row. */
export function unreachableError(run: FailureContext, error: InstanceType<typeof OpenAI.APIError>): ProviderFatalError {
  const why = oneLine(run.redact(connectionCause(error)))
  return new ProviderFatalError(
    `could not reach the API at ${run.settings.endpoint} (${UNREACHABLE_REQUESTS} requests in a row, ${run.settings.maxRetries + 1} attempt(s) each: ${why}): check --base-url / OPENAI_BASE_URL and that the server is running; stopped early — work accepted so far is kept, run sync again to continue`,
    'unreachable'
  )
}

/** The deepest message of a connection error's cause chain (`ECONNREFUSED …`), else its own. */
export function connectionCause(error: Error): string {
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
export function fatalError(
  run: FailureContext,
  error: InstanceType<typeof OpenAI.APIError>
): ProviderFatalError | undefined {
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

  if (error.status === 429 && (BILLING_CODES.has(code) || BILLING_CODES.has(type))) {
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

export function longWaitError(run: FailureContext, wait: number): ProviderFatalError {
  const allowed = run.settings.maxLongRetryAfterMs
  return new ProviderFatalError(
    `The API at ${run.settings.endpoint} asks to wait ${Math.ceil(wait / 1000)} s before the next request for model ${run.settings.model} (rate or daily limit), longer than the ${Math.round(allowed / 1000)} s allowed: run again later, or allow a longer wait (maxLongRetryAfterMs); work accepted so far is kept.`,
    'rate-limit'
  )
}

/** One line for a request the API refused or that transport retries could not complete. */
export function requestFailure(run: FailureContext, error: InstanceType<typeof OpenAI.APIError>): string {
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
