import {spawnSync} from 'node:child_process'
import {afterEach, describe, expect, it} from 'vitest'
import xliff2js from 'xliff/xliff2js'
import {exportReview} from '../../src/commands/export.js'
import {fromPo} from '../../src/review/po.js'
import {fromXliff} from '../../src/review/xliff.js'
import {NOTE, syncedProject} from '../review/note.js'
import {type TempProject, tempProject} from '../support/project.js'

const hasMsgfmt = spawnSync('msgfmt', ['--version']).status === 0

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
  project = undefined
})

const synced = syncedProject

describe('export', () => {
  it('--only all: one unit per segment, with the existing translation in the source placeholders', async () => {
    project = await synced()
    const result = await exportReview({cwd: project.root, locales: ['es'], format: 'xliff', only: 'all'})
    expect(result.units.map((unit) => unit.line)).toEqual([2, 6, 8, 8, 10, 12, 14])
    const first = result.units.find((unit) => unit.line === 8)!
    expect(first.source).toBe('Run ⟦1⟧ and read ⟦2⟧the guide⟦/2⟧.')
    expect(first.target).toMatch(/^Ŕúñ ⟦1⟧ àñđ ŕéàđ ⟦2⟧ţĥé ĝúíđé ·+⟦\/2⟧\.$/)
    expect(result.units.every((unit) => unit.state === 'translated' && unit.target !== undefined)).toBe(true)
  })

  it('--only stale (default): nothing when every translation is current; the changed segment with its previous source from git', async () => {
    project = await synced()
    expect((await exportReview({cwd: project.root, locales: ['es'], format: 'po'})).units).toEqual([])
    const git = (...args: string[]) => spawnSync('git', args, {cwd: project!.root, encoding: 'utf8'})
    git('init', '-q')
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.')
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'first')
    await project.write('notes/a.md', NOTE.replace('plain prose about models', 'plain prose about large models'))
    const result = await exportReview({cwd: project.root, locales: ['es'], format: 'po'})
    expect(result.units).toHaveLength(1)
    expect(result.units[0]).toMatchObject({
      line: 10,
      state: 'stale',
      source: 'The second paragraph is plain prose about large models.',
      previousSource: 'The second paragraph is plain prose about models.'
    })
    expect(result.units[0]!.target).toMatch(/^Ţĥé šéçóñđ/)
    expect(result.text).toContain('#| msgid "The second paragraph is plain prose about models."\n')
    expect(result.text).toContain('#, fuzzy\n')
  })

  it('a missing target exports every segment as new, without targets', async () => {
    project = await tempProject({'notes/a.md': NOTE})
    const result = await exportReview({cwd: project.root, locales: ['es'], format: 'po'})
    expect(result.units).toHaveLength(7)
    expect(result.units.every((unit) => unit.state === 'new' && unit.target === undefined)).toBe(true)
  })

  it('a translation that lost a placeholder by hand is exported without a target, with a comment', async () => {
    project = await synced()
    const target = await project.read('locales/es/a.md')
    await project.write('locales/es/a.md', target.replace(/Ŕúñ `npm ci`/, 'Ŕúñ npm ci'))
    const result = await exportReview({cwd: project.root, locales: ['es'], format: 'xliff', only: 'all'})
    const unit = result.units.find((candidate) => candidate.line === 8)!
    expect(unit.target).toBeUndefined()
    expect(unit.comment).toContain(
      'could not be shown with this segment\'s placeholders (the translation does not contain ⟦1⟧ ("`npm ci`"))'
    )
  })

  it('asks for exactly one locale', async () => {
    project = await synced()
    await expect(exportReview({cwd: project.root, locales: ['es', 'fr'], format: 'po'})).rejects.toThrow(
      /expected exactly one target locale/
    )
  })

  it.skipIf(!hasMsgfmt)(
    'the exported PO passes msgfmt --check and msgcat leaves it unchanged (skipped when GNU gettext is not installed)',
    async () => {
      project = await synced()
      const {code} = await project.run([
        'export',
        '--locale',
        'es',
        '--format',
        'po',
        '--only',
        'all',
        '-o',
        'review.po'
      ])
      expect(code).toBe(0)
      const check = spawnSync('msgfmt', ['--check', '-o', '/dev/null', 'review.po'], {
        cwd: project.root,
        encoding: 'utf8'
      })
      expect(check.stderr).toBe('')
      expect(check.status).toBe(0)
      const po = await project.read('review.po')
      // msgcat rewrites a file in gettext's canonical layout: ours already is.
      expect(spawnSync('msgcat', ['review.po'], {cwd: project.root, encoding: 'utf8'}).stdout).toBe(po)
      expect(fromPo(po, 'review.po').units).toHaveLength(7)
    }
  )

  it('the CLI writes l10n-<locale>.xlf by default, and the xliff package parses it', async () => {
    project = await synced()
    const {code, stdout} = await project.run(['export', '--locale', 'es', '--only', 'all'])
    expect(code).toBe(0)
    expect(stdout).toBe('export: 7 units from 1 note (es, --only all) → l10n-es.xlf\n')
    const xml = await project.read('l10n-es.xlf')
    const parsed = (await xliff2js(xml)) as {
      sourceLanguage: string
      targetLanguage: string
      resources: Record<string, Record<string, unknown>>
    }
    expect(parsed.sourceLanguage).toBe('en')
    expect(parsed.targetLanguage).toBe('es')
    expect(Object.values(parsed.resources).map((units) => Object.keys(units).length)).toEqual([7])
    expect(fromXliff(xml, 'l10n-es.xlf').units.every((unit) => unit.target !== undefined)).toBe(true)
  })
})
