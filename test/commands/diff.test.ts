import {spawnSync} from 'node:child_process'
import {afterEach, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import type {DiffResult} from '../../src/commands/diff.js'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {NOTE} from '../review/note.js'
import {type TempProject, tempProject} from '../support/project.js'

const EDITED = NOTE.replace('plain prose about models', 'plain prose about large models')

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

function git(p: TempProject, ...args: string[]): string {
  const result = spawnSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {cwd: p.root, encoding: 'utf8'}
  )
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

async function pseudoSync(p: TempProject): Promise<void> {
  await sync({cwd: p.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
}

/** Synced, committed, then one paragraph of the source edited. */
async function editedInRepo(): Promise<TempProject> {
  const p = await tempProject({'notes/a.md': NOTE})
  await pseudoSync(p)
  git(p, 'init', '-q')
  git(p, 'add', '.')
  git(p, 'commit', '-qm', 'notes and translations')
  await p.write('notes/a.md', EDITED)
  return p
}

async function json(p: TempProject, ...args: string[]): Promise<DiffResult> {
  const {code, stdout, stderr} = await p.run(['diff', '--locale', 'es', '--format', 'json', ...args])
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return JSON.parse(stdout) as DiffResult
}

describe('diff (what the next sync would change)', () => {
  it('one changed source paragraph is exactly one changed segment, with its old source from git HEAD (JSON)', async () => {
    project = await editedInRepo()
    const result = await json(project)
    expect(result.version).toBe(1)
    expect(result.base).toBeNull()
    expect(result.entries).toHaveLength(1)
    expect(result.entries[0]).toMatchObject({
      note: 'notes/a.md',
      locale: 'es',
      output: 'locales/es/a.md',
      line: 10,
      state: 'changed',
      oldSource: 'The second paragraph is plain prose about models.',
      newSource: 'The second paragraph is plain prose about large models.'
    })
    expect(result.entries[0]!.oldTranslation).toMatch(/^Ţĥé šéçóñđ/)
    expect(result.entries[0]!.newTranslation).toBeUndefined()
    // The documented key order, so the JSON diffs cleanly between runs.
    expect(Object.keys(result.entries[0]!)).toEqual([
      'note',
      'locale',
      'output',
      'id',
      'line',
      'state',
      'oldSource',
      'newSource',
      'oldTranslation'
    ])
  })

  it('one changed source paragraph is exactly one changed segment, words marked [-…-]{+…+} (text)', async () => {
    project = await editedInRepo()
    const {code, stdout} = await project.run(['diff', '--locale', 'es'])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('notes/a.md → locales/es/a.md (es)')
    expect(lines[1]).toMatch(/^ {2}notes\/a\.md:10 {2}changed {2}\S+$/)
    expect(lines[2]).toBe('    source       The second paragraph is plain prose about {+large +}models.')
    expect(lines[3]).toMatch(/^ {4}es {11}Ţĥé šéçóñđ .* → \(translated by the next sync\)$/)
    expect(lines[4]).toBe('diff: 1 changed')
    expect(lines).toHaveLength(5)
  })

  it('colours word changes on a terminal, and NO_COLOR turns colour off', async () => {
    project = await editedInRepo()
    const run = async (env: Record<string, string>) => {
      let stdout = ''
      await main(['diff', '--locale', 'es'], {
        cwd: project!.root,
        env: {PATH: process.env.PATH, ...env},
        stdout: (text) => (stdout += text),
        stderr: () => {},
        isTTY: true
      })
      return stdout
    }
    const coloured = await run({})
    expect(coloured).toContain('about \u001B[32mlarge \u001B[39mmodels.')
    expect(coloured).not.toContain('{+')
    const plain = await run({NO_COLOR: '1'})
    expect(plain).not.toContain('\u001B[')
    expect(plain).toContain('{+large +}')
  })

  it('outside a git repository the change is still shown, without the old source', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    await pseudoSync(project)
    await project.write('notes/a.md', EDITED)
    const result = await json(project)
    expect(result.entries.map((entry) => [entry.state, entry.line, entry.oldSource])).toEqual([
      ['changed', 10, undefined]
    ])
  })

  it('shows a hand edit of the target as human-edited, with the committed translation before it', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    await pseudoSync(project)
    git(project, 'init', '-q')
    git(project, 'add', '.')
    git(project, 'commit', '-qm', 'first')
    const target = await project.read('locales/es/a.md')
    await project.write('locales/es/a.md', target.replace(/Ţĥé ĺàšţ ƥàŕàĝŕàƥĥ ·+\./, 'El último párrafo.'))
    const result = await json(project)
    expect(result.entries).toHaveLength(1)
    expect(result.entries[0]).toMatchObject({state: 'human-edited', line: 14, newTranslation: 'El último párrafo.'})
    expect(result.entries[0]!.oldTranslation).toMatch(/^Ţĥé ĺàšţ/)
  })

  it('a missing translation is one "new translation" entry; nothing to do says so', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    const {stdout} = await project.run(['diff', '--locale', 'es'])
    expect(stdout).toContain('  notes/a.md:1  new translation  *\n')
    await pseudoSync(project)
    expect((await project.run(['diff', '--locale', 'es'])).stdout).toBe(
      'diff: nothing to do — every translation is current\n'
    )
  })
})

describe('diff --base (a git revision against the working tree)', () => {
  it('follows a real history: commit, sync, commit, edit and sync again', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    git(project, 'init', '-q')
    git(project, 'add', '.')
    git(project, 'commit', '-qm', 'the note')
    await pseudoSync(project)
    git(project, 'add', '.')
    git(project, 'commit', '-qm', 'translated')
    await project.write('notes/a.md', EDITED)
    await pseudoSync(project)

    const sinceSync = await json(project, '--base', 'HEAD')
    expect(sinceSync.base).toBe('HEAD')
    expect(sinceSync.entries).toHaveLength(1)
    const [entry] = sinceSync.entries
    expect(entry).toMatchObject({
      state: 'changed',
      line: 10,
      oldSource: 'The second paragraph is plain prose about models.',
      newSource: 'The second paragraph is plain prose about large models.'
    })
    expect(entry!.oldTranslation).toMatch(/ɱóđéĺš ·+\.$/)
    expect(entry!.newTranslation).toMatch(/ĺàŕĝé ɱóđéĺš ·+\.$/)

    // Before the first sync there was no translation: every segment is new, the edited one too.
    const sinceNote = await json(project, '--base', 'HEAD~1')
    expect(sinceNote.entries.map((candidate) => candidate.state)).toEqual([
      'new',
      'new',
      'new',
      'new',
      'changed',
      'new',
      'new'
    ])

    const text = (await project.run(['diff', '--locale', 'es', '--base', 'HEAD'])).stdout
    expect(text).toContain('    source       The second paragraph is plain prose about {+large +}models.\n')
    expect(text).toMatch(/ {4}es {11}.*\{\+ĺàŕĝé \+\}ɱóđéĺš /)
    expect(text.trimEnd().split('\n').pop()).toBe('diff HEAD..working tree: 1 changed')
  })

  it('refuses a revision that does not exist, and a folder that is not a repository, in one line', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    await pseudoSync(project)
    const outside = await project.run(['diff', '--locale', 'es', '--base', 'HEAD'])
    expect(outside.code).toBe(2)
    expect(outside.stderr).toMatch(/--base HEAD: .* is not inside a git repository/)
    git(project, 'init', '-q')
    git(project, 'add', '.')
    git(project, 'commit', '-qm', 'first')
    const unknown = await project.run(['diff', '--locale', 'es', '--base', 'nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/--base nope: no such revision/)
  })
})
