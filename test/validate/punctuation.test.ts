import {describe, expect, it} from 'vitest'
import {validateTranslation} from '../../src/pipeline/validate.js'
import {atom, EN_ES, EN_ZH, of, pair, segment, severities} from './segment.js'

describe('Q15 brackets', () => {
  it('accepts the same brackets, full-width counted as ASCII', () => {
    const source = segment('Use the client (or the server).')
    expect(of(validateTranslation(source, 'Usa el cliente (o el servidor).', EN_ES), 'Q15')).toEqual([])
    expect(of(validateTranslation(source, '使用客户端（或服务器）。', EN_ZH), 'Q15')).toEqual([])
  })

  it('warns when the bracket count differs', () => {
    const [finding] = of(
      validateTranslation(segment('Use the client (or the server).'), 'Usa el cliente o el servidor.', EN_ES),
      'Q15'
    )
    expect(finding).toMatchObject({severity: 'warning', message: '0 round bracket(s), the source has 2'})
  })

  it('rejects link syntax written with full-width brackets', () => {
    const source = segment('See [the docs](https://x.y).')
    expect(severities(validateTranslation(source, '见［文档］（https://x.y）。', EN_ZH), 'Q15')).toContain('error')
    expect(severities(validateTranslation(source, '见[文档]（https://x.y）。', EN_ZH), 'Q15')).toContain('error')
  })

  it('rejects a full-width bracket glued to a bare URL, which GFM would take into the link', () => {
    const source = segment('Download from ⟦1⟧ (free).', [atom(1, 'url', 'https://x.y', 'https://x.y')])
    expect(severities(validateTranslation(source, '从 ⟦1⟧（免费）下载。', EN_ZH), 'Q15')).toEqual(['error'])
    expect(of(validateTranslation(source, '从 ⟦1⟧ （免费）下载。', EN_ZH), 'Q15')).toEqual([])
  })

  it('accepts full-width brackets next to a link pair, whose syntax is in the tokens', () => {
    const source = segment('Read ⟦1⟧the guide⟦/1⟧ (short).', [pair(1, 'link', '[', '](/g)', '/g')])
    expect(of(validateTranslation(source, '阅读⟦1⟧指南⟦/1⟧（简短）。', EN_ZH), 'Q15')).toEqual([])
  })
})

describe('Q16 end punctuation', () => {
  it('accepts the same ending, CJK and Greek forms included', () => {
    expect(of(validateTranslation(segment('It works.'), 'Funciona.', EN_ES), 'Q16')).toEqual([])
    expect(of(validateTranslation(segment('It works.'), '它可以工作。', EN_ZH), 'Q16')).toEqual([])
    expect(of(validateTranslation(segment('Does it work?'), '¿Funciona?', EN_ES), 'Q16')).toEqual([])
    expect(
      of(validateTranslation(segment('Does it work?'), 'Λειτουργεί;', {sourceLocale: 'en', targetLocale: 'el'}), 'Q16')
    ).toEqual([])
    expect(of(validateTranslation(segment('Then run:'), '然后运行：', EN_ZH), 'Q16')).toEqual([])
    expect(of(validateTranslation(segment('Wait...'), 'Espera…', EN_ES), 'Q16')).toEqual([])
    expect(of(validateTranslation(segment('He said "done."'), 'Dijo «hecho.»', EN_ES), 'Q16')).toEqual([])
  })

  it('warns when the ending changes', () => {
    const [finding] = of(validateTranslation(segment('Does it work?'), 'Funciona.', EN_ES), 'Q16')
    expect(finding).toMatchObject({severity: 'warning', message: 'ends with a stop, the source with a question'})
    expect(severities(validateTranslation(segment('Getting started'), 'Primeros pasos.', EN_ES), 'Q16')).toEqual([
      'warning'
    ])
  })

  it('does not compare when a token ends either side (word order moves them)', () => {
    const source = segment('Install it with ⟦1⟧', [atom(1, 'code', '`npm i`')])
    expect(of(validateTranslation(source, 'Con ⟦1⟧ se instala.', EN_ES), 'Q16')).toEqual([])
  })
})
