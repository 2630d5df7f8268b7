import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/config/load.js'
import {blogConfig, makeProject} from './project.js'

describe('loadConfig', () => {
  it('finds the config in a parent folder; its folder is the root', async () => {
    const root = await makeProject({'notes-l10n.config.json': JSON.stringify(blogConfig), 'notes/sub/x.md': '# x\n'})
    const config = await loadConfig({cwd: path.join(root, 'notes/sub')})
    expect(config.root).toBe(root)
    expect(config.file).toBe(path.join(root, 'notes-l10n.config.json'))
    expect(config.output).toBe('_posts/{locale}/{date}-{slug}-{locale}.md')
  })

  it('stops looking at the repository root (.git)', async () => {
    const root = await makeProject({'notes-l10n.config.json': JSON.stringify(blogConfig), 'repo/.git/HEAD': 'ref: x\n'})
    await mkdir(path.join(root, 'repo/notes'), {recursive: true})
    const config = await loadConfig({cwd: path.join(root, 'repo/notes')})
    expect(config.file).toBeUndefined()
    expect(config.root).toBe(path.join(root, 'repo/notes'))
  })

  it('takes --config relative to cwd, and roots the project at its folder', async () => {
    const root = await makeProject({'conf/l10n.json': JSON.stringify({locales: ['es']})})
    const config = await loadConfig({cwd: root, configPath: 'conf/l10n.json'})
    expect(config.root).toBe(path.join(root, 'conf'))
    expect(config.locales).toEqual([{tag: 'es', path: 'es'}])
  })

  it('refuses a missing --config file, naming it', async () => {
    const root = await makeProject({})
    await expect(loadConfig({cwd: root, configPath: 'nope.json'})).rejects.toThrow(/--config nope\.json: no such file/)
  })

  it('refuses JSON with comments, naming the file and the $comment convention', async () => {
    const root = await makeProject({})
    await writeFile(path.join(root, 'notes-l10n.config.json'), '{\n  // locales\n  "locales": ["es"]\n}\n')
    await expect(loadConfig({cwd: root})).rejects.toThrow(/notes-l10n\.config\.json: not valid JSON .*"\$comment"/)
  })

  it('reports schema problems with the file name', async () => {
    const root = await makeProject({'notes-l10n.config.json': JSON.stringify({locales: 'es', links: {rebase: 1}})})
    await expect(loadConfig({cwd: root})).rejects.toThrow(
      /notes-l10n\.config\.json: 2 problems[\s\S]*locales: received "es", expected a list[\s\S]*links\.rebase: received 1/
    )
  })
})
