/**
 * Escaping driven by mdast-util-to-markdown's unsafe table: translated text next to a token is
 * escaped exactly when it would change the structure.
 */

import {describe, expect, it} from 'vitest'
import {safe} from '../../src/pipeline/escape.js'
import {reassemble} from '../../src/pipeline/reassemble.js'
import {restore} from '../../src/pipeline/restore.js'
import {analyse, shapeProblem} from './harness.js'

/** Translate the note's only segment with `translation` (protected text) and splice it. */
function splice(source: string, translation: string): {text: string; rejected: Map<string, string>} {
  const note = analyse(source)
  const segment = note.segments.find((candidate) => candidate.kind !== 'frontmatter')!
  return reassemble(
    note,
    new Map([[segment.id, restore(translation, segment.tokens, note.layouts.get(segment.id)?.placement)]])
  )
}

describe('escaping from the unsafe table', () => {
  it('escapes "!" before a link so it does not become an image', () => {
    const source = 'Click [here](https://example.com) now.\n'
    const {text, rejected} = splice(source, '¡Haz clic!⟦1⟧aquí⟦/1⟧ ahora.')
    expect(rejected.size).toBe(0)
    expect(text).toBe('¡Haz clic\\![aquí](https://example.com) ahora.\n')
    expect(shapeProblem(source, text)).toBeUndefined()
  })

  it('escapes "(" after a shortcut reference so it does not become an inline link', () => {
    const source = 'See [foo] (details).\n\n[foo]: https://example.com\n'
    const note = analyse(source)
    const segment = note.segments[0]!
    expect(segment.text).toBe('See ⟦1⟧foo⟦/1⟧ (details).')
    const {text, rejected} = reassemble(
      note,
      new Map([
        [segment.id, restore('Ver ⟦1⟧foo⟦/1⟧(detalles).', segment.tokens, note.layouts.get(segment.id)?.placement)]
      ])
    )
    expect(rejected.size).toBe(0)
    expect(text.split('\n')[0]).toBe('Ver [foo]\\(detalles).')
    expect(shapeProblem(source, text)).toBeUndefined()
  })

  it('leaves "!" and "(" alone where they change nothing', () => {
    expect(safe('¡Hola! (sí)', 'paragraph', {before: '\n', after: ''})).toBe('¡Hola! (sí)')
    expect(safe('a!', 'paragraph', {before: '', after: '*'})).toBe('a!')
  })

  it('escapes block starts only at the start of a line', () => {
    expect(safe('1. paso', 'paragraph', {before: '\n', after: ''})).toBe('1\\. paso')
    expect(safe('1. paso', 'paragraph', {before: 'a ', after: ''})).toBe('1. paso')
    expect(safe('# no', 'paragraph', {before: '\n', after: ''})).toBe('\\# no')
    expect(safe('- no', 'paragraph', {before: '\n', after: ''})).toBe('\\- no')
    expect(safe('> no', 'paragraph', {before: '\n', after: ''})).toBe('\\> no')
  })

  it('escapes pairing characters, "]" inside labels, "|" in cells and quotes in titles', () => {
    expect(safe('a *b* `c` _d_ ~e~ $f$ [g', 'paragraph', {before: '', after: ''})).toBe(
      'a \\*b\\* \\`c\\` \\_d\\_ \\~e\\~ \\$f\\$ \\[g'
    )
    expect(safe('a]b', 'paragraph', {before: '', after: '', label: true})).toBe('a\\]b')
    expect(safe('a|b', 'cell', {before: '', after: '|'})).toBe('a\\|b')
    expect(safe('say "hi"', 'title', {before: '', after: '"', quote: '"'})).toBe('say \\"hi\\"')
    expect(safe('(x)', 'title', {before: '', after: ')', quote: ')'})).toBe('\\(x\\)')
    expect(safe('<b> & &amp;', 'paragraph', {before: '', after: ''})).toBe('\\<b> & \\&amp;')
  })

  it('keeps existing escapes as written (idempotent)', () => {
    expect(safe('\\*a\\* and \\[', 'paragraph', {before: '', after: ''})).toBe('\\*a\\* and \\[')
  })
})

