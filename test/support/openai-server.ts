/**
 * A small OpenAI-compatible server for tests and benchmarks: loopback only, random port.
 *
 * `POST /v1/chat/completions` translates deterministically and reversibly (`pseudoTranslate`:
 * ROT13 outside `⟦…⟧` tokens), in the three modes the provider uses: `json_schema` and
 * `json_object` (the `segments` protocol of docs/decisions.md §5) and plain text (Qwen-MT, with
 * `translation_options`). It records every request and injects faults on demand.
 *
 * Routes are a `method path → handler` map (`:id` matches one path part). The Batch API is there
 * too: `POST /v1/files` (multipart upload), `GET /v1/files/:id/content`, `POST /v1/batches`,
 * `GET /v1/batches/:id`. A batch runs each JSONL line through the chat completions handler —
 * at once, or when the test calls `completeBatches()` (`batches: 'manual'`) — with faults per
 * line from `setBatchFault`.
 */

import {createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {Readable} from 'node:stream'
import {createGzip} from 'node:zlib'
import {countTokens} from '../../src/providers/tokens.js'
import {TOKEN_PATTERN} from '../../src/types.js'
import {type PlausibleLocale, plausibleTranslate} from './plausible.js'

/** A request as received. */
export interface RecordedRequest {
  /** 0-based, over all requests to any route. */
  index: number
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body (`undefined` when it was not JSON). */
  body: unknown
  /** Milliseconds since the server started. */
  time: number
  /** Requests in flight when this one arrived, itself included. */
  inFlight: number
  /** What the server answered (absent while pending, and for `hang`). */
  answer?: {status: number; body: unknown}
  /** The body as received (multipart uploads are not JSON). */
  raw?: string
}

/** A fault to inject into one request. `id` selects the segment (default: the first one). */
export type Fault =
  | {kind: 'rate-limit'; retryAfterSeconds?: number; retryAfterMs?: number}
  | {kind: 'quota'; code?: string}
  | {kind: 'server-error'; status?: number; shouldRetry?: boolean}
  | {kind: 'reject-json-schema'}
  | {kind: 'bad-request'; message: string; shouldRetry?: boolean}
  | {kind: 'unauthorized'; echoKey?: boolean}
  | {kind: 'status'; status: number; body?: unknown; headers?: Record<string, string>}
  | {kind: 'hang'}
  | {kind: 'drop-placeholder'; id?: string}
  | {kind: 'duplicate-placeholder'; id?: string}
  | {kind: 'invent-placeholder'; id?: string}
  | {kind: 'placeholder-to-text'; text: string; id?: string}
  | {kind: 'commentary'; text?: string; id?: string}
  | {kind: 'fence'}
  | {kind: 'invalid-json'}
  | {kind: 'truncate'; empty?: boolean}
  | {kind: 'drop-id'; id?: string}
  | {kind: 'extra-id'}
  | {kind: 'rename-id'; id?: string}
  | {kind: 'refusal'; text?: string}
  | {kind: 'refusal-text'; text?: string}
  | {kind: 'empty'}
  | {kind: 'content-filter'}
  | {kind: 'replace-term'; from: string; to: string}
  // A hostile or broken endpoint (docs/providers.md, "One bounded request"): 200 replies that are
  // not a completion, and bodies that never end, trickle, explode or break off.
  | {kind: 'endless'}
  | {kind: 'trickle'; intervalMs?: number}
  | {kind: 'gzip-bomb'; decodedBytes?: number}
  | {kind: 'html'}
  | {kind: 'sse'}
  | {kind: 'empty-200'}
  | {kind: 'choices-null'}
  | {kind: 'content-not-string'}
  | {kind: 'deep-nesting'; depth?: number}
  | {kind: 'drop-mid-body'}
  | {kind: 'redirect'; location: string; status?: number}
  /** The answer of `inner` (default: a normal one) with this `usage` in place of the real one. */
  | {kind: 'usage'; usage: unknown; inner?: Fault}
  /**
   * What a hostile model writes: each translation whose source contains `source` (default: every
   * one) becomes `to(translation, source, apiKey)`; `apiKey` is the request's bearer token, for
   * replies that echo the key. Covers key echo, U+2028 titles, template syntax, TAG characters and
   * huge words.
   */
  | {kind: 'rewrite'; to: (translation: string, source: string, apiKey: string) => string; source?: string}

/** Chooses the fault of each request (`undefined`: answer normally). */
export type FaultPicker = (request: RecordedRequest, index: number) => Fault | undefined

export interface TestServerOptions {
  /** Delay before each answer, in ms (the benchmark uses 300). */
  latencyMs?: number
  /** Initial fault picker, or a queue consumed one entry per request. */
  fault?: FaultPicker | ReadonlyArray<Fault | undefined>
  /** `immediate` (default): a batch completes when created; `manual`: when `completeBatches()` is called. */
  batches?: 'immediate' | 'manual'
  /**
   * How segments are translated: ROT13 (default, reversible), or the plausible translator of
   * `plausible.ts` (answers like a competent translator; a segment asked again gets its second,
   * careful attempt).
   */
  translator?: 'rot13' | {kind: 'plausible'; locale: PlausibleLocale; seed: number}
}

/** Chooses the fault of one line of a batch, by its `custom_id` and 0-based line number. */
export type BatchFaultPicker = (customId: string, line: number) => Fault | undefined

export interface TestServer {
  /** Base URL including `/v1`, for `baseURL`. */
  url: string
  /** Every request received so far. */
  requests: RecordedRequest[]
  /** Replace the fault picker; an array is a queue consumed one entry per request. */
  setFault(fault: FaultPicker | ReadonlyArray<Fault | undefined> | undefined): void
  /** Most requests in flight at once so far. */
  maxInFlight(): number
  /** Faults for the lines of batches created from now on. */
  setBatchFault(picker: BatchFaultPicker | undefined): void
  /** Run every batch not yet run (for `batches: 'manual'`). */
  completeBatches(): void
  /** Batches by id, as `GET /v1/batches/:id` returns them. */
  batches: Map<string, Record<string, unknown>>
  close(): Promise<void>
}

/** What a route handler answers: a response (`text` instead of JSON when set), or nothing until the client gives up. */

type Answer = {status: number; headers?: Record<string, string>; body: unknown; text?: string} | 'hang' | RawAnswer

/** An answer that writes the response itself (streams, broken connections). */
interface RawAnswer {
  raw: (response: ServerResponse) => void
}

type Handler = (
  request: RecordedRequest,
  fault: Fault | undefined,
  state: ServerState,
  params: Record<string, string>
) => Answer

interface ServerState {
  /** System prompts seen, for simulated prompt-prefix caching. */
  prefixes: string[]
  /** Uploaded and generated files by id. */
  files: Map<string, {purpose: string; filename: string; text: string}>
  batches: Map<string, Record<string, unknown>>
  /** Batches created but not yet run (manual mode). */
  queued: string[]
  manual: boolean
  batchFault: BatchFaultPicker
  /** Protected text → its translation (the mode's translator). */
  translate: (text: string) => string
}

const routes: Record<string, Handler> = {
  'POST /v1/chat/completions': chatCompletions,
  'POST /v1/files': withFaults(uploadFile),
  'GET /v1/files/:id/content': withFaults(fileContent),
  'POST /v1/batches': withFaults(createBatch),
  'GET /v1/batches/:id': withFaults(retrieveBatch)
}

/** The handler of `method path`, with the values of its `:name` parts. */
function route(method: string, path: string): {handler: Handler; params: Record<string, string>} | undefined {
  const parts = path.split('/')
  for (const [key, handler] of Object.entries(routes)) {
    const [routeMethod, routePath = ''] = key.split(' ')
    const pattern = routePath.split('/')
    if (routeMethod !== method || pattern.length !== parts.length) continue
    const params: Record<string, string> = {}
    if (
      pattern.every((part, index) =>
        part.startsWith(':')
          ? Object.assign(params, {[part.slice(1)]: decodeURIComponent(parts[index]!)}) !== undefined
          : part === parts[index]
      )
    ) {
      return {handler, params}
    }
  }
  return undefined
}

/**
 * The test translation: ROT13 of ASCII letters outside tokens and e-mail addresses. It is its own
 * inverse, so a test computes the expected output with the same function, and tokens are never
 * touched. E-mail addresses in prose (link text such as `[me@example.com](mailto:…)`, which is not
 * an autolink and so not a token) are kept, as a real model keeps them; ROT13 maps an address to
 * an address, so skipping them keeps the function its own inverse.
 */
export function pseudoTranslate(text: string): string {
  let result = ''
  let last = 0
  for (const match of text.matchAll(new RegExp(TOKEN_PATTERN.source, 'g'))) {
    result += rot13Prose(text.slice(last, match.index)) + match[0]
    last = match.index + match[0].length
  }
  return result + rot13Prose(text.slice(last))
}

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g

function rot13Prose(text: string): string {
  let result = ''
  let last = 0
  for (const match of text.matchAll(EMAIL)) {
    result += rot13(text.slice(last, match.index)) + match[0]
    last = match.index + match[0].length
  }
  return result + rot13(text.slice(last))
}

/** The translator of a server mode: ROT13, or plausible with attempts counted per text. */
function translatorFor(mode: TestServerOptions['translator']): (text: string) => string {
  if (mode === undefined || mode === 'rot13') return pseudoTranslate
  const asked = new Map<string, number>()
  return (text) => {
    const attempt = (asked.get(text) ?? 0) + 1
    asked.set(text, attempt)
    return plausibleTranslate(text, {locale: mode.locale, seed: mode.seed, attempt})
  }
}

/**
 * The keys of a recorded chat request's `segments` object (empty for plain-text requests). The
 * provider sends request-local keys (`"1"`, `"2"`, …), not segment ids: compare requests by
 * {@link segmentTexts}, or map keys through the request's own segments.
 */
export function segmentIds(request: RecordedRequest): string[] {
  return Object.keys(requestSegments(request.body) ?? {})
}

/**
 * The source texts of a recorded chat request, in the order sent (empty for plain-text requests),
 * with placeholders in the project's `⟦n⟧` form (the wire's `{n}` read back, `src/providers/wire.ts`),
 * so tests compare them with segment texts.
 */
export function segmentTexts(request: RecordedRequest): string[] {
  return Object.values(requestSegments(request.body) ?? {}).map(fromWireForm)
}

/**
 * The wire's placeholders (`{n}`, `{/n}`) in the project's form, so the translators and faults
 * below work on `⟦n⟧` as the pipeline does; {@link toWireForm} turns the answer back. An escape
 * atom (a literal `{3}` in the source, sent as a placeholder of its own) round-trips like any other.
 */
export function fromWireForm(text: string): string {
  return text.replace(/\{(\/?)(\d+)\}/g, '⟦$1$2⟧')
}

/** The project's placeholders in wire form. */
export function toWireForm(text: string): string {
  return text.replace(new RegExp(TOKEN_PATTERN.source, 'g'), '{$1$2}')
}

/**
 * Start a server on 127.0.0.1 at a random port.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const started = performance.now()
  const requests: RecordedRequest[] = []
  const state: ServerState = {
    prefixes: [],
    files: new Map(),
    batches: new Map(),
    queued: [],
    manual: options.batches === 'manual',
    batchFault: () => undefined,
    translate: translatorFor(options.translator)
  }
  let picker = toPicker(options.fault)
  let inFlight = 0
  let maxInFlight = 0

  const server = createServer((incoming, response) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      inFlight--
    }
    response.on('close', finish)

    void serve(incoming, response, inFlight).catch((error: unknown) => {
      if (!response.headersSent) send(response, {status: 500, body: {error: {message: String(error)}}})
    })
  })

  async function serve(incoming: IncomingMessage, response: ServerResponse, inFlightNow: number): Promise<void> {
    const text = await readBody(incoming)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const request: RecordedRequest = {
      index: requests.length,
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0] ?? '/',
      headers: incoming.headers,
      body,
      time: performance.now() - started,
      inFlight: inFlightNow,
      raw: text
    }
    requests.push(request)

    if (options.latencyMs) {
      const closed = await delayUnlessClosed(options.latencyMs, response)
      if (closed) return
    }

    const found = route(request.method, request.path)
    if (!found) {
      send(response, {
        status: 404,
        body: apiError(`Unknown route ${request.method} ${request.path}`, 'invalid_request_error')
      })
      return
    }
    const answer = found.handler(request, picker(request, request.index), state, found.params)
    if (answer === 'hang') return
    if ('raw' in answer) {
      request.answer = {status: 200, body: undefined}
      answer.raw(response)
      return
    }
    request.answer = {status: answer.status, body: answer.body}
    send(response, answer)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setFault(fault) {
      picker = toPicker(fault)
    },
    maxInFlight: () => maxInFlight,
    setBatchFault(batchPicker) {
      state.batchFault = batchPicker ?? (() => undefined)
    },
    completeBatches() {
      for (const id of state.queued.splice(0)) runBatch(state, id)
    },
    batches: state.batches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}

/**
 * A Batch API route that answers a transport fault (hang, endless, gzip bomb, HTML, redirect…)
 * instead, or sends its normal answer badly (trickle, drop mid-body).
 */
function withFaults(handler: Handler): Handler {
  return (request, fault, state, params) => {
    if (!fault) return handler(request, undefined, state, params)
    const transport = transportFaults[fault.kind] as ((fault: Fault, request: RecordedRequest) => Answer) | undefined
    if (transport) return transport(fault, request)
    const answer = handler(request, undefined, state, params)
    const badBody = bodyFaults[fault.kind] as ((fault: Fault, text: string) => RawAnswer) | undefined
    if (!badBody || answer === 'hang' || 'raw' in answer) return answer
    return badBody(fault, answer.text ?? JSON.stringify(answer.body))
  }
}

/** `POST /v1/files`: a multipart upload with `purpose` and `file`. */
function uploadFile(request: RecordedRequest, _fault: Fault | undefined, state: ServerState): Answer {
  const form = multipartFields(String(request.headers['content-type'] ?? ''), request.raw ?? '')
  const file = form.get('file')
  const purpose = form.get('purpose')?.text
  if (!file || !purpose)
    return {status: 400, body: apiError('expected multipart fields "file" and "purpose"', 'invalid_request_error')}
  const id = `file-${state.files.size + 1}`
  state.files.set(id, {purpose, filename: file.filename ?? 'upload', text: file.text})
  return {status: 200, body: fileObject(id, state.files.get(id)!)}
}

function fileContent(
  _request: RecordedRequest,
  _fault: Fault | undefined,
  state: ServerState,
  params: Record<string, string>
): Answer {
  const file = state.files.get(params.id ?? '')
  if (!file) return {status: 404, body: apiError(`No such File object: ${params.id}`, 'invalid_request_error')}
  return {status: 200, headers: {'content-type': 'application/octet-stream'}, body: undefined, text: file.text}
}

/** `POST /v1/batches`: checks the input file like the real API, then runs it now or on demand. */
function createBatch(request: RecordedRequest, _fault: Fault | undefined, state: ServerState): Answer {
  const body = isRecord(request.body) ? request.body : {}
  const input = state.files.get(String(body.input_file_id))
  if (input?.purpose !== 'batch')
    return {
      status: 400,
      body: apiError('input_file_id must name a file uploaded with purpose "batch"', 'invalid_request_error')
    }
  if (body.endpoint !== '/v1/chat/completions' || body.completion_window !== '24h') {
    return {
      status: 400,
      body: apiError('expected endpoint /v1/chat/completions and completion_window 24h', 'invalid_request_error')
    }
  }
  const lines = input.text.split('\n').filter((line) => line.trim() !== '')
  const id = `batch_${state.batches.size + 1}`
  state.batches.set(id, {
    id,
    object: 'batch',
    endpoint: body.endpoint,
    input_file_id: body.input_file_id,
    completion_window: '24h',
    status: 'in_progress',
    output_file_id: null,
    error_file_id: null,
    created_at: 0,
    request_counts: {total: lines.length, completed: 0, failed: 0},
    errors: null,
    metadata: null
  })
  if (state.manual) state.queued.push(id)
  else runBatch(state, id)
  return {status: 200, body: state.batches.get(id)}
}

function retrieveBatch(
  _request: RecordedRequest,
  _fault: Fault | undefined,
  state: ServerState,
  params: Record<string, string>
): Answer {
  const batch = state.batches.get(params.id ?? '')
  if (!batch) return {status: 404, body: apiError(`No such batch: ${params.id}`, 'invalid_request_error')}
  return {status: 200, body: batch}
}

/** Answer every line of a batch through the chat completions handler; results go to an output and an error file. */
function runBatch(state: ServerState, id: string): void {
  const batch = state.batches.get(id)!
  const input = state.files.get(String(batch.input_file_id))!
  const output: string[] = []
  const errors: string[] = []
  input.text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .forEach((line, index) => {
      const item = JSON.parse(line) as {custom_id: string; body: unknown}
      const fault = state.batchFault(item.custom_id, index)
      const request: RecordedRequest = {
        index,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: {},
        body: item.body,
        time: 0,
        inFlight: 1
      }
      const answer = chatCompletions(request, fault, state)
      if (answer === 'hang' || 'raw' in answer || answer.status !== 200) {
        const body: unknown = answer === 'hang' || 'raw' in answer ? undefined : answer.body
        const message = isRecord(body) && isRecord(body.error) ? String(body.error.message) : 'timed out'
        errors.push(
          JSON.stringify({
            id: `batch_req_${index}`,
            custom_id: item.custom_id,
            response: null,
            error: {code: 'server_error', message}
          })
        )
        return
      }
      output.push(
        JSON.stringify({
          id: `batch_req_${index}`,
          custom_id: item.custom_id,
          response: {status_code: 200, request_id: `req_${index}`, body: answer.body},
          error: null
        })
      )
    })
  const file = (text: string) => {
    const fileId = `file-${state.files.size + 1}`
    state.files.set(fileId, {purpose: 'batch_output', filename: `${id}.jsonl`, text: text + (text ? '\n' : '')})
    return fileId
  }
  batch.output_file_id = output.length > 0 ? file(output.join('\n')) : null
  batch.error_file_id = errors.length > 0 ? file(errors.join('\n')) : null
  batch.status = 'completed'
  batch.request_counts = {total: output.length + errors.length, completed: output.length, failed: errors.length}
}

function fileObject(id: string, file: {purpose: string; filename: string; text: string}) {
  return {
    id,
    object: 'file',
    bytes: Buffer.byteLength(file.text),
    created_at: 0,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed'
  }
}

/** The fields of a multipart/form-data body (text only, which is all the Batch API uploads). */
function multipartFields(contentType: string, raw: string): Map<string, {text: string; filename?: string}> {
  const fields = new Map<string, {text: string; filename?: string}>()
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType)
  const marker = boundary?.[1] ?? boundary?.[2]
  if (!marker) return fields
  for (const part of raw.split(`--${marker}`)) {
    const split = part.indexOf('\r\n\r\n')
    if (split === -1) continue
    const head = part.slice(0, split)
    const name = /name="([^"]*)"/.exec(head)?.[1]
    if (name === undefined) continue
    const filename = /filename="([^"]*)"/.exec(head)?.[1]
    fields.set(name, {text: part.slice(split + 4).replace(/\r\n$/, ''), ...(filename === undefined ? {} : {filename})})
  }
  return fields
}

