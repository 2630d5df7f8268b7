import {describe, expect, it} from 'vitest'
import {normaliseTranslation, validateTranslation} from '../../src/pipeline/validate.js'
import {atom, EN_ES, EN_ZH, of, segment, severities} from './segment.js'

describe('Q9 leading and trailing whitespace', () => {
  const plain = segment('Hello world.')

  it('is restored by normaliseTranslation, and then passes', () => {
    const fixed = normaliseTranslation(plain, '  Hola mundo.\n')
    expect(fixed).toBe('Hola mundo.')
    expect(of(validateTranslation(plain, fixed, EN_ES), 'Q9')).toEqual([])
    expect(normaliseTranslation(segment(' Hello. '), 'Hola.')).toBe(' Hola. ')
  })

  it('is an error when not normalised', () => {
    const findings = of(validateTranslation(plain, 'Hola mundo.\n', EN_ES), 'Q9')
    expect(findings.map((finding) => finding.severity)).toEqual(['error'])
    expect(findings[0]?.message).toContain('trailing whitespace "\\n"')
  })
})

describe('Q10 double spaces', () => {
  it('warns about a double space the source does not have', () => {
    expect(severities(validateTranslation(segment('Hello big world.'), 'Hola  gran mundo.', EN_ES), 'Q10')).toEqual([
      'warning'
    ])
  })

  it('accepts double spaces the source has, and is fixed by normaliseTranslation otherwise', () => {
    expect(of(validateTranslation(segment('Hello.  Big world.'), 'Hola.  Gran mundo.', EN_ES), 'Q10')).toEqual([])
    expect(normaliseTranslation(segment('Hello big world.'), 'Hola  gran   mundo.')).toBe('Hola gran mundo.')
    expect(normaliseTranslation(segment('Hello.  Big world.'), 'Hola.  Gran mundo.')).toBe('Hola.  Gran mundo.')
  })
})

describe('Q11 empty output', () => {
  it('rejects an empty or blank translation, which normalising leaves alone', () => {
    const source = segment('Hello.')
    expect(severities(validateTranslation(source, '', EN_ES), 'Q11')).toEqual(['error'])
    expect(normaliseTranslation(source, ' \n ')).toBe(' \n ')
    expect(severities(validateTranslation(source, ' \n ', EN_ES), 'Q11')).toEqual(['error'])
  })

  it('accepts any non-blank translation', () => {
    expect(of(validateTranslation(segment('Hello.'), 'Hola.', EN_ES), 'Q11')).toEqual([])
  })
})

describe('Q12 identical to the source', () => {
  it('warns when translatable words come back unchanged', () => {
    const findings = of(validateTranslation(segment('Read the manual.'), 'Read the manual.', EN_ES), 'Q12')
    expect(findings.map((finding) => finding.severity)).toEqual(['warning'])
  })

  it.each([
    ['tokens only', segment('⟦1⟧', [atom(1, 'code', '`x`')]), '⟦1⟧'],
    ['numbers only', segment('2024-01-16'), '2024-01-16'],
    ['acronyms and keep-terms only', segment('JDBC ⟦1⟧', [atom(1, 'term', 'Liquibase')]), 'JDBC ⟦1⟧']
  ])('exempts %s', (_, source, translation) => {
    expect(of(validateTranslation(source, translation, EN_ES), 'Q12')).toEqual([])
  })

  it('exempts locales of the same language', () => {
    expect(
      of(
        validateTranslation(segment('Read the manual.'), 'Read the manual.', {
          sourceLocale: 'en',
          targetLocale: 'en-GB'
        }),
        'Q12'
      )
    ).toEqual([])
  })
})

