/**
 * What a job will cost before it is sent: the requests the provider would make (`requests.ts`),
 * measured with the real tokenizer — instructions, JSON envelope, context and terms included.
 *
 * Pure. The completion is estimated as the reply's JSON with translations as long (in tokens) as
 * their sources; real translations run longer or shorter by language, so the completion figure is
 * the rougher of the two.
 */

import type {TranslateJob, Usage} from '../types.js'
import {costOf, type Price} from './prices.js'
import {wireKey} from './prompt.js'
import type {ChatRequestBody, RequestSettings} from './requests.js'
import {planRequests} from './requests.js'
import {countTokens} from './tokens.js'
import {wireText} from './wire.js'

/**
 * Tokens a chat message costs beyond its content (role and separators). OpenAI's cookbook counts
 * 3 per message plus 3 to prime the reply; 4 per message is that, rounded up for short requests.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4

/** The Batch API bills half the online price, input and output alike. */
export const BATCH_DISCOUNT = 0.5

/** An estimate, in the units of {@link Usage}. */
export interface Estimate {
  requests: number
  promptTokens: number
  completionTokens: number
  /** 0 when the model has no price. */
  costUsd: number
}

export function emptyEstimate(): Estimate {
  return {requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0}
}

/** Prompt tokens of one request body as an endpoint counts them (the messages). */
export function promptTokensOf(body: Pick<ChatRequestBody, 'messages'>): number {
  return body.messages.reduce((sum, message) => sum + countTokens(message.content) + MESSAGE_OVERHEAD_TOKENS, 0)
}

/** Completion tokens of the reply to a request for `segments`, if translations are as long as sources. */
export function completionTokensOf(
  settings: Pick<RequestSettings, 'qwenMt'>,
  segments: ReadonlyArray<{id: string; text: string}>
): number {
  if (settings.qwenMt) return segments.reduce((sum, {text}) => sum + countTokens(wireText(text)), 0)
  return countTokens(
    JSON.stringify({segments: Object.fromEntries(segments.map(({text}, index) => [wireKey(index), wireText(text)]))})
  )
}

/**
 * Estimate one job: first attempts only (validation retries are not foreseeable), no cache hits.
 *
 * @param options.batch
 *   Price at the Batch API's discount.
 */
export function estimateJob(
  settings: RequestSettings,
  job: Pick<TranslateJob, 'sourceLocale' | 'targetLocale' | 'title' | 'context' | 'terms' | 'segments'>,
  price: Price | undefined,
  options: {batch?: boolean} = {}
): Estimate {
  const estimate = emptyEstimate()
  for (const request of planRequests(settings, job)) {
    estimate.requests++
    estimate.promptTokens += promptTokensOf(request.body)
    estimate.completionTokens += completionTokensOf(settings, request.segments)
  }
  estimate.costUsd = costOf({...estimate, cachedTokens: 0}, price) * (options.batch ? BATCH_DISCOUNT : 1)
  return estimate
}

/** Adds `add` into `total`. */
export function addEstimate(total: Estimate, add: Estimate | Usage): void {
  total.requests += add.requests
  total.promptTokens += add.promptTokens
  total.completionTokens += add.completionTokens
  total.costUsd += add.costUsd
}
