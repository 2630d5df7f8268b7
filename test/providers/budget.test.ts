import {afterEach, describe, expect, it} from 'vitest'
import {ProviderFatalError} from '../../src/providers/errors.js'
import {estimateJob, promptTokensOf} from '../../src/providers/estimate.js'
import {createOpenAIProvider} from '../../src/providers/openai.js'
import {priceFor} from '../../src/providers/prices.js'
import {planRequests, requestSettings} from '../../src/providers/requests.js'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import {canaryKey, makeJob} from './helpers.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const texts = Array.from(
  {length: 6},
  (_, index) => `Paragraph ${index} talks about ⟦1⟧models⟦/1⟧ and their costs in some detail.`
)

describe('requests and estimates', () => {
  it('the planned requests are the ones the provider sends, and their prompt tokens are what the server counts', async () => {
    server = await startTestServer()
    const {job} = makeJob(texts, {title: 'A title', terms: new Map([['s0', [{source: 'models', target: 'modelos'}]]])})
    const settings = requestSettings('gpt-4.1-mini', server.url, {maxBatchTokens: 40})
    const planned = planRequests(settings, job)
    expect(planned.length).toBeGreaterThan(1)

    const provider = createOpenAIProvider({
      apiKey: canaryKey,
      baseURL: server.url,
      model: 'gpt-4.1-mini',
      maxBatchTokens: 40,
      concurrency: 1
    })
    await provider.translate(job)
    expect(server.requests.map((request) => request.body)).toEqual(planned.map((request) => request.body))
    const counted = server.requests.map(
      (request) => (request.answer!.body as {usage: {prompt_tokens: number}}).usage.prompt_tokens
    )
    expect(planned.map((request) => promptTokensOf(request.body))).toEqual(counted)
    const estimate = estimateJob(settings, job, priceFor('gpt-4.1-mini'))
    expect(estimate.requests).toBe(planned.length)
    expect(estimate.costUsd).toBeGreaterThan(0)
    expect(estimateJob(settings, job, priceFor('gpt-4.1-mini'), {batch: true}).costUsd).toBeCloseTo(
      estimate.costUsd / 2,
      12
    )
  })

  it('maxCostUsd stops the run before the request that would exceed it, keeping what was accepted', async () => {
    server = await startTestServer()
    const {job, acceptedCalls} = makeJob(texts)
    const settings = requestSettings('gpt-4.1-mini', server.url, {maxBatchTokens: 40})
    const perRequest = estimateJob(
      settings,
      {...job, segments: job.segments.slice(0, 1)},
      priceFor('gpt-4.1-mini')
    ).costUsd
    // Room for the first request (whose real reply costs a little more than estimated), not the second.
    const provider = createOpenAIProvider({
      apiKey: canaryKey,
      baseURL: server.url,
      model: 'gpt-4.1-mini',
      maxBatchTokens: 40,
      concurrency: 1,
      maxCostUsd: perRequest * 1.5
    })
    const error = await provider.translate(job).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ProviderFatalError)
    expect((error as ProviderFatalError).reason).toBe('budget')
    expect((error as ProviderFatalError).exitCode).toBe(1)
    expect((error as Error).message).toMatch(/^cost limit \$[\d.]+ \(--max-cost\) reached: .*stopped before sending it/)
    expect(server.requests).toHaveLength(1)
    expect(acceptedCalls).toHaveLength(1)
  })
})
