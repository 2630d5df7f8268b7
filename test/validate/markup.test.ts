import {describe, expect, it} from 'vitest'
import {validateTranslation} from '../../src/pipeline/validate.js'
import {atom, EN_ES, of, pair, segment, severities} from './segment.js'

describe('Q5 URLs added in plain text', () => {
  const linked = segment('See ⟦1⟧the docs⟦/1⟧ or ⟦2⟧.', [
    pair(1, 'link', '[', '](https://example.com/docs)', 'https://example.com/docs'),
    atom(2, 'url', 'https://example.com', 'https://example.com')
  ])

  it('accepts URLs kept inside their tokens', () => {
    expect(of(validateTranslation(linked, 'Consulta ⟦1⟧la documentación⟦/1⟧ o ⟦2⟧.', EN_ES), 'Q5')).toEqual([])
  })

  it.each([
    ['an http URL', 'Consulta ⟦1⟧la documentación⟦/1⟧ (https://example.com/docs) o ⟦2⟧.', 'https://example.com/docs'],
    ['a www. host', 'Consulta ⟦1⟧la documentación⟦/1⟧ en www.example.com o ⟦2⟧.', 'www.example.com'],
    ['an e-mail address', 'Escribe a ayuda@example.com, ⟦1⟧la documentación⟦/1⟧ o ⟦2⟧.', 'ayuda@example.com'],
    ['an angle autolink', 'Consulta ⟦1⟧la documentación⟦/1⟧ o ⟦2⟧ <mailto:x>.', '<mailto:x>']
  ])('rejects %s, naming it', (_, translation, url) => {
    const findings = of(validateTranslation(linked, translation, EN_ES), 'Q5')
    expect(findings.map((finding) => finding.severity)).toEqual(['error'])
    expect(findings[0]?.message).toContain(JSON.stringify(url))
  })

  it('does not count sentence punctuation as part of the URL, nor a URL the source prose has', () => {
    const plain = segment('Mirror at www.example.org.', [])
    expect(of(validateTranslation(plain, 'Espejo en www.example.org.', EN_ES), 'Q5')).toEqual([])
  })
})

describe('Q7 code and math delimiters added in plain text', () => {
  const code = segment('Use ⟦1⟧ to install.', [atom(1, 'code', '`npm ci`')])

  it('accepts code kept in its token', () => {
    expect(of(validateTranslation(code, 'Usa ⟦1⟧ para instalar.', EN_ES), 'Q7')).toEqual([])
  })

  it('rejects backticks, a pair of $ and a fence', () => {
    expect(severities(validateTranslation(code, 'Usa ⟦1⟧ para `instalar`.', EN_ES), 'Q7')).toEqual(['error'])
    expect(severities(validateTranslation(code, 'Usa ⟦1⟧ para instalar ($5 o $10).', EN_ES), 'Q7')).toEqual(['error'])
    expect(severities(validateTranslation(code, 'Usa ⟦1⟧ para\n~~~\ninstalar.', EN_ES), 'Q7')).toEqual(['error'])
  })

  it('accepts a single $ and the $ signs the source has', () => {
    expect(of(validateTranslation(code, 'Usa ⟦1⟧ para instalar, cuesta 5 $.', EN_ES), 'Q7')).toEqual([])
    const price = segment('It costs $5 or $10.', [])
    expect(of(validateTranslation(price, 'Cuesta 5 $ o 10 $.', EN_ES), 'Q7')).toEqual([])
  })
})

describe('Q8 structure inside a segment', () => {
  const wrapped = segment('A long paragraph\nwrapped over\nthree lines.', [])

  it('accepts re-wrapping within reason', () => {
    expect(of(validateTranslation(wrapped, 'Un párrafo largo\nrepartido\nen tres\nlíneas.', EN_ES), 'Q8')).toEqual([])
    expect(of(validateTranslation(wrapped, 'Un párrafo largo repartido en tres líneas.', EN_ES), 'Q8')).toEqual([])
  })

  it('rejects a blank line (paragraph split)', () => {
    const [finding] = of(validateTranslation(wrapped, 'Un párrafo largo.\n\nEn tres líneas.', EN_ES), 'Q8')
    expect(finding?.message).toContain('blank line')
  })

  it('rejects line breaks beyond reason', () => {
    const findings = of(validateTranslation(segment('One line.'), 'Una\nlínea\nen\npedazos.', EN_ES), 'Q8')
    expect(findings[0]?.message).toContain('3 line breaks where the source has 0')
  })

  it.each([
    ['a list item', 'Un párrafo\n- repartido\nen líneas.'],
    ['an ordered item', 'Un párrafo\n2. repartido\nen líneas.'],
    ['a heading', 'Un párrafo\n# repartido\nen líneas.'],
    ['a quote', 'Un párrafo\n> repartido\nen líneas.'],
    ['a setext underline', 'Un párrafo\n---\nen líneas.']
  ])('rejects %s started on a continuation line', (_, translation) => {
    expect(severities(validateTranslation(wrapped, translation, EN_ES), 'Q8')).toEqual(['error'])
  })

  it('accepts a marker-looking line the source has too', () => {
    const list = segment('Steps:\n1. not a list here', [])
    expect(of(validateTranslation(list, 'Pasos:\n1. aquí no es una lista', EN_ES), 'Q8')).toEqual([])
  })

  it('keeps one-line kinds on one line', () => {
    const heading = segment('Getting started', [], {kind: 'heading'})
    expect(severities(validateTranslation(heading, 'Primeros\npasos', EN_ES), 'Q8')).toEqual(['error'])
    const cell = segment('Value', [], {kind: 'tableCell'})
    expect(of(validateTranslation(cell, 'Valor', EN_ES), 'Q8')).toEqual([])
  })
})

describe('Q22 HTML added in plain text', () => {
  const html = segment('Press ⟦1⟧ then ⟦2⟧Enter⟦/2⟧.', [
    atom(1, 'html', '<br>'),
    pair(2, 'htmlPair', '<kbd>', '</kbd>')
  ])

  it('accepts HTML kept in its tokens', () => {
    expect(of(validateTranslation(html, 'Pulsa ⟦1⟧ y luego ⟦2⟧Intro⟦/2⟧.', EN_ES), 'Q22')).toEqual([])
  })

  it.each([
    ['a new tag', 'Pulsa ⟦1⟧ y luego ⟦2⟧Intro⟦/2⟧<br/>.'],
    ['a script', 'Pulsa ⟦1⟧ y <script>alert(1)</script> ⟦2⟧Intro⟦/2⟧.'],
    ['an event handler', 'Pulsa ⟦1⟧ y onclick="x()" ⟦2⟧Intro⟦/2⟧.'],
    ['a javascript: URL', 'Pulsa ⟦1⟧ y javascript:alert(1) ⟦2⟧Intro⟦/2⟧.'],
    ['a comment', 'Pulsa ⟦1⟧ y <!-- x --> ⟦2⟧Intro⟦/2⟧.']
  ])('rejects %s', (_, translation) => {
    expect(severities(validateTranslation(html, translation, EN_ES), 'Q22')).toEqual(['error'])
  })

  it('accepts a comparison sign, which is no tag', () => {
    expect(of(validateTranslation(segment('If a is less than b.'), 'Si a < b.', EN_ES), 'Q22')).toEqual([])
  })
})