/** Transport faults answer before any translation happens. */
const transportFaults: {[K in Fault['kind']]?: (fault: Extract<Fault, {kind: K}>, request: RecordedRequest) => Answer} =
  {
    'rate-limit': (fault) => ({
      status: 429,
      headers: {
        ...(fault.retryAfterSeconds === undefined ? {} : {'retry-after': String(fault.retryAfterSeconds)}),
        ...(fault.retryAfterMs === undefined ? {} : {'retry-after-ms': String(fault.retryAfterMs)})
      },
      body: apiError('Rate limit reached for requests', 'requests', 'rate_limit_exceeded')
    }),
    quota: (fault) => ({
      status: 429,
      body: apiError(
        'You exceeded your current quota, please check your plan and billing details.',
        'insufficient_quota',
        fault.code ?? 'insufficient_quota'
      )
    }),
    'server-error': (fault) => ({
      status: fault.status ?? 500,
      headers: shouldRetryHeader(fault.shouldRetry),
      body: apiError('The server had an error while processing your request.', 'server_error')
    }),
    'reject-json-schema': () => ({
      status: 400,
      body: apiError(
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
        'invalid_request_error',
        null,
        'response_format'
      )
    }),
    'bad-request': (fault) => ({
      status: 400,
      headers: shouldRetryHeader(fault.shouldRetry),
      body: apiError(fault.message, 'invalid_request_error')
    }),
    unauthorized: (fault, request) => {
      const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '')
      return {
        status: 401,
        body: apiError(
          fault.echoKey ? `Incorrect API key provided: ${key}.` : 'Incorrect API key provided.',
          'invalid_request_error',
          'invalid_api_key'
        )
      }
    },
    status: (fault) => ({
      status: fault.status,
      headers: fault.headers ?? {},
      body: fault.body ?? apiError('error', 'error')
    }),
    hang: () => 'hang',
    endless: () => ({
      raw: (response) => {
        response.writeHead(200, {'content-type': 'application/json'})
        response.write(
          '{"id":"chatcmpl-endless","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"'
        )
        // 100 bytes every 50 ms: never ends, and stays below any size limit for a long time.
        const timer = setInterval(() => response.write('x'.repeat(100)), 50)
        response.on('close', () => clearInterval(timer))
      }
    }),
    'gzip-bomb': (fault) => ({
      raw: (response) => {
        // Compressed as it is sent, so the test pays only for what the client decodes: 2 GiB of
        // zeros is ~2 MB on the wire, and a client that reads it all needs 2 GiB.
        let left = fault.decodedBytes ?? 2 * 1024 ** 3
        const block = Buffer.alloc(1024 * 1024, 0x20)
        const zeros = new Readable({
          read() {
            if (left <= 0) return void this.push(null)
            const size = Math.min(left, block.length)
            left -= size
            this.push(size === block.length ? block : block.subarray(0, size))
          }
        })
        response.writeHead(200, {'content-type': 'application/json', 'content-encoding': 'gzip'})
        const gzip = createGzip({level: 9})
        zeros.pipe(gzip).pipe(response)
        response.on('close', () => {
          zeros.destroy()
          gzip.destroy()
        })
      }
    }),
    html: () => ({
      status: 200,
      headers: {'content-type': 'text/html'},
      body: undefined,
      text: '<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>'
    }),
    sse: () => ({
      status: 200,
      headers: {'content-type': 'text/event-stream'},
      body: undefined,
      text: 'data: {"choices":[{"delta":{"content":"Hola"}}]}\n\ndata: [DONE]\n\n'
    }),
    'empty-200': () => ({status: 200, body: undefined, text: ''}),
    'choices-null': () => ({
      status: 200,
      body: {id: 'chatcmpl-null', object: 'chat.completion', created: 0, model: 'm', choices: null}
    }),
    'content-not-string': () => ({
      status: 200,
      body: {
        id: 'chatcmpl-obj',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [{index: 0, message: {role: 'assistant', content: {segments: {}}}, finish_reason: 'stop'}]
      }
    }),
    'deep-nesting': (fault) => {
      const depth = fault.depth ?? 1_000_000
      return {
        status: 200,
        body: undefined,
        text:
          '{"id":"chatcmpl-deep","choices":[{"index":0,"message":{"role":"assistant","content":"{}"},"finish_reason":"stop","x":' +
          '['.repeat(depth) +
          ']'.repeat(depth) +
          '}]}'
      }
    },
    redirect: (fault) => ({status: fault.status ?? 307, headers: {location: fault.location}, body: {}})
  }

