import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import {type TempProject, tempProject} from '../support/project.js'

let server: TestServer
let project: TempProject
beforeAll(async () => {
  server = await startTestServer()
  project = await tempProject({
    'notes-l10n.config.json': JSON.stringify({
      locales: ['es', 'zh'],
      provider: {model: 'gpt-4.1-mini', models: {zh: 'qwen-plus'}}
    }),
    'notes/a.md': '---\ntitle: A note\n---\n\nOne paragraph to translate.\n'
  })
})
afterAll(async () => {
  await server?.close()
  await project?.remove()
})

const modelsSent = () => server.requests.map((request) => (request.body as {model?: string}).model)

describe('per-locale models (provider.models)', () => {
  it('sends each locale to its own model, the others to the default', async () => {
    const {code} = await project.run(['sync'], {OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-models'})
    expect(code).toBe(0)
    expect(new Set(modelsSent())).toEqual(new Set(['gpt-4.1-mini', 'qwen-plus']))
    expect(await project.read('notes-l10n.lock')).toMatch(/"zh": \{[^}]*"model": "qwen-plus"/)
  })

  it('--model on the command line overrides them all', async () => {
    const before = server.requests.length
    const {code} = await project.run(['sync', '--retranslate', '--model', 'gpt-4o-mini'], {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'sk-test-models'
    })
    expect(code).toBe(0)
    expect(new Set(modelsSent().slice(before))).toEqual(new Set(['gpt-4o-mini']))
  })
})
