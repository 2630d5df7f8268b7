/**
 * End to end through the real CLI, the real openai SDK and the project's OpenAI-compatible test
 * server: the example note, the fixture notes and the README of every direct dependency of the
 * project (real Markdown nobody here wrote), translated with structure preserved.
 */
import {readFileSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {mismatchedShapes} from '../support/expected-shape.js'
import {fixtureNotes} from '../support/notes.js'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {packageReadmes} from '../support/readmes.js'
import {repoRoot} from '../support/repo.js'
import {useServerProject} from '../support/server-project.js'

const canary = 'sk-test-CANARY-e2e-7f3a9c1b5d'
const example = 'notes/2025-09-18-jingren-zhou-en.md'

const setup = useServerProject('all')
let server: TestServer
let project: TempProject
const sources: string[] = []

beforeAll(async () => {
  server = await setup.startServer()
  project = await setup.project()
  await project.write('glossary.json', await readFile(path.join(repoRoot, 'glossary.json'), 'utf8'))
  await project.write(example, await readFile(path.join(repoRoot, example), 'utf8'))
  sources.push(example)
  for (const note of fixtureNotes()) {
    const relative = `notes/fixtures/${note.name}`
    await project.write(relative, note.text)
    sources.push(relative)
  }
  for (const readme of directDependencyReadmes()) {
    const relative = `notes/readmes/${readme.name.replace('/', '__')}.md`
    await project.write(relative, readme.text)
    sources.push(relative)
  }
})

/** The READMEs of the packages package.json names (dependencies and devDependencies). */
function directDependencyReadmes(): ReturnType<typeof packageReadmes> {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >
  const direct = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})])
  return packageReadmes().filter((readme) => direct.has(readme.name))
}

/** Notes link to each other's translations in the same locale (default output template). */
const translationOf = (note: string) => (sources.includes(note) ? note.replace(/^notes\//, 'locales/es/') : undefined)

const env = () => ({OPENAI_BASE_URL: server.url, OPENAI_API_KEY: canary})

describe('sync through an OpenAI-compatible endpoint', () => {
  it("translates the example, the fixtures and the dependencies' READMEs with every note's structure preserved", async () => {
    const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es'], env())
    expect(stderr).toBe('')
    expect(stdout).toMatch(
      new RegExp(
        `^sync: ${sources.length} written, 0 up to date, \\d+ segments translated, \\d+ reused \\[openai/gpt-4\\.1-mini\\]`,
        'm'
      )
    )
    expect(code).toBe(0)
    expect(server.requests.length).toBeGreaterThan(0)

    const mismatched = await mismatchedShapes(project, sources, translationOf, (before, after) =>
      expect(after).not.toBe(before)
    )
    expect(mismatched).toEqual([])
    expect(sources.length).toBeGreaterThan(20)
  }, 240_000)

  it('a second run sends nothing', async () => {
    const before = server.requests.length
    const {code, stdout} = await project.run(['sync', '--locale', 'es'], env())
    expect(code).toBe(0)
    expect(stdout).toMatch(new RegExp(`^sync: 0 written, ${sources.length} up to date`, 'm'))
    expect(server.requests.length).toBe(before)
  })

  it('renders the glossary as specified in es and zh', async () => {
    const {code} = await project.run(['sync', example, '--locale', 'zh'], env())
    expect(code).toBe(0)
    const es = await project.read(example.replace('notes/', 'locales/es/'))
    const zh = await project.read(example.replace('notes/', 'locales/zh/'))

    // Keep-terms survive byte for byte; translate-as terms take their renderings.
    expect(es).toMatch(/^title: .*Jingren Zhou/m)
    expect(es).toContain('Qwen')
    expect(es).toContain('Microsoft')
    expect(es).toContain('Universidad de Columbia')
    expect(es).toContain('director de tecnología')
    expect(es).toContain('científico jefe')
    expect(es).not.toMatch(/Chief Technology Officer|Chief Scientist|Columbia University/)

    expect(zh).toMatch(/^title: .*阿里云.*CTO.*周靖人/m)
    expect(zh).toContain('通义千问')
    expect(zh).toContain('阿里云智能')
    expect(zh).toContain('首席技术官')
    expect(zh).toContain('首席科学家')
    expect(zh).toContain('中国科学技术大学')
    expect(zh).toContain('哥伦比亚大学')
    expect(zh).toContain('微软')
    expect(zh).not.toMatch(/Jingren Zhou|Tongyi Qianwen|Columbia University/)

    const check = await project.run(['glossary', 'check', example])
    expect(check.stdout).toMatch(/check: \d+ translations? checked, all current/)
    expect(check.code).toBe(0)
  })

  it('glossary check reports a deliberately broken translation with file:line and exit 1', async () => {
    const file = example.replace('notes/', 'locales/es/')
    const text = await project.read(file)
    const line = text.split('\n').findIndex((candidate) => candidate.includes('director de tecnología')) + 1
    await project.write(file, text.replace('director de tecnología', 'jefe técnico'))
    const {code, stdout} = await project.run(['glossary', 'check', example, '--locale', 'es'])
    expect(code).toBe(1)
    expect(stdout).toMatch(
      new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}: warning G1: .*director de tecnología`, 'm')
    )
    await project.write(file, text)
  })

  it('S1: the API key never appears in output, written files or state', async () => {
    const outputs = await project.run(['sync', example, '--locale', 'fr'], env())
    expect(outputs.stdout + outputs.stderr).not.toContain(canary)
    const unauthorised = await startTestServer({fault: () => ({kind: 'unauthorized', echoKey: true})})
    try {
      const failed = await project.run(['sync', example, '--locale', 'de'], {
        OPENAI_BASE_URL: unauthorised.url,
        OPENAI_API_KEY: canary
      })
      expect(failed.code).toBe(2)
      expect(failed.stderr).toMatch(/401|authenticat/i)
      expect(failed.stdout + failed.stderr).not.toContain(canary)
    } finally {
      await unauthorised.close()
    }
    for (const file of await walk(project.root)) {
      expect(await readFile(file, 'utf8'), file).not.toContain(canary)
    }
  })
})

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, {withFileTypes: true})
  const files = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? walk(path.join(directory, entry.name)) : [path.join(directory, entry.name)]
    )
  )
  return files.flat()
}
