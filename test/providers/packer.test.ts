/**
 * Requests packed across notes and exact duplicates sent once (`src/providers/packer.ts`),
 * through the real CLI against the test server on 127.0.0.1, counting what goes on the wire;
 * and which occurrence of a duplicate pays, on the packer itself.
 */
import {describe, expect, it} from 'vitest'
import {createPackingProvider} from '../../src/providers/packer.js'
import {emptyUsage} from '../../src/providers/prices.js'
import type {Provider, TranslateJob} from '../../src/types.js'
import {pseudoTranslate, segmentTexts, type TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'

const setup = useServerProject()

/** A neighbour as sent: its text, or its text with its translation. */
type Neighbour = string | {text: string; translation: string}
const textOf = (neighbour: Neighbour | undefined) => (typeof neighbour === 'object' ? neighbour.text : neighbour)

const chats = (s: TestServer) => s.requests.filter((request) => request.path === '/v1/chat/completions')
const userMessage = (body: unknown) =>
  JSON.parse(
    (body as {messages: Array<{role: string; content: string}>}).messages.find((message) => message.role === 'user')!
      .content
  ) as {
    segments: Record<string, string>
    context?: {
      title?: string
      titles?: Record<string, string>
      neighbours?: Record<string, {before?: Neighbour; after?: Neighbour}>
    }
  }

/** The note title a request gives the segment at `key`: the request's, or that of the key range holding it. */
const titleOf = (request: ReturnType<typeof userMessage>, key: string): string | undefined => {
  if (request.context?.title !== undefined) return request.context.title
  for (const [range, title] of Object.entries(request.context?.titles ?? {})) {
    const [from, to = from] = range.split('-').map(Number)
    if (Number(key) >= from! && Number(key) <= to!) return title
  }
  return undefined
}

async function sync(p: TempProject, s: TestServer, extra: string[] = []) {
  return p.run(['sync', '--locale', 'es', '--provider', 'openai', ...extra], {
    OPENAI_API_KEY: 'sk-test-packer',
    OPENAI_BASE_URL: s.url
  })
}

describe('requests packed across notes', () => {
  it('a one-paragraph edit in each of 20 notes costs at most two requests, each segment keeping its own note’s context', async () => {
    const server = await setup.startServer()
    const files: Record<string, string> = {}
    for (let n = 1; n <= 20; n++) {
      files[`notes/n${n}.md`] =
        `---\ntitle: Note number ${n}\n---\n\nFirst paragraph of note ${n} stays.\n\nSecond paragraph of note ${n} is here.\n\nLast paragraph of note ${n}.\n`
    }
    const project = await setup.project(files)
    const first = await sync(project, server)
    expect(first.code, first.stdout + first.stderr).toBe(0)
    // Notes in flight are bounded (2 × concurrency = 16): 20 notes are two rounds of requests.
    expect(chats(server).length).toBeLessThanOrEqual(2)

    for (let n = 1; n <= 20; n++) {
      await project.write(`notes/n${n}.md`, files[`notes/n${n}.md`]!.replace(`is here.`, `was edited today.`))
    }
    const before = chats(server).length
    const second = await sync(project, server)
    expect(second.code, second.stdout + second.stderr).toBe(0)
    const sent = chats(server).slice(before)
    expect(sent.length).toBeGreaterThanOrEqual(1)
    expect(sent.length).toBeLessThanOrEqual(2)
    const requests = sent.map((request) => userMessage(request.body))
    expect(requests.flatMap((request) => Object.values(request.segments)).sort()).toEqual(
      Array.from({length: 20}, (_, index) => `Second paragraph of note ${index + 1} was edited today.`).sort()
    )
    // Context stays per segment: each edited paragraph carries its own note's title and neighbours.
    expect(Object.keys(requests[0]!.segments).length).toBeGreaterThan(1)
    for (const request of requests) {
      for (const [key, text] of Object.entries(request.segments)) {
        const n = /note (\d+)/.exec(text)![1]
        const around = request.context!.neighbours![key]!
        expect(titleOf(request, key)).toBe(`Note number ${n}`)
        expect(textOf(around.before)).toBe(`First paragraph of note ${n} stays.`)
        expect(textOf(around.after)).toBe(`Last paragraph of note ${n}.`)
      }
    }
    for (let n = 1; n <= 20; n++) {
      expect(await project.read(`locales/es/n${n}.md`)).toContain(
        pseudoTranslate(`Second paragraph of note ${n} was edited today.`)
      )
    }
  })
})

describe('duplicates cost nothing', () => {
  it('a duplicate-heavy project sends each distinct segment once; every copy is written and reported as reused', async () => {
    const server = await setup.startServer()
    const boiler = [
      'This release fixes several bugs.',
      'Thanks to every contributor of `notes-l10n`!',
      'See the [changelog](https://example.com/changes) for details.'
    ]
    const files: Record<string, string> = {}
    const distinct = new Set<string>(boiler.map((text) => text))
    for (let n = 1; n <= 12; n++) {
      files[`notes/r${n}.md`] =
        `# Release ${n}\n\n${boiler.join('\n\n')}\n\nUnique words for release ${n}.\n\n${boiler[0]}\n`
      distinct.add(`Release ${n}`)
      distinct.add(`Unique words for release ${n}.`)
    }
    const project = await setup.project(files)
    const {code, stdout, stderr} = await sync(project, server, ['--report', 'report.json'])
    expect(code, stdout + stderr).toBe(0)
    const sent = chats(server).flatMap((request) => segmentTexts(request))
    // Segments sent ÷ distinct segments = 1 (placeholders stand in for code and links).
    expect(sent.length).toBe(distinct.size)
    expect(new Set(sent).size).toBe(sent.length)
    for (let n = 1; n <= 12; n++) {
      const out = await project.read(`locales/es/r${n}.md`)
      expect(out.split(pseudoTranslate('This release fixes several bugs.')).length - 1).toBe(2)
      expect(out).toContain(`[${pseudoTranslate('changelog')}](https://example.com/changes)`)
      expect(out).toContain(pseudoTranslate(`Unique words for release ${n}.`))
    }
    const report = JSON.parse(await project.read('report.json')) as {
      notes: Array<{note: string; segments: Array<{state: string; reason?: string}>}>
    }
    const reused = report.notes.flatMap((note) =>
      note.segments.filter((segment) => segment.reason?.startsWith('reused from '))
    )
    // 12 notes × 4 boilerplate occurrences, less the 3 that were sent.
    expect(reused.length).toBe(12 * 4 - 3)
    expect(
      reused.every((segment) => segment.state === 'reused' && /^reused from notes\/r\d+\.md$/.test(segment.reason!))
    ).toBe(true)

    // A second run finds everything current: nothing is sent again.
    const before = chats(server).length
    expect((await sync(project, server)).code).toBe(0)
    expect(chats(server).length).toBe(before)
  })

  it('the same text with different token contents is not a duplicate', async () => {
    const server = await setup.startServer()
    const project = await setup.project({
      'notes/a.md': 'Run `npm ci` first.\n',
      'notes/b.md': 'Run `npm install` first.\n'
    })
    expect((await sync(project, server)).code).toBe(0)
    expect(chats(server).flatMap((request) => segmentTexts(request)).length).toBe(2)
    expect(await project.read('locales/es/b.md')).toContain('`npm install`')
  })
})

describe('which occurrence pays', () => {
  it('is the one in the note first in path order, whichever job arrived first', async () => {
    const sent: string[][] = []
    const inner: Provider = {
      name: 'fake',
      model: 'fake',
      async translate(job: TranslateJob) {
        sent.push(job.segments.map((segment) => segment.text))
        return {
          translations: new Map(job.segments.map((segment) => [segment.id, `ES ${segment.text}`])),
          failures: new Map<string, string>(),
          findings: [],
          usage: emptyUsage()
        }
      }
    }
    const job = (note: string) => ({
      note,
      sourceLocale: 'en',
      targetLocale: 'es',
      segments: [{id: 'abcdefgh', text: 'The same sentence.'}],
      check: () => []
    })
    const packer = createPackingProvider(inner, {quietMs: 5})
    // The later note's job arrives first, and both wait in the same pending request.
    const [later, earlier] = await Promise.all([
      packer.translate(job('notes/b.md')),
      packer.translate(job('notes/a.md'))
    ])
    expect(sent).toEqual([['The same sentence.']])
    expect(earlier.translations.get('abcdefgh')).toBe('ES The same sentence.')
    expect(earlier.reused).toBeUndefined()
    expect(later.reused).toEqual(new Map([['abcdefgh', 'notes/a.md']]))
  })
})
