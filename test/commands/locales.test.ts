/**
 * Locale codes through the real CLI: typos are refused before anything is read or paid for,
 * folders keep the repository's spelling, and status tells untracked translations from missing.
 */
import {readdir, rm} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'

const note = '---\ntitle: First\n---\n\n# First\n\nA paragraph of prose.\n'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

async function tree(root: string, folder = ''): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(path.join(root, folder), {withFileTypes: true})) {
    const relative = folder ? `${folder}/${entry.name}` : entry.name
    found.push(relative)
    if (entry.isDirectory()) found.push(...(await tree(root, relative)))
  }
  return found.sort()
}

describe('--locale validation', () => {
  it.each([
    ['sp', 'es'],
    ['es_ES', 'es-ES'],
    ['jp', 'ja']
  ])('--locale %s exits 2 with "did you mean %s" and writes nothing', async (typo, meant) => {
    project = await tempProject({'notes/a.md': note})
    const before = await tree(project.root)
    const result = await project.run(['sync', '--locale', typo, '--provider', 'pseudo'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`did you mean "${meant}"?`)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(await tree(project.root)).toEqual(before)
  })

  it('a code the config declares is accepted even when CLDR does not know it', async () => {
    project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': JSON.stringify({locales: ['sp']})})
    const result = await project.run(['sync', '--locale', 'sp', '--provider', 'pseudo'])
    expect(result.code).toBe(0)
    expect(await project.read('locales/sp/a.md')).toMatch(/^lang: sp$/m)
  })
})

describe('locales recorded in the lock', () => {
  it('are not refused later: a lock made with a declared code still checks once the config is gone', async () => {
    project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': JSON.stringify({locales: ['sp']})})
    expect((await project.run(['sync', '--provider', 'pseudo'])).code).toBe(0)
    await rm(path.join(project.root, 'notes-l10n.config.json'))
    const check = await project.run(['check'])
    expect(check.stderr).toBe('')
    expect(check.code).toBe(0)
    // Asked for by name, it is a typo again.
    expect((await project.run(['check', '--locale', 'sp'])).code).toBe(2)
  })
})

describe('locale folders as the repository spells them', () => {
  it('--locale zh-cn writes into the existing zh-cn/ folder, keeping the zh-CN tag for the lock', async () => {
    project = await tempProject({
      'notes/a.md': note,
      'notes/b.md': note.replace(/First/g, 'Second'),
      'locales/zh-cn/README.txt': 'translations\n'
    })
    const result = await project.run(['sync', '--locale', 'zh-cn', '--provider', 'pseudo'])
    expect(result.code).toBe(0)
    const files = await tree(project.root)
    expect(files).toContain('locales/zh-cn/a.md')
    expect(files).not.toContain('locales/zh-CN')
    expect(await project.read('notes-l10n.lock')).toContain('zh-CN')

    // The tag finds the same folder, and so does a run with no --locale at all (from the lock).
    const again = await project.run(['sync', '--locale', 'zh-CN', '--provider', 'pseudo'])
    expect(again.stdout).toMatch(/0 written, 2 up to date/)
    expect((await project.run(['check'])).code).toBe(0)
    expect(await tree(project.root)).not.toContain('locales/zh-CN')
  })

  it('a tag typed in another case with no folder yet keeps the spelling typed', async () => {
    project = await tempProject({'notes/a.md': note})
    expect((await project.run(['sync', '--locale', 'pt-br', '--provider', 'pseudo'])).code).toBe(0)
    expect(await tree(project.root)).toContain('locales/pt-br/a.md')
  })
})

describe('status', () => {
  it('reports an existing translation the lock does not know as untracked, not missing', async () => {
    project = await tempProject({
      'notes/a.md': note,
      'notes/b.md': note.replace(/First/g, 'Second'),
      'locales/es/a.md': '---\ntitle: Primero\n---\n\n# Primero\n\nUn párrafo.\n'
    })
    const json = await project.run(['status', '--locale', 'es', '--json'])
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({locale: 'es', notes: 2, missing: 1, untracked: 1})
    ])
    const text = await project.run(['status', '--locale', 'es'])
    expect(text.stdout).toMatch(/missing\s+untracked/)
    expect(text.stdout).toMatch(/^es\s+2\s+1\s+1\s/m)
  })
})
