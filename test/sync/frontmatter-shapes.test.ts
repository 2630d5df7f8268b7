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

/** The front-matter between the fences (LF, CRLF or bare-CR fences), as YAML `version` reads it. */
const frontmatterAs = (text: string, version: '1.1' | '1.2') => {
  const match = /^---(?:\r\n?|\n)([\s\S]*?)(?:\r\n?|\n)---(?:\r\n?|\n|$)/.exec(text)
  expect(match, text).not.toBeNull()
  return parse(match![1]!.replace(/\r\n?/g, '\n'), {version}) as Record<string, unknown>
}

describe('front-matter shapes through the CLI', () => {
  it('flow-style front-matter: the target is valid YAML that YAML 1.1 and 1.2 readers both read as meant', async () => {
    project = await tempProject({
      'notes/a.md':
        '---\n{title: Hello world, draft: no, on: yes, y: n, empty: ~, tags: [a, b]}\n---\n\nSome prose here.\n'
    })
    const first = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(first.code, first.stdout + first.stderr).toBe(0)
    const target = await project.read('locales/es/a.md')
    for (const version of ['1.1', '1.2'] as const) {
      const data = frontmatterAs(target, version)
      // Strings stay strings for a YAML 1.1 reader too (Jekyll's Psych, PyYAML): `no` is not false,
      // the key `on` is not true.
      expect(data.draft, `${version}: ${target}`).toBe('no')
      expect(data.on, `${version}: ${target}`).toBe('yes')
      expect(data.y, `${version}: ${target}`).toBe('n')
      expect(data.empty).toBeNull()
      expect(data.tags).toEqual(['a', 'b'])
      expect(data.lang).toBe('es')
      expect(typeof data.title).toBe('string')
      expect(data.title).not.toBe('Hello world')
    }
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
    const again = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(again.code).toBe(0)
    expect(await project.read('locales/es/a.md')).toBe(target)
  })

  it('bare-CR (old Mac) notes sync with CR line endings kept, and check passes', async () => {
    project = await tempProject({
      'notes/a.md': '---\rtitle: Hello world\rtags: [a, b]\r---\r\rSome prose here.\r\r- item one\r- item two\r',
      'notes/b.md': '# A heading\r\rSome prose here.\r\r> A quote\r> on two lines.\r'
    })
    const first = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(first.code, first.stdout + first.stderr).toBe(0)
    for (const name of ['a', 'b']) {
      const target = await project.read(`locales/es/${name}.md`)
      expect(target, target).not.toMatch(/\n/)
      const data = frontmatterAs(target, '1.2')
      expect(data.lang).toBe('es')
      if (name === 'a') {
        expect(data.tags).toEqual(['a', 'b'])
        expect(data.title).not.toBe('Hello world')
      }
    }
    const check = await project.run(['check', '--locale', 'es'])
    expect(check.code, check.stdout + check.stderr).toBe(0)
    const again = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(again.stdout).toMatch(/0 written/)
  })

  it('a bare-CR note the parser cannot take is refused like its LF twin: one line naming the file, the line and the fix, no stack trace', async () => {
    project = await tempProject({
      'notes/deep-cr.md': `Intro.\r\r${'> '.repeat(150)}deep\r`,
      'notes/deep-lf.md': `Intro.\n\n${'> '.repeat(150)}deep\n`
    })
    const result = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    // A note that cannot be used is a problem of that note (exit 1, docs/cli.md), never our bug (3).
    expect(result.code, result.stdout + result.stderr).toBe(1)
    const output = result.stdout + result.stderr
    for (const file of ['deep-cr', 'deep-lf'])
      expect(output).toMatch(new RegExp(`notes/${file}\\.md: line 3 nests more than 100 [^\\n]*Flatten the nesting`))
    expect(output).not.toMatch(/\n\s+at /)
  })
})
