import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {fromPo, toPo} from '../../src/review/po.js'
import {UserError} from '../../src/types.js'
import {EDGE_UNITS, translationUnits} from './units.js'

const OPTIONS = {sourceLocale: 'en', targetLocale: 'es', revisionDate: '2026-01-31 12:00+0000'}
const hasGettext = spawnSync('msgcat', ['--version']).status === 0 && spawnSync('msgfmt', ['--version']).status === 0
const directory = mkdtempSync(join(tmpdir(), 'notes-l10n-po-'))
afterAll(() => rmSync(directory, {recursive: true, force: true}))

function written(name: string, text: string): string {
  const path = join(directory, name)
  writeFileSync(path, text)
  return path
}

describe('toPo', () => {
  const po = toPo(EDGE_UNITS, OPTIONS)

  it('writes a UTF-8 header with the language', () => {
    expect(po.startsWith('msgid ""\nmsgstr ""\n"Project-Id-Version: notes-l10n\\n"\n')).toBe(true)
    expect(po).toContain('"Language: es\\n"\n')
    expect(po).toContain('"Content-Type: text/plain; charset=UTF-8\\n"\n')
  })

  it('explains every token, locates the segment and keeps the tokens in msgid', () => {
    expect(po).toContain(
      [
        '#. Copy each ⟦n⟧ exactly once; keep text between ⟦n⟧ and ⟦/n⟧ inside them.',
        '#. ⟦1⟧ = inline code `npm ci`: copy unchanged',
        '#. ⟦2⟧…⟦/2⟧ = link to https://example.com/a?b=1&c=2: translate the text inside',
        '#: notes/setup.md:12',
        'msgctxt "notes/setup.md#aB3-_x9QzA"',
        'msgid "Run ⟦1⟧ & read ⟦2⟧the \\"guide\\" <here>⟦/2⟧."',
        'msgstr "Ejecuta ⟦1⟧ y lee ⟦2⟧la \\"guía\\" <aquí>⟦/2⟧."'
      ].join('\n')
    )
  })

  it('marks needs-review as fuzzy with the previous source, escaping and splitting at line breaks', () => {
    expect(po).toContain(
      [
        '#: notes/setup.md:20',
        '#, fuzzy',
        '#| msgid ""',
        '#| "A line\\n"',
        '#| "and a slash."',
        'msgctxt "notes/setup.md#aB3-_x9QzA~2"',
        'msgid ""',
        '"A line\\n"',
        '"and a back\\\\slash\\tand a tab."'
      ].join('\n')
    )
  })

  it('isolates a path with spaces in the reference, as gettext does', () => {
    expect(po).toContain('#: \u2068notes/with space/日本.md\u2069:3\n')
  })
})

