/**
 * Scale and cost features of `sync`: dry-run estimates, --max-cost, --shard, progress output.
 */
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {progressMode} from '../../src/cli/progress.js'
import {shardOf} from '../../src/commands/sync.js'
import {Lockfile} from '../../src/state/lock.js'
import {useServerProject} from '../support/server-project.js'

const key = 'sk-test-scale-0123456789'

/** A few notes of different sizes, with links, code and a title (context and tokens in requests). */
function notes(count = 6): Record<string, string> {
  const files: Record<string, string> = {}
  for (let index = 0; index < count; index++) {
    const paragraphs = Array.from(
      {length: 2 + (index % 3)},
      (_, p) =>
        `Paragraph ${p} of note ${index} explains \`npm ci\` and [a link](https://example.com/${index}/${p}) to the reader, with some *emphasis*.`
    )
    files[`notes/n${index}.md`] =
      `---\ntitle: Note number ${index}\n---\n\n# Heading ${index}\n\n${paragraphs.join('\n\n')}\n`
  }
  return files
}

const setup = useServerProject()
const project = (files: Record<string, string>) => setup.project(files)

async function files(root: string, folder = ''): Promise<Record<string, string>> {
  const result: Record<string, string> = {}
  const entries = await readdir(path.join(root, folder), {withFileTypes: true}).catch(() => [])
  for (const entry of entries) {
    const relative = path.posix.join(folder, entry.name)
    if (entry.isDirectory()) Object.assign(result, await files(root, relative))
    else result[relative] = ''
  }
  return result
}

describe('sync --dry-run estimates', () => {
  it('estimates prompt tokens within 10% of what the endpoint then counts, per locale', async () => {
    const server = await setup.startServer()
    const p = await project(notes())
    const env = {OPENAI_API_KEY: key, OPENAI_BASE_URL: server.url}

    const dry = await p.run(['sync', '--dry-run', '--locale', 'es,fr'], env)
    expect(dry.code).toBe(0)
    expect(server.requests).toHaveLength(0)
    expect(dry.stdout).toMatch(
      /^es +6 notes, \d+ segments to translate, 0 reused · ~\d+ prompt \+ \d+ completion tokens in \d+ requests? · ~\$\d+\.\d{4}$/m
    )
    expect(dry.stdout).toMatch(/^fr +6 notes/m)

    const json = await p.run(['sync', '--dry-run', '--locale', 'es,fr', '--json'], env)
    const summary = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as {
      type: string
      estimate: {total: {promptTokens: number; requests: number; costUsd: number}}
    }
    expect(summary.type).toBe('summary')
    const estimate = summary.estimate.total

    const run = await p.run(['sync', '--locale', 'es,fr'], env)
    expect(run.code).toBe(0)
    const counted = server.requests.reduce(
      (sum, request) => sum + (request.answer!.body as {usage: {prompt_tokens: number}}).usage.prompt_tokens,
      0
    )
    expect(server.requests).toHaveLength(estimate.requests)
    expect(Math.abs(estimate.promptTokens - counted) / counted).toBeLessThan(0.1)
    expect(estimate.costUsd).toBeGreaterThan(0)
  })

  it('says the cost is unknown for a model without a price, never $0', async () => {
    const p = await project(notes(1))
    const dry = await p.run(['sync', '--dry-run', '--locale', 'es', '--model', 'my-local-model'], {OPENAI_API_KEY: key})
    expect(dry.stdout).toMatch(/cost unknown for model my-local-model \(add it to provider\.prices\)/)
    expect(dry.stdout).not.toMatch(/~\$/)
  })
})

