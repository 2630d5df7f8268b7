/**
 * Where the CLI writes (docs/state.md): every write refuses a symlink anywhere between the project
 * root and the file — reports and exports included — and a file the user names outside the
 * project is written only as named; names of 225–255 bytes are written (the temp name beside them
 * never exceeds 255 bytes).
 */

import {mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'

const NOTE = '---\ntitle: A note\n---\n\nA paragraph with `code`.\n'
const STACK_TRACE = /\n\s+at /
const parents: string[] = []
afterEach(async () => {
  for (const parent of parents.splice(0)) await rm(parent, {recursive: true, force: true})
})

/** `<parent>/project` with one note, and an empty `<parent>/outside`. */
async function layout(): Promise<{parent: string; root: string; outside: string}> {
  const parent = await mkdtemp(path.join(tmpdir(), 'notes-l10n-write-'))
  parents.push(parent)
  const root = path.join(parent, 'project')
  const outside = path.join(parent, 'outside')
  await mkdir(path.join(root, 'notes'), {recursive: true})
  await mkdir(outside)
  await writeFile(path.join(root, 'notes/a.md'), NOTE)
  return {parent, root, outside}
}

async function run(root: string, args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    cwd: root,
    env: {PATH: process.env.PATH},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false
  })
  return {code, stdout, stderr, output: stdout + stderr}
}

const SYNC = ['sync', '--locale', 'es', '--provider', 'pseudo']

describe('reports and exports refuse a symlinked folder inside the project', () => {
  const cases: Array<[string, (root: string) => string[], string]> = [
    ['--report out/r.md', () => [...SYNC, '--report', 'out/r.md'], 'out/r.md'],
    ['--report out/r.json', () => [...SYNC, '--report', 'out/r.json'], 'out/r.json'],
    [
      '--report out/deeper/r.md (the link is a grandparent)',
      () => [...SYNC, '--report', 'out/deeper/r.md'],
      'out/deeper/r.md'
    ],
    [
      '--report given as an absolute path through the link',
      (root) => [...SYNC, '--report', path.join(root, 'out/r.md')],
      'out/r.md'
    ],
    [
      'export -o out/x.po',
      () => ['export', '--locale', 'es', '--format', 'po', '--only', 'all', '-o', 'out/x.po'],
      'out/x.po'
    ],
    [
      'export -o out/x.xlf',
      () => ['export', '--locale', 'es', '--format', 'xliff', '--only', 'all', '-o', 'out/x.xlf'],
      'out/x.xlf'
    ],
    [
      'diff --format html -o out/d.html',
      () => ['diff', '--locale', 'es', '--format', 'html', '-o', 'out/d.html'],
      'out/d.html'
    ],
    [
      'diff --format json -o out/d.json',
      () => ['diff', '--locale', 'es', '--format', 'json', '-o', 'out/d.json'],
      'out/d.json'
    ]
  ]
  for (const [name, args, shown] of cases) {
    it(name, async () => {
      const {root, outside} = await layout()
      await symlink(outside, path.join(root, 'out'), 'dir')
      if (args(root)[0] !== 'sync') expect((await run(root, SYNC)).code).toBe(0)
      const result = await run(root, args(root))
      expect(result.output).not.toMatch(STACK_TRACE)
      expect(result.stderr).toMatch(
        new RegExp(`refusing to write ${shown.replace(/[./]/g, '\\$&')}: its folder out is a symbolic link`)
      )
      expect(result.code).toBe(2)
      expect(await readdir(outside)).toEqual([])
      // The sync itself was not undone: the note and the lock are written.
      expect(await readFile(path.join(root, 'locales/es/a.md'), 'utf8')).toMatch(/title:/)
      expect(await stat(path.join(root, 'notes-l10n.lock'))).toBeTruthy()
    })
  }

  it('a report file that is itself a symlink is refused', async () => {
    const {root, outside} = await layout()
    await writeFile(path.join(outside, 'victim'), 'keep')
    await symlink(path.join(outside, 'victim'), path.join(root, 'r.md'))
    const result = await run(root, [...SYNC, '--report', 'r.md'])
    expect(result.stderr).toMatch(/refusing to write r\.md: it is a symbolic link/)
    expect(result.code).toBe(2)
    expect(await readFile(path.join(outside, 'victim'), 'utf8')).toBe('keep')
  })
})

describe('init --force replaces the config, never writes through a symlink at its name', () => {
  it('notes-l10n.config.json a symlink to a file outside', async () => {
    const {root, outside} = await layout()
    await writeFile(path.join(outside, 'victim'), 'keep')
    await symlink(path.join(outside, 'victim'), path.join(root, 'notes-l10n.config.json'))
    const result = await run(root, ['init', '--force'])
    expect(result.output).not.toMatch(STACK_TRACE)
    expect(result.stderr).toMatch(/refusing to write notes-l10n\.config\.json: it is a symbolic link/)
    expect(result.code).toBe(2)
    expect(await readFile(path.join(outside, 'victim'), 'utf8')).toBe('keep')
  })
})