describe('fromPo', () => {
  it('reads back ids, notes, targets and fuzzy flags', () => {
    const {units} = fromPo(toPo(EDGE_UNITS, OPTIONS), 'review.po')
    expect(units).toEqual(
      EDGE_UNITS.map((unit) => ({
        id: unit.id,
        note: unit.note,
        fuzzy: unit.state === 'needs-review',
        ...(unit.target === undefined ? {} : {target: unit.target}),
        ...(unit.state === 'needs-review' ? {draft: true} : {})
      }))
    )
  })

  it('reads the target language from the header', () => {
    expect(fromPo(toPo(EDGE_UNITS, OPTIONS), 'review.po').language).toBe('es')
  })

  it('reads back every fixture unit, wrapped or not', () => {
    const units = translationUnits('zh')
    for (const wrap of [undefined, false] as const) {
      const back = fromPo(toPo(units, {...OPTIONS, targetLocale: 'zh', wrap}), 'zh.po').units
      expect(back.map((unit) => unit.target)).toEqual(units.map((unit) => unit.target))
      expect(back.map((unit) => `${unit.note}#${unit.id}`)).toEqual(units.map((unit) => `${unit.note}#${unit.id}`))
    }
  })

  it('skips obsolete entries and decodes octal and hex escapes', () => {
    const text =
      'msgctxt "a.md#x"\nmsgid "A"\nmsgstr "B\\101\\x41"\n\n#~ msgctxt "a.md#old"\n#~ msgid "Old"\n#~ msgstr "Viejo"\n'
    expect(fromPo(text, 'a.po').units).toEqual([{id: 'x', note: 'a.md', target: 'BAA', fuzzy: false}])
  })

  it.each([
    ['a string without its closing quote', 'msgctxt "a.md#x"\nmsgid "A\nmsgstr ""\n', 'a.po:2: malformed string'],
    ['a stray line', 'msgctxt "a.md#x"\nmsgid "A"\nhello\nmsgstr ""\n', 'a.po:3: unexpected "hello"'],
    ['msgstr without msgid', 'msgctxt "a.md#x"\nmsgstr "B"\n', 'a.po:2: msgstr without a msgid'],
    ['a plural entry', 'msgctxt "a.md#x"\nmsgid "A"\nmsgid_plural "As"\nmsgstr[0] ""\n', 'a.po:3: a plural entry'],
    ['an entry without our msgctxt', 'msgid "A"\nmsgstr "B"\n', 'a.po:1: msgctxt ""'],
    ['an unknown escape', 'msgctxt "a.md#x"\nmsgid "A\\q"\nmsgstr ""\n', 'a.po:2: unknown escape \\q']
  ])('rejects %s with file:line', (_, text, message) => {
    expect(() => fromPo(text, 'a.po')).toThrow(UserError)
    expect(() => fromPo(text, 'a.po')).toThrow(message)
  })

  it('imports exactly the three units whose msgstr a script edited', () => {
    const units = translationUnits('es')
    const po = toPo(units, OPTIONS)
    const edited = ['Edición uno.', 'Edición dos.', 'Edición tres.']
    const entries = po.split('\n\n')
    // Entries 0 is the header; edit the msgstr of entries 5, 10 and 15.
    edited.forEach((target, k) => {
      const at = 5 * (k + 1)
      const entry = entries[at] ?? ''
      entries[at] = `${entry.slice(0, entry.indexOf('\nmsgstr '))}\nmsgstr "${target}"`
    })
    const script = entries.join('\n\n')
    const changed = fromPo(script, 'es.po').units.filter((unit, position) => unit.target !== units[position]?.target)
    expect(changed.map((unit) => unit.target)).toEqual(edited)
    expect(changed.map((unit) => unit.id)).toEqual([4, 9, 14].map((position) => units[position]?.id))
  })
})

describe('gettext interoperability', () => {
  const cases = [
    ['edge cases', toPo(EDGE_UNITS, OPTIONS)],
    ['the es fixtures', toPo(translationUnits('es'), OPTIONS)],
    ['the zh fixtures', toPo(translationUnits('zh'), {...OPTIONS, targetLocale: 'zh'})]
  ] as const

  it.skipIf(!hasGettext).each(cases)(
    '%s pass msgfmt --check (skipped unless GNU gettext msgfmt/msgcat are on PATH)',
    (name, po) => {
      const result = spawnSync('msgfmt', ['--check', '-o', '/dev/null', written(`${name}.po`, po)], {encoding: 'utf8'})
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
    }
  )

  it.skipIf(!hasGettext).each(cases)(
    '%s come out of msgcat byte-identical (skipped unless GNU gettext msgfmt/msgcat are on PATH)',
    (name, po) => {
      expect(execFileSync('msgcat', [written(`${name}.po`, po)], {encoding: 'utf8'})).toBe(po)
    }
  )

  it.skipIf(!hasGettext)(
    'unwrapped output equals msgcat --no-wrap (skipped unless GNU gettext msgfmt/msgcat are on PATH)',
    () => {
      const po = toPo(translationUnits('zh'), {...OPTIONS, wrap: false})
      expect(execFileSync('msgcat', ['--no-wrap', written('nowrap.po', po)], {encoding: 'utf8'})).toBe(po)
    }
  )
})
