/**
 * The Batch API's files: the JSONL of requests we upload and the JSONL of results we download.
 *
 * Pure. Each request line is the body the online provider would send (`requests.ts`), so a batch
 * speaks the same wire protocol and is validated by the same `check`.
 */

import type {Usage} from '../types.js'
import {isRecord} from '../values.js'
import {batchByTokens} from './batching.js'
import {oneLine} from './errors.js'
import type {ChatRequestBody} from './requests.js'

/** The endpoint every line of our batches calls. */
export const BATCH_ENDPOINT = '/v1/chat/completions'

/**
 * OpenAI's limits per batch input file (as documented in 2025: 50,000 requests, 200 MB); we stay
 * under both with a margin, cutting a large backfill into several batches.
 */
export const BATCH_MAX_REQUESTS = 50_000
export const BATCH_MAX_BYTES = 150 * 1024 * 1024

/** One request line of the input file. */
export function requestLine(customId: string, body: ChatRequestBody): string {
  return `${JSON.stringify({custom_id: customId, method: 'POST', url: BATCH_ENDPOINT, body})}\n`
}

/**
 * Cut request lines into input files within the per-batch limits, keeping their order.
 *
 * @returns
 *   Non-empty groups of lines; one group per batch.
 */
export function inputFiles(lines: readonly string[]): string[][] {
  // The same greedy cut as requests: bytes are the cost, requests the count.
  return batchByTokens(lines, (line) => Buffer.byteLength(line), {
    maxTokens: BATCH_MAX_BYTES,
    maxItems: BATCH_MAX_REQUESTS
  })
}

/** The result of one request of a batch. */
export type BatchResult =
  | {ok: true; content: string; finishReason: string; refusal?: string; usage: Omit<Usage, 'costUsd'>}
  | {ok: false; reason: string}

/**
 * Read output and error files into results by `custom_id`. A line that cannot be read is a
 * failure of its request (when its `custom_id` can be found), never a crash: a later line must not
 * be lost to an earlier bad one.
 */
export function parseResults(...files: readonly string[]): Map<string, BatchResult> {
  const results = new Map<string, BatchResult>()
  for (const text of files) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        continue
      }
      if (!isRecord(value) || typeof value.custom_id !== 'string') continue
      results.set(value.custom_id, resultOf(value))
    }
  }
  return results
}

function resultOf(line: Record<string, unknown>): BatchResult {
  const error = line.error
  if (isRecord(error))
    return {
      ok: false,
      reason: `the batch reported an error: ${oneLine(String(error.message ?? error.code ?? 'unknown'))}`
    }
  const response = isRecord(line.response) ? line.response : undefined
  if (!response) return {ok: false, reason: 'the batch returned no response for this request'}
  if (response.status_code !== 200)
    return {ok: false, reason: `the batch request failed with status ${String(response.status_code)}`}
  const body = isRecord(response.body) ? response.body : {}
  const choice = Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : undefined
  const message = choice && isRecord(choice.message) ? choice.message : undefined
  if (!choice || !message) return {ok: false, reason: 'the batch reply had no choices'}
  const usage = isRecord(body.usage) ? body.usage : {}
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {}
  return {
    ok: true,
    content: typeof message.content === 'string' ? message.content : '',
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'unknown',
    ...(typeof message.refusal === 'string' && message.refusal ? {refusal: message.refusal} : {}),
    usage: {
      requests: 1,
      promptTokens: numberOf(usage.prompt_tokens),
      completionTokens: numberOf(usage.completion_tokens),
      cachedTokens: numberOf(details.cached_tokens)
    }
  }
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}
