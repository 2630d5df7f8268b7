import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {batchByTokens} from '../../src/providers/batching.js'
import {INTERRUPTED} from '../../src/providers/errors.js'
import {createOpenAIProvider, type OpenAIProviderOptions} from '../../src/providers/openai.js'
import {costOf, priceFor} from '../../src/providers/prices.js'
import {instructions} from '../../src/providers/prompt.js'
import {countTokens} from '../../src/providers/tokens.js'
import {wireText} from '../../src/providers/wire.js'
import {pseudoTranslate, segmentIds, startTestServer, type TestServer} from '../support/openai-server.js'
import {canaryKey, dump, expectAllTranslated, expectSound, faultOn, makeJob, sampleTexts, sentIds} from './helpers.js'

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
    expect(system?.content).toContain('to Spanish (es).')
    const request = JSON.parse(user?.content ?? '') as Record<string, unknown>
    // Request-local keys, not the 10-character ids: ~6 tokens saved per segment.
    // Placeholders in wire form (`{n}`, src/providers/wire.ts).
    expect(request.segments).toEqual(
      Object.fromEntries(job.segments.map(({text}, index) => [String(index + 1), wireText(text)]))
    )
    expect(request.context).toEqual({
      title: 'Jingren Zhou',
      neighbours: {'1': {before: {text: 'Intro text.', translation: 'Texto de intro.'}}}
    })
    expect(request.terms).toEqual([{source: 'Alibaba Cloud', target: 'Alibaba Cloud'}])
    expect(body.response_format?.type).toBe('json_schema')
    expect(body.max_tokens).toBeGreaterThan(0)
  })
})

describe('completion limit', () => {
  it('bounds max_tokens from the estimate: a floor for small requests, about twice the source, a cap', async () => {
    const texts = ['tiny', 'word '.repeat(400), 'word '.repeat(6000)]
    await provider({maxBatchTokens: 1}).translate(makeJob(texts).job)
    const limits = server.requests.map((request) => (request.body as ChatBody).max_tokens)
    const middle = countTokens(texts[1]!)
    expect(limits).toEqual([256, 2 * middle + 12 + 48, 8192])
  })

  it('leaves room for the hidden reasoning of reasoning models', async () => {
    await provider({model: 'gpt-5-mini'}).translate(makeJob(['tiny']).job)
    expect(bodyOf(0).max_tokens).toBe(2 * countTokens('tiny') + 12 + 48 + 4096)
  })
})

describe('batching and concurrency', () => {
  it('groups segments by the token budget, in document order', async () => {
    const texts = Array.from({length: 10}, (_, index) => `Segment ${index} ${'lorem ipsum dolor sit amet '.repeat(8)}`)
    const {job} = makeJob(texts)
    const budget = 150
    const expected = batchByTokens(job.segments, ({text}) => countTokens(text), {maxTokens: budget, maxItems: 64})
    expect(expected.length).toBeGreaterThan(2)

    const outcome = await provider({maxBatchTokens: budget}).translate(job)

    expectAllTranslated(outcome, job)
    expect(server.requests.map((request) => sentIds(request, job))).toEqual(
      expected.map((batch) => batch.map(({id}) => id))
    )
  })

  it('sends a segment over the budget alone', async () => {
    const {job} = makeJob(['short one', 'a long one '.repeat(100), 'short two'])
    await provider({maxBatchTokens: 50}).translate(job)
    expect(server.requests.map((request) => sentIds(request, job))).toEqual([['s0'], ['s1'], ['s2']])
  })

  it('bounds requests in flight across concurrent jobs with one limiter', async () => {
    const slow = await startTestServer({latencyMs: 60})
    try {
      const shared = createOpenAIProvider({
        apiKey: canaryKey,
        baseURL: slow.url,
        model: 'gpt-4o-mini',
        concurrency: 3,
        maxBatchTokens: 1
      })
      const jobs = [0, 1, 2].map(
        (n) => makeJob([`job ${n} one`, `job ${n} two`, `job ${n} three`, `job ${n} four`]).job
      )
      const outcomes = await Promise.all(jobs.map((job) => shared.translate(job)))

      outcomes.forEach((outcome, index) => {
        expectAllTranslated(outcome, jobs[index]!)
      })
      expect(slow.requests).toHaveLength(12)
      expect(slow.maxInFlight()).toBe(3)
    } finally {
      await slow.close()
    }
  })
})

