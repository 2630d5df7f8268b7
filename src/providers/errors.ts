/**
 * Errors of the OpenAI provider.
 *
 * Only `ProviderFatalError` leaves the provider: it stops the whole run (every job of the provider
 * instance), because no further request can succeed until the user acts (billing, key, model,
 * endpoint, a long rate-limit wait). Everything else is a per-request outcome that the provider
 * turns into segment failures; those classes are exported for the provider's own use and tests.
 *
 * Also how every provider words failures: `describeFindings`, `checkCandidates`, `oneLine`.
 */

import {type Finding, type TranslateJob, UserError} from '../types.js'

/** Why the run was stopped. */
export type FatalReason =
  | 'billing'
  | 'auth'
  | 'permission'
  | 'not-found'
  | 'rate-limit'
  | 'budget'
  | 'unreachable'
  | 'redirect'

/**
 * A failure that no retry can fix: every worker of the provider stops and `translate` rejects with
 * this error. Messages name the endpoint and model, never the API key.
 */
export class ProviderFatalError extends UserError {
  constructor(
    message: string,
    readonly reason: FatalReason
  ) {
    // Billing, rate and cost limits and an endpoint that can't be reached (down, or a network
    // fault) are not configuration mistakes: report them as a failed run (1); a bad key, model or
    // endpoint address (one that redirects) is a usage/config error (2).
    super(
      message,
      reason === 'billing' || reason === 'rate-limit' || reason === 'budget' || reason === 'unreachable' ? 1 : 2
    )
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

/** Candidates of one reply checked against their segments (see {@link checkCandidates}). */
export interface CheckedCandidates {
  /** Accepted candidates by id, in the order checked. */
  accepted: Map<string, string>
  /**
   * One-line problems per rejected id, in the order checked: the L7 line when the reply has no
   * candidate for the id, else {@link describeFindings} of its error findings.
   */
  problems: Map<string, string[]>
  /** The accepted candidates' other findings, each tagged with its segment. */
  warnings: Finding[]
}

/** Check the candidates of `ids` with `job.check`: a missing candidate is L7, an error finding rejects. */
export function checkCandidates(
  job: Pick<TranslateJob, 'check'>,
  ids: Iterable<string>,
  candidates: ReadonlyMap<string, string>,
  /** Candidates the wire form could not be read back from (`wire.ts`), with the problem. */
  rejected: ReadonlyMap<string, string> = new Map()
): CheckedCandidates {
  const accepted = new Map<string, string>()
  const problems = new Map<string, string[]>()
  const warnings: Finding[] = []
  for (const id of ids) {
    const unreadable = rejected.get(id)
    if (unreadable !== undefined) {
      problems.set(id, [unreadable])
      continue
    }
    const candidate = candidates.get(id)
    if (candidate === undefined) {
      problems.set(id, ['L7: the reply has no translation for this id'])
      continue
    }
    const findings = job.check(id, candidate)
    const errors = describeFindings(findings)
    if (errors.length > 0) {
      problems.set(id, errors)
      continue
    }
    accepted.set(id, candidate)
    for (const finding of findings) warnings.push({...finding, segment: finding.segment ?? id})
  }
  return {accepted, problems, warnings}
}

/** Whitespace collapsed to single spaces, cut to 300 characters: for text from the endpoint in messages. */
export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 300 ? `${line.slice(0, 299)}…` : line
}
