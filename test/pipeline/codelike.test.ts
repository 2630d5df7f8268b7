/**
 * Code written as prose (docs/rules.md, Q29): obvious leftovers of a broken fence are recognised,
 * prose that mentions code never is; through `sync`, the code is copied as it is, never sent, and
 * reported with file:line.
 */

import {afterEach, describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {looksLikeCode} from '../../src/pipeline/codelike.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {recording, type TempProject, tempProject} from '../support/project.js'
import {analyse} from './harness.js'

function paragraphs(markdown: string): boolean[] {
  return analyse(markdown)
    .segments.filter((segment) => segment.kind === 'paragraph')
    .map((segment) => looksLikeCode(segment))
}

describe('looksLikeCode', () => {
  it.each([
    'foo.bar(x); // comment',
    'const total = items.reduce((sum, item) => sum + item.price, 0);',
    'app.listen(3000);\nconsole.log(server.address());',
    'if (ready) {\n  start();\n}',
    '// set up the client\nclient.connect(options);',
    'return new Promise((resolve) => setTimeout(resolve, 10));'
  ])('code: %j', (markdown) => {
    expect(paragraphs(markdown)).toEqual([true])
  })

  it.each([
    'Call `foo.bar(x);` to start.',
    'Call foo.bar(x); then go on with the rest of the setup.',
    'To start, call init();',
    'Use a semicolon; it ends the statement;',
    'See the docs (for example foo.bar()).',
    'Set x = 1 and y = 2 before you run the script.',
    'The function returns {} when nothing matches;',
    'foo.bar(x); // comment\nThis line explains what the call above does.',
    'Plain prose without any code at all.',
    'Run `npm ci`, then `npm test`.'
  ])('prose: %j', (markdown) => {
    expect(paragraphs(markdown)).toEqual([false])
  })

  it('only paragraphs: a heading or a table cell that looks like code is left to the translator', () => {
    const note = analyse('# foo.bar(x);\n\n| a |\n| - |\n| foo.bar(x); |\n')
    expect(note.segments.map((segment) => looksLikeCode(segment))).toEqual(note.segments.map(() => false))
  })
})

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

describe('sync with code written as prose', () => {
  const note =
    '# Setup\n\nStart the server like this:\n\nfoo.bar(x); // comment\nserver.listen(8080);\n\nCall foo.bar(x); then go on with the rest.\n'

  it('copies the code as it is, sends only the prose, and reports Q29 with file:line', async () => {
    project = await tempProject({'notes/a.md': note})
    const provider = recording(createPseudoProvider())
    const result = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: provider})
    const sent = provider.jobs.flatMap((job) => job.segments.map((segment) => segment.text))
    expect(sent).toHaveLength(3)
    expect(sent.some((text) => text.includes('server.listen'))).toBe(false)
    expect(sent).toContain('Call foo.bar(x); then go on with the rest.')
    expect(result.notes[0]!.findings).toEqual([
      expect.objectContaining({
        rule: 'Q29',
        severity: 'warning',
        line: 5,
        message: expect.stringContaining('foo.bar(x); // comment')
      })
    ])
    const out = await project.read('locales/es/a.md')
    expect(out).toContain('\n\nfoo.bar(x); // comment\nserver.listen(8080);\n\n')
    expect(out).not.toContain('Call foo.bar(x); then go on with the rest.')
  })

  it('a second run pays for nothing, and check finds the copied code up to date', async () => {
    project = await tempProject({'notes/a.md': note})
    await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: recording(createPseudoProvider())})
    const before = await project.read('locales/es/a.md')
    const provider = recording(createPseudoProvider())
    const again = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: provider})
    expect(provider.jobs).toHaveLength(0)
    expect(again.notes[0]!.status).toBe('unchanged')
    expect(await project.read('locales/es/a.md')).toBe(before)
    const check = await project.run(['check', '--locale', 'es'])
    expect(check.stdout + check.stderr).not.toMatch(/Q12|stale|hand-edited/)
    expect(check.code).toBe(0)
  })

  it('prints the warning through the CLI as note:line', async () => {
    project = await tempProject({'notes/a.md': note})
    const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(code).toBe(0)
    expect(`${stdout}${stderr}`).toMatch(/notes\/a\.md:5\b.*Q29/)
  })
})
