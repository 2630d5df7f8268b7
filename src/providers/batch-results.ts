/**
 * A provider that answers from a finished batch instead of calling an endpoint: `sync` runs over
 * the batch's notes with it, so results are validated (`job.check`), journaled (`onAccepted`) and
 * written exactly as an online run would.
 *
 * Pure. A segment is answered only from the request that carried it — or, for an exact duplicate
 * that was not sent (`copies`), from the request that carried its first occurrence, checked by its
 * own note's `check` and reported as reused from that note, as the online packer does. Anything
 * else (a failed or invalid item, a segment whose source changed since the batch was built) fails,
 * with a reason, and is left for the next `sync` or batch.
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
  /** The segments sent, in the order sent. */
  ids: string[]
  /** Exact duplicates elsewhere (same locale), not sent: answered from segment `of` of this request. */
  copies?: ReadonlyArray<{note: string; id: string; of: string}>
}

/** What one request answers for one note: its segment ids there → the ids sent. */
interface Answers {
  customId: string
  request: BatchRequest
  /** Segment id in the note → the id in `request.ids` whose result answers it. */
  sentFor: Map<string, string>
  /** Of those, the duplicates (answered from another occurrence: reported as reused from `request.note`). */
  copies: Set<string>
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
  /** Requests whose usage is counted already: a request answering several notes is paid once. */
  const counted = new Set<string>()
  const byNote = new Map<string, Answers[]>()
  const answersFor = (note: string, customId: string, request: BatchRequest): Answers => {
    const key = `${note}\0${request.locale}`
    const list = byNote.get(key) ?? []
    byNote.set(key, list)
    let answers = list.find((entry) => entry.customId === customId)
    if (!answers) {
      answers = {customId, request, sentFor: new Map(), copies: new Set()}
      list.push(answers)
    }
    return answers
  }
  for (const [customId, request] of options.requests) {
    const own = answersFor(request.note, customId, request)
    for (const id of request.ids) own.sentFor.set(id, id)
    for (const copy of request.copies ?? []) {
      const answers = answersFor(copy.note, customId, request)
      answers.sentFor.set(copy.id, copy.of)
      answers.copies.add(copy.id)
    }
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
      for (const answers of byNote.get(`${job.note}\0${job.targetLocale}`) ?? []) {
        const ids = [...answers.sentFor.keys()].filter((id) => wanted.has(id))
        if (ids.length === 0) continue
        const result = options.results.get(answers.customId)
        // Priced at the Batch API's discount; no price → cost 0 (unknown).
        if (result?.ok && !counted.has(answers.customId)) {
          counted.add(answers.customId)
          addUsage(outcome.usage, {...result.usage, costUsd: costOf(result.usage, options.price) * BATCH_DISCOUNT})
        }
        const accepted = answer(
          job,
          ids,
          answers.sentFor,
          answers.request.ids,
          result,
          outcome,
          `batch ${options.batch}`
        )
        for (const id of accepted.keys()) {
          if (!answers.copies.has(id)) continue
          outcome.reused ??= new Map()
          outcome.reused.set(id, answers.request.note)
        }
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
  /** Each of `ids` → the id sent whose result answers it (itself, or the first occurrence of a duplicate). */
  sentFor: ReadonlyMap<string, string>,
  /** Every id of the request, in the order sent: the reply's wire keys are positions in it. */
  sent: readonly string[],
  result: BatchResult | undefined,
  outcome: TranslateOutcome,
  batch: string
): Map<string, string> {
  // A duplicate's text is its first occurrence's (the same text is part of what makes it one).
  const texts = new Map<string, string>()
  for (const {id, text} of job.segments) {
    const sentId = sentFor.get(id)
    if (sentId !== undefined) texts.set(sentId, text)
  }
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
  const parsed = parseReply(result.content, sentSegments)
  // The reply read for this note's ids.
  const reply = {...parsed, candidates: new Map<string, string>(), rejected: new Map<string, string>()}
  for (const id of ids) {
    const sentId = sentFor.get(id) ?? id
    const candidate = parsed.candidates.get(sentId)
    const rejected = parsed.rejected.get(sentId)
    if (candidate !== undefined) reply.candidates.set(id, candidate)
    if (rejected !== undefined) reply.rejected.set(id, rejected)
  }
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
