import {beforeAll, describe, expect, it} from 'vitest'
import type {TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'

const setup = useServerProject('all')
let server: TestServer
let project: TempProject
beforeAll(async () => {
  server = await setup.startServer()
  project = await setup.project({
    'notes-l10n.config.json': JSON.stringify({
      locales: ['es', 'zh'],
      provider: {model: 'gpt-4.1-mini', models: {zh: 'qwen-plus'}}
    }),
    'notes/a.md': '---\ntitle: A note\n---\n\nOne paragraph to translate.\n'
  })
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