describe('sync --max-cost', () => {
  it('refuses to start when the estimate exceeds the limit: exit 1, nothing sent or written', async () => {
    const server = await setup.startServer()
    const p = await project(notes())
    const result = await p.run(['sync', '--locale', 'es', '--max-cost', '0.00001'], {
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: server.url
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /--max-cost 0\.00001: this run is estimated at \$\d+\.\d{4} \(\d+ requests, .*nothing was sent/
    )
    expect(server.requests).toHaveLength(0)
    expect(Object.keys(await files(p.root, 'locales'))).toEqual([])
  })

  it('runs when the estimate fits', async () => {
    const server = await setup.startServer()
    const p = await project(notes(2))
    const result = await p.run(['sync', '--locale', 'es', '--max-cost', '5'], {
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: server.url
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(Object.keys(await files(p.root, 'locales'))).toHaveLength(2)
  })

  it('needs a price to compare with', async () => {
    const p = await project(notes(1))
    const result = await p.run(['sync', '--locale', 'es', '--model', 'my-local-model', '--max-cost', '1'], {
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1'
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/cost of model my-local-model is unknown — add its price to provider\.prices/)
  })
})

describe('sync --shard', () => {
  it('shards by a hash of the path: stable when notes are added', () => {
    const before = Array.from({length: 50}, (_, index) => `notes/n${index}.md`)
    const shards = new Map(before.map((note) => [note, shardOf(note, 3)]))
    expect(new Set(shards.values())).toEqual(new Set([1, 2, 3]))
    // Adding notes never moves an existing one.
    for (const note of before) expect(shardOf(note, 3)).toBe(shards.get(note))
    expect(shardOf('notes/n0.md', 1)).toBe(1)
  })

  it('three shards write disjoint lock entries whose merge, and whose files, equal a single run', async () => {
    const sources = notes(9)
    const single = await project(sources)
    expect((await single.run(['sync', '--locale', 'es,fr', '--provider', 'pseudo'])).code).toBe(0)

    const merged = new Lockfile()
    const seen = new Set<string>()
    const written: Record<string, string> = {}
    for (let index = 1; index <= 3; index++) {
      const shard = await project(sources)
      const result = await shard.run(['sync', '--locale', 'es,fr', '--provider', 'pseudo', '--shard', `${index}/3`])
      expect(result.code).toBe(0)
      const lock = await Lockfile.load(shard.root)
      for (const [note, locale] of lock.entries()) {
        expect(seen.has(`${note} ${locale}`), `${note} ${locale} locked by two shards`).toBe(false)
        seen.add(`${note} ${locale}`)
      }
      for (const [note, locale, entry] of lock.entries()) merged.set(note, locale, entry)
      for (const file of Object.keys(await files(shard.root, 'locales'))) written[file] = await shard.read(file)
    }
    expect(merged.serialise()).toBe(await single.read('notes-l10n.lock'))
    const expected: Record<string, string> = {}
    for (const file of Object.keys(await files(single.root, 'locales'))) expected[file] = await single.read(file)
    expect(written).toEqual(expected)
  })

  it('rejects a malformed shard', async () => {
    const p = await project(notes(1))
    const result = await p.run(['sync', '--provider', 'pseudo', '--locale', 'es', '--shard', '4/3'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/expected i\/n with 1 ≤ i ≤ n/)
  })
})

describe('sync progress', () => {
  it('is live only on a terminal outside CI', () => {
    expect(progressMode({isTTY: true, env: {}})).toBe('live')
    expect(progressMode({isTTY: true, env: {CI: 'true'}})).toBe('lines')
    expect(progressMode({isTTY: false, env: {}})).toBe('lines')
    expect(progressMode({isTTY: true, env: {}, json: true})).toBe('json')
  })

  it('off a terminal: one plain line per finished note, no redraws', async () => {
    const server = await setup.startServer()
    const p = await project(notes(3))
    const result = await p.run(['sync', '--locale', 'es'], {OPENAI_API_KEY: key, OPENAI_BASE_URL: server.url})
    expect(result.code).toBe(0)
    expect(result.stdout + result.stderr).not.toMatch(/\r|\u001B\[/)
    expect(result.stdout.split('\n').filter((line) => / written/.test(line) && line.startsWith('es'))).toHaveLength(3)
  })

  it('--json: one parseable event per line, ending with the summary (with cached tokens)', async () => {
    const server = await setup.startServer()
    const p = await project(notes(3))
    // Two locales: the notes of one locale share a request (providers/packer.ts), so two requests.
    const result = await p.run(['sync', '--locale', 'es,fr', '--json'], {
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: server.url
    })
    expect(result.code).toBe(0)
    const events = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as {type: string; note?: string; accepted?: number; usage?: {cachedTokens: number}}
      )
    const types = events.map((event) => event.type)
    expect(types.filter((type) => type === 'note-started')).toHaveLength(6)
    expect(types.filter((type) => type === 'note-finished')).toHaveLength(6)
    expect(types.at(-1)).toBe('summary')
    const batches = events.filter((event) => event.type === 'segment-batch')
    expect(batches.length).toBeGreaterThanOrEqual(3)
    expect(
      batches.every((event) => typeof event.accepted === 'number' && event.accepted > 0 && event.usage !== undefined)
    ).toBe(true)
    const summary = events.at(-1) as unknown as {usage: {cachedTokens: number; promptTokens: number}; notes: unknown[]}
    expect(summary.notes).toHaveLength(6)
    // The instructions are a byte-identical prefix: the test server reports them cached after the first request.
    expect(summary.usage.cachedTokens).toBeGreaterThan(0)
  })
})
