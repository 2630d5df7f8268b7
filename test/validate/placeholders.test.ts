import {describe, expect, it} from 'vitest'
import {describeForRetry, normaliseTranslation, validateTranslation} from '../../src/pipeline/validate.js'
import {atom, EN_ES, of, pair, segment, severities} from './segment.js'

const source = segment('Run ⟦1⟧ and read ⟦2⟧the guide⟦/2⟧ before ⟦3⟧.', [
  atom(1, 'code', '`npm ci`'),
  pair(2, 'link', '[', '](https://example.com/guide)', 'https://example.com/guide'),
  atom(3, 'code', '`deploy`')
])

describe('Q1 placeholder multiset', () => {
  it('accepts every token once, in any order', () => {
    const findings = validateTranslation(source, 'Antes de ⟦3⟧, ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧.', EN_ES)
    expect(of(findings, 'Q1')).toEqual([])
  })

  it('names a missing token', () => {
    const [finding] = of(validateTranslation(source, 'Ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧ antes.', EN_ES), 'Q1')
    expect(finding?.severity).toBe('error')
    expect(finding?.message).toContain('missing ⟦3⟧')
  })

  it('names a duplicated token', () => {
    const [finding] = of(validateTranslation(source, 'Ejecuta ⟦1⟧ ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧ antes de ⟦3⟧.', EN_ES), 'Q1')
    expect(finding?.message).toContain('duplicated ⟦1⟧ ×2')
  })

  it('names an invented token, and a close mark for an atom', () => {
    const [finding] = of(
      validateTranslation(source, 'Ejecuta ⟦1⟧⟦/1⟧ y lee ⟦2⟧la guía⟦/2⟧ antes de ⟦3⟧ ⟦9⟧.', EN_ES),
      'Q1'
    )
    expect(finding?.message).toContain('invented ⟦/1⟧ ⟦9⟧')
  })

  it('names a lost close mark of a pair', () => {
    const [finding] = of(validateTranslation(source, 'Ejecuta ⟦1⟧ y lee ⟦2⟧la guía antes de ⟦3⟧.', EN_ES), 'Q1')
    expect(finding?.message).toContain('missing ⟦/2⟧')
  })

  it('attaches the segment id and line to every finding', () => {
    const [finding] = validateTranslation(
      segment('Hello ⟦1⟧', [atom(1, 'code', '`x`')], {id: 'abc', line: 42}),
      'Hola',
      EN_ES
    )
    expect(finding).toMatchObject({rule: 'Q1', segment: 'abc', line: 42})
  })
})

describe('Q2 pairs well nested', () => {
  const nested = segment('⟦1⟧Bold ⟦2⟧link⟦/2⟧ text⟦/1⟧ here.', [
    pair(1, 'strong', '**', '**'),
    pair(2, 'link', '[', '](/a)', '/a')
  ])

  it('accepts pairs moved around, as long as they nest', () => {
    expect(of(validateTranslation(nested, 'Aquí ⟦1⟧texto ⟦2⟧enlace⟦/2⟧ en negrita⟦/1⟧.', EN_ES), 'Q2')).toEqual([])
    expect(of(validateTranslation(nested, '⟦2⟧Enlace⟦/2⟧ y ⟦1⟧negrita⟦/1⟧ aquí.', EN_ES), 'Q2')).toEqual([])
  })

  it('rejects crossed pairs', () => {
    const findings = of(validateTranslation(nested, '⟦1⟧Texto ⟦2⟧en⟦/1⟧ enlace⟦/2⟧ aquí.', EN_ES), 'Q2')
    expect(findings.map((finding) => finding.severity)).toEqual(['error'])
    expect(findings[0]?.message).toContain('cross')
  })

  it('rejects a close before its open, once', () => {
    const findings = of(validateTranslation(nested, '⟦/1⟧Texto ⟦2⟧enlace⟦/2⟧ aquí⟦1⟧.', EN_ES), 'Q2')
    expect(findings).toHaveLength(1)
    expect(findings[0]?.message).toContain('⟦/1⟧ comes before ⟦1⟧')
  })

  it('rejects a pair emptied of its text', () => {
    const findings = of(validateTranslation(nested, '⟦1⟧Texto ⟦2⟧⟦/2⟧ en negrita⟦/1⟧ aquí.', EN_ES), 'Q2')
    expect(findings[0]?.message).toContain('⟦2⟧⟦/2⟧ encloses no text')
  })

  it('leaves count problems to Q1 (no double report)', () => {
    const findings = validateTranslation(nested, '⟦1⟧Texto ⟦2⟧enlace en negrita⟦/1⟧.', EN_ES)
    expect(severities(findings, 'Q1')).toEqual(['error'])
    expect(of(findings, 'Q2')).toEqual([])
  })
})

