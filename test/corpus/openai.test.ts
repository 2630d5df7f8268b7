/**
 * End to end through the real CLI, the real openai SDK and the project's OpenAI-compatible test
 * server: every note and README of the shared corpus, translated with structure preserved.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {mismatchedShapes} from '../support/expected-shape.js'
import type {TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'
import {corpusFiles} from './shared.js'

const files = [
  ...corpusFiles('notes').map((file) => ({...file, folder: 'notes'})),
  ...corpusFiles('readmes').map((file) => ({...file, folder: 'readmes'}))
]
const sources = files.map((file) => `notes/${file.folder}/${file.name}`)

const setup = useServerProject('all')
let server: TestServer
let project: TempProject

beforeAll(async () => {
  server = await setup.startServer()
  project = await setup.project()
  for (const [index, file] of files.entries()) await project.write(sources[index]!, file.text)
})

/** Notes link to each other's translations in the same locale (default output template). */
const translationOf = (note: string) => (sources.includes(note) ? note.replace(/^notes\//, 'locales/es/') : undefined)

const env = () => ({OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-corpus'})

describe('sync of the shared corpus through an OpenAI-compatible endpoint', () => {
  it(`translates all ${files.length} files with every note's structure preserved`, async () => {
    const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es'], env())
    expect(stderr).toBe('')
    expect(stdout).toMatch(
      new RegExp(`^sync: ${sources.length} written, 0 up to date, \\d+ segments translated, \\d+ reused`, 'm')
    )
    expect(code).toBe(0)
    const mismatched = await mismatchedShapes(project, sources, translationOf, (before, after) =>
      expect(after).not.toBe(before)
    )
    expect(mismatched).toEqual([])
  }, 240_000)

  it('a second run sends nothing', async () => {
    const before = server.requests.length
    const {code, stdout} = await project.run(['sync', '--locale', 'es'], env())
    expect(code).toBe(0)
    expect(stdout).toMatch(new RegExp(`^sync: 0 written, ${sources.length} up to date`, 'm'))
    expect(server.requests.length).toBe(before)
  })
})
