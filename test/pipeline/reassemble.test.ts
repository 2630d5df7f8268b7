/**
 * Reassembly: splicing by offset, container prefixes and line endings, the safety net, and
 * content-addressed segment ids.
 */

import {describe, expect, it} from 'vitest'
import {reassemble} from '../../src/pipeline/reassemble.js'
import {restore} from '../../src/pipeline/restore.js'
import {isUntranslatable} from '../../src/text/letters.js'
import type {Segment} from '../../src/types.js'
import {analyse} from './harness.js'

/** Translate the segments whose markdown is a key of `table` (given as protected text). */
function translated(markdown: string, table: Record<string, string>): {text: string; rejected: Map<string, string>} {
  const note = analyse(markdown)
  const translations = new Map<string, string>()
  for (const segment of note.segments) {
    const value = table[segment.markdown]
    if (value !== undefined)
      translations.set(segment.id, restore(value, segment.tokens, note.layouts.get(segment.id)?.placement))
  }
  return reassemble(note, translations)
}

describe('splicing', () => {
  it('changes only the translated segments, byte for byte elsewhere', () => {
    const source = '# Title\n\nFirst   paragraph.\n\n```js\nconst x = 1\n```\n\nSecond.\n'
    expect(translated(source, {'Second.': 'Segundo.'}).text).toBe(source.replace('Second.', 'Segundo.'))
  })

  it('re-adds block quote and list prefixes after every line break (trap 6)', () => {
    const source = '> - one\n>   two\n'
    const {text} = translated(source, {'one\ntwo': 'uno\ndos\ntres'})
    expect(text).toBe('> - uno\n>   dos\n>   tres\n')
  })

  it('keeps lazy continuation lines as they were when unchanged', () => {
    const source = '> one\nlazy two\n> three\n'
    const note = analyse(source)
    expect(note.segments[0]!.markdown).toBe('one\nlazy two\nthree')
    const {text} = translated(source, {'one\nlazy two\nthree': 'uno\nlazy two\ntres'})
    expect(text).toBe('> uno\nlazy two\n> tres\n')
  })

  it('writes the source line endings back, CRLF included (trap 9)', () => {
    const source = '> one\r\n> two\r\n\r\nthree\r\n'
    const {text} = translated(source, {'one\ntwo': 'uno\ndos', three: 'tres'})
    expect(text).toBe('> uno\r\n> dos\r\n\r\ntres\r\n')
  })

  it('keeps the byte order mark (trap 8)', () => {
    const source = '\uFEFFHello\n'
    expect(translated(source, {Hello: 'Hola'}).text).toBe('\uFEFFHola\n')
  })

  it('a translation equal to the segment markdown keeps the exact bytes', () => {
    const source = '* a  *b*\n'
    const note = analyse(source)
    const segment = note.segments[0]!
    expect(reassemble(note, new Map([[segment.id, segment.markdown]])).text).toBe(source)
  })

  it('puts a translated link title inside the translated paragraph', () => {
    const source = 'See [the docs](/d "The docs") now.\n'
    const note = analyse(source)
    const [paragraph, title] = note.segments as [Segment, Segment]
    expect(title.kind).toBe('linkTitle')
    const translations = new Map([
      [
        paragraph.id,
        restore('Ver ⟦1⟧los documentos⟦/1⟧ ya.', paragraph.tokens, note.layouts.get(paragraph.id)?.placement)
      ],
      [title.id, restore('Los "documentos"', title.tokens, note.layouts.get(title.id)?.placement)]
    ])
    expect(reassemble(note, translations).text).toBe('Ver [los documentos](/d "Los \\"documentos\\"") ya.\n')
    // The title alone is spliced where it is.
    expect(reassemble(note, new Map([[title.id, 'Docs']])).text).toBe('See [the docs](/d "Docs") now.\n')
  })

  it('translates image alt text of a lone image (trap 10)', () => {
    const source = '![A cat](/cat.png)\n'
    const note = analyse(source)
    expect(note.segments.map((segment) => segment.kind)).toEqual(['imageAlt'])
    const segment = note.segments[0]!
    expect(
      reassemble(
        note,
        new Map([[segment.id, restore('Un [gato', segment.tokens, note.layouts.get(segment.id)?.placement)]])
      ).text
    ).toBe('![Un \\[gato](/cat.png)\n')
  })

  it('translates table cells with `|` escaped (trap 11)', () => {
    const source = '| Name | Note |\n| --- | --- |\n| a | b |\n'
    expect(translated(source, {Note: 'Nota | extra'}).text).toBe(
      '| Name | Nota \\| extra |\n| --- | --- |\n| a | b |\n'
    )
  })

  it('rewrites link, image and definition destinations with rewriteUrl', () => {
    const source = '[a](img/a.png) ![b](<b c.png>)\n\n[d]: d.md "D"\n'
    const note = analyse(source)
    const {text} = reassemble(note, new Map(), {rewriteUrl: (url) => (url.startsWith('http') ? url : `../${url}`)})
    expect(text).toBe('[a](../img/a.png) ![b](<../b c.png>)\n\n[d]: ../d.md "D"\n')
  })
})