describe('a report or export the user names outside the project is written there', () => {
  it('--report ../outside/r.md and export -o <absolute path outside>', async () => {
    const {root, outside} = await layout()
    const report = await run(root, [...SYNC, '--report', '../outside/new/r.md'])
    expect(report.code).toBe(0)
    expect(await readFile(path.join(outside, 'new/r.md'), 'utf8')).toMatch(/a\.md/)
    const exported = await run(root, [
      'export',
      '--locale',
      'es',
      '--format',
      'po',
      '--only',
      'all',
      '-o',
      path.join(outside, 'x.po')
    ])
    expect(exported.code).toBe(0)
    expect(await readFile(path.join(outside, 'x.po'), 'utf8')).toMatch(/msgid/)
  })
})

describe('long names', () => {
  for (const [name, base] of [
    ['225 bytes', 'n'.repeat(222)],
    ['255 bytes (the limit)', 'n'.repeat(252)],
    ['252 bytes of three-byte characters', '記'.repeat(83) + 'x'.repeat(0)]
  ] as const) {
    it(`a note named with ${name} is written, and so is its target`, async () => {
      const {root} = await layout()
      const file = `${base}.md`
      expect(Buffer.byteLength(file)).toBeLessThanOrEqual(255)
      await writeFile(path.join(root, 'notes', file), NOTE)
      const result = await run(root, [...SYNC, '--report', 'r.md'])
      expect(result.output).not.toMatch(STACK_TRACE)
      expect(result.code).toBe(0)
      expect(await readFile(path.join(root, 'locales/es', file), 'utf8')).toMatch(/title:/)
      // No temp file left behind in the target's folder.
      expect((await readdir(path.join(root, 'locales/es'))).sort()).toEqual([file, 'a.md'].sort())
      const lock = JSON.parse(await readFile(path.join(root, 'notes-l10n.lock'), 'utf8')) as {
        notes: Record<string, unknown>
      }
      expect(Object.keys(lock.notes)).toContain(`notes/${file}`)
    })
  }
})

describe('run from a subfolder, the symlink checks start from the project root found from the config', () => {
  const cases: Array<[string, string[]]> = [
    ['--report ../out/r.md', [...SYNC, '--report', '../out/r.md']],
    ['--report ../out/r.json', [...SYNC, '--report', '../out/r.json']],
    ['export -o ../out/x.po', ['export', '--locale', 'es', '--format', 'po', '--only', 'all', '-o', '../out/x.po']],
    ['diff --format json -o ../out/d.json', ['diff', '--locale', 'es', '--format', 'json', '-o', '../out/d.json']],
    ['diff --format html -o ../out/d.html', ['diff', '--locale', 'es', '--format', 'html', '-o', '../out/d.html']]
  ]
  for (const [name, args] of cases) {
    it(`${name} from notes/, with out a symlink to outside the project: refused`, async () => {
      const {root, outside} = await layout()
      await writeFile(path.join(root, 'notes-l10n.config.json'), JSON.stringify({locales: ['es']}))
      await symlink(outside, path.join(root, 'out'), 'dir')
      if (args[0] !== 'sync') expect((await run(root, SYNC)).code).toBe(0)
      const result = await run(path.join(root, 'notes'), args)
      expect(result.output).not.toMatch(STACK_TRACE)
      // Named from the project root: the working directory (notes/) is not where the checks start.
      expect(result.stderr).toMatch(/refusing to write out\/\w\.(md|json|po|html): its folder out is a symbolic link/)
      expect(result.code).toBe(2)
      expect(await readdir(outside)).toEqual([])
    })
  }

  it('from notes/, a real folder of the project and a folder named outside it are written', async () => {
    const {root, outside} = await layout()
    await writeFile(path.join(root, 'notes-l10n.config.json'), JSON.stringify({locales: ['es']}))
    const inside = await run(path.join(root, 'notes'), [...SYNC, '--report', '../reports/r.md'])
    expect(inside.code, inside.output).toBe(0)
    expect(await readFile(path.join(root, 'reports/r.md'), 'utf8')).toMatch(/a\.md/)
    const named = await run(path.join(root, 'notes'), [
      'export',
      '--locale',
      'es',
      '--format',
      'po',
      '--only',
      'all',
      '-o',
      '../../outside/x.po'
    ])
    expect(named.code, named.output).toBe(0)
    expect(await readFile(path.join(outside, 'x.po'), 'utf8')).toMatch(/msgid/)
  })
})
