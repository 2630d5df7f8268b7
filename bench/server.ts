/**
 * The project's OpenAI-compatible test server (`test/support/openai-server.ts`, compiled with the
 * bench) and what the provider figures read from it: requests and prompt tokens, counted where
 * the model would count them.
 */
import path from 'node:path'
import {countTokens} from '../src/providers/tokens.js'
import type {Fault, FaultPicker, RecordedRequest, TestServer, TestServerOptions} from '../test/support/openai-server.js'
import type {ChildRun} from './child.js'
import {runCliOk} from './child.js'
import {NotMeasured} from './figure.js'

export type {Fault, FaultPicker, RecordedRequest, TestServer}

/**
 * Starts the test server on 127.0.0.1.
 *
 * @throws {NotMeasured} when the server module cannot be loaded.
 */
export async function startServer(options: TestServerOptions): Promise<TestServer> {
  let module: typeof import('../test/support/openai-server.js')
  try {
    module = await import('../test/support/openai-server.js')
  } catch (error) {
    throw new NotMeasured(
      `test/support/openai-server.ts cannot be loaded: ${error instanceof Error ? error.message : String(error)}`
    )
  }
  return module.startTestServer(options)
}

/** The translation requests among everything the server received. */
export function chatRequests(server: TestServer): RecordedRequest[] {
  return server.requests.filter((request) => request.method === 'POST' && request.path === '/v1/chat/completions')
}

/**
 * Prompt tokens of one request as the test server bills them (`usage.prompt_tokens`): each
 * message's content with the project's tokenizer, plus 4 per message for the chat framing.
 */
export function promptTokens(request: RecordedRequest): number {
  const body = request.body
  const messages =
    typeof body === 'object' && body !== null && Array.isArray((body as {messages?: unknown}).messages)
      ? (body as {messages: unknown[]}).messages
      : []
  let total = 0
  for (const message of messages) {
    const content =
      typeof message === 'object' && message !== null ? (message as {content?: unknown}).content : undefined
    total += (typeof content === 'string' ? countTokens(content) : 0) + 4
  }
  return total
}

/** Tokens of the request's system message (instructions, terms, context), 0 when it has none. */
export function systemTokens(request: RecordedRequest): number {
  const body = request.body
  const messages =
    typeof body === 'object' && body !== null && Array.isArray((body as {messages?: unknown}).messages)
      ? (body as {messages: unknown[]}).messages
      : []
  const system = messages.find(
    (message) => typeof message === 'object' && message !== null && (message as {role?: unknown}).role === 'system'
  ) as {content?: unknown} | undefined
  return typeof system?.content === 'string' ? countTokens(system.content) + 4 : 0
}

/** Segment ids and texts of a JSON-protocol request (DESIGN decision 5), `{}` for others. */
export function requestSegments(request: RecordedRequest): Record<string, string> {
  const body = request.body
  const messages =
    typeof body === 'object' && body !== null && Array.isArray((body as {messages?: unknown}).messages)
      ? (body as {messages: unknown[]}).messages
      : []
  for (const message of messages) {
    const content =
      typeof message === 'object' && message !== null ? (message as {content?: unknown; role?: unknown}) : undefined
    if (content?.role !== 'user' || typeof content.content !== 'string') continue
    try {
      const value: unknown = JSON.parse(content.content)
      const segments =
        typeof value === 'object' && value !== null ? (value as {segments?: unknown}).segments : undefined
      if (typeof segments === 'object' && segments !== null) {
        return Object.fromEntries(
          Object.entries(segments).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
        )
      }
    } catch {
      // A feedback turn, not the request object.
    }
  }
  return {}
}

/**
 * `sync --provider openai` of the project at `root` to one locale through `server`.
 * Exit 1 (some notes failed) is accepted: the fault figure expects it.
 */
export async function syncThroughServer(
  repoRoot: string,
  root: string,
  server: TestServer,
  extra: readonly string[] = []
): Promise<ChildRun> {
  return runCliOk(
    repoRoot,
    ['sync', '--locale', 'es', '--provider', 'openai', '--json', ...extra],
    {cwd: root, env: {OPENAI_API_KEY: 'sk-bench-not-a-key', OPENAI_BASE_URL: server.url}},
    [0, 1]
  )
}

/** The folder of the targets of a corpus project (zero-config layout). */
export function targetsOf(root: string): string {
  return path.join(root, 'locales', 'es')
}
