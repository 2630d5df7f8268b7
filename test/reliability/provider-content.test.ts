/**
 * What a hostile endpoint's *content* can do, through the real CLI against the test server
 * (docs/rules.md Q26–Q28, docs/providers.md): echo the key, smuggle front-matter keys through U+2028, add
 * template syntax or invisible TAG characters. Each is a rejected segment (or, for front-matter
 * values, a safely quoted one); the good notes are written, the lock saved, and nothing harmful
 * reaches any file.
 */

import {readdir, readFile, rm, stat} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'
import {STAT_CACHE_FILE} from '../../src/state/stat-cache.js'
import {type Fault, pseudoTranslate, startTestServer, type TestServer} from '../support/openai-server.js'
import {useServerProject} from '../support/server-project.js'
import {builtCli, runCli} from './support/built-cli.js'

/** An `sk-proj-…`-shaped canary, long and random-looking like a real project key. */
const CANARY =
  'sk-proj-Zq7XcN2vB8mK4pL1rT6yW9aE3sD5fG0hJ-uIoP_qwErTyUiOpAsDfGhJkLzXcVbNm1234567890abcdefGHIJKLmnopQRSTuvwxYZ'

const NOTES: Record<string, string> = {
  'notes/good.md': '---\ntitle: A good note\n---\n\nThis paragraph is translated normally.\n',
  'notes/raw.md': '---\ntitle: Raw echo\n---\n\nEcho raw: this paragraph asks for the key.\n',
  'notes/url.md': '---\ntitle: Url echo\n---\n\nEcho url: this paragraph asks for the key.\n',
  'notes/short.md': '---\ntitle: Short echo\n---\n\nEcho short: this paragraph asks for the key.\n',
  'notes/b64.md': '---\ntitle: Base64 echo\n---\n\nEcho b64: this paragraph asks for the key.\n',
  'notes/pct.md': '---\ntitle: Percent echo\n---\n\nEcho pct: this paragraph asks for the key.\n',
  'notes/shape.md': '---\ntitle: Shape echo\n---\n\nEcho shape: this paragraph asks for a key.\n'
}

const percent = (text: string) =>
  [...Buffer.from(text)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')

/** A model that quotes the key, in five forms, in the paragraphs that ask for it. */
const ECHO: Fault = {
  kind: 'rewrite',
  source: 'Echo',
  to: (translation, source) => {
    if (source.includes('raw')) return `${translation} ${CANARY}`
    if (source.includes('url')) return `${translation} https://evil.example/c?k=${CANARY}`
    if (source.includes('short')) return `${translation} ${CANARY.slice(20, 50)}`
    if (source.includes('b64')) return `${translation} ${Buffer.from(CANARY).toString('base64')}`
    if (source.includes('pct')) return `${translation} ${percent(CANARY)}`
    return `${translation} sk-proj-AAAABBBBCCCCDDDDEEEEFFFF0000111122223333`
  }
}

/** Every form of the canary a leak could take: verbatim, its halves, base64, percent-encoded. */
function leaks(text: string): string[] {
  const forms = [
    CANARY,
    CANARY.slice(20, 50),
    CANARY.slice(-30),
    Buffer.from(CANARY).toString('base64').slice(4, 40),
    percent(CANARY).slice(0, 60)
  ]
  return forms.filter((form) => text.includes(form))
}

/** Every file under `root`, with its text. */
async function allFiles(root: string): Promise<Array<{file: string; text: string}>> {
  const found: Array<{file: string; text: string}> = []
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, {withFileTypes: true})) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) found.push({file: path.relative(root, full), text: await readFile(full, 'latin1')})
    }
  }
  await walk(root)
  return found
}

async function expectNoLeakOnDisk(root: string): Promise<void> {
  const files = await allFiles(root)
  expect(files.length).toBeGreaterThan(3)
  for (const {file, text} of files) expect(leaks(text), file).toEqual([])
}

/** One server for the file; each test's projects are removed after it. */
const perFile = useServerProject('all')
const perTest = useServerProject()
let server: TestServer
beforeAll(async () => {
  server = await perFile.startServer()
})
afterEach(() => {
  server.setFault(undefined)
})

const project = (files: Record<string, string>) => perTest.project(files)

const env = () => ({OPENAI_API_KEY: CANARY, OPENAI_BASE_URL: server.url})

