/**
 * A provider that answers from a finished batch instead of calling an endpoint: `sync` runs over
 * the batch's notes with it, so results are validated (`job.check`), journaled (`onAccepted`) and
 * written exactly as an online run would.
 *
 * Pure. A segment is answered only from the request that carried it; anything else (a failed or
 * invalid item, a segment whose source changed since the batch was built) fails, with a reason,
 * and is left for the next `sync` or batch.
 */

import type {Provider, TranslateJob, TranslateOutcome, Usage} from '../types.js'
import type {BatchResult} from './batch-jsonl.js'
import {checkCandidates} from './errors.js'
import {BATCH_DISCOUNT} from './estimate.js'
import {addUsage, costOf, emptyUsage, type Price} from './prices.js'
import {looksLikeRefusal, parseReply} from './prompt.js'

/** What one request of a batch carried. */
export interface BatchRequest {
  note: string
  locale: string
  ids: string[]
}

export interface BatchResultsOptions {
  /** Batch id, for failure reasons. */
  batch: string
  model: string
  requests: ReadonlyMap<string, BatchRequest>
  results: ReadonlyMap<string, BatchResult>
  /** Priced at the Batch API's discount; `undefined` → cost 0 (unknown). */
  price: Price | undefined
}

/** The provider; `usage()` totals the requests whose results were used. */
export function createBatchResultsProvider(options: BatchResultsOptions): Provider & {usage(): Usage} {
  const total = emptyUsage()
  const byNote = new Map<string, Array<[string, BatchRequest]>>()
  for (const entry of options.requests) {
    const key = `${entry[1].note}\0${entry[1].locale}`
    byNote.set(key, [...(byNote.get(key) ?? []), entry])
  }

  return {
    name: 'openai',
    model: options.model,
    usage: () => ({...total}),
    async translate(job) {
      const outcome: TranslateOutcome = {
        translations: new Map(),
        failures: new Map(),
        findings: [],
        usage: emptyUsage()
      }
      const wanted = new Set(job.segments.map(({id}) => id))
      for (const [customId, request] of byNote.get(`${job.note}\0${job.targetLocale}`) ?? []) {
        const ids = request.ids.filter((id) => wanted.has(id))
        if (ids.length === 0) continue
        const result = options.results.get(customId)
        // Priced at the Batch API's discount; no price → cost 0 (unknown).
        if (result?.ok)
          addUsage(outcome.usage, {...result.usage, costUsd: costOf(result.usage, options.price) * BATCH_DISCOUNT})
        const accepted = answer(job, ids, request.ids, result, outcome, `batch ${options.batch}`)
        if (accepted.size > 0) await job.onAccepted?.(accepted)
      }
      for (const id of wanted) {
        if (!outcome.translations.has(id) && !outcome.failures.has(id)) {
          outcome.failures.set(
            id,
            `not in batch ${options.batch} (its source changed since): the next sync translates it`
          )
        }
      }
      addUsage(total, outcome.usage)
      return outcome
    }
  }
}

/** Validate one request's reply; record accepted and failed segments. Returns the accepted ones. */
function answer(
  job: TranslateJob,
  ids: readonly string[],
  /** Every id of the request, in the order sent: the reply's wire keys are positions in it. */
  sent: readonly string[],
  result: BatchResult | undefined,
  outcome: TranslateOutcome,
  batch: string
): Map<string, string> {
  const texts = new Map(job.segments.map(({id, text}) => [id, text]))
  const sentSegments = sent.map((id) => ({id, text: texts.get(id)}))
  const accepted = new Map<string, string>()
  const fail = (reason: string) => {
    for (const id of ids) outcome.failures.set(id, `${batch}: ${reason}; the next sync translates it`)
  }
  if (!result) {
    fail('no result for this request')
    return accepted
  }
  if (!result.ok) {
    fail(result.reason)
    return accepted
  }
  if (result.finishReason !== 'stop') {
    fail(`the reply was not complete (finish_reason: ${result.finishReason})`)
    return accepted
  }
  const reply = parseReply(result.content, sentSegments)
  if (result.refusal || (reply.problem && looksLikeRefusal(result.content))) {
    fail('the model refused')
    return accepted
  }
  if (reply.problem) {
    fail(`L11: ${reply.problem}`)
    return accepted
  }
  const checked = checkCandidates(job, ids, reply.candidates, reply.rejected)
  for (const [id, problems] of checked.problems) {
    // A missing candidate's L7 line stands alone; findings of a candidate are a rejection.
    const rejected = reply.candidates.has(id) || reply.rejected.has(id) ? 'rejected: ' : ''
    outcome.failures.set(id, `${batch}: ${rejected}${problems.join('; ')}; the next sync translates it`)
  }
  for (const [id, text] of checked.accepted) outcome.translations.set(id, text)
  outcome.findings.push(...checked.warnings)
  return checked.accepted
}
