import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {createOpenAIProvider, type OpenAIProviderOptions} from '../../src/providers/openai.js'
import {costOf, priceFor} from '../../src/providers/prices.js'
import {instructions} from '../../src/providers/prompt.js'
import {batchByTokens} from '../../src/providers/batching.js'
import {countTokens} from '../../src/providers/tokens.js'
import {pseudoTranslate, segmentIds, startTestServer, type TestServer} from '../support/openai-server.js'
import {canaryKey, expectAllTranslated, expectSound, makeJob} from './helpers.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.requests.length = 0
  server.setFault(undefined)
})

function provider(options: Partial<OpenAIProviderOptions> = {}) {
  return createOpenAIProvider({
    apiKey: canaryKey,
    baseURL: server.url,
    model: 'gpt-4o-mini',
    validationRetryDelayMs: 0,
    ...options
  })
}

type ChatBody = {
  messages: Array<{role: string; content: string}>
  response_format?: {type: string}
  max_tokens?: number
}

function bodyOf(index: number): ChatBody {
  return server.requests[index]?.body as ChatBody
}

describe('a clean run', () => {
  it('translates one note in one request and reports it accepted', async () => {
    const {job, acceptedCalls} = makeJob()
    const outcome = await provider().translate(job)

    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(1)
    expect(acceptedCalls).toEqual([new Map(job.segments.map(({id, text}) => [id, pseudoTranslate(text)]))])
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${canaryKey}`)
  })

  it('sends the wire protocol: stable instructions, the segments object and a strict schema', async () => {
    const {job} = makeJob(undefined, {
      title: 'Jingren Zhou',
      context: new Map([['s0', {before: {text: 'Intro text.', translation: 'Texto de intro.'}}]]),
      terms: new Map([['s0', [{source: 'Alibaba Cloud', target: 'Alibaba Cloud'}]]])
    })
    await provider().translate(job)

    const body = bodyOf(0)
    const [system, user] = body.messages
    expect(system?.role).toBe('system')
    expect(system?.content.startsWith(instructions)).toBe(true)
    expect(system?.content).toContain('Target language: Spanish (es).')
    const request = JSON.parse(user?.content ?? '') as Record<string, unknown>
    expect(request['segments']).toEqual(Object.fromEntries(job.segments.map(({id, text}) => [id, text])))
    expect(request['context']).toEqual({title: 'Jingren Zhou', neighbours: {s0: {before: {text: 'Intro text.', translation: 'Texto de intro.'}}}})
    expect(request['terms']).toEqual([{source: 'Alibaba Cloud', target: 'Alibaba Cloud'}])
    expect(body.response_format?.type).toBe('json_schema')
    expect(body.max_tokens).toBeGreaterThan(0)
  })
})