describe('Q13 length ratio', () => {
  const sentence = segment('The configuration file is read once at startup.')

  it('accepts ordinary translations, Latin and CJK', () => {
    expect(
      of(validateTranslation(sentence, 'El archivo de configuración se lee una vez al arrancar.', EN_ES), 'Q13')
    ).toEqual([])
    expect(of(validateTranslation(sentence, '配置文件在启动时读取一次。', EN_ZH), 'Q13')).toEqual([])
  })

  it('rejects a translation at ≤ 0.1× or ≥ 10×, and one without words', () => {
    expect(severities(validateTranslation(sentence, 'Sí.', EN_ES), 'Q13')).toEqual(['error'])
    expect(severities(validateTranslation(segment('Yes.'), 'Sí. '.repeat(30).trim(), EN_ES), 'Q13')).toEqual(['error'])
    expect(severities(validateTranslation(sentence, '…', EN_ES), 'Q13')).toEqual(['error'])
  })

  it('warns outside the tighter bounds, which the context can change', () => {
    const long =
      'El archivo de configuración, que contiene todos los parámetros, se lee una única vez, durante el arranque del servidor, y nunca más después.'
    expect(severities(validateTranslation(sentence, long, EN_ES), 'Q13')).toEqual(['warning'])
    const wide = {...EN_ES, lengthRatio: {below: 0.2, above: 5}}
    expect(of(validateTranslation(sentence, long, wide), 'Q13')).toEqual([])
  })

  it('does not judge very short segments', () => {
    expect(of(validateTranslation(segment('OK'), 'De acuerdo', EN_ES), 'Q13')).toEqual([])
  })
})

describe('Q14 numbers', () => {
  it('accepts the same numbers in another order or grouping style', () => {
    const source = segment('Over 90,000 customers in 2024, up 3.5 times.')
    expect(of(validateTranslation(source, 'En 2024, más de 90.000 clientes, 3,5 veces más.', EN_ES), 'Q14')).toEqual([])
    expect(of(validateTranslation(source, '2024年超过９０ ０００名客户，增长3.5倍。', EN_ZH), 'Q14')).toEqual([])
  })

  it('warns about a changed or dropped number, naming it', () => {
    const [finding] = of(
      validateTranslation(segment('Wait 3 seconds, then 10 more.'), 'Espera 4 segundos y luego más.', EN_ES),
      'Q14'
    )
    expect(finding?.severity).toBe('warning')
    expect(finding?.message).toBe('numbers differ from the source: missing 3, 10; added 4')
  })

  it('ignores numbers inside tokens', () => {
    expect(
      of(
        validateTranslation(segment('Run ⟦1⟧ now.', [atom(1, 'code', '`sleep 5`')]), 'Ejecuta ⟦1⟧ ahora.', EN_ES),
        'Q14'
      )
    ).toEqual([])
  })
})

describe('Q17 doubled words', () => {
  it('warns about a doubled word', () => {
    const [finding] = of(validateTranslation(segment('Open the file.'), 'Abre el el archivo.', EN_ES), 'Q17')
    expect(finding?.message).toContain('"el el"')
  })

  it('accepts doubles the source has and the configured exceptions', () => {
    expect(
      of(
        validateTranslation(segment('That that is, is.'), 'That that is, is.', {
          sourceLocale: 'en',
          targetLocale: 'en-GB'
        }),
        'Q17'
      )
    ).toEqual([])
    expect(
      of(validateTranslation(segment('You wash.'), 'Vous vous lavez.', {sourceLocale: 'en', targetLocale: 'fr'}), 'Q17')
    ).toEqual([])
    expect(of(validateTranslation(segment('Go go go.'), 'Vamos, vamos.', EN_ES), 'Q17')).toEqual([])
  })

  it('does not look for doubles in CJK, which has no spaces between words', () => {
    expect(of(validateTranslation(segment('Look at it.'), '看 看 它。', EN_ZH), 'Q17')).toEqual([])
  })
})

describe('Q14 numbers in CJK numerals', () => {
  it('accepts a small number written as a CJK numeral, not a different one', () => {
    expect(of(validateTranslation(segment('Step 3: Connect'), '第三步：建立连接', EN_ZH), 'Q14')).toEqual([])
    expect(severities(validateTranslation(segment('Step 3: Connect'), '第四步：建立连接', EN_ZH), 'Q14')).toEqual([
      'warning'
    ])
  })
})