describe('raw-HTML code elements', () => {
  it('are one atom: their text is never sent for translation', () => {
    for (const tag of ['code', 'kbd', 'samp', 'var', 'pre']) {
      const note = analyse(`Run <${tag}><b>Getting Started</b></${tag}> first.\n`)
      expect(note.segments[0]!.text).toBe('Run ⟦1⟧ first.')
      expect(note.segments[0]!.tokens[0]!.open).toBe(`<${tag}><b>Getting Started</b></${tag}>`)
    }
    // Other elements keep their text translatable.
    expect(analyse('Run <b>this</b> first.\n').segments[0]!.text).toBe('Run ⟦1⟧this⟦/1⟧ first.')
  })
})

describe('single-dollar math', () => {
  const kinds = (markdown: string) =>
    analyse(markdown).segments[0]!.tokens.map((token) => `${token.kind}:${token.open}`)

  it('never swallows a link or code', () => {
    expect(kinds('[$http service](https://docs.angularjs.org/api/ng/service/$http) is a service.\n')).toEqual([
      'link:['
    ])
    expect(kinds('Use $a `$b` c$ here.\n')).toEqual(['code:`$b`'])
  })

  it('leaves prices prose and keeps math inside one text run', () => {
    expect(analyse('It costs $5 and $10.\n').segments[0]!.text).toBe('It costs $5 and $10.')
    expect(kinds('Let $x^2$ and $$y$$ be.\n')).toEqual(['math:$x^2$', 'math:$$y$$'])
  })

  it('a translation keeps the link the math used to swallow', () => {
    const source = 'See [$http service](https://example.com/$http) now.\n'
    const {text, rejected} = splice(source, 'Ver ⟦1⟧servicio $http⟦/1⟧ ahora.')
    expect(rejected.size).toBe(0)
    expect(text).toBe('Ver [servicio \\$http](https://example.com/$http) ahora.\n')
  })
})

describe('destinations written with escapes', () => {
  it('are rebased like the others, their escapes kept', () => {
    const source = '[link](\\(foo\\)) and [other](bar.md)\n'
    const note = analyse(source)
    const {text} = reassemble(note, new Map(), {rewriteUrl: (url) => `../../${url}`})
    expect(text).toBe('[link](../../\\(foo\\)) and [other](../../bar.md)\n')
    const link = (markdown: string) => JSON.stringify(analyse(markdown).tree).match(/"url":"([^"]*)"/)?.[1]
    expect(link(text)).toBe('../../(foo)')
  })
})

describe('relative URLs inside raw HTML', () => {
  it('are rebased like Markdown destinations', () => {
    const source = [
      '<p align="center"><img src="screenshot.svg" width="200"></p>',
      '',
      'Inline <a href="./docs/x.md">docs</a> and <img src=\'logo.png\' srcset="logo.png 1x, logo@2x.png 2x">.',
      '',
      '<picture><source srcset="dark.png" media="(prefers-color-scheme: dark)"><script src=app.js></script></picture>',
      '',
      '<a href="https://example.com/x.png">abs</a> <a href="#top">top</a> [md](y.md)',
      ''
    ].join('\n')
    const note = analyse(source)
    const {text} = reassemble(note, new Map(), {rewriteUrl: (url) => (/^[a-z]+:|^#/.test(url) ? url : `../../${url}`)})
    expect(text).toContain('<img src="../../screenshot.svg" width="200">')
    expect(text).toContain('<a href="../.././docs/x.md">')
    expect(text).toContain('<img src=\'../../logo.png\' srcset="../../logo.png 1x, ../../logo@2x.png 2x">')
    expect(text).toContain(
      '<source srcset="../../dark.png" media="(prefers-color-scheme: dark)"><script src=../../app.js>'
    )
    expect(text).toContain('<a href="https://example.com/x.png">abs</a> <a href="#top">top</a> [md](../../y.md)')
  })
})
