/**
 * Errors of the OpenAI provider.
 *
 * Only `ProviderFatalError` leaves the provider: it stops the whole run (every job of the provider
 * instance), because no further request can succeed until the user acts (billing, key, model,
 * endpoint, a long rate-limit wait). Everything else is a per-request outcome that the provider
 * turns into segment failures; those classes are exported for the provider's own use and tests.
 */

import {UserError, type Finding} from '../types.js'

/** Why the run was stopped. */
export type FatalReason = 'billing' | 'auth' | 'permission' | 'not-found' | 'rate-limit' | 'budget'

/**
 * A failure that no retry can fix: every worker of the provider stops and `translate` rejects with
 * this error. Messages name the endpoint and model, never the API key.
 */
export class ProviderFatalError extends UserError {
  constructor(
    message: string,
    readonly reason: FatalReason
  ) {
    // Billing, rate and cost limits are not configuration mistakes: report them as a failed run
    // (1); a bad key, model or endpoint is a usage/config error (2).
    super(message, reason === 'billing' || reason === 'rate-limit' || reason === 'budget' ? 1 : 2)
  }
}

/**
 * The failure reason recorded for segments that were still pending when the `signal` aborted.
 * Callers tell interruption from failure by comparing with this constant (or `signal.aborted`).
 */
export const INTERRUPTED = 'interrupted'

/** The reply was cut at the token limit (`finish_reason: length`): split the request and retry. */
export class IncompleteReplyError extends Error {
  override readonly name = 'IncompleteReplyError'
}

/** The model declined (content filter, refusal, empty reply): those segments fail. */
export class RejectedReplyError extends Error {
  override readonly name = 'RejectedReplyError'
}

/** The API refused this one request (400/422, or transport retries exhausted): those segments fail. */
export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError'
}

/**
 * Some candidates were not acceptable: the only error the validation retry (p-retry) retries.
 * `problems` holds, per failing segment id, one-line descriptions fed back to the model.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError'
  constructor(readonly problems: ReadonlyMap<string, readonly string[]>) {
    super(`${problems.size} segment(s) failed validation`)
  }
}

/** One line per error finding, in the form fed back to the model and shown in failure reasons. */
export function describeFindings(findings: readonly Finding[]): string[] {
  return findings
    .filter((finding) => finding.severity === 'error')
    .map((finding) => `${finding.rule}: ${finding.message}`)
}