describe('transport faults: the SDK retries, p-retry does not', () => {
  it('honours retry-after-ms on a 429 and succeeds on the next attempt (A1)', async () => {
    server.setFault([{kind: 'rate-limit', retryAfterMs: 20}])
    const {job} = makeJob()
    const outcome = await provider().translate(job)
    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(2)
  })

  it('honours retry-after in seconds (A1)', async () => {
    server.setFault([{kind: 'rate-limit', retryAfterSeconds: 1}])
    const {job} = makeJob()
    const outcome = await provider().translate(job)
    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.time - server.requests[0]!.time).toBeGreaterThanOrEqual(900)
  })

  it('pauses every worker on a 429, not just the one retried (A11)', async () => {
    const slow = await startTestServer({latencyMs: 40, fault: [{kind: 'rate-limit', retryAfterMs: 400}]})
    try {
      const shared = createOpenAIProvider({
        apiKey: canaryKey,
        baseURL: slow.url,
        model: 'gpt-4o-mini',
        concurrency: 2,
        maxBatchTokens: 1
      })
      const {job} = makeJob()
      expectAllTranslated(await shared.translate(job), job)

      const limited = slow.requests[0]!
      expect(limited.answer?.status).toBe(429)
      // Requests 0 and 1 left together; every later one waited for the pause the 429 asked for.
      const later = slow.requests.slice(2)
      expect(later.length).toBe(job.segments.length - 1)
      for (const request of later) expect(request.time - limited.time).toBeGreaterThanOrEqual(400)
    } finally {
      await slow.close()
    }
  })

  it('fails the segments after the SDK budget when 429s persist, without stopping the run', async () => {
    server.setFault(() => ({kind: 'rate-limit', retryAfterMs: 1}))
    const {job} = makeJob()
    const outcome = await provider({maxRetries: 2}).translate(job)
    expectSound(outcome, job)
    expect(outcome.translations.size).toBe(0)
    expect(outcome.failures.get('s0')).toMatch(/kept failing \(3 attempt/)
    expect(server.requests).toHaveLength(3)
  })

  it('retries a 500 in the SDK only (A4)', async () => {
    server.setFault([{kind: 'server-error'}])
    const {job} = makeJob()
    expectAllTranslated(await provider().translate(job), job)
    expect(server.requests).toHaveLength(2)

    server.requests.length = 0
    server.setFault(() => ({kind: 'server-error', status: 503}))
    const outcome = await provider({maxRetries: 1}).translate(job)
    expect(outcome.translations.size).toBe(0)
    expect(server.requests).toHaveLength(2)
  })

  it('obeys x-should-retry both ways (A8)', async () => {
    server.setFault([{kind: 'server-error', shouldRetry: false}])
    const {job} = makeJob()
    const outcome = await provider().translate(job)
    expect(outcome.translations.size).toBe(0)
    expect(server.requests).toHaveLength(1)

    server.requests.length = 0
    server.setFault([{kind: 'bad-request', message: 'try again', shouldRetry: true}])
    expectAllTranslated(await provider().translate(job), job)
    expect(server.requests).toHaveLength(2)
  })

  it('times out a hanging server per request, within the SDK budget (A6)', async () => {
    server.setFault(() => ({kind: 'hang'}))
    const {job} = makeJob()
    const outcome = await provider({timeoutMs: 150, maxRetries: 1}).translate(job)
    expectSound(outcome, job)
    expect(outcome.failures.get('s0')).toMatch(/no reply .* within 150 ms \(2 attempt/)
    expect(server.requests).toHaveLength(2)
  })

  it('fails only the segments of a request rejected with a 400, with the API message (A5)', async () => {
    server.setFault((_, index) =>
      index === 0 ? {kind: 'bad-request', message: 'Invalid value for max_tokens'} : undefined
    )
    const {job} = makeJob()
    const outcome = await provider({maxBatchTokens: 30}).translate(job)
    expectSound(outcome, job)
    const failed = sentIds(server.requests[0]!, job)
    expect(failed.length).toBeGreaterThan(0)
    for (const id of failed)
      expect(outcome.failures.get(id)).toMatch(/rejected the request: 400 Invalid value for max_tokens/)
    expect(outcome.translations.size).toBe(job.segments.length - failed.length)
    expect(server.requests.filter((request) => request.answer?.status === 400)).toHaveLength(1)
  })
})

describe('faults that stop the run', () => {
  it.each([
    'insufficient_quota',
    'credit_balance_exhausted',
    'project_spend_limit_exceeded',
    'organization_spend_limit_exceeded',
    'organization_usage_limit_exceeded'
  ])('stops every worker on a billing 429 (%s) without retrying it (A3)', async (code) => {
    server.setFault(() => ({kind: 'quota', code}))
    const shared = provider({maxBatchTokens: 20, concurrency: 2})
    const jobs = [makeJob().job, makeJob().job]
    const results = await Promise.allSettled(jobs.map((job) => shared.translate(job)))

    for (const result of results) {
      expect(result.status).toBe('rejected')
      const error = (result as PromiseRejectedResult).reason as Error & {reason?: string; exitCode?: number}
      expect(error.name).toBe('UserError')
      expect(error.reason).toBe('billing')
      expect(error.message).toContain(server.url)
      expect(error.message).toContain('gpt-4o-mini')
      expect(error.message).toMatch(/add credit/)
    }
    // At most one request per worker slot: no SDK retries of a billing 429, nothing after the stop.
    expect(server.requests.length).toBeLessThanOrEqual(2)

    const before = server.requests.length
    await expect(shared.translate(makeJob().job)).rejects.toMatchObject({reason: 'billing'})
    expect(server.requests).toHaveLength(before)
  })

  it.each([
    [401, 'auth', /rejected the API key \(401\).*OPENAI_API_KEY/],
    [403, 'permission', /denied access \(403\)/],
    [404, 'not-found', /no model gpt-4o-mini .*\(404\).*--model/]
  ] as const)('stops with a clear message on %i (A5)', async (status, reason, message) => {
    server.setFault(() => ({
      kind: 'status',
      status,
      body: {error: {message: `no: ${canaryKey}`, type: 'x', code: null}}
    }))
    const {job} = makeJob()
    const error = await provider()
      .translate(job)
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({name: 'UserError', reason, exitCode: 2})
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toContain(server.url)
    expect(server.requests).toHaveLength(1)
  })

  it('stops on a retry-after longer than the SDK should honour, with one request (A2)', async () => {
    server.setFault(() => ({kind: 'rate-limit', retryAfterSeconds: 120}))
    const {job} = makeJob()
    const error = await provider()
      .translate(job)
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({reason: 'rate-limit', exitCode: 1})
    expect((error as Error).message).toMatch(/asks to wait 120 s/)
    expect(server.requests).toHaveLength(1)
  })

  it('waits a long retry-after when allowed, pausing workers, then retries once (A2)', async () => {
    server.setFault([{kind: 'rate-limit', retryAfterMs: 300}])
    const {job} = makeJob()
    const outcome = await provider({longRetryAfterMs: 100, maxLongRetryAfterMs: 1000}).translate(job)
    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.time - server.requests[0]!.time).toBeGreaterThanOrEqual(250)

    server.requests.length = 0
    server.setFault(() => ({kind: 'rate-limit', retryAfterMs: 300}))
    const error = await provider({longRetryAfterMs: 100, maxLongRetryAfterMs: 1000})
      .translate(job)
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({reason: 'rate-limit'})
    expect(server.requests).toHaveLength(2)
  })
})

