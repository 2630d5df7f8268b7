/**
 * Incremental sync counted where it costs money: at the OpenAI-compatible endpoint.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {segmentIds, type TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'

const paragraphs = Array.from(
  {length: 40},
  (_, index) => `Paragraph number ${index + 1} explains one more detail of the system.`
)
const note = (items: readonly string[]) => `---\ntitle: Forty paragraphs\n---\n\n${items.join('\n\n')}\n`

const setup = useServerProject('all')
let server: TestServer
let project: TempProject
beforeAll(async () => {
  server = await setup.startServer()
  project = await setup.project({'notes/forty.md': note(paragraphs)})
})
const env = () => ({OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-incremental'})
const sentSince = (from: number) =>
  server.requests.slice(from).filter((request) => request.path.endsWith('/chat/completions'))

describe('incremental sync at the endpoint', () => {
  it('pays for one paragraph when one paragraph changed', async () => {
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const before = server.requests.length
    const edited = [...paragraphs]
    edited[19] = 'Paragraph number 20 explains one more detail of the whole system.'
    await project.write('notes/forty.md', note(edited))

    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const requests = sentSince(before)
    expect(requests).toHaveLength(1)
    expect(segmentIds(requests[0]!)).toHaveLength(1)
    expect(JSON.stringify(requests[0]!.body)).toContain('the whole system')
  })

  it('pays for the inserted paragraph only', async () => {
    const before = server.requests.length
    await project.write(
      'notes/forty.md',
      note([
        'A brand new opening paragraph.',
        ...paragraphs.slice(0, 19),
        'Paragraph number 20 explains one more detail of the whole system.',
        ...paragraphs.slice(20)
      ])
    )
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const requests = sentSince(before)
    expect(requests).toHaveLength(1)
    expect(segmentIds(requests[0]!)).toHaveLength(1)
    expect(JSON.stringify(requests[0]!.body)).toContain('A brand new opening paragraph.')
  })

  it('sends nothing for a no-op sync, and check is clean', async () => {
    const before = server.requests.length
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    expect(server.requests.length).toBe(before)
    expect((await project.run(['check'])).code).toBe(0)
  })
})