describe('safety net', () => {
  it('rejects a translation that adds a URL (trap 2) and keeps the source text', () => {
    const source = 'Read the guide.\n\nSecond one.\n'
    const {text, rejected} = translated(source, {
      'Read the guide.': 'Lee la guía en https://evil.example.com',
      'Second one.': 'Segundo.'
    })
    expect([...rejected.values()]).toEqual([expect.stringMatching(/^changes the document structure/)])
    expect(text).toBe('Read the guide.\n\nSegundo.\n')
  })

  it('rejects a placeholder that opens a block on the first line, and only that segment', () => {
    const source = 'Text <div> here.\n\nOther.\n'
    const note = analyse(source)
    const [first, second] = note.segments as [Segment, Segment]
    const translations = new Map([
      [first.id, restore('⟦1⟧ texto aquí.', first.tokens, note.layouts.get(first.id)?.placement)],
      [second.id, 'Otro.']
    ])
    const {text, rejected} = reassemble(note, translations)
    expect([...rejected.keys()]).toEqual([first.id])
    expect(text).toBe('Text <div> here.\n\nOtro.\n')
  })

  it('finds every bad segment among many by bisection (trap 7)', () => {
    const source = `${Array.from({length: 9}, (_, index) => `Para ${index} *x*.`).join('\n\n')}\n`
    const note = analyse(source)
    const translations = new Map<string, string>()
    note.segments.forEach((segment, index) => {
      // Paragraphs 2 and 7 get a hand-written translation that turns into a list.
      translations.set(
        segment.id,
        index === 2 || index === 7
          ? '- lista'
          : restore(`Párrafo ${index} ⟦1⟧x⟦/1⟧.`, segment.tokens, note.layouts.get(segment.id)?.placement)
      )
    })
    const {rejected, text} = reassemble(note, translations)
    expect([...rejected.keys()]).toEqual([note.segments[2]!.id, note.segments[7]!.id])
    expect(text).toContain('Para 2 *x*.')
    expect(text).toContain('Párrafo 8 *x*.')
  })
})

describe('segments a human wrote', () => {
  const source =
    '---\ntitle: T\n---\n\nSome **bold** words.\n\nRead [the guide](https://example.com/g) first.\n\nA *third* one.\n'

  it("may lack the source's bold or link (human edits win); a machine translation may not", () => {
    const note = analyse(source)
    const [, bold, link] = note.segments as [Segment, Segment, Segment]
    const translations = new Map([
      [bold.id, 'Unas palabras en negrita.'],
      [link.id, 'Lee primero la guía.']
    ])
    const machine = reassemble(note, translations)
    expect([...machine.rejected.keys()].sort()).toEqual([bold.id, link.id].sort())
    const human = reassemble(note, translations, {human: new Set([bold.id, link.id])})
    expect(human.rejected.size).toBe(0)
    expect(human.text).toContain('Unas palabras en negrita.\n\nLee primero la guía.\n\nA *third* one.')
  })

  it("still keep the document's block structure, and the markup of the other segments is still compared", () => {
    const note = analyse(source)
    const [, bold, link, third] = note.segments as [Segment, Segment, Segment, Segment]
    const {rejected} = reassemble(
      note,
      new Map([
        [bold.id, '- una lista'],
        [link.id, 'Lee primero la guía.'],
        [third.id, 'Una tercera.']
      ]),
      {human: new Set([bold.id, link.id])}
    )
    expect([...rejected.keys()].sort()).toEqual([bold.id, third.id].sort())
  })

  it('are placed right when the front-matter changes length before them', () => {
    const note = analyse(source)
    const third = note.segments[3]!
    // A human segment *after* bold markup, with a front-matter edit that shifts every offset: the
    // bold of the segment before it is still compared (and kept).
    const {rejected, text} = reassemble(note, new Map([[third.id, 'Una tercera.']]), {
      frontmatter: {set: {lang: 'es', translated: true}},
      human: new Set([third.id])
    })
    expect(rejected.size).toBe(0)
    expect(text).toContain('Some **bold** words.')
    expect(text).toContain('lang: es')
  })
})

describe('segment ids', () => {
  const source = 'Alpha paragraph.\n\nBeta `code` paragraph.\n\nGamma.\n'

  it('are stable when a paragraph is inserted', () => {
    const before = analyse(source).segments.map((segment) => segment.id)
    const after = analyse(`Inserted first.\n\n${source}`).segments.map((segment) => segment.id)
    expect(after.slice(1)).toEqual(before)
  })

  it('do not change when whitespace is re-wrapped', () => {
    const [a] = analyse('Alpha   paragraph\nwrapped.\n').segments
    const [b] = analyse('Alpha paragraph wrapped.\n').segments
    expect(a!.id).toBe(b!.id)
  })

  it('change when a protected URL or code span changes', () => {
    const ids = ['[a](/x) b', '[a](/y) b', '`x` b', '`y` b'].map((markdown) => analyse(markdown).segments[0]!.id)
    expect(new Set(ids).size).toBe(4)
  })

  it('number duplicates ~2, ~3 in document order', () => {
    const ids = analyse('Same.\n\nSame.\n\n> Same.\n').segments.map((segment) => segment.id)
    expect(ids[1]).toBe(`${ids[0]}~2`)
    expect(ids[2]).toBe(`${ids[0]}~3`)
    expect(ids[0]).toMatch(/^[\w-]{10}$/)
  })

  it('give 1-based source lines and keep segments with nothing to translate, marked untranslatable', () => {
    const note = analyse('---\ntitle: T\n---\n\n| 42 | `x` |\n|---|---|\n\nWords here.\n')
    expect(note.segments.map((segment) => [segment.kind, segment.line, isUntranslatable(segment)])).toEqual([
      ['frontmatter', 2, false],
      ['tableCell', 5, true],
      ['tableCell', 5, true],
      ['paragraph', 8, false]
    ])
  })
})
