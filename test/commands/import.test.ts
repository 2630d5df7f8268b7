import {afterEach, describe, expect, it} from 'vitest'
import {exportReview} from '../../src/commands/export.js'
import {importReview} from '../../src/commands/import.js'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {Lockfile} from '../../src/state/lock.js'
import {NOTE, syncedProject} from '../review/note.js'
import {recording, type TempProject, tempProject} from '../support/project.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

const synced = syncedProject

/** A scripted reviewer: replaces the msgstr of one entry (found by its msgctxt) and clears fuzzy. */
function editPo(po: string, id: string, translation: string): string {
  const entries = po.split('\n\n')
  const index = entries.findIndex((entry) => entry.includes(`msgctxt "notes/a.md#${id}"`))
  if (index < 0) throw new Error(`no entry ${id}`)
  const entry = entries[index]!
  const head = entry.slice(0, entry.indexOf('\nmsgstr '))
  entries[index] = `${head.replace('#, fuzzy\n', '')}\nmsgstr ${JSON.stringify(translation)}`
  return entries.join('\n\n')
}

async function exported(p: TempProject, format: 'po' | 'xliff', only: 'all' | 'stale' = 'all') {
  const result = await exportReview({cwd: p.root, locales: ['es'], format, only})
  const byLine = (line: number, source?: RegExp) =>
    result.units.find((unit) => unit.line === line && (!source || source.test(unit.source)))!
  return {result, byLine}
}

