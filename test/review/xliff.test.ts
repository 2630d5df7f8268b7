import {describe, expect, it} from 'vitest'
import xliff2js from 'xliff/xliff2js'
import type {ReviewUnit} from '../../src/review/unit.js'
import {fromXliff, toXliff} from '../../src/review/xliff.js'
import {UserError} from '../../src/types.js'
import {EDGE_UNITS, translationUnits} from './units.js'

const OPTIONS = {sourceLocale: 'en', targetLocale: 'es'}

/** Units in export order: grouped by note (one <file> each), notes in first-seen order. */
function grouped(units: readonly ReviewUnit[]): ReviewUnit[] {
  const notes = [...new Set(units.map((unit) => unit.note))]
  return notes.flatMap((note) => units.filter((unit) => unit.note === note))
}

describe('toXliff', () => {
  const xml = toXliff(EDGE_UNITS, OPTIONS)

  it('writes one <file> per note and one <unit> per segment, ids safe as NMTOKEN', () => {
    expect(xml).toContain(
      '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="es">'
    )
    expect(xml.match(/<file /g)).toHaveLength(2)
    expect(xml).toContain('<file id="f1" original="notes/setup.md">')
    expect(xml).toContain('<unit id="aB3-_x9QzA.2" name="aB3-_x9QzA~2">')
    expect(xml.match(/<unit /g)).toHaveLength(EDGE_UNITS.length)
  })

  it('writes atoms as <ph> and pairs as <pc>, with the original Markdown in <originalData>', () => {
    expect(xml).toContain(
      '<originalData><data id="d1">`npm ci`</data><data id="d2s">[</data><data id="d2e">](https://example.com/a?b=1&amp;c=2 "Guide")</data></originalData>'
    )
    expect(xml).toContain(
      '<source xml:space="preserve">Run <ph id="1" dataRef="d1" type="other" disp="inline code `npm ci`"/> &amp; read <pc id="2" dataRefStart="d2s" dataRefEnd="d2e" type="link" dispStart="link to https://example.com/a?b=1&amp;c=2">the "guide" &lt;here&gt;</pc>.</source>'
    )
  })

  it('writes the location and previous source as notes, and the state', () => {
    expect(xml).toContain(
      '<notes><note category="location">notes/setup.md:20</note><note category="previous-source">A line\nand a slash.</note></notes>'
    )
    expect(xml).toContain('<segment state="translated" subState="notes-l10n:needs-review">')
    expect(xml).toContain('<segment state="final">')
    expect(xml).toContain('<segment state="initial">')
  })
})

describe('fromXliff', () => {
  it('reads back every target in ⟦n⟧ form, by segment id and note', () => {
    const units = grouped([...EDGE_UNITS, ...translationUnits('es')])
    expect(fromXliff(toXliff(units, OPTIONS), 'es.xlf').units).toEqual(
      units.map((unit) => ({
        id: unit.id,
        note: unit.note,
        ...(unit.target === undefined ? {} : {target: unit.target}),
        ...(unit.state === 'needs-review' && unit.target !== undefined ? {draft: true} : {})
      }))
    )
  })

  it('reads the locales, and a reviewed or final segment is no longer a draft', () => {
    const unit: ReviewUnit = {...(EDGE_UNITS[1] as ReviewUnit)}
    const xml = toXliff([unit], OPTIONS)
    const parsed = fromXliff(xml, 'es.xlf')
    expect(parsed).toMatchObject({sourceLocale: 'en', targetLocale: 'es', units: [{draft: true}]})
    expect(fromXliff(xml.replace('state="translated"', 'state="reviewed"'), 'es.xlf').units[0]!.draft).toBeUndefined()
    expect(fromXliff(toXliff([{...unit, state: 'translated'}], OPTIONS), 'es.xlf').units[0]!.draft).toBeUndefined()
  })

  it('round-trips crossed pairs (as <sc>/<ec>), invented tokens and control characters, for QA to reject', () => {
    const broken: ReviewUnit = {
      ...(EDGE_UNITS[0] as ReviewUnit),
      tokens: [
        {n: 1, shape: 'pair', kind: 'strong', open: '**', close: '**'},
        {n: 2, shape: 'pair', kind: 'emphasis', open: '*', close: '*'}
      ],
      source: '⟦1⟧a ⟦2⟧b⟦/2⟧⟦/1⟧',
      target: '⟦1⟧a ⟦2⟧b⟦/1⟧⟦/2⟧ ⟦9⟧\u0007\r'
    }
    const xml = toXliff([broken], OPTIONS)
    expect(xml).toContain('<target xml:space="preserve"><sc id="1" dataRef="d1s" type="fmt"/>a <sc id="2"')
    expect(xml).toContain('<cp hex="0007"/>&#13;')
    expect(fromXliff(xml, 'x.xlf').units[0]?.target).toBe(broken.target)
  })

  it('accepts what XLIFF tools do: split segments, <mrk> annotations, CDATA, a <file> without original', () => {
    const xml = `<?xml version="1.0"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="es">
  <file id="f1"><group id="g"><unit id="abc">
    <notes><note category="location">notes/a.md:4</note></notes>
    <segment><source>One.</source><target>Uno.</target></segment>
    <ignorable><source> </source></ignorable>
    <segment><source>Two <ph id="1"/>.</source><target><mrk id="m1" translate="yes">Dos</mrk> <ph id="1"/>. <![CDATA[<b>&amp;]]></target></segment>
  </unit></group></file>
</xliff>`
    // No state attribute: XLIFF's default, `initial`, so an unedited copy is a draft.
    expect(fromXliff(xml, 'tool.xlf').units).toEqual([
      {id: 'abc', note: 'notes/a.md', target: 'Uno. Dos ⟦1⟧. <b>&amp;', draft: true}
    ])
  })

  it.each([
    [
      'malformed XML',
      '<xliff version="2.0">\n<file original="a.md">\n<unit id="x"></file>\n</xliff>',
      'bad.xlf:3: malformed XML'
    ],
    [
      'a DOCTYPE',
      '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<xliff version="2.0"/>',
      'bad.xlf:2: a DOCTYPE declaration'
    ],
    ['XLIFF 1.2', '<xliff version="1.2"><file original="a.md"/></xliff>', 'bad.xlf: XLIFF version 1.2'],
    ['another document', '<html/>', 'bad.xlf: no <xliff> root element'],
    [
      'a placeholder renamed by hand',
      '<xliff version="2.0"><file original="a.md"><unit id="x"><segment><source/><target><ph id="p1"/></target></segment></unit></file></xliff>',
      'bad.xlf: unit x has <ph id="p1">'
    ]
  ])('rejects %s with a UserError naming the file', (_, xml, message) => {
    expect(() => fromXliff(xml, 'bad.xlf')).toThrow(UserError)
    expect(() => fromXliff(xml, 'bad.xlf')).toThrow(message)
  })
})

