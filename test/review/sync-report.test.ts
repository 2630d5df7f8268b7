import {afterEach, describe, expect, it} from 'vitest'
import {formatSyncReportMarkdown} from '../../src/cli/report.js'
import type {SyncResult} from '../../src/commands/sync.js'
import {type TempProject, tempProject} from '../support/project.js'
import {NOTE} from './note.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

describe('sync --report', () => {
  it('writes a Markdown report: the table, then only the segments something happened to', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    expect((await project.run(['sync', '--locale', 'es', '--provider', 'pseudo', '--report', 'report.md'])).code).toBe(
      0
    )
    await project.write('notes/a.md', NOTE.replace('plain prose about models', 'plain prose about large models'))
    expect((await project.run(['sync', '--locale', 'es', '--provider', 'pseudo', '--report', 'report.md'])).code).toBe(
      0
    )
    const report = await project.read('report.md')
    expect(report).toContain('| `locales/es/a.md` | es | written | 1 | 6 | 0 | 0 | 0 |\n')
    const listed = report.split('\n').filter((line) => /^- line \d+ · `/.test(line))
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatch(/^- line 10 · `\S+` · \*\*translated\*\* — changed$/)
  })

  it('writes the run as JSON for a .json name, and refuses other names before translating', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    expect(
      (await project.run(['sync', '--locale', 'es', '--provider', 'pseudo', '--report', 'report.json'])).code
    ).toBe(0)
    const result = JSON.parse(await project.read('report.json')) as SyncResult
    expect(result.notes[0]).toMatchObject({
      note: 'notes/a.md',
      locale: 'es',
      status: 'written',
      counts: {translated: 7}
    })
    const refused = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo', '--report', 'report.txt'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--report report.txt: expected a file name ending in .md or .json')
  })

  it('lists failed segments with their reason, escaped so Markdown cannot break the report', () => {
    const result: SyncResult = {
      notes: [
        {
          note: 'notes/a.md',
          locale: 'es',
          output: 'locales/es/a.md',
          status: 'failed',
          counts: {translated: 0, reused: 1, human: 0, 'needs-review': 0, failed: 1, pending: 0},
          segments: [
            {id: 'abc', line: 3, state: 'failed', reason: 'Q1: lost ⟦1⟧ `x` | *y*'},
            {id: 'def', line: 5, state: 'reused'}
          ],
          findings: [],
          message: '1 segment could not be translated; locales/es/a.md was left as it was'
        }
      ],
      problems: [],
      usage: {requests: 2, promptTokens: 10, completionTokens: 5, cachedTokens: 0, costUsd: 0.0001},
      provider: 'openai',
      model: 'gpt-4.1-mini',
      dryRun: false,
      interrupted: false,
      priced: true,
      warnings: []
    }
    const report = formatSyncReportMarkdown(result)
    expect(report).toContain(
      'Provider: `openai` · model `gpt-4.1-mini` · 1 translation · 2 requests · 10 prompt + 5 completion tokens · $0.0001\n'
    )
    expect(report).toContain('| `locales/es/a.md` | es | failed | 0 | 1 | 0 | 0 | 1 |\n')
    expect(report).toContain('- line 3 · `abc` · **failed** — Q1: lost ⟦1⟧ \\`x\\` \\| \\*y\\*\n')
    expect(report).not.toContain('`def`')
  })
})
