import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {pseudoTranslate, startTestServer, type TestServer} from '../support/openai-server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

async function post(body: unknown, path = '/chat/completions') {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: 'Bearer k'},
    body: JSON.stringify(body)
  })
  // biome-ignore lint/suspicious/noExplicitAny: the assertions below are the check of this JSON's shape
  return {status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any>}
}

describe('pseudoTranslate', () => {
  it('is its own inverse and never touches tokens', () => {
    const text = 'Read ⟦1⟧the docs⟦/1⟧ at ⟦2⟧, or ⟦3⟧ — 通义千问 \\* done.'
    const translated = pseudoTranslate(text)
    expect(translated).toBe('Ernq ⟦1⟧gur qbpf⟦/1⟧ ng ⟦2⟧, be ⟦3⟧ — 通义千问 \\* qbar.')
    expect(pseudoTranslate(translated)).toBe(text)
  })
})

describe('test server', () => {
  const schema = (ids: string[], extra: Record<string, unknown> = {}) => ({
    type: 'json_schema',
    json_schema: {
      name: 't',
      strict: true,
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['segments'],
        properties: {
          segments: {
            type: 'object',
            additionalProperties: false,
            required: ids,
            properties: Object.fromEntries(ids.map((id) => [id, {type: 'string'}])),
            ...extra
          }
        }
      }
    }
  })
  const request = (ids: string[]) => ({
    model: 'm',
    messages: [
      {role: 'system', content: 'instructions'},
      {role: 'user', content: JSON.stringify({segments: Object.fromEntries(ids.map((id) => [id, `text ${id}`]))})}
    ]
  })

  it('answers the segments protocol with usage and records the request', async () => {
    const before = server.requests.length
    const {status, body} = await post({...request(['a', 'b']), response_format: schema(['a', 'b'])})
    expect(status).toBe(200)
    expect(JSON.parse(body.choices[0].message.content)).toEqual({segments: {a: 'grkg n', b: 'grkg o'}})
    expect(body.choices[0].finish_reason).toBe('stop')
    expect(body.usage.prompt_tokens).toBeGreaterThan(0)
    expect(server.requests[before]?.headers.authorization).toBe('Bearer k')
  })

  it('rejects a json_schema that does not match the request ids, as a strict endpoint would fail', async () => {
    const {status, body} = await post({...request(['a', 'b']), response_format: schema(['a'])})
    expect(status).toBe(400)
    expect(body.error.message).toMatch(/ids differ/)
    const loose = await post({...request(['a']), response_format: schema(['a'], {additionalProperties: true})})
    expect(loose.status).toBe(400)
  })

  it('serves faults from a queue, one per request', async () => {
    server.setFault([{kind: 'rate-limit', retryAfterMs: 5}, {kind: 'truncate'}])
    const limited = await post({...request(['a']), response_format: {type: 'json_object'}})
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after-ms')).toBe('5')
    const truncated = await post({...request(['a']), response_format: {type: 'json_object'}})
    expect(truncated.body.choices[0].finish_reason).toBe('length')
    const normal = await post({...request(['a']), response_format: {type: 'json_object'}})
    expect(normal.body.choices[0].finish_reason).toBe('stop')
  })

  it('answers unknown routes with a 404 in the API error shape', async () => {
    const {status, body} = await post({}, '/fine-tuning/jobs')
    expect(status).toBe(404)
    expect(body.error.message).toMatch(/Unknown route/)
  })
})
