/**
 * The Batch API client `sync --batch` uses: upload the requests, create the batch, poll it,
 * download its files — through the same bounded `fetch` as chat completions (`openai-fetch.ts`).
 */

import OpenAI from 'openai'
import {UserError} from '../types.js'
import {BATCH_ENDPOINT} from './batch-jsonl.js'
import {oneLine} from './errors.js'
import {connectionCause} from './openai-failures.js'
import {boundedFetch, DEFAULT_BASE_URL, displayURL, redactor} from './openai-fetch.js'
import {checkJsonObject, DEFAULT_MAX_REPLY_BYTES, ReplyError} from './reply.js'

/**
 * A Batch API file's content (the output or error JSONL of a whole batch) may be this many times
 * `maxReplyBytes` (default 8 MiB × 32 = 256 MiB, above the API's 200 MB input limit).
 */
export const BATCH_FILE_FACTOR = 32

/** `GET …/files/{id}/content`: JSONL, not a JSON object. */
function isFileContent(path: string): boolean {
  return /\/files\/[^/]+\/content$/.test(path)
}

/** A batch as the API reports it. */
export interface BatchInfo {
  id: string
  /** `validating`, `in_progress`, `finalizing`, `completed`, `failed`, `expired`, `cancelling`, `cancelled`. */
  status: string
  outputFileId?: string
  errorFileId?: string
  counts: {total: number; completed: number; failed: number}
}

/** The Batch API calls `sync --batch` makes. */
export interface BatchClient {
  /** Uploads a JSONL input file (purpose `batch`) and creates its batch (`/v1/chat/completions`, 24 h). */
  submit(jsonl: string, name: string): Promise<BatchInfo & {inputFileId: string}>
  retrieve(id: string): Promise<BatchInfo>
  /** The text of an output or error file. */
  download(fileId: string): Promise<string>
}

/**
 * A Batch API client. API errors become `UserError`s naming the endpoint and what to do (the key
 * is never in them); transport retries are the SDK's.
 */
export function createBatchClient(options: {
  apiKey: string
  baseURL?: string
  /** Total deadline of one attempt, body included (default 300 000: a batch file can be large). */
  timeoutMs?: number
  /** Most decoded bytes of a file/batch object (default 8 MiB); a file's content may be {@link BATCH_FILE_FACTOR} times more. */
  maxReplyBytes?: number
  maxRetries?: number
}): BatchClient {
  if (options.apiKey.trim() === '') {
    throw new UserError(
      'No API key: OPENAI_API_KEY is empty or unset. Set it (export OPENAI_API_KEY=…) to use the Batch API.'
    )
  }
  const endpoint = displayURL(options.baseURL ?? DEFAULT_BASE_URL)
  const redact = redactor(options.apiKey)
  const timeoutMs = options.timeoutMs ?? 300_000
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? DEFAULT_BASE_URL,
    maxRetries: options.maxRetries ?? 2,
    timeout: timeoutMs,
    // The same bounded attempt as chat completions (docs/providers.md, "One bounded request").
    fetch: boundedFetch(globalThis.fetch, {
      timeoutMs,
      maxReplyBytes: (path) => (isFileContent(path) ? maxReplyBytes * BATCH_FILE_FACTOR : maxReplyBytes),
      check: (text, contentType, path) => {
        if (isFileContent(path)) return 'raw'
        checkJsonObject(text, contentType)
        return 'json'
      }
    })
  })
  const attempts = `${(options.maxRetries ?? 2) + 1} attempt(s)`
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request()
    } catch (error) {
      if (!(error instanceof OpenAI.APIError)) throw error
      const again = 'run again; nothing was lost'
      if (error.status !== undefined && error.status >= 300 && error.status < 400) {
        // `boundedFetch` follows no redirect: the requests (note text) go only to the named endpoint.
        throw new UserError(
          `the Batch API at ${endpoint} redirects (${error.status}) the request to ${what}: notes-l10n follows no redirects — set --base-url (or OPENAI_BASE_URL) to the endpoint's final address, then ${again}`
        )
      }
      if (error instanceof OpenAI.APIConnectionTimeoutError) {
        throw new UserError(
          `the Batch API at ${endpoint} did not reply within ${timeoutMs} ms to ${what} (${attempts}) — ${again}`,
          1
        )
      }
      if (error instanceof OpenAI.APIConnectionError) {
        const reason =
          error.cause instanceof ReplyError
            ? `unusable reply: ${error.cause.message}`
            : `could not reach it: ${connectionCause(error)}`
        throw new UserError(
          `the Batch API at ${endpoint} failed to ${what} (${attempts}), ${oneLine(redact(reason))} — ${again}`,
          1
        )
      }
      throw new UserError(
        `the Batch API at ${endpoint} failed to ${what} (${error.status ?? 'no reply'}): ${oneLine(redact(error.message))} — check the endpoint supports /v1/files and /v1/batches, then ${again}`,
        error.status === 401 || error.status === 403 || error.status === 404 ? 2 : 1
      )
    }
  }
  /** The SDK casts whatever JSON object came back: check the fields that are read. */
  const expect = (what: string, value: {id?: unknown; status?: unknown}, batch: boolean): void => {
    if (typeof value.id !== 'string' || value.id === '' || (batch && typeof value.status !== 'string')) {
      throw new UserError(
        `the Batch API at ${endpoint} answered the request to ${what} with no ${batch ? 'batch' : 'file'} object (no "id"${batch ? ' or "status"' : ''}) — check the endpoint supports /v1/files and /v1/batches, then run again; nothing was lost`,
        1
      )
    }
  }
  const info = (what: string, batch: OpenAI.Batches.Batch): BatchInfo => {
    expect(what, batch, true)
    return batchInfo(batch)
  }
  const batchInfo = (batch: OpenAI.Batches.Batch): BatchInfo => ({
    id: batch.id,
    status: batch.status,
    ...(batch.output_file_id ? {outputFileId: batch.output_file_id} : {}),
    ...(batch.error_file_id ? {errorFileId: batch.error_file_id} : {}),
    counts: {
      total: batch.request_counts?.total ?? 0,
      completed: batch.request_counts?.completed ?? 0,
      failed: batch.request_counts?.failed ?? 0
    }
  })

  return {
    async submit(jsonl, name) {
      const file = await call('upload the requests', async () =>
        client.files.create({file: await OpenAI.toFile(Buffer.from(jsonl), name), purpose: 'batch'})
      )
      expect('upload the requests', file, false)
      const batch = await call('create the batch', () =>
        client.batches.create({input_file_id: file.id, endpoint: BATCH_ENDPOINT, completion_window: '24h'})
      )
      return {...info('create the batch', batch), inputFileId: file.id}
    },
    retrieve: async (id) =>
      info(`retrieve batch ${id}`, await call(`retrieve batch ${id}`, () => client.batches.retrieve(id))),
    download: (fileId) => call(`download file ${fileId}`, async () => (await client.files.content(fileId)).text())
  }
}