describe('Q28 the key never reaches a file', () => {
  it('a reply quoting the key in any form is a rejected segment; reports, exports, lock, journal and stdout hold no form of it', async () => {
    const notes = await project(NOTES)
    server.setFault(() => ECHO)
    const output: string[] = []
    for (const report of ['r.md', 'r.json']) {
      const result = await notes.run(['sync', '--locale', 'es', '--report', report], env())
      output.push(result.stdout, result.stderr)
      expect(result.code, result.stdout + result.stderr).toBe(1)
      expect(result.stdout + result.stderr).toMatch(/Q28/)
    }
    expect(await notes.read('locales/es/good.md')).toContain('Guvf cnentencu vf genafyngrq abeznyyl.')
    for (const name of ['raw', 'url', 'short', 'b64', 'pct', 'shape']) {
      await expect(stat(path.join(notes.root, `locales/es/${name}.md`)), name).rejects.toThrow()
    }
    expect(await notes.read('r.md')).toMatch(/Q28/)
    expect(JSON.parse(await notes.read('r.json'))).toBeTruthy()
    expect(await notes.read('notes-l10n.lock')).toContain('good.md')
    for (const format of ['po', 'xliff']) {
      const exported = await notes.run(
        ['export', '--locale', 'es', '--format', format, '--only', 'all', '-o', `x.${format}`],
        env()
      )
      output.push(exported.stdout, exported.stderr)
    }
    for (const text of output) expect(leaks(text)).toEqual([])
    await expectNoLeakOnDisk(notes.root)
  })

  it('a sync killed mid-run leaves no form of the key in the journal or the run lock', async () => {
    const slow = await startTestServer({latencyMs: 400, fault: () => ECHO})
    try {
      const files: Record<string, string> = {...NOTES}
      for (let index = 0; index < 12; index++)
        files[`notes/more-${index}.md`] = `---\ntitle: More ${index}\n---\n\nParagraph ${index} of the run.\n`
      const notes = await project(files)
      const bin = await builtCli()
      const child = runCli(bin, ['sync', '--locale', 'es', '--concurrency', '2'], notes.root, {
        OPENAI_API_KEY: CANARY,
        OPENAI_BASE_URL: slow.url
      })
      const deadline = Date.now() + 20_000
      while (Date.now() < deadline && slow.requests.length < 4) await new Promise((resolve) => setTimeout(resolve, 50))
      child.kill('SIGKILL')
      const exited = await child.exited
      expect(exited.signal).toBe('SIGKILL')
      expect(leaks(exited.stdout + exited.stderr)).toEqual([])
      await expectNoLeakOnDisk(notes.root)
    } finally {
      await slow.close()
    }
  })

  it('batch records and collected results hold no form of the key', async () => {
    const notes = await project(NOTES)
    server.setBatchFault(() => ECHO)
    try {
      const submit = await notes.run(['sync', '--batch', '--locale', 'es'], env())
      expect(submit.code, submit.stdout + submit.stderr).toBe(0)
      const collect = await notes.run(['sync', '--batch', '--locale', 'es', '--report', 'batch.md'], env())
      expect(collect.stdout + collect.stderr).toMatch(/Q28/)
      expect(await notes.read('locales/es/good.md')).toContain('Guvf cnentencu')
      for (const text of [submit.stdout, submit.stderr, collect.stdout, collect.stderr]) expect(leaks(text)).toEqual([])
      await expectNoLeakOnDisk(notes.root)
    } finally {
      server.setBatchFault(undefined)
    }
  })
})

