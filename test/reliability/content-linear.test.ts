/**
 * Linear time wherever a model's or a user's text goes, through the real CLI in a child process
 * (a quadratic regex cannot be interrupted in-process): megabyte single words in a reply, a
 * million-line note, a 1 MB target under `check`, a 300 KB source through `pseudo`, a 200 KB
 * msgstr; and hostile review files (`&#x110000;`, 100,000 nested `<pc>`, a 100 MB PO) are exit 2
 * with the file and line. The hang guard is generous (shared 2-core machines), not a timing test:
 * before the fixes these took from 36 s to over 20 minutes, or crashed with exit 3.
 */

import {readFile, truncate, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'
import {builtCli, runCli} from './support/built-cli.js'

/** Kill a child still running after this long: a hang guard, not a performance assertion. */
const HANG_GUARD_MS = 90_000
const STACK_TRACE = /\n\s+at /

const setup = useServerProject('all')
let server: TestServer
beforeAll(async () => {
  server = await setup.startServer()
})

const project = (files: Record<string, string>) => setup.project(files)

async function cli(root: string, args: string[], env: Record<string, string> = {}) {
  const child = runCli(await builtCli(), args, root, {
    OPENAI_API_KEY: 'sk-test-linear-0123456789',
    OPENAI_BASE_URL: server.url,
    ...env
  })
  const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS)
  const result = await child.exited
  clearTimeout(guard)
  expect(result.signal, `killed by the hang guard: ${args.join(' ')}`).toBeNull()
  expect(result.stderr).not.toMatch(STACK_TRACE)
  expect(result.stderr).not.toMatch(/internal error/)
  return {...result, output: result.stdout + result.stderr}
}

const GOOD = {'notes/good.md': '---\ntitle: Good\n---\n\nThis paragraph is fine.\n'}

describe('S10 linear time on a hostile reply', () => {
  it.each([
    ['1 MB of letters', 'a', 1_000_000],
    ['1 MB of backticks', '`', 1_000_000],
    ['1 MB of "sure"', 'sure', 1_000_000],
    ['1 MB of whitespace lines', ' \n', 1_000_000],
    ['10 MB of letters', 'a', 10_000_000]
  ])('a reply of one word of %s is a rejected segment, not a hang or exit 3', async (_, unit, size) => {
    const notes = await project({
      ...GOOD,
      'notes/huge.md': '---\ntitle: Huge\n---\n\nHuge word: this paragraph gets a huge reply.\n'
    })
    const word = unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
    server.setFault(() => ({kind: 'rewrite', source: 'Huge word', to: () => word}))
    try {
      const result = await cli(notes.root, ['sync', '--locale', 'es'])
      expect(result.code, result.output.slice(0, 2000)).toBe(1)
      expect(await notes.read('locales/es/good.md')).toContain('Guvf cnentencu vf svar.')
      expect(await notes.read('notes-l10n.lock')).toContain('good.md')
      // The failure line quotes a bounded piece of the reply, never megabytes of it.
      expect(result.output.length).toBeLessThan(20_000)
    } finally {
      server.setFault(undefined)
    }
  })
})

describe('S10 linear time on hostile notes and targets', () => {
  it('a 1 MB note of one million lines is refused in one line; the good note is written', async () => {
    const notes = await project({...GOOD, 'notes/lines.md': `---\ntitle: Lines\n---\n\n${'x\n'.repeat(500_000)}`})
    const result = await cli(notes.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/notes\/lines\.md.*more than 50,000 lines/)
    expect(await notes.read('locales/es/good.md')).toContain('Ţĥíš')
  })

  it('sync --provider pseudo on a 300 KB single-word source, then offline check of a 1 MB target', async () => {
    const notes = await project({
      ...GOOD,
      'notes/word.md': `---\ntitle: Word\n---\n\n${'a'.repeat(300_000)}\n\nShort paragraph.\n`
    })
    const synced = await cli(notes.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(synced.code, synced.output.slice(0, 2000)).toBe(0)
    const target = await notes.read('locales/es/good.md')
    await notes.write('locales/es/good.md', target.replace(/\n\n[^\n]*\n$/, `\n\n${'Palabra-1.1'.repeat(90_000)}\n`))
    const checked = await cli(notes.root, ['check', '--locale', 'es'])
    expect(checked.code).toBe(1)
    expect(checked.output).toMatch(/locales\/es\/good\.md:\d+: error Q13/)
  })
})

describe('S10 hostile review files', () => {
  let notes: TempProject
  beforeAll(async () => {
    notes = await project({'notes/a.md': '---\ntitle: A title\n---\n\nThe cache is rebuilt every night.\n'})
    expect((await cli(notes.root, ['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    expect(
      (await cli(notes.root, ['export', '--locale', 'es', '--format', 'po', '--only', 'all', '-o', 'r.po'])).code
    ).toBe(0)
    expect(
      (await cli(notes.root, ['export', '--locale', 'es', '--format', 'xliff', '--only', 'all', '-o', 'r.xlf'])).code
    ).toBe(0)
  })

  it('a PO with a 200 KB msgstr is validated (and rejected for its length) in bounded time', async () => {
    const po = await notes.read('r.po')
    const lines = po.split('\n')
    const last = lines.findLastIndex((line) => line.startsWith('msgstr'))
    lines[last] = `msgstr "${'palabra '.repeat(25_000)}"`
    await notes.write('big-msgstr.po', lines.join('\n'))
    const result = await cli(notes.root, ['import', 'big-msgstr.po'])
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/rejected: Q13/)
  })

  it.each([
    [
      'a character reference to no character',
      (xml: string, at: number) => `${xml.slice(0, at)}&#x110000;${xml.slice(at)}`,
      /bad\.xlf:\d+: character reference &#x110000;/
    ],
    [
      '100,000 nested <pc>',
      (xml: string, at: number) =>
        `${xml.slice(0, at) + '<pc id="1">'.repeat(100_000)}x${'</pc>'.repeat(100_000)}${xml.slice(at)}`,
      /bad\.xlf:\d+: elements nested more than 100 deep/
    ]
  ])('an XLIFF with %s is exit 2 with the file and line', async (_, edit, message) => {
    const xml = await notes.read('r.xlf')
    const at = xml.lastIndexOf('<target xml:space="preserve">') + '<target xml:space="preserve">'.length
    await notes.write('bad.xlf', edit(xml, at))
    const result = await cli(notes.root, ['import', 'bad.xlf'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a 100 MB PO is exit 2 with one line, before it is read', async () => {
    const file = path.join(notes.root, 'huge.po')
    await writeFile(file, await readFile(path.join(notes.root, 'r.po')))
    await truncate(file, 100 * 1024 * 1024)
    const result = await cli(notes.root, ['import', 'huge.po'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/huge\.po: 100\.0 MiB, over the 64 MiB limit/)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })
})
