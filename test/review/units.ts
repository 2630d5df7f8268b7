/**
 * Review units for the format tests: hand-made edge cases, and every segment of a set of source
 * notes with their translations (the repository's own fixtures in `npm test`).
 */

import {readdirSync} from 'node:fs'
import path from 'node:path'
import type {ReviewUnit} from '../../src/review/unit.js'
import {FIXTURES} from '../support/notes.js'
import {roughSegments} from '../validate/corpus.js'

export const EDGE_UNITS: ReviewUnit[] = [
  {
    id: 'aB3-_x9QzA',
    note: 'notes/setup.md',
    line: 12,
    locale: 'es',
    source: 'Run ⟦1⟧ & read ⟦2⟧the "guide" <here>⟦/2⟧.',
    tokens: [
      {n: 1, shape: 'atom', kind: 'code', open: '`npm ci`', close: ''},
      {
        n: 2,
        shape: 'pair',
        kind: 'link',
        open: '[',
        close: '](https://example.com/a?b=1&c=2 "Guide")',
        url: 'https://example.com/a?b=1&c=2'
      }
    ],
    target: 'Ejecuta ⟦1⟧ y lee ⟦2⟧la "guía" <aquí>⟦/2⟧.',
    state: 'translated'
  },
  {
    id: 'aB3-_x9QzA~2',
    note: 'notes/setup.md',
    line: 20,
    locale: 'es',
    source: 'A line\nand a back\\slash\tand a tab.',
    tokens: [],
    previousSource: 'A line\nand a slash.',
    state: 'needs-review',
    target: 'Una línea\ny una barra\\invertida\ty un tabulador.'
  },
  {
    id: 'Zz0123456a',
    note: 'notes/with space/日本.md',
    line: 3,
    locale: 'es',
    source:
      'A very long sentence that certainly does not fit on one line of a PO file, with averyveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword and ⟦1⟧strong⟦/1⟧ words.',
    tokens: [{n: 1, shape: 'pair', kind: 'strong', open: '**', close: '**'}],
    state: 'new'
  },
  {
    id: 'Cjk0000001',
    note: 'notes/setup.md',
    line: 30,
    locale: 'zh',
    source: 'Chinese text wraps between characters.',
    tokens: [],
    target:
      '中文文本在字符之间换行，这是一个很长的句子，用来测试换行（包括标点符号）。中文文本在字符之间换行，这是一个很长的句子。',
    comment: 'Glossary: keep "Qwen".',
    state: 'human'
  }
]

/**
 * Every segment of the notes under `root` (a folder with `notes/<name>-en.md` and
 * `translations/<locale>/<name>-<locale>.md`) that have translations, with their translations.
 * The default root is the repository's fixtures (`test/fixtures`).
 */
export function translationUnits(locale: 'es' | 'zh', root: string = FIXTURES): ReviewUnit[] {
  const key = `${root}\0${locale}`
  const cached = CACHE.get(key)
  if (cached !== undefined) return cached
  const units: ReviewUnit[] = []
  for (const file of readdirSync(path.join(root, 'translations', locale)).sort()) {
    const note = `notes/${file.replace(`-${locale}.md`, '-en.md')}`
    const sources = roughSegments(path.join(root, note))
    const targets = roughSegments(path.join(root, 'translations', locale, file))
    sources.forEach((segment, index) => {
      const unit: ReviewUnit = {
        id: segment.id,
        note,
        line: segment.line,
        locale,
        source: segment.text,
        tokens: segment.tokens,
        state: 'translated'
      }
      const target = targets[index]
      // The target was protected on its own: keep it only where its numbering means the same shapes.
      const shapes = new Map(segment.tokens.map((token) => [token.n, token.shape]))
      const sameSpace =
        target !== undefined &&
        target.tokens.length === segment.tokens.length &&
        target.tokens.every((token) => shapes.get(token.n) === token.shape)
      if (sameSpace) unit.target = target.text
      if (index % 6 === 0) unit.previousSource = segment.text.slice(0, 120)
      if (index % 5 === 0) unit.state = 'needs-review'
      units.push(unit)
    })
  }
  CACHE.set(key, units)
  return units
}

const CACHE = new Map<string, ReviewUnit[]>()
