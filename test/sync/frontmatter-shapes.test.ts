/** Front-matter shapes `sync` must carry to valid YAML: flow style (`{title: x}`). */
import {afterEach, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {type TempProject, tempProject} from '../support/project.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

const frontmatterOf = (text: string) => {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text.replace(/\r(?!\n)/g, '\n'))
  expect(match, text).not.toBeNull()
  return parse(match![1]!) as Record<string, unknown>
}

describe('front-matter shapes', () => {
  it('flow-style front-matter syncs to valid YAML with the locale set and the title translated', async () => {
    project = await tempProject({'notes/a.md': '---\n{title: Hello world, tags: [a, b]}\n---\n\nSome prose here.\n'})
    const result = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
    expect(result.problems).toEqual([])
    expect(result.notes.map((note) => note.status)).toEqual(['written'])
    const data = frontmatterOf(await project.read(result.notes[0]!.output))
    expect(data.tags).toEqual(['a', 'b'])
    expect(typeof data.title).toBe('string')
    expect(data.title).not.toBe('Hello world')
    expect(Object.values(data)).toContain('es')
    // A second run finds it current: the lock recognises its own output.
    const again = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
    expect(again.notes.map((note) => note.status)).toEqual(['unchanged'])
  })
})