describe('validation faults: only the failing segments are retried, with feedback (A9)', () => {
  it.each([
    ['drop-placeholder', {kind: 'drop-placeholder', id: 's1'}],
    ['duplicate-placeholder', {kind: 'duplicate-placeholder', id: 's1'}],
    ['invent-placeholder', {kind: 'invent-placeholder', id: 's1'}],
    ['placeholder replaced by its URL', {kind: 'placeholder-to-text', text: 'https://example.com/docs', id: 's1'}],
    ['placeholder replaced by its inline code', {kind: 'placeholder-to-text', text: '`npm install`', id: 's1'}],
    ['commentary', {kind: 'commentary', id: 's1', text: 'Here is the translation of the segment you sent me: '}],
    ['missing id', {kind: 'drop-id', id: 's1'}],
    ['wrong id', {kind: 'rename-id', id: 's1'}]
  ] as const)('%s: retried for that segment only and then correct', async (_, fault) => {
    const {job, acceptedCalls} = makeJob()
    const aimed = faultOn(job, fault.id, fault)
    server.setFault((request, index) => (index === 0 ? aimed(request) : undefined))
    const outcome = await provider().translate(job)

    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(2)
    expect(sentIds(server.requests[1]!, job)).toEqual(['s1'])
    // The accepted segments were handed over after the first request, s1 after the retry.
    expect(acceptedCalls.map((accepted) => [...accepted.keys()])).toEqual([['s0', 's2', 's3', 's4'], ['s1']])

    const retry = bodyOf(1)
    expect(retry.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user'])
    // The retry carries s1 alone, under its own request-local key.
    expect(retry.messages[3]?.content).toMatch(/- 1: (Q1|Q13|L7)/)
    expect(retry.messages[0]?.content).toBe(bodyOf(0).messages[0]?.content)
  })

  it('gives up after the configured validation retries and keeps the others', async () => {
    const {job} = makeJob()
    server.setFault(faultOn(job, 's1', {kind: 'drop-placeholder'}))
    const outcome = await provider({validationRetries: 2}).translate(job)

    expectSound(outcome, job)
    expect([...outcome.failures.keys()]).toEqual(['s1'])
    expect(outcome.failures.get('s1')).toMatch(/rejected after 3 attempt\(s\): Q1: placeholders/)
    expect(server.requests).toHaveLength(3)
  })

  it('makes no validation retry when configured with none', async () => {
    const {job} = makeJob()
    server.setFault(faultOn(job, 's0', {kind: 'drop-placeholder'}))
    const outcome = await provider({validationRetries: 0}).translate(job)
    expect([...outcome.failures.keys()]).toEqual(['s0'])
    expect(server.requests).toHaveLength(1)
  })

  it('ignores an extra id and accepts the rest at once', async () => {
    server.setFault([{kind: 'extra-id'}])
    const {job} = makeJob()
    const outcome = await provider().translate(job)
    expectAllTranslated(outcome, job)
    expect(outcome.translations.has('invented-id')).toBe(false)
    expect(server.requests).toHaveLength(1)
  })

  it('retries invalid JSON in json_object mode with the reply fed back (L11)', async () => {
    server.setFault([{kind: 'invalid-json'}])
    const {job} = makeJob()
    const outcome = await provider({responseFormat: 'json_object'}).translate(job)
    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(2)
    expect(bodyOf(1).messages[3]?.content).toMatch(/L11: the reply was not valid JSON/)
  })

  it('unwraps a reply fenced whole as ```json without a retry (L6)', async () => {
    server.setFault([{kind: 'fence'}])
    const {job} = makeJob()
    const outcome = await provider({responseFormat: 'json_object'}).translate(job)
    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(1)
  })

  it('passes warnings through and never accepts a candidate with an error finding', async () => {
    const {job} = makeJob()
    const base = job.check
    let checked = 0
    job.check = (id, text) => {
      checked++
      if (id === 's2') return [{rule: 'Q10', severity: 'warning', message: 'double space'}]
      if (id === 's3') return [{rule: 'G1', severity: 'error', message: 'term missing'}, ...base(id, text)]
      return base(id, text)
    }
    const outcome = await provider({validationRetries: 1}).translate(job)

    expect(outcome.findings).toEqual([{rule: 'Q10', severity: 'warning', message: 'double space', segment: 's2'}])
    expect(outcome.translations.has('s3')).toBe(false)
    expect(outcome.failures.get('s3')).toMatch(/G1: term missing/)
    expect(checked).toBe(6)
  })

  it('feeds a glossary violation back and accepts the corrected term (replace-term fault)', async () => {
    const term = {source: 'Alibaba Cloud', target: 'Nube de Alibaba'}
    server.setFault([{kind: 'replace-term', from: 'Nube de Alibaba', to: 'Cloud de Alibaba'}])
    const {job} = makeJob(undefined, {terms: new Map([['s0', [term]]])})
    const base = job.check
    job.check = (id, text) =>
      id === 's0' && !text.includes(term.target)
        ? [{rule: 'G1', severity: 'error', message: `"${term.target}" missing`}]
        : base(id, text)
    const outcome = await provider().translate(job)

    expectSound(outcome, job)
    expect(outcome.translations.get('s0')).toContain('Nube de Alibaba')
    expect(server.requests).toHaveLength(2)
    expect(bodyOf(1).messages[3]?.content).toContain('G1: "Nube de Alibaba" missing')
  })
})

describe('replies that are never accepted as they are', () => {
  it('splits a batch cut at the token limit in halves until it fits (L1)', async () => {
    server.setFault((request) => (segmentIds(request).length > 1 ? {kind: 'truncate'} : undefined))
    const {job} = makeJob(['one ⟦1⟧', 'two', 'three', 'four'])
    const outcome = await provider().translate(job)

    expectAllTranslated(outcome, job)
    // 4 → 2 + 2 → 1 + 1 + 1 + 1
    expect(server.requests.map((request) => segmentIds(request).length)).toEqual([4, 2, 2, 1, 1, 1, 1])
  })

  it('fails a single segment still cut after one raised-limit retry (L1, L2)', async () => {
    server.setFault(() => ({kind: 'truncate', empty: true}))
    const {job} = makeJob(['only one'])
    const outcome = await provider().translate(job)

    expect(outcome.failures.get('s0')).toMatch(/cut at the token limit/)
    expect(server.requests).toHaveLength(2)
    expect(bodyOf(1).max_tokens).toBe(4 * bodyOf(0).max_tokens!)
  })

  it('fails content-filtered segments without splitting or retrying (L3)', async () => {
    server.setFault(() => ({kind: 'content-filter'}))
    const {job} = makeJob()
    const outcome = await provider().translate(job)
    expectSound(outcome, job)
    expect(outcome.failures.get('s0')).toMatch(/content filter/)
    expect(outcome.translations.size).toBe(0)
    expect(server.requests).toHaveLength(1)
  })

  it.each([
    ['a structured refusal', {kind: 'refusal'}, /refused: I'm sorry/],
    ['a refusal in text', {kind: 'refusal-text'}, /refused: I'm sorry/],
    ['an empty reply', {kind: 'empty'}, /empty/]
  ] as const)('retries %s once, then fails those segments (L4)', async (_, fault, reason) => {
    server.setFault(() => fault)
    const {job} = makeJob()
    const outcome = await provider({validationRetries: 2}).translate(job)
    expectSound(outcome, job)
    expect(outcome.translations.size).toBe(0)
    expect(outcome.failures.get('s4')).toMatch(reason)
    expect(server.requests).toHaveLength(2)
  })

  it('accepts a refusal followed by a real translation', async () => {
    server.setFault([{kind: 'refusal'}])
    const {job} = makeJob()
    expectAllTranslated(await provider().translate(job), job)
    expect(server.requests).toHaveLength(2)
  })
})

describe('response_format', () => {
  it('falls back from json_schema to json_object for the rest of the run on a 400 (auto)', async () => {
    server.setFault((request) => {
      const format = (request.body as ChatBody).response_format?.type
      return format === 'json_schema' ? {kind: 'reject-json-schema'} : undefined
    })
    const shared = provider({maxBatchTokens: 30})
    const {job} = makeJob()
    expectAllTranslated(await shared.translate(job), job)
    expectAllTranslated(await shared.translate(makeJob().job), job)

    // The first batches go out together with json_schema; after their 400s, json_object only.
    const formats = server.requests.map((request) => (request.body as ChatBody).response_format?.type)
    const rejected = server.requests.filter((request) => request.answer?.status === 400).length
    expect(rejected).toBeGreaterThan(0)
    expect(formats.slice(0, rejected).every((format) => format === 'json_schema')).toBe(true)
    expect(formats.slice(rejected).every((format) => format === 'json_object')).toBe(true)
    expect(server.requests.length - rejected).toBe(
      2 * batchByTokens(job.segments, ({text}) => countTokens(wireText(text)), {maxTokens: 30, maxItems: 64}).length
    )
  })

  it('does not fall back when json_schema is forced', async () => {
    server.setFault(() => ({kind: 'reject-json-schema'}))
    const {job} = makeJob()
    const outcome = await provider({responseFormat: 'json_schema'}).translate(job)
    expect(outcome.failures.get('s0')).toMatch(/json_schema' is not supported/)
    expect(server.requests).toHaveLength(1)
  })
})

describe('interruption (A7)', () => {
  it('aborts in-flight requests: pending segments fail as interrupted, nothing more is sent', async () => {
    const slow = await startTestServer({latencyMs: 5_000})
    try {
      const controller = new AbortController()
      const shared = createOpenAIProvider({
        apiKey: canaryKey,
        baseURL: slow.url,
        model: 'gpt-4o-mini',
        maxBatchTokens: 20,
        concurrency: 2
      })
      const {job} = makeJob()
      const running = shared.translate(job, {signal: controller.signal})
      await until(() => slow.requests.length === 2)
      controller.abort()
      const outcome = await running

      expectSound(outcome, job)
      expect(outcome.translations.size).toBe(0)
      expect(new Set(outcome.failures.values())).toEqual(new Set([INTERRUPTED]))
      expect(slow.requests).toHaveLength(2)
    } finally {
      await slow.close()
    }
  })

  it('aborts a validation-retry wait and keeps what was accepted', async () => {
    const controller = new AbortController()
    const {job, acceptedCalls} = makeJob(undefined, {
      onAccepted(accepted) {
        acceptedCalls.push(new Map(accepted))
        controller.abort()
      }
    })
    server.setFault(faultOn(job, 's1', {kind: 'drop-placeholder'}))
    const outcome = await provider({validationRetryDelayMs: 60_000}).translate(job, {signal: controller.signal})

    expectSound(outcome, job)
    expect(outcome.failures).toEqual(new Map([['s1', INTERRUPTED]]))
    expect(outcome.translations.size).toBe(4)
    expect(acceptedCalls).toHaveLength(1)
    expect(server.requests).toHaveLength(1)
  }, 10_000)
})

describe('usage and cost', () => {
  it('counts requests and tokens from the replies, per job and cumulatively, and prices them', async () => {
    const shared = provider({maxBatchTokens: 30})
    const first = await shared.translate(makeJob().job)
    const second = await shared.translate(makeJob().job)

    type Usage = {prompt_tokens: number; completion_tokens: number; prompt_tokens_details: {cached_tokens: number}}
    const usages = server.requests.map((request) => (request.answer!.body as {usage: Usage}).usage)
    const sum = (pick: (usage: (typeof usages)[number]) => number) =>
      usages.reduce((total, usage) => total + pick(usage), 0)
    const total = shared.usage()

    expect(total.requests).toBe(server.requests.length)
    expect(first.usage.requests + second.usage.requests).toBe(total.requests)
    expect(total.promptTokens).toBe(sum((usage) => usage.prompt_tokens))
    expect(total.completionTokens).toBe(sum((usage) => usage.completion_tokens))
    // The test server caches the shared system-prompt prefix, as the real API does.
    expect(total.cachedTokens).toBe(sum((usage) => usage.prompt_tokens_details.cached_tokens))
    expect(total.cachedTokens).toBeGreaterThan(0)
    expect(first.usage.promptTokens + second.usage.promptTokens).toBe(total.promptTokens)

    const price = priceFor('gpt-4o-mini')!
    expect(total.costUsd).toBeCloseTo(
      ((total.promptTokens - total.cachedTokens) * price.input +
        total.cachedTokens * price.cachedInput! +
        total.completionTokens * price.output) /
        1e6,
      12
    )
    expect(first.usage.costUsd).toBeCloseTo(costOf(first.usage, price), 12)
    expect(shared.priced).toBe(true)
  })

  it('reports cost 0 and flags a model without a price, unless config prices it', async () => {
    const unknown = provider({model: 'llama3.1:8b'})
    const outcome = await unknown.translate(makeJob().job)
    expect(unknown.priced).toBe(false)
    expect(outcome.usage.promptTokens).toBeGreaterThan(0)
    expect(outcome.usage.costUsd).toBe(0)

    const priced = provider({model: 'llama3.1:8b', prices: {'llama3.1:8b': {input: 1, output: 2}}})
    const pricedOutcome = await priced.translate(makeJob().job)
    expect(priced.priced).toBe(true)
    expect(pricedOutcome.usage.costUsd).toBeCloseTo(
      (pricedOutcome.usage.promptTokens + 2 * pricedOutcome.usage.completionTokens) / 1e6,
      12
    )
  })
})

describe('the API key never leaks (S1)', () => {
  it('keeps a canary key out of every outcome and error, even when the server echoes it', async () => {
    const seen: unknown[] = []
    const faults = [
      {kind: 'unauthorized', echoKey: true},
      {kind: 'bad-request', message: `bad key ${canaryKey} in request`},
      {kind: 'quota'},
      {kind: 'server-error'},
      {kind: 'refusal', text: `I will not, ${canaryKey}`},
      {kind: 'drop-placeholder'}
    ] as const
    for (const fault of faults) {
      server.setFault(() => fault)
      seen.push(
        await provider({maxRetries: 0, validationRetries: 1})
          .translate(makeJob().job)
          .catch((error: unknown) => error)
      )
    }
    const unreachable = createOpenAIProvider({
      apiKey: canaryKey,
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'm',
      maxRetries: 0
    })
    seen.push(await unreachable.translate(makeJob().job).catch((error: unknown) => error))
    seen.push(unreachable.usage())

    expect(server.requests.every((request) => request.headers.authorization === `Bearer ${canaryKey}`)).toBe(true)
    const text =
      dump(seen) +
      seen
        .map((item) => (item instanceof Error ? `${item.message} ${item.stack ?? ''} ${String(item.cause)}` : ''))
        .join(' ')
    expect(text).toContain('rejected the API key')
    expect(text).toContain('could not reach')
    expect(text).not.toContain('CANARY')
  })
})

describe('placeholders on the wire', () => {
  const literal = 'Format {0} and {/1} with ⟦1⟧code⟦/1⟧; {12} too, {x} stays.'

  it('sends {n}, reads a reply in that form back exactly, and keeps literal {n} of the source', async () => {
    const {job} = makeJob([literal, sampleTexts[1]!])
    const outcome = await provider().translate(job)

    // Byte for byte what a translator that keeps every placeholder returns, literals included.
    expectAllTranslated(outcome, job)
    expect(outcome.translations.get('s0')).toContain('{0}')
    const sent = JSON.parse(bodyOf(0).messages[1]?.content ?? '') as {segments: Record<string, string>}
    expect(sent.segments).toEqual({
      '1': 'Format {2} and {3} with {1}code{/1}; {4} too, {x} stays.',
      '2': 'Run {1} to install, then read {2}the docs{/2} and {3}.'
    })
    expect(JSON.stringify(bodyOf(0))).not.toMatch(/[⟦⟧]/)
  })

  it('rejects a reply that loses a literal {n} and retries it with the wire form named', async () => {
    const {job} = makeJob([literal])
    // The server's first placeholder of this segment is the escape atom of the literal {0}.
    server.setFault((_, index) => (index === 0 ? {kind: 'drop-placeholder', id: '1'} : undefined))
    const outcome = await provider().translate(job)

    expectAllTranslated(outcome, job)
    expect(server.requests).toHaveLength(2)
    expect(bodyOf(1).messages[3]?.content).toContain('- 1: Q1: placeholder {2} must appear exactly once (found none)')
  })

  it('Qwen-MT: a plain-text reply in wire form is read back, literals included', async () => {
    const {job} = makeJob([literal])
    const outcome = await provider({model: 'qwen-mt-turbo'}).translate(job)
    expectAllTranslated(outcome, job)
    expect(bodyOf(0).messages).toEqual([
      {role: 'user', content: 'Format {2} and {3} with {1}code{/1}; {4} too, {x} stays.'}
    ])
  })
})

describe('Qwen-MT', () => {
  it('sends one segment per request as a single user message with translation_options', async () => {
    const {job} = makeJob(['Hello ⟦1⟧world⟦/1⟧ from Alibaba Cloud.', 'Second one.'], {
      targetLocale: 'zh-Hant',
      terms: new Map([['s0', [{source: 'Alibaba Cloud', target: '阿里雲'}]]])
    })
    const outcome = await provider({model: 'qwen-mt-turbo'}).translate(job)

    expectSound(outcome, job)
    expect(outcome.translations.get('s0')).toBe(`${pseudoTranslate('Hello ⟦1⟧world⟦/1⟧ from ')}阿里雲.`)
    expect(outcome.translations.get('s1')).toBe(pseudoTranslate('Second one.'))
    expect(server.requests).toHaveLength(2)
    const bodies = server.requests.map((request) => request.body as ChatBody & {translation_options: unknown})
    const first = bodies.find((body) => body.messages[0]?.content.startsWith('Hello'))!
    expect(first.messages).toEqual([{role: 'user', content: 'Hello {1}world{/1} from Alibaba Cloud.'}])
    expect(first.response_format).toBeUndefined()
    expect(first.translation_options).toEqual({
      source_lang: 'English',
      target_lang: 'Traditional Chinese',
      terms: [{source: 'Alibaba Cloud', target: '阿里雲'}]
    })
    const second = bodies.find((body) => body.messages[0]?.content === 'Second one.')!
    expect(second.translation_options).toEqual({source_lang: 'English', target_lang: 'Traditional Chinese'})
  })

  it('validates with check and retries a bad reply at most once', async () => {
    server.setFault(() => ({kind: 'drop-placeholder'}))
    const {job} = makeJob(['Hello ⟦1⟧world⟦/1⟧.'])
    const outcome = await provider({model: 'qwen-mt-plus', validationRetries: 2}).translate(job)
    expect(outcome.failures.get('s0')).toMatch(/rejected after 2 attempt\(s\): Q1/)
    expect(server.requests).toHaveLength(2)
    expect(bodyOf(1).messages).toEqual(bodyOf(0).messages)
  })

  it('fails a refusal-like plain answer instead of accepting it', async () => {
    server.setFault(() => ({kind: 'refusal-text'}))
    const {job} = makeJob(['Hello world.'])
    const outcome = await provider({model: 'qwen-mt-turbo'}).translate(job)
    expect(outcome.failures.get('s0')).toMatch(/refused/)
  })
})

describe('construction', () => {
  it('refuses an empty key with a message that says how to fix it', () => {
    expect(() => createOpenAIProvider({apiKey: '', model: 'gpt-4o-mini'})).toThrow(/OPENAI_API_KEY .*--provider pseudo/)
  })

  it('makes no request for an empty job', async () => {
    const outcome = await provider().translate(makeJob([]).job)
    expect(outcome.translations.size + outcome.failures.size).toBe(0)
    expect(server.requests).toHaveLength(0)
  })
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}