/** Faults that send a normal answer's body, badly: slowly, or broken off half way. */
const bodyFaults: {[K in Fault['kind']]?: (fault: Extract<Fault, {kind: K}>, text: string) => RawAnswer} = {
  trickle: (fault, text) => ({
    raw: (response) => {
      response.writeHead(200, {'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text))})
      let sent = 0
      const timer = setInterval(() => {
        if (sent >= text.length) return void clearInterval(timer)
        response.write(text[sent++])
      }, fault.intervalMs ?? 100)
      response.on('close', () => clearInterval(timer))
    }
  }),
  'drop-mid-body': (_fault, text) => ({
    raw: (response) => {
      response.writeHead(200, {'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text))})
      response.write(text.slice(0, Math.floor(text.length / 2)), () => response.socket?.destroy())
    }
  })
}

/** Faults applied to one translated segment. */
const segmentFaults: {[K in Fault['kind']]?: (text: string, fault: Extract<Fault, {kind: K}>) => string} = {
  'drop-placeholder': (text) => text.replace(new RegExp(TOKEN_PATTERN.source), ''),
  'duplicate-placeholder': (text) => {
    const token = new RegExp(TOKEN_PATTERN.source).exec(text)?.[0] ?? ''
    return text + token
  },
  'invent-placeholder': (text) => `${text}⟦99⟧`,
  'placeholder-to-text': (text, fault) => text.replace(new RegExp(TOKEN_PATTERN.source), fault.text),
  commentary: (text, fault) => (fault.text ?? 'Here is the translation: ') + text
}

/** Chat completions: transport fault, else translate, then alter the reply as the fault says. */
function chatCompletions(request: RecordedRequest, fault: Fault | undefined, state: ServerState): Answer {
  if (fault?.kind === 'usage') {
    const answer = chatCompletions(request, fault.inner, state)
    if (answer !== 'hang' && !('raw' in answer) && isRecord(answer.body)) answer.body.usage = fault.usage
    return answer
  }
  if (fault) {
    const transport = transportFaults[fault.kind] as ((fault: Fault, request: RecordedRequest) => Answer) | undefined
    if (transport) return transport(fault, request)
    const badBody = bodyFaults[fault.kind] as ((fault: Fault, text: string) => RawAnswer) | undefined
    if (badBody) {
      const answer = chatCompletions(request, undefined, state)
      return answer === 'hang' || 'raw' in answer ? answer : badBody(fault, answer.text ?? JSON.stringify(answer.body))
    }
  }

  const body = isRecord(request.body) ? request.body : {}
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : []
  const format = isRecord(body.response_format) ? body.response_format.type : undefined
  const jsonMode = format === 'json_schema' || format === 'json_object'

  let content: string
  let refusal: string | null = null
  let finishReason = 'stop'

  if (jsonMode) {
    const wire = requestSegments(request.body)
    const segments = wire && Object.fromEntries(Object.entries(wire).map(([id, text]) => [id, fromWireForm(text)]))
    if (!segments)
      return {status: 400, body: apiError('No user message with a "segments" object', 'invalid_request_error')}
    if (format === 'json_schema') {
      const problem = schemaProblem(body.response_format, Object.keys(segments))
      if (problem) return {status: 400, body: apiError(problem, 'invalid_request_error', null, 'response_format')}
    }
    const terms = requestTerms(request.body)
    const translated: Record<string, string> = {}
    for (const [id, text] of Object.entries(segments)) translated[id] = applyTerms(state.translate(text), terms)
    alterSegments(translated, fault)
    if (fault?.kind === 'rewrite') rewrite(translated, segments, fault, request)
    for (const [id, text] of Object.entries(translated)) translated[id] = toWireForm(text)
    content = JSON.stringify({segments: translated})
  } else {
    const last = messages.at(-1)
    const source = fromWireForm(typeof last?.content === 'string' ? last.content : '')
    const options = isRecord(body.translation_options) ? body.translation_options : {}
    const terms = Array.isArray(options.terms) ? options.terms.filter(isTerm) : []
    const translated: Record<string, string> = {only: applyTerms(state.translate(source), terms)}
    alterSegments(translated, fault && 'id' in fault ? {...fault, id: 'only'} : fault)
    content = toWireForm(translated.only ?? '')
  }

  switch (fault?.kind) {
    case 'fence':
      content = `\`\`\`json\n${content}\n\`\`\``
      break
    case 'invalid-json':
      content = content.slice(0, Math.floor(content.length / 2))
      break
    case 'truncate':
      content = fault.empty ? '' : content.slice(0, Math.floor(content.length / 2))
      finishReason = 'length'
      break
    case 'refusal':
      refusal = fault.text ?? "I'm sorry, I can't help with that."
      content = ''
      break
    case 'refusal-text':
      content = fault.text ?? "I'm sorry, but I can't assist with that request."
      break
    case 'empty':
      content = ''
      break
    case 'content-filter':
      content = ''
      finishReason = 'content_filter'
      break
    default:
      break
  }

  const promptText = messages.map((message) => (typeof message.content === 'string' ? message.content : ''))
  const promptTokens = promptText.reduce((sum, text) => sum + countTokens(text) + 4, 0)
  const system = promptText[0] ?? ''
  const cachedTokens = countTokens(longestSharedPrefix(system, state.prefixes))
  state.prefixes.push(system)
  const completionTokens = countTokens(content)

  return {
    status: 200,
    body: {
      id: `chatcmpl-test-${request.index}`,
      object: 'chat.completion',
      created: 0,
      model: typeof body.model === 'string' ? body.model : 'unknown',
      choices: [
        {
          index: 0,
          message: {role: 'assistant', content: refusal === null ? content : null, refusal},
          finish_reason: finishReason,
          logprobs: null
        }
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: {cached_tokens: cachedTokens}
      }
    }
  }
}

/** The `rewrite` fault: a hostile model's text in place of the translations it selects. */
function rewrite(
  translated: Record<string, string>,
  sources: Record<string, string>,
  fault: Extract<Fault, {kind: 'rewrite'}>,
  request: RecordedRequest
): void {
  const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '')
  for (const [id, source] of Object.entries(sources)) {
    if (fault.source !== undefined && !source.includes(fault.source)) continue
    translated[id] = fault.to(translated[id] ?? '', source, key)
  }
}

/** Apply id-level and segment-level faults to the translations, in place. */
function alterSegments(translated: Record<string, string>, fault: Fault | undefined): void {
  if (!fault) return
  const ids = Object.keys(translated)
  const target = ('id' in fault && fault.id) || ids[0]
  if (target === undefined) return

  switch (fault.kind) {
    case 'drop-id':
      delete translated[target]
      return
    case 'extra-id':
      translated['invented-id'] = 'Rkgen'
      return
    case 'rename-id': {
      const text = translated[target] ?? ''
      delete translated[target]
      translated[`${target}x`] = text
      return
    }
    case 'replace-term':
      for (const id of ids) translated[id] = (translated[id] ?? '').split(fault.from).join(fault.to)
      return
    default: {
      const alter = segmentFaults[fault.kind] as ((text: string, fault: Fault) => string) | undefined
      if (alter && translated[target] !== undefined) translated[target] = alter(translated[target], fault)
    }
  }
}

/**
 * Check a `json_schema` response format the way strict mode would need it: one required string
 * property per segment id and `additionalProperties: false` on every object.
 */
function schemaProblem(responseFormat: unknown, ids: readonly string[]): string | undefined {
  const jsonSchema = isRecord(responseFormat) ? responseFormat.json_schema : undefined
  if (!isRecord(jsonSchema) || jsonSchema.strict !== true || typeof jsonSchema.name !== 'string') {
    return 'json_schema needs a name and strict: true'
  }
  const schema = jsonSchema.schema
  if (!isRecord(schema) || schema.additionalProperties !== false)
    return 'the root object needs additionalProperties: false'
  const properties = isRecord(schema.properties) ? schema.properties : {}
  const segments = properties.segments
  if (!isRecord(segments) || segments.additionalProperties !== false)
    return '"segments" needs additionalProperties: false'
  const required = Array.isArray(segments.required) ? segments.required : []
  const declared = isRecord(segments.properties) ? Object.keys(segments.properties) : []
  const same = (list: readonly unknown[]) => list.length === ids.length && ids.every((id) => list.includes(id))
  if (!same(required) || !same(declared)) return 'the schema ids differ from the request ids'
  return undefined
}

/** The `segments` object of the first user message that has one. */
function requestSegments(body: unknown): Record<string, string> | undefined {
  const object = firstRequestObject(body)
  const segments = object?.segments
  if (!isRecord(segments)) return undefined
  return Object.fromEntries(Object.entries(segments).map(([id, text]) => [id, String(text)]))
}

function requestTerms(body: unknown): Array<{source: string; target: string}> {
  const terms = firstRequestObject(body)?.terms
  return Array.isArray(terms) ? terms.filter(isTerm) : []
}

function firstRequestObject(body: unknown): Record<string, unknown> | undefined {
  const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : []
  for (const message of messages) {
    if (!isRecord(message) || message.role !== 'user' || typeof message.content !== 'string') continue
    try {
      const value: unknown = JSON.parse(message.content)
      if (isRecord(value) && isRecord(value.segments)) return value
    } catch {
      // Not the request object (a feedback turn): keep looking.
    }
  }
  return undefined
}

/** A model that follows the glossary: the pseudo-translated source term becomes the target term. */
function applyTerms(text: string, terms: ReadonlyArray<{source: string; target: string}>): string {
  let result = text
  // Longest first, as a model would: "Alibaba Cloud Intelligence" before "Alibaba Cloud".
  for (const term of [...terms].sort((a, b) => b.source.length - a.source.length)) {
    result = result.split(pseudoTranslate(term.source)).join(term.target)
  }
  return result
}

function longestSharedPrefix(text: string, others: readonly string[]): string {
  let best = 0
  for (const other of others) {
    let length = 0
    const max = Math.min(text.length, other.length)
    while (length < max && text.charCodeAt(length) === other.charCodeAt(length)) length++
    best = Math.max(best, length)
  }
  return text.slice(0, best)
}

function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (letter) => {
    const base = letter <= 'Z' ? 65 : 97
    return String.fromCharCode(((letter.charCodeAt(0) - base + 13) % 26) + base)
  })
}

function shouldRetryHeader(shouldRetry: boolean | undefined): Record<string, string> {
  return shouldRetry === undefined ? {} : {'x-should-retry': String(shouldRetry)}
}

function apiError(message: string, type: string, code: string | null = null, param: string | null = null) {
  return {error: {message, type, param, code}}
}

function toPicker(fault: FaultPicker | ReadonlyArray<Fault | undefined> | undefined): FaultPicker {
  if (fault === undefined) return () => undefined
  if (typeof fault === 'function') return fault
  const queue = [...fault]
  return () => queue.shift()
}

function send(response: ServerResponse, answer: Exclude<Answer, 'hang' | RawAnswer>): void {
  if (response.destroyed) return
  response.writeHead(answer.status, {'content-type': 'application/json', ...answer.headers})
  response.end(answer.text ?? JSON.stringify(answer.body))
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Wait `ms`; resolves `true` early when the client hung up meanwhile. */
function delayUnlessClosed(ms: number, response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      response.off('close', onClose)
      resolve(false)
    }, ms)
    const onClose = () => {
      clearTimeout(timer)
      resolve(true)
    }
    response.once('close', onClose)
  })
}

function isTerm(value: unknown): value is {source: string; target: string} {
  return isRecord(value) && typeof value.source === 'string' && typeof value.target === 'string'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
