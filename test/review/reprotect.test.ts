import {describe, expect, it} from 'vitest'
import {analyseNote} from '../../src/pipeline/analyse.js'
import {decodeNote} from '../../src/pipeline/read.js'
import {restore} from '../../src/pipeline/restore.js'
import {reprotect} from '../../src/review/reprotect.js'
import type {Segment} from '../../src/types.js'

function segment(markdown: string): Segment {
  const note = analyseNote('a.md', decodeNote(new TextEncoder().encode(markdown), 'a.md'))
  return note.segments[0]!
}

describe('reprotect', () => {
  it('puts the source numbering back on a translation that keeps the order', () => {
    const source = segment('Run `npm ci` and read [the guide](https://x.example/a "Guide").\n')
    expect(source.text).toBe('Run ⟦1⟧ and read ⟦2⟧the guide⟦/2⟧.')
    const result = reprotect(
      'Ejecuta `npm ci` y lee [la guía](https://x.example/a "Guide").',
      source.tokens,
      source.text
    )
    expect(result).toEqual({ok: true, text: 'Ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧.'})
  })

  it('follows a translation that reorders code spans and emphasis', () => {
    const source = segment('First `alpha`, then *beta* and `gamma`.\n')
    const result = reprotect('Primero `gamma`, luego *beta* y `alpha`.', source.tokens, source.text)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(
      restore(
        result.text,
        source.tokens.map((token) => ({...token}))
      )
    ).toBe('Primero `gamma`, luego *beta* y `alpha`.')
    const alpha = source.tokens.find((token) => token.open === '`alpha`')!
    expect(result.text).toContain(`y ⟦${alpha.n}⟧.`)
  })

  it('does not take an escaped literal for markup', () => {
    const source = segment('A *word* here.\n')
    expect(reprotect('Un \\* y *palabra* aquí.', source.tokens, source.text)).toEqual({
      ok: true,
      text: 'Un \\* y ⟦1⟧palabra⟦/1⟧ aquí.'
    })
  })

  it('refuses a translation that lost a placeholder, naming it', () => {
    const source = segment('Run `npm ci` now.\n')
    const result = reprotect('Ejecuta npm ci ahora.', source.tokens, source.text)
    expect(result).toEqual({ok: false, reason: 'the translation does not contain ⟦1⟧ ("`npm ci`")'})
  })

  it('accepts the forms the caller gives (a glossary rendering, a rebased URL)', () => {
    const source = segment('See [the image](img/a.png) of Alibaba Cloud.\n')
    const link = source.tokens[0]!
    const result = reprotect('Mira [la imagen](../img/a.png) de Aliyun.', source.tokens, source.text, {
      forms: (token) => [
        {open: token.open, close: token.close},
        {open: token.open, close: token.close.replace('img/a.png', '../img/a.png')}
      ]
    })
    expect(link.shape).toBe('pair')
    expect(result).toEqual({ok: true, text: 'Mira ⟦1⟧la imagen⟦/1⟧ de Aliyun.'})
  })

  it('refuses crossed pairs and stray token brackets', () => {
    const source = segment('A **bold [link](u)** end.\n')
    expect(reprotect('Un **negrita [enlace**](u) fin.', source.tokens, source.text).ok).toBe(false)
    const plain = segment('Plain `x` text.\n')
    expect(reprotect('Texto `x` con ⟦ suelto.', plain.tokens, plain.text)).toEqual({
      ok: false,
      reason: "the translation contains a literal ⟦ or ⟧ that is not one of the source's placeholders"
    })
  })
})