/** The `xliff` package's inline representation back to ⟦n⟧ form. */
function protectedText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(protectedText).join('')
  if (typeof value !== 'object' || value === null) return ''
  const element = value as Record<string, {id?: string; startRef?: string; contents?: unknown}>
  if (element.Standalone !== undefined) return `⟦${element.Standalone.id ?? ''}⟧`
  const span = element.Span
  if (span !== undefined) return `⟦${span.id ?? ''}⟧${protectedText(span.contents)}⟦/${span.id ?? ''}⟧`
  return ''
}

describe('XLIFF interoperability (the independent `xliff` package)', () => {
  const units = grouped([...EDGE_UNITS, ...translationUnits('zh')])
  const xml = toXliff(units, {sourceLocale: 'en', targetLocale: 'zh'})

  it('parses our export and sees the same sources and targets', async () => {
    const parsed = (await xliff2js(xml)) as {
      resources: Record<string, Record<string, {source: unknown; target?: unknown}>>
    }
    const seen = Object.values(parsed.resources).flatMap((file) =>
      Object.values(file).map((unit) => ({
        source: protectedText(unit.source).replace(/⟧\s+⟦/g, '⟧⟦'),
        target: unit.target === undefined ? undefined : protectedText(unit.target).replace(/⟧\s+⟦/g, '⟧⟦')
      }))
    )
    // The package drops whitespace-only text between two inline elements (it ignores
    // xml:space="preserve"), so `⟧ ⟦` is compared as `⟧⟦`.
    const loose = (text: string | undefined) => text?.replace(/⟧\s+⟦/g, '⟧⟦')
    expect(seen).toEqual(units.map((unit) => ({source: loose(unit.source), target: loose(unit.target)})))
    expect(seen.filter((unit) => unit.target !== undefined).length).toBeGreaterThan(100)
  })

  it('imports back a scripted edit of three targets with exactly those three changed', () => {
    const edits = ['编辑一', '编辑二 ⟦1⟧', '编辑三']
    let count = 0
    const edited = xml.replace(/<target xml:space="preserve">(.*?)<\/target>/g, (whole, content: string) => {
      const keep = content.includes('<ph id="1"') === (count === 1)
      if (count >= 3 || !keep) return whole
      const replacement = (edits[count++] ?? '').replace('⟦1⟧', content.match(/<ph id="1"[^>]*\/>/)?.[0] ?? '')
      return `<target xml:space="preserve">${replacement}</target>`
    })
    const back = fromXliff(edited, 'zh.xlf').units
    const changed = back.filter((unit, index) => unit.target !== units[index]?.target)
    expect(changed.map((unit) => unit.target)).toEqual(edits)
  })
})
