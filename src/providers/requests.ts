/**
 * The chat completions requests of a job, exactly as they go on the wire: which segments share a
 * request, and each request's body.
 *
 * Pure, and free of the `openai` package, so the three users of a request build it the same way:
 * the online provider (`openai.ts`), the Batch API's JSONL (`batch-jsonl.ts`) and the estimate of
 * `sync --dry-run` / `--max-cost` (`estimate.ts`). An estimate made from anything else would drift
 * from what is billed.
 */

import type {TranslateJob} from '../types.js'
import {batchByTokens} from './batching.js'
import {
  buildMessages,
  type ChatMessage,
  type Feedback,
  qwenLanguageName,
  responseSchema,
  termsOf,
  type WireSegment
} from './prompt.js'
import {countTokens} from './tokens.js'
import {wireText} from './wire.js'

/** What shapes the requests of a model at an endpoint. */
export interface RequestSettings {
  model: string
  /** Qwen-MT: one segment per request, a single user message, `translation_options`. */
  qwenMt: boolean
  /** Reasoning models spend hidden tokens from the completion budget. */
  reasoning: boolean
  /** api.openai.com wants `max_completion_tokens`; compatible endpoints read `max_tokens`. */
  completionLimitParameter: 'max_tokens' | 'max_completion_tokens'
  /** Prompt tokens of segment text per request. */
  maxBatchTokens: number
  /** Segments per request. */
  maxBatchSegments: number
}

/** The body of one chat completions request (the part of the API's parameters we use). */
export interface ChatRequestBody {
  model: string
  messages: ChatMessage[]
  max_tokens?: number
  max_completion_tokens?: number
  response_format?: {type: 'json_schema'; json_schema: ReturnType<typeof responseSchema>} | {type: 'json_object'}
  /** Qwen-MT only (DashScope reads it as a top-level member). */
  translation_options?: {source_lang: string; target_lang: string; terms?: Array<{source: string; target: string}>}
}

/** One request of a job: its segments and its body. */
export interface PlannedRequest {
  segments: WireSegment[]
  body: ChatRequestBody
}

/**
 * Default segment-text tokens per request: see `OpenAIProviderOptions.maxBatchTokens` for how it
 * was chosen.
 */
export const DEFAULT_MAX_BATCH_TOKENS = 3000
/**
 * Default segments per request. Strict structured outputs long allowed 100 object properties in a
 * schema (the `segments` object and its keys count), so 96 stays under that on every endpoint;
 * fewer would split the typical note (~70 segments in the corpus) into two requests, each paying
 * the instructions again.
 */
export const DEFAULT_MAX_BATCH_SEGMENTS = 96

/**
 * The request settings of `model` at `baseURL`.
 *
 * @param baseURL
 *   `undefined` means OpenAI itself.
 */
export function requestSettings(
  model: string,
  baseURL: string | undefined,
  limits: {maxBatchTokens?: number; maxBatchSegments?: number} = {}
): RequestSettings {
  return {
    model,
    qwenMt: model.startsWith('qwen-mt'),
    reasoning: /^(?:o\d|gpt-5)(?!.*-chat)/.test(model),
    completionLimitParameter: isOpenAI(baseURL) ? 'max_completion_tokens' : 'max_tokens',
    maxBatchTokens: limits.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
    maxBatchSegments: limits.maxBatchSegments ?? DEFAULT_MAX_BATCH_SEGMENTS
  }
}

/** Prompt tokens of each segment's text, by id: what batching and completion limits are measured in. */
export function segmentTokens(job: Pick<TranslateJob, 'segments'>): Map<string, number> {
  return new Map(job.segments.map(({id, text}) => [id, countTokens(wireText(text))]))
}

/**
 * Cut a job's segments into requests, in document order (one segment each for Qwen-MT).
 *
 * @param tokens
 *   From {@link segmentTokens}.
 */
export function groupSegments(
  settings: RequestSettings,
  job: Pick<TranslateJob, 'segments'>,
  tokens: ReadonlyMap<string, number>
): WireSegment[][] {
  const segments = job.segments.map(({id, text}) => ({id, text}))
  if (settings.qwenMt) return segments.map((segment) => [segment])
  return batchByTokens(segments, ({id}) => tokens.get(id) ?? 0, {
    maxTokens: settings.maxBatchTokens,
    maxItems: settings.maxBatchSegments
  })
}

/**
 * The body of one request.
 *
 * @param format
 *   `json_schema` (strict, one property per id) or `json_object`; ignored for Qwen-MT.
 * @param options.feedback
 *   On a validation retry: the previous reply and its problems.
 * @param options.raised
 *   Whether the completion limit is raised (a single segment was cut at the limit once).
 */
export function chatRequestBody(
  settings: RequestSettings,
  job: Pick<TranslateJob, 'sourceLocale' | 'targetLocale' | 'title' | 'context' | 'terms'>,
  segments: readonly WireSegment[],
  tokens: ReadonlyMap<string, number>,
  format: 'json_schema' | 'json_object',
  options: {feedback?: Feedback; raised?: boolean} = {}
): ChatRequestBody {
  const source = segments.reduce((sum, {id}) => sum + (tokens.get(id) ?? 0), 0)
  const limit = {
    [settings.completionLimitParameter]: completionLimit(settings, source, segments.length, options.raised ?? false)
  }

  if (settings.qwenMt) {
    const [segment] = segments
    const terms = termsOf(job, segments).map(({source, target}) => ({source, target}))
    return {
      model: settings.model,
      messages: [{role: 'user', content: wireText(segment?.text ?? '')}],
      ...limit,
      translation_options: {
        source_lang: qwenLanguageName(job.sourceLocale),
        target_lang: qwenLanguageName(job.targetLocale),
        ...(terms.length > 0 ? {terms} : {})
      }
    }
  }

  return {
    model: settings.model,
    messages: buildMessages(job, segments, options.feedback),
    ...limit,
    response_format:
      format === 'json_schema'
        ? {type: 'json_schema', json_schema: responseSchema(segments.length)}
        : {type: 'json_object'}
  }
}

/** Every first-attempt request of a job, as the provider would send them. */
export function planRequests(
  settings: RequestSettings,
  job: Pick<TranslateJob, 'sourceLocale' | 'targetLocale' | 'title' | 'context' | 'terms' | 'segments'>,
  format: 'json_schema' | 'json_object' = 'json_schema'
): PlannedRequest[] {
  const tokens = segmentTokens(job)
  return groupSegments(settings, job, tokens).map((segments) => ({
    segments,
    body: chatRequestBody(settings, job, segments, tokens, format)
  }))
}

/**
 * Completion token limit: about twice the source (translations into many languages run longer,
 * JSON adds keys), never absurdly high since the requested maximum counts against TPM limits.
 * Reasoning models spend hidden tokens from the same budget, so they get an allowance.
 */
export function completionLimit(
  settings: Pick<RequestSettings, 'reasoning'>,
  sourceTokens: number,
  segments: number,
  raised: boolean
): number {
  const estimate = 2 * sourceTokens + 12 * segments + 48 + (settings.reasoning ? 4096 : 0)
  const limit = Math.min(Math.max(estimate, 256), 8192)
  return raised ? limit * 4 : limit
}

function isOpenAI(baseURL: string | undefined): boolean {
  if (baseURL === undefined) return true
  try {
    return new URL(baseURL).hostname === 'api.openai.com'
  } catch {
    return false
  }
}