describe('Q3 mangled token forms', () => {
  const simple = segment('Install ⟦1⟧ first.', [atom(1, 'code', '`npm`')])

  it.each([
    ['spaces inside', 'Instala ⟦ 1 ⟧ primero.'],
    ['a letter inside', 'Instala ⟦p1⟧ primero.'],
    ['ASCII double brackets', 'Instala [[1]] primero.'],
    ['full-width double brackets', 'Instala ［［1］］ primero.'],
    ['white square brackets', 'Instala 〚1〛 primero.'],
    ['lenticular brackets', 'Instala 【1】 primero.'],
    ['a stray bracket', 'Instala ⟦1 primero.']
  ])('rejects %s', (_, translation) => {
    expect(severities(validateTranslation(simple, translation, EN_ES), 'Q3')).toEqual(['error'])
  })

  it('accepts the exact form, and look-alikes the source itself contains', () => {
    expect(of(validateTranslation(simple, 'Instala ⟦1⟧ primero.', EN_ES), 'Q3')).toEqual([])
    const wiki = segment('Write [[1]] for ⟦1⟧.', [atom(1, 'code', '`x`')])
    expect(of(validateTranslation(wiki, 'Escribe [[1]] para ⟦1⟧.', EN_ES), 'Q3')).toEqual([])
  })

  it('is normalised when the form is unambiguous (our brackets, a known number)', () => {
    const pairs = segment('Read ⟦1⟧this⟦/1⟧ and ⟦2⟧.', [pair(1, 'link', '[', '](/a)', '/a'), atom(2, 'code', '`x`')])
    expect(normaliseTranslation(pairs, 'Lee ⟦ 1 ⟧esto⟦ / 1⟧ y ⟦２⟧.')).toBe('Lee ⟦1⟧esto⟦/1⟧ y ⟦2⟧.')
    expect(normaliseTranslation(pairs, 'Lee ⟦1⟧esto⟦／1⟧ y ⟦2⟧.')).toBe('Lee ⟦1⟧esto⟦/1⟧ y ⟦2⟧.')
    const fixed = normaliseTranslation(pairs, 'Lee ⟦ 1 ⟧esto⟦/1 ⟧ y ⟦ 2⟧.')
    expect(validateTranslation(pairs, fixed, EN_ES).filter((finding) => finding.severity === 'error')).toEqual([])
  })

  it('is not normalised when the number is not a token of the segment, or the form is foreign', () => {
    expect(normaliseTranslation(simple, 'Instala ⟦ 7 ⟧ primero.')).toBe('Instala ⟦ 7 ⟧ primero.')
    expect(normaliseTranslation(simple, 'Instala [[1]] primero.')).toBe('Instala [[1]] primero.')
    expect(normaliseTranslation(simple, 'Instala ⟦p1⟧ primero.')).toBe('Instala ⟦p1⟧ primero.')
  })
})

describe('describeForRetry', () => {
  it('gives one line with every error by rule and what to do, and no warnings', () => {
    const findings = validateTranslation(source, 'Ejecuta ⟦1⟧ ⟦1⟧ y\n\nlee ⟦2⟧la guía⟦/2⟧ antes de 9', EN_ES)
    const line = describeForRetry(findings)
    expect(line).not.toContain('\n')
    expect(line).toMatch(
      /^Q1: placeholders missing ⟦3⟧; duplicated ⟦1⟧ ×2.* — copy every ⟦n⟧ and ⟦\/n⟧ token exactly once\. /
    )
    expect(line).toContain('Q8: blank line added')
    expect(line).not.toContain('Q14')
    expect(line).not.toContain('Q16')
  })

  it('is empty without errors', () => {
    expect(describeForRetry([{rule: 'Q16', severity: 'warning', message: 'ends with a stop'}])).toBe('')
  })
})

describe('Q3 look-alikes that are prose', () => {
  it('accepts 【1】 or [[1]] written next to an intact token', () => {
    const cited = segment('See ⟦1⟧ and note [1].', [atom(1, 'code', '`x`')])
    expect(
      of(validateTranslation(cited, '见 ⟦1⟧ 和注释【1】。', {sourceLocale: 'en', targetLocale: 'zh'}), 'Q3')
    ).toEqual([])
    expect(
      severities(validateTranslation(cited, '见 【1】 和注释【1】。', {sourceLocale: 'en', targetLocale: 'zh'}), 'Q3')
    ).toEqual(['error'])
  })
})
