/**
 * The review formats (PO, XLIFF) on every segment of the shared corpus's translated notes: read
 * back exactly, accepted by gettext and by the independent `xliff` package.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import xliff2js from 'xliff/xliff2js'
import {fromPo, toPo} from '../../src/review/po.js'
import {fromXliff, toXliff} from '../../src/review/xliff.js'
import {translationUnits} from '../review/units.js'
import {sharedCorpus} from './shared.js'

const root = sharedCorpus()
const es = translationUnits('es', root)
const zh = translationUnits('zh', root)
const OPTIONS = {sourceLocale: 'en', targetLocale: 'es', revisionDate: '2026-01-31 12:00+0000'}
const hasGettext = spawnSync('msgcat', ['--version']).status === 0 && spawnSync('msgfmt', ['--version']).status === 0
const directory = mkdtempSync(join(tmpdir(), 'notes-l10n-corpus-po-'))
afterAll(() => rmSync(directory, {recursive: true, force: true}))

function written(name: string, text: string): string {
  const path = join(directory, name)
  writeFileSync(path, text)
  return path
}

describe(`PO on the corpus (${es.length} es and ${zh.length} zh units)`, () => {
  it('reads back every unit, wrapped or not', () => {
    for (const wrap of [undefined, false] as const) {
      const back = fromPo(toPo(zh, {...OPTIONS, targetLocale: 'zh', wrap}), 'zh.po').units
      expect(back.map((unit) => unit.target)).toEqual(zh.map((unit) => unit.target))
      expect(back.map((unit) => `${unit.note}#${unit.id}`)).toEqual(zh.map((unit) => `${unit.note}#${unit.id}`))
    }
  })

  it('imports exactly the three units whose msgstr a script edited', () => {
    const entries = toPo(es, OPTIONS).split('\n\n')
    const edited = ['Edición uno.', 'Edición dos.', 'Edición tres.']
    edited.forEach((target, k) => {
      const at = 5 * (k + 1)
      const entry = entries[at] ?? ''
      entries[at] = `${entry.slice(0, entry.indexOf('\nmsgstr '))}\nmsgstr "${target}"`
    })
    const changed = fromPo(entries.join('\n\n'), 'es.po').units.filter(
      (unit, position) => unit.target !== es[position]?.target
    )
    expect(changed.map((unit) => unit.target)).toEqual(edited)
    expect(changed.map((unit) => unit.id)).toEqual([4, 9, 14].map((position) => es[position]?.id))
  })

  const cases = [
    ['es', toPo(es, OPTIONS)],
    ['zh', toPo(zh, {...OPTIONS, targetLocale: 'zh'})]
  ] as const

  it.skipIf(!hasGettext).each(cases)(
    '%s passes msgfmt --check and comes out of msgcat byte-identical (skipped unless GNU gettext is on PATH)',
    (name, po) => {
      const file = written(`${name}.po`, po)
      const result = spawnSync('msgfmt', ['--check', '-o', '/dev/null', file], {encoding: 'utf8'})
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      expect(execFileSync('msgcat', [file], {encoding: 'utf8'})).toBe(po)
    }
  )

  it.skipIf(!hasGettext)('unwrapped output equals msgcat --no-wrap (skipped unless GNU gettext is on PATH)', () => {
    const po = toPo(zh, {...OPTIONS, wrap: false})
    expect(execFileSync('msgcat', ['--no-wrap', written('nowrap.po', po)], {encoding: 'utf8'})).toBe(po)
  })
})

describe('XLIFF on the corpus', () => {
  it('reads back every target in ⟦n⟧ form, by segment id and note', () => {
    expect(fromXliff(toXliff(es, OPTIONS), 'es.xlf').units).toEqual(
      es.map((unit) => ({
        id: unit.id,
        note: unit.note,
        ...(unit.target === undefined ? {} : {target: unit.target}),
        ...(unit.state === 'needs-review' && unit.target !== undefined ? {draft: true} : {})
      }))
    )
  })

  it('the independent `xliff` package parses our export with as many targets', async () => {
    const parsed = (await xliff2js(toXliff(zh, {sourceLocale: 'en', targetLocale: 'zh'}))) as {
      resources: Record<string, Record<string, {target?: unknown}>>
    }
    const targets = Object.values(parsed.resources).flatMap((file) =>
      Object.values(file).filter((unit) => unit.target !== undefined)
    )
    expect(targets.length).toBe(zh.filter((unit) => unit.target !== undefined).length)
    expect(targets.length).toBeGreaterThan(100)
  })
})
