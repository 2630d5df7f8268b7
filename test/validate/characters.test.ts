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
    expect(severities(validateTranslation(segment('Configuration ready.'), translation, EN_ES), 'Q21')).toEqual([
      'error'
    ])
  })

  it('accepts accented capitals that merely look like mojibake', () => {
    expect(
      of(
        validateTranslation(segment('Sao Paulo and pate.'), 'SÃO PAULO y PÂTÉ.', {
          sourceLocale: 'en',
          targetLocale: 'pt'
        }),
        'Q21'
      )
    ).toEqual([])
  })

  it('leaves zero-width and bidi characters to Q27', () => {
    expect(of(validateTranslation(segment('Ready.'), 'Lis\u200Bto.', EN_ES), 'Q21')).toEqual([])
  })
})

describe('Q26 template syntax a site generator would run', () => {
  it.each([
    ['a Liquid include', 'Listo. {% include evil.html %}'],
    ['a Liquid output', 'Listo {{ site.github.token }}.'],
    ['a Jinja comment', 'Listo {# x #}.'],
    ['a Hugo shortcode', 'Listo {{< x >}}.'],
    ['a Hugo markdown shortcode', 'Listo {{% x %}}.']
  ])('rejects %s', (_, translation) => {
    expect(severities(validateTranslation(segment('Ready.'), translation, EN_ES), 'Q26')).toEqual(['error'])
  })

  it('accepts the template syntax the source already has, but not one more', () => {
    const source = segment('Write {{ name }} in the template.')
    expect(of(validateTranslation(source, 'Escribe {{ name }} en la plantilla.', EN_ES), 'Q26')).toEqual([])
    expect(
      severities(validateTranslation(source, 'Escribe {{ name }} en {{ x }} la plantilla.', EN_ES), 'Q26')
    ).toEqual(['error'])
    expect(of(validateTranslation(segment('Braces { and } alone.'), 'Llaves { y } solas.', EN_ES), 'Q26')).toEqual([])
  })
})

describe('Q27 invisible and bidi control characters', () => {
  it.each([
    ['U+200B zero-width space', 'Lis\u200Bto.'],
    ['U+200D zero-width joiner in Latin text', 'Lis\u200Dto.'],
    ['U+00AD soft hyphen', 'Lis\u00ADto.'],
    ['U+2062 invisible times', 'Lis\u2062to.'],
    ['U+202E right-to-left override', 'Lis\u202Eto.'],
    ['U+2066 isolate', 'Lis\u2066to.'],
    ['U+FEFF byte-order mark', 'Lis\uFEFFto.'],
    [
      '700 TAG characters',
      `Listo.${String.fromCodePoint(...Array.from({length: 700}, (_, k) => 0xe0020 + (k % 0x5f)))}`
    ]
  ])('rejects %s', (_, translation) => {
    expect(severities(validateTranslation(segment('Ready.'), translation, EN_ES), 'Q27')).toEqual(['error'])
  })

  it('accepts what the source already has', () => {
    expect(of(validateTranslation(segment('Re\u200Bady.'), 'Lis\u200Bto.', EN_ES), 'Q27')).toEqual([])
  })

  it('accepts bidi marks in right-to-left targets, but not overrides', () => {
    const ar = {sourceLocale: 'en', targetLocale: 'ar'}
    expect(of(validateTranslation(segment('Ready.'), '\u200Fجاهز.', ar), 'Q27')).toEqual([])
    expect(severities(validateTranslation(segment('Ready.'), '\u202Eجاهز.', ar), 'Q27')).toEqual(['error'])
  })

  it('accepts joiners between letters of scripts that shape with them, and in emoji sequences', () => {
    expect(
      of(
        validateTranslation(segment('Ready now.'), 'तैयार क्\u200Dष है।', {sourceLocale: 'en', targetLocale: 'hi'}),
        'Q27'
      )
    ).toEqual([])
    expect(
      of(validateTranslation(segment('Ready now.'), 'آماده\u200Cاست.', {sourceLocale: 'en', targetLocale: 'fa'}), 'Q27')
    ).toEqual([])
    expect(of(validateTranslation(segment('Ready now 👍.'), 'Listo ya 👨\u200D💻.', EN_ES), 'Q27')).toEqual([])
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
    expect(normaliseTranslation(source, '```markdown\nLa caché se vacía cada noche.\n```')).toBe(
      'La caché se vacía cada noche.'
    )
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