describe('import', () => {
  it('export → edit 3 units → import: exactly those segments change, locked human, and the next sync keeps them', async () => {
    project = await synced()
    const before = await project.read('locales/es/a.md')
    const {result, byLine} = await exported(project, 'po')
    const heading = byLine(6)
    const link = byLine(8, /⟦2⟧/)
    const prose = byLine(12)
    let po = result.text
    po = editPo(po, heading.id, 'Primeros pasos')
    po = editPo(po, link.id, 'Ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧.')
    po = editPo(po, prose.id, 'El tercer párrafo menciona ⟦1⟧énfasis⟦/1⟧ y ⟦2⟧.')
    await project.write('review.po', po)

    const {code, stdout} = await project.run(['import', 'review.po'])
    expect(stdout).toContain('import review.po (po, es): 3 applied, 4 unchanged')
    expect(code).toBe(0)

    const after = await project.read('locales/es/a.md')
    expect(after).toContain('\n# Primeros pasos\n')
    // The link's title is a segment of its own: its translation stays inside the new paragraph.
    expect(after).toContain('\nEjecuta `npm ci` y lee [la guía](https://example.com/guide "Ĝúíđé ··").\n')
    expect(after).toContain('\nEl tercer párrafo menciona *énfasis* y `code`.\n')
    const changed = after.split('\n').filter((line, index) => line !== before.split('\n')[index])
    expect(changed).toHaveLength(3)

    const lock = (await Lockfile.load(project.root)).get('notes/a.md', 'es')!
    const human = lock.segments.filter((segment) => segment.human).map((segment) => segment.id)
    expect(human.sort()).toEqual([heading.id, link.id, prose.id].sort())

    const provider = recording(createPseudoProvider())
    const again = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: provider})
    expect(provider.jobs).toHaveLength(0)
    expect(again.notes[0]!.counts).toMatchObject({human: 3, reused: 4})
    expect(await project.read('locales/es/a.md')).toBe(after)
  })

  it('rejects a unit with a broken placeholder, naming its id and the reason, and applies the others', async () => {
    project = await synced()
    const {result, byLine} = await exported(project, 'po')
    const link = byLine(8, /⟦2⟧/)
    const last = byLine(14)
    let po = editPo(result.text, link.id, 'Ejecuta ⟦1⟧ y lee la guía⟦/2⟧.')
    po = editPo(po, last.id, 'El último párrafo.')
    await project.write('review.po', po)

    const {code, stdout} = await project.run(['import', 'review.po'])
    expect(code).toBe(1)
    expect(stdout).toMatch(new RegExp(`notes/a\\.md:8: ${link.id}: rejected: Q1: .*⟦2⟧`))
    expect(stdout).toContain('1 applied, 5 unchanged, 1 rejected')
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('\nEl último párrafo.\n')
    expect(after).toContain('Ŕúñ `npm ci` àñđ ŕéàđ [ţĥé ĝúíđé ')
  })

  it('rejects a unit whose source segment changed since the export', async () => {
    project = await synced()
    const {result, byLine} = await exported(project, 'po')
    const second = byLine(10)
    await project.write('review.po', editPo(result.text, second.id, 'El segundo párrafo.'))
    await project.write('notes/a.md', NOTE.replace('plain prose about models', 'plain prose about large models'))
    const outcome = await importReview({cwd: project.root, file: 'review.po', env: {}})
    expect(outcome.units.find((unit) => unit.id === second.id)).toMatchObject({
      state: 'rejected',
      reason: `source changed since export: segment ${second.id} is no longer in notes/a.md; re-export and review it again`
    })
  })

  it('skips an unedited fuzzy unit; a note left with untranslated segments is not written, and --dry-run says why', async () => {
    project = await synced()
    await project.write(
      'notes/a.md',
      NOTE.replace('plain prose about models', 'plain prose about large models').replace(
        'The last paragraph.',
        'The final paragraph.'
      )
    )
    const {result, byLine} = await exported(project, 'po', 'stale')
    expect(result.units).toHaveLength(2)
    const po = editPo(result.text, byLine(10).id, 'El segundo párrafo trata de modelos grandes.')
    await project.write('review.po', po)

    const dry = await importReview({cwd: project.root, file: 'review.po', env: {}, dryRun: true})
    expect(dry.units.map((unit) => unit.state)).toEqual(['rejected', 'skipped'])
    expect(dry.units[0]!.reason).toContain('still has 1 segment with no translation')
    expect(await project.read('locales/es/a.md')).not.toContain('modelos grandes')
  })

  it('imports a scripted XLIFF edit back', async () => {
    project = await synced()
    const {result, byLine} = await exported(project, 'xliff')
    const prose = byLine(10)
    const xml = result.text.replace(
      /(<unit id="[^"]+" name="([^"]+)">[\s\S]*?<target xml:space="preserve">)([^<]*)(<\/target>)/g,
      (whole, open: string, name: string, _text: string, close: string) =>
        name === prose.id ? `${open}El segundo párrafo, revisado.${close}` : whole
    )
    await project.write('review.xlf', xml)
    const {code, stdout} = await project.run(['import', 'review.xlf'])
    expect(stdout).toContain('(xliff, es): 1 applied, 6 unchanged')
    expect(code).toBe(0)
    expect(await project.read('locales/es/a.md')).toContain('\nEl segundo párrafo, revisado.\n')
  })

  it('keeps a nested title with its paragraph, and applies a title imported alone with its paragraph', async () => {
    project = await tempProject({
      'notes/a.md': '# Pictures\n\nSee ![a small diagram](img/d.png "The diagram") for details.\n'
    })
    await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
    const {result} = await exported(project, 'po')
    const paragraph = result.units.find((unit) => unit.source.startsWith('See '))!
    const title = result.units.find((unit) => unit.source === 'The diagram')!
    // Found in the target although its title is translated and its destination rebased.
    expect(paragraph.target).toMatch(/^Šéé ⟦1⟧à šɱàĺĺ đíàĝŕàɱ⟦\/1⟧ ƒóŕ đéţàíĺš ·+\.$/)

    await project.write(
      'review.po',
      editPo(result.text, paragraph.id, 'Mira ⟦1⟧un diagrama pequeño⟦/1⟧ para más detalles.')
    )
    expect((await project.run(['import', 'review.po'])).code).toBe(0)
    expect(await project.read('locales/es/a.md')).toMatch(
      /\nMira !\[un diagrama pequeño\]\(\.\.\/\.\.\/notes\/img\/d\.png "Ţĥé đíàĝŕàɱ ·+"\) para más detalles\.\n/
    )

    const again = await exported(project, 'po')
    await project.write('review.po', editPo(again.result.text, title.id, 'El diagrama'))
    const {code, stdout} = await project.run(['import', 'review.po'])
    expect(stdout).toContain('1 applied')
    expect(code).toBe(0)
    expect(await project.read('locales/es/a.md')).toContain(
      '\nMira ![un diagrama pequeño](../../notes/img/d.png "El diagrama") para más detalles.\n'
    )
  })
})
