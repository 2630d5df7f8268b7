/**
 * `.mdx` sources through the real CLI: ESM, JSX tags and attributes and `{expressions}` come out
 * byte for byte; prose inside JSX elements and the configured prose attributes are translated.
 */
import {afterEach, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'

const page = `---
title: Getting started
---
import Tabs from '@theme/Tabs'
export const meta = {version: 2}

# Install {meta.version}

Run it with <Badge color="red">great **care** today</Badge> and {1 + 1} coffees.

<Callout type="warning" title="Be careful">
  The **installer** changes your shell.

  - it edits your profile
</Callout>

<img src="/diagram.png" alt="A diagram of the pipeline" />

{/* a comment the reader never sees */}

<Tabs>
  <TabItem value="npm" label="npm">
    Use the package manager.
  </TabItem>
</Tabs>

:::tip[Remember this]

Keep the ratio at 3:2 while you **work**.

:::
`

/** Lines of `page` that hold no prose: they must be in the translation exactly. */
const kept = [
  "import Tabs from '@theme/Tabs'",
  'export const meta = {version: 2}',
  '{/* a comment the reader never sees */}',
  '<Tabs>',
  '  <TabItem value="npm" label="npm">',
  '  </TabItem>',
  '</Tabs>',
  '</Callout>',
  ':::'
]

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

describe('MDX sources', () => {
  it('are picked up by the default include, translated around their JSX, and in sync afterwards', async () => {
    project = await tempProject({'notes/start.mdx': page})
    const first = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const written = await project.read('locales/es/start.mdx')
    const lines = written.split('\n')
    for (const line of kept) expect(lines).toContain(line)
    expect(written).toMatch(/^# .* \{meta\.version\}$/m)
    expect(written).toMatch(/<Badge color="red">(?!great)[^<]*\*\*(?!care)[^*]+\*\*[^<]*<\/Badge> .* \{1 \+ 1\} /)
    expect(written).toMatch(/<Callout type="warning" title="(?!Be careful)[^"]+">/)
    expect(written).toMatch(/<img src="\/diagram\.png" alt="(?!A diagram)[^"]+" \/>/)
    expect(written).not.toMatch(/The \*\*installer\*\*|Use the package manager|it edits your profile/)
    // A Docusaurus admonition: its name and markers kept, its title and body translated, and a
    // colon that remark-directive reads as a text directive kept as written.
    expect(written).toMatch(/^:::tip\[(?!Remember this)[^\]]+\]$/m)
    expect(written).toMatch(/^(?!Keep the ratio).* 3:2 .*\*\*[^*]+\*\*/m)

    const second = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(second.stdout).toMatch(/0 written, 1 up to date, 0 segments translated/)
    expect(await project.run(['check', '--locale', 'es'])).toMatchObject({code: 0})
  })

  it('keeps attributes as written when mdx.attributes does not name them', async () => {
    project = await tempProject({
      'notes/start.mdx': page,
      'notes-l10n.config.json': JSON.stringify({mdx: {attributes: []}})
    })
    expect((await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    const written = await project.read('locales/es/start.mdx')
    expect(written).toContain('<Callout type="warning" title="Be careful">')
    expect(written).toContain('alt="A diagram of the pipeline"')
  })

  it('reports an MDX syntax error in one line naming the file, and writes nothing for it', async () => {
    project = await tempProject({
      'notes/bad.mdx': '# Title\n\n<Callout>\n\nnever closed\n',
      'notes/good.md': '# Fine\n'
    })
    const result = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(result.code).not.toBe(0)
    expect(result.code).not.toBe(3)
    expect(result.stdout + result.stderr).toMatch(/notes\/bad\.mdx.*MDX syntax error/)
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
    await expect(project.read('locales/es/bad.mdx')).rejects.toThrow(/ENOENT/)
    expect(await project.read('locales/es/good.md')).toMatch(/^# (?!Fine)/m)
  })

  it('a .md file is still Markdown: JSX-looking text in it is HTML, not MDX', async () => {
    project = await tempProject({'notes/a.md': 'A {brace} and <span>html</span> text.\n'})
    expect((await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    expect(await project.read('locales/es/a.md')).toMatch(/<span>[^<]*<\/span>/)
  })
})
