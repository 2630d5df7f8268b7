/**
 * Through the CLI: a link to another note points at that note's translation in the same locale;
 * images, other files and notes without a translation keep pointing at the originals.
 */

import {afterEach, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
})

describe('links between notes', () => {
  it('map onto the translation in the same locale', async () => {
    project = await tempProject({
      'notes-l10n.config.json': JSON.stringify({locales: ['es'], sources: {exclude: ['notes/draft.md']}}),
      'notes/a.md':
        '# A\n\nSee [the other note](other.md#intro), [a draft](draft.md) and ![a chart](img/chart.png).\n\n[ref]: ./other.md\n',
      'notes/other.md': '# Other\n\nText.\n',
      'notes/draft.md': '# Draft\n\nNot translated.\n'
    })
    const {code, stderr} = await project.run(['sync', '--provider', 'pseudo'])
    expect(code, stderr).toBe(0)
    const written = await project.read('locales/es/a.md')
    expect(written).toContain('](other.md#intro)')
    expect(written).toContain('](../../notes/draft.md)')
    expect(written).toContain('](../../notes/img/chart.png)')
    expect(written).toContain('[ref]: other.md')

    // Read back as the source writes them: a hand edit elsewhere makes check and the next sync look
    // at every segment, and the mapped link is neither a finding nor a human edit.
    await project.write('locales/es/a.md', written.replace(/^# .*$/m, '# Una nota'))
    const check = await project.run(['check', '--format', 'json'])
    expect(check.stdout).not.toMatch(/"severity":\s*"error"/)
    expect(check.code, check.stdout + check.stderr).toBe(0)
    const again = await project.run(['sync', '--provider', 'pseudo', '--retranslate'])
    expect(again.code, again.stderr).toBe(0)
    const rewritten = await project.read('locales/es/a.md')
    expect(rewritten).toContain('# Una nota')
    expect(rewritten).not.toBe(written)
    expect(rewritten.replace('# Una nota', '')).not.toContain('notes/other.md')

    // A reviewer's round trip: the exported target holds the link as written; importing it back
    // unchanged is accepted and changes nothing.
    const exported = await project.run(['export', '--locale', 'es', '--format', 'po', '--only', 'all', '-o', 'es.po'])
    expect(exported.code, exported.stderr).toBe(0)
    expect(await project.read('es.po')).toContain('other.md#intro')
    const imported = await project.run(['import', 'es.po'])
    expect(imported.code, imported.stdout + imported.stderr).toBe(0)
    expect(imported.stdout + imported.stderr).not.toMatch(/reject/i)
    expect(await project.read('locales/es/a.md')).toBe(rewritten)
  })
})