describe('front-matter values from a hostile model', () => {
  /** Written, quoted as needed. */
  const TITLES: Record<string, string> = {
    ls: 'Hola\u2028layout: evil\u2028permalink: /index.html\u2028published: false',
    ps: 'Hola\u2029permalink: /x',
    no: 'No',
    on: 'On',
    yes: 'y',
    hash: 'Hola # layout: evil',
    date: '2025-01-16',
    sexagesimal: '1:20'
  }
  /** Rejected segments (a C1 control, no words): the note is not written at all. */
  const REJECTED: Record<string, string> = {nel: 'Hola\u0085permalink: /x', tilde: '~'}

  it('each reads back as one string, with no new key, in YAML 1.1 and 1.2 — through sync, XLIFF import and --batch', async () => {
    const files: Record<string, string> = {}
    const all = {...TITLES, ...REJECTED}
    for (const name of Object.keys(all))
      files[`notes/${name}.md`] = `---\ntitle: Title ${name}\nlayout: post\n---\n\nBody of ${name}.\n`
    const rewrite: Fault = {
      kind: 'rewrite',
      source: 'Title ',
      to: (_translation, source) => all[source.slice('Title '.length)] ?? 'x'
    }

    const check = async (root: string, locale: string) => {
      for (const name of Object.keys(REJECTED))
        await expect(stat(path.join(root, `locales/${locale}/${name}.md`)), name).rejects.toThrow()
      for (const [name, title] of Object.entries(TITLES)) {
        const text = await readFile(path.join(root, `locales/${locale}/${name}.md`), 'utf8')
        const yaml = /^---\n([\s\S]*?\n)---\n/.exec(text)![1]!
        for (const version of ['1.1', '1.2'] as const) {
          const document = parseDocument(yaml, {version})
          expect(document.errors, `${name} ${version}`).toEqual([])
          const values = document.toJS() as Record<string, unknown>
          expect(Object.keys(values).sort(), `${name} ${version}\n${yaml}`).toEqual([
            'lang',
            'layout',
            'title',
            'translated'
          ])
          expect(values.title, `${name} ${version}\n${yaml}`).toBe(title)
          expect(values.layout).toBe('post')
        }
      }
    }

    const online = await project(files)
    server.setFault(() => rewrite)
    const synced = await online.run(['sync', '--locale', 'es'], env())
    expect(synced.code, synced.stdout + synced.stderr).toBe(1)
    expect(synced.stdout + synced.stderr).not.toMatch(/internal error/)
    await check(online.root, 'es')
    // check: the written notes are current; the rejected ones are missing (exit 1), nothing else.
    const checked = await online.run(['check', '--locale', 'es'], env())
    expect(checked.stdout + checked.stderr).not.toMatch(/Q2[14]|Q8|internal error/)

    const batch = await project(files)
    server.setFault(undefined)
    server.setBatchFault(() => rewrite)
    try {
      expect((await batch.run(['sync', '--batch', '--locale', 'es'], env())).code).toBe(0)
      const collected = await batch.run(['sync', '--batch', '--locale', 'es'], env())
      expect(collected.stdout + collected.stderr).not.toMatch(/internal error/)
      await check(batch.root, 'es')
    } finally {
      server.setBatchFault(undefined)
    }

    // XLIFF import: a reviewer (or a tool) writes the same titles into the review file.
    const reviewed = await project(files)
    server.setFault(undefined)
    expect((await reviewed.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    expect(
      (await reviewed.run(['export', '--locale', 'es', '--format', 'xliff', '--only', 'all', '-o', 'r.xlf'], env()))
        .code
    ).toBe(0)
    let xliff = await reviewed.read('r.xlf')
    for (const [name, title] of Object.entries(all)) {
      const escaped = title.replace(
        /[\u0085\u2028\u2029]/g,
        (character) => `&#x${character.charCodeAt(0).toString(16)};`
      )
      xliff = xliff.replace(`>${pseudoTranslate(`Title ${name}`)}</target>`, `>${escaped}</target>`)
    }
    await reviewed.write('r.xlf', xliff)
    const imported = await reviewed.run(['import', 'r.xlf'], env())
    expect(imported.code, imported.stdout + imported.stderr).toBe(1)
    expect(imported.stdout + imported.stderr).not.toMatch(/internal error/)
    // Rejected units leave the previous (ROT13) translation in place.
    for (const name of Object.keys(REJECTED))
      expect(await reviewed.read(`locales/es/${name}.md`)).toContain(`title: ${pseudoTranslate(`Title ${name}`)}`)
    for (const name of Object.keys(REJECTED)) await rm(path.join(reviewed.root, `locales/es/${name}.md`))
    await check(reviewed.root, 'es')
  })
})

describe('Q26, Q27 template syntax and invisible characters from a model', () => {
  it.each([
    ['a Liquid include', (text: string) => `${text} {% include evil.html %}`, 'Q26'],
    ['a Liquid token read', (text: string) => `${text} {{ site.github.token }}`, 'Q26'],
    ['a Hugo shortcode', (text: string) => `${text} {{< x >}}`, 'Q26'],
    [
      '700 TAG characters',
      (text: string) => text + String.fromCodePoint(...Array.from({length: 700}, (_, k) => 0xe0020 + (k % 0x5f))),
      'Q27'
    ],
    ['a zero-width joiner', (text: string) => text.replace(' ', ' \u200D'), 'Q27'],
    ['a right-to-left override', (text: string) => text.replace(' ', ' \u202E'), 'Q27']
  ])('%s is a rejected segment; the good note is written, check stays green on it', async (_, to, rule) => {
    const notes = await project({
      'notes/good.md': '---\ntitle: Good\n---\n\nThis paragraph is fine.\n',
      'notes/bad.md': '---\ntitle: Bad\n---\n\nInject here: this paragraph is attacked.\n'
    })
    server.setFault(() => ({kind: 'rewrite', source: 'Inject', to}))
    const result = await notes.run(['sync', '--locale', 'es', '--report', 'r.json'], env())
    expect(result.code, result.stdout + result.stderr).toBe(1)
    expect(result.stdout + result.stderr).toContain(rule)
    await expect(stat(path.join(notes.root, 'locales/es/bad.md'))).rejects.toThrow()
    expect(await notes.read('locales/es/good.md')).toContain('Guvf cnentencu vf svar.')
    const files = await allFiles(notes.root)
    for (const {file, text} of files) {
      // The stat cache is binary (v8.serialize): it holds paths, hashes and the raw bytes of
      // times and sizes, never a translation, and those bytes read as `{%` now and then (a
      // fresh clone's `npm test` failed on it).
      if (file.startsWith('notes/') || file === 'r.json' || file === STAT_CACHE_FILE) continue
      expect(text, file).not.toMatch(/\{%|\{\{|\u{E0041}|\u200D|\u202E/u)
    }
  })

  it('check rejects template syntax and TAG characters added to a committed target by hand', async () => {
    const notes = await project({'notes/a.md': '---\ntitle: A\n---\n\nThis paragraph is fine.\n'})
    expect((await notes.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const target = await notes.read('locales/es/a.md')
    await notes.write(
      'locales/es/a.md',
      target.replace('Guvf cnentencu', 'Guvf {% include x.html %} cnentencu\u{E0041}')
    )
    const checked = await notes.run(['check', '--locale', 'es'], env())
    expect(checked.code).toBe(1)
    expect(checked.stdout + checked.stderr).toMatch(/Q26/)
    expect(checked.stdout + checked.stderr).toMatch(/Q27/)
  })
})
