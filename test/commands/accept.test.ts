import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {NOTE} from '../review/note.js'
import {type TempProject, tempProject} from '../support/project.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

const pseudoSync = (p: TempProject) =>
  sync({cwd: p.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})

/** Synced; the last paragraph translated by hand and synced (recorded as human); then its source edited. */
async function needsReview(): Promise<TempProject> {
  const p = await tempProject({'notes/a.md': NOTE})
  await pseudoSync(p)
  const target = await p.read('locales/es/a.md')
  const lastLine = target.trimEnd().split('\n').at(-1)!
  await p.write('locales/es/a.md', target.replace(lastLine, 'Último párrafo, a mano.'))
  await pseudoSync(p)
  await p.write('notes/a.md', NOTE.replace('The last paragraph.', 'The final paragraph.'))
  const result = await pseudoSync(p)
  expect(result.notes[0]!.counts['needs-review']).toBe(1)
  return p
}

describe('accept', () => {
  it('turns a needs-review check (exit 1) green (exit 0) without changing the translation bytes', async () => {
    project = await needsReview()
    const before = await readFile(path.join(project.root, 'locales/es/a.md'))
    const red = await project.run(['check', '--locale', 'es'])
    expect(red.code).toBe(1)
    expect(red.stdout).toContain('needs-review')
    expect(red.stdout).toContain('notes-l10n accept notes/a.md --locale es')
    expect((await project.run(['diff', '--locale', 'es'])).stdout).toMatch(
      /needs-review[\s\S]*still right\? notes-l10n accept notes\/a\.md --locale es/
    )

    const accepted = await project.run(['accept', 'notes/a.md', '--locale', 'es'])
    expect(accepted.stderr).toBe('')
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toMatch(/^notes\/a\.md:14 {2}es .*accepted/m)
    expect(accepted.stdout).toContain('accept: 1 segment accepted as reviewed')

    const green = await project.run(['check', '--locale', 'es'])
    expect(green.stdout).not.toContain('needs-review')
    expect(green.code).toBe(0)
    expect(Buffer.compare(await readFile(path.join(project.root, 'locales/es/a.md')), before)).toBe(0)

    // The next sync keeps the reviewed translation, sends nothing and rewrites nothing.
    const again = await pseudoSync(project)
    expect(again.notes[0]!.counts['needs-review']).toBe(0)
    expect(Buffer.compare(await readFile(path.join(project.root, 'locales/es/a.md')), before)).toBe(0)
    // diff has nothing left to show.
    expect((await project.run(['diff', '--locale', 'es'])).stdout).toContain('nothing to do')
  })

  it('--all accepts everywhere; with neither paths nor --all it is a usage error (exit 2); nothing to accept is fine', async () => {
    project = await needsReview()
    const refused = await project.run(['accept', '--locale', 'es'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--all')
    const all = await project.run(['accept', '--all', '--json'])
    expect(all.code).toBe(0)
    expect(JSON.parse(all.stdout).accepted).toEqual([
      expect.objectContaining({note: 'notes/a.md', locale: 'es', line: 14})
    ])
    const none = await project.run(['accept', '--all'])
    expect(none.code).toBe(0)
    expect(none.stdout).toContain('no segment needs review')
  })
})
