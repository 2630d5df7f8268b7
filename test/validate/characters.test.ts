import {describe, expect, it} from 'vitest'
import {normaliseTranslation, validateTranslation} from '../../src/pipeline/validate.js'
import {EN_ES, of, segment, severities} from './segment.js'

describe('Q21 corrupted and invisible characters', () => {
  it.each([
    ['U+FFFD', 'Configuraci\uFFFDn lista.'],
    ['a control character', 'Configuración\u0007 lista.'],
    ['a carriage return', 'Configuración\r lista.'],
    ['mojibake é', 'ConfiguraciÃ³n lista.'],
    ['mojibake ’', 'It doesnâ€™t work.']
  ])('rejects %s', (_, translation) => {
    expect(severities(validateTranslation(segment('Configuration ready.'), translation, EN_ES), 'Q21')).toEqual(['error'])
  })

  it('accepts accented capitals that merely look like mojibake', () => {
    expect(of(validateTranslation(segment('Sao Paulo and pate.'), 'SÃO PAULO y PÂTÉ.', {sourceLocale: 'en', targetLocale: 'pt'}), 'Q21')).toEqual([])
  })

  it('warns about zero-width and bidi characters the source does not have', () => {
    expect(severities(validateTranslation(segment('Ready.'), 'Lis\u200Bto.', EN_ES), 'Q21')).toEqual(['warning'])
    expect(severities(validateTranslation(segment('Ready.'), 'Lis\u202Eto.', EN_ES), 'Q21')).toEqual(['warning'])
    expect(of(validateTranslation(segment('Re\u200Bady.'), 'Lis\u200Bto.', EN_ES), 'Q21')).toEqual([])
  })

  it('accepts bidi marks in right-to-left targets', () => {
    expect(of(validateTranslation(segment('Ready.'), '\u200Fجاهز.', {sourceLocale: 'en', targetLocale: 'ar'}), 'Q21')).toEqual([])
  })
})

describe('L5 commentary around the translation', () => {
  const source = segment('The cache is cleared every night.')

  it.each([
    ['a "Sure," preface', 'Sure, la caché se vacía cada noche.'],
    ['a "Here is the translation" preface', "Here's the translation: La caché se vacía cada noche."],
    ['a "Translation:" prefix', 'Traducción: La caché se vacía cada noche.'],
    ['a Chinese preface', '以下是翻译：缓存每晚清空。'],
    ['a note in parentheses at the end', 'La caché se vacía cada noche. (Nota: traducción literal)'],
    ['a sign-off', 'La caché se vacía cada noche. I hope this helps!'],
    ['the source repeated next to the translation', 'The cache is cleared every night. — La caché se vacía cada noche.']
  ])('rejects %s', (_, translation) => {
    expect(severities(validateTranslation(source, translation, EN_ES), 'L5')).toContain('error')
  })

  it('accepts a source that itself starts like commentary', () => {
    const dialogue = segment('Sure, I can help with that.')
    expect(of(validateTranslation(dialogue, 'Sure, puedo ayudar con eso.', EN_ES), 'L5')).toEqual([])
    expect(of(validateTranslation(source, 'La caché se vacía cada noche.', EN_ES), 'L5')).toEqual([])
  })
})

describe('L6 answer wrapped in a fence', () => {
  const source = segment('The cache is cleared every night.')

  it('is unwrapped by normaliseTranslation when the fence is labelled markdown and is the whole answer', () => {
    expect(normaliseTranslation(source, '```markdown\nLa caché se vacía cada noche.\n```')).toBe('La caché se vacía cada noche.')
    expect(normaliseTranslation(source, '\n```md\nLa caché se vacía.\n```\n')).toBe('La caché se vacía.')
  })

  it('is an error otherwise', () => {
    const unlabelled = '```\nLa caché se vacía cada noche.\n```'
    expect(normaliseTranslation(source, unlabelled)).toBe(unlabelled)
    expect(severities(validateTranslation(source, unlabelled, EN_ES), 'L6')).toEqual(['error'])
    expect(severities(validateTranslation(source, '```text\nLa caché.\n```', EN_ES), 'L6')).toEqual(['error'])
  })

  it('does not fire on text that merely contains a fence', () => {
    expect(of(validateTranslation(source, 'La caché ``` se vacía.', EN_ES), 'L6')).toEqual([])
  })
})
