/**
 * Reading one reply of an OpenAI-compatible endpoint within bounds (docs/providers.md, "One
 * bounded request"): whatever the endpoint sends, reading it costs at most `maxBytes` of memory
 * (counted after decompression, so a gzip bomb stops at the limit), ends by the deadline (a body
 * that never ends or trickles), and yields either a well-formed chat completion or a
 * {@link ReplyError} saying why not — never an exception from deep inside a parser.
 *
 * No SDK types here: `openai-fetch.ts` wires this into the `fetch` handed to the SDK.
 */

/** A reply that is not a usable chat completion: that request fails (after transport retries). */
export class ReplyError extends Error {
  override readonly name = 'ReplyError'
}

/**
 * The endpoint could not be reached at all: the connection was refused, the host not found, the
 * connection not opened in time or closed before any answer. Worded without "timeout" (see
 * {@link incomplete}) so the SDK keeps this cause.
 */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError'
}

/** An {@link UnreachableError} for what `fetch` threw before any response. */
export function unreachable(error: unknown): UnreachableError {
  let message = error instanceof Error ? error.message : String(error)
  let code: unknown
  let cause: unknown = error instanceof Error ? error.cause : undefined
  // undici: TypeError('fetch failed') caused by the socket's error, which has the errno code.
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    message = cause.message
    code = (cause as {code?: unknown}).code ?? code
    cause = cause.cause
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new UnreachableError('the connection could not be opened in time')
  const text = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message
  return new UnreachableError(text.replace(/timed? ?out/gi, 'expired'))
}

/** Default most bytes of one reply, decoded: a full reply is tens of KB (~6 300 tokens of JSON). */
export const DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024

/** Default total deadline of one attempt: connect, headers and the whole body. */
export const DEFAULT_TIMEOUT_MS = 120_000

/**
 * Deepest nesting of arrays and objects accepted in a reply envelope. A completion is 4 levels deep
 * (`choices[0].message.content`, `usage.prompt_tokens_details`); a vendor's extra fields a few more.
 */
export const MAX_REPLY_DEPTH = 32

/**
 * The body of `response` as bytes, read chunk by chunk.
 *
 * @throws {ReplyError}
 *   As soon as more than `maxBytes` have been decoded (the stream is cancelled, so the rest is
 *   never decompressed), or when `signal` aborts while the body is being read.
 */
export async function readBounded(
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
  timeoutMs: number
): Promise<Uint8Array> {
  const body = response.body
  if (body === null) return new Uint8Array()
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  const onAbort = () => {
    void reader.cancel().catch(() => undefined)
  }
  signal.addEventListener('abort', onAbort, {once: true})
  try {
    for (;;) {
      if (signal.aborted) throw incomplete(timeoutMs)
      let chunk: Awaited<ReturnType<typeof reader.read>>
      try {
        chunk = await reader.read()
      } catch {
        if (signal.aborted) throw incomplete(timeoutMs)
        // The endpoint answered, then the connection broke: a bad reply, not an unreachable endpoint.
        throw new ReplyError('the connection closed before the reply was complete')
      }
      if (signal.aborted) throw incomplete(timeoutMs)
      if (chunk.done) break
      total += chunk.value.byteLength
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined)
        throw new ReplyError(`the reply was larger than ${maxBytes} bytes (decoded; provider.maxReplyBytes)`)
      }
      chunks.push(chunk.value)
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/**
 * Worded without "timeout" or "timed out" (nor the `timeoutMs` key): the SDK reads those words in
 * any message as a connect timeout and drops the cause. The deadline of a body is the endpoint's
 * doing, not the network's.
 */
function incomplete(deadlineMs: number): ReplyError {
  return new ReplyError(`the reply was still incomplete after ${deadlineMs} ms, the deadline of one request`)
}

/**
 * How deeply `text` nests arrays and objects, counted in one linear pass outside strings; stops
 * counting past `limit`. Run before `JSON.parse` so a hostile envelope (a million `[`) is refused
 * before anything recursive sees it.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (inString) {
      if (code === 0x5c) index++
      else if (code === 0x22) inString = false
      continue
    }
    if (code === 0x22) inString = true
    else if (code === 0x5b || code === 0x7b) {
      depth++
      if (depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (code === 0x5d || code === 0x7d) depth--
  }
  return deepest
}

/** The parts of a chat completion the provider reads, checked. */
export interface CompletionEnvelope {
  choices: Array<{message: {content: string | null; refusal?: string | null}; finish_reason: string | null}>
}

/**
 * Check that `text` (whatever its content-type) is a chat completion the provider can read: JSON, an object, `choices` a
 * non-empty array whose first item has a `message` object with string-or-null `content` (and
 * `refusal`) and a string-or-null `finish_reason`.
 *
 * @throws {ReplyError} naming what is wrong (never quoting the reply: it may echo anything).
 */
export function checkCompletion(text: string, contentType: string | null): void {
  const problem = completionProblem(parseBoundedJson(text, contentType))
  if (problem !== undefined) throw new ReplyError(`the reply was not a chat completion: ${problem}`)
}

/**
 * Check that `text` is one JSON object within {@link MAX_REPLY_DEPTH} (a Batch API file or batch
 * object); the caller checks the fields it reads.
 *
 * @throws {ReplyError} naming what is wrong (never quoting the reply).
 */
export function checkJsonObject(text: string, contentType: string | null): void {
  if (!isRecord(parseBoundedJson(text, contentType))) throw new ReplyError('the reply was not a JSON object')
}

/** `text` parsed as JSON once its nesting is known to be within {@link MAX_REPLY_DEPTH}. */
function parseBoundedJson(text: string, contentType: string | null): unknown {
  // Not refused by content-type alone: some local servers label JSON `text/plain`.
  const media = oneWord((contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '')
  if (text.trim() === '') throw new ReplyError(`the reply was empty (content-type ${media})`)
  if (nestingDepth(text, MAX_REPLY_DEPTH) > MAX_REPLY_DEPTH) {
    throw new ReplyError(`the reply nested more than ${MAX_REPLY_DEPTH} levels deep`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ReplyError(`the reply was not valid JSON (content-type ${media})`)
  }
}

function completionProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object'
  const choices = value.choices
  if (!Array.isArray(choices)) return '"choices" is not an array'
  const [choice] = choices as unknown[]
  if (!isRecord(choice)) return '"choices" has no first choice object'
  const message = choice.message
  if (!isRecord(message)) return '"choices[0].message" is not an object'
  if (!isStringOrNull(message.content)) return '"choices[0].message.content" is not a string'
  if (!isStringOrNull(message.refusal)) return '"choices[0].message.refusal" is not a string'
  if (!isStringOrNull(choice.finish_reason)) return '"choices[0].finish_reason" is not a string'
  return undefined
}

function isStringOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function oneWord(text: string): string {
  return text.replace(/[^\w.+/-]/g, '').slice(0, 60) || '(none)'
}

/**
 * A count from an endpoint's `usage`, or `undefined` when it is not a finite, non-negative number
 * (a server reporting `"12"`, `-5` or `NaN` must not disable `--max-cost`: the caller estimates).
 */
export function usageCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined
}
