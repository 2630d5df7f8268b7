/**
 * Front-matter values written from a model's translation read back as exactly one string in
 * YAML 1.2 (this tool, js-yaml 4) and YAML 1.1 (Jekyll's Psych, PyYAML): no new keys through
 * U+2028/U+2029/NEL, no booleans, nulls, numbers or dates (docs/rules.md Q26–Q28, docs/providers.md).
 */

import {describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'
import {renderValue} from '../../src/pipeline/frontmatter.js'
import {reassemble} from '../../src/pipeline/reassemble.js'
import {analyse} from './harness.js'

/** Parse the front-matter of a written note with one YAML version; fails the test on an error. */
function frontmatterAs(text: string, version: '1.1' | '1.2'): Record<string, unknown> {
  const match = /^---\n([\s\S]*?\n)---\n/.exec(text)
  expect(match, text).not.toBeNull()
  const document = parseDocument(match![1]!, {version, uniqueKeys: true})
  expect(document.errors, `${version}: ${text}`).toEqual([])
  return document.toJS() as Record<string, unknown>
}

/** Write `title` as the translation of a note whose title has the given source form. */
function written(title: string, sourceTitle = 'Plain title'): {text: string; rejected: boolean} {
  const note = analyse(`---\ntitle: ${sourceTitle}\nlayout: post\nlang: en\n---\n\nBody text here.\n`)
  const segment = note.segments.find((candidate) => candidate.kind === 'frontmatter')!
  const result = reassemble(note, new Map([[segment.id, title]]), {frontmatter: {set: {lang: 'es', translated: true}}})
  return {text: result.text, rejected: result.rejected.has(segment.id)}
}

function expectOneString(title: string, sourceTitle?: string): void {
  const {text, rejected} = written(title, sourceTitle)
  expect(rejected, JSON.stringify(title)).toBe(false)
  for (const version of ['1.1', '1.2'] as const) {
    const values = frontmatterAs(text, version)
    expect(Object.keys(values), `${version} ${JSON.stringify(title)}\n${text}`).toEqual([
      'title',
      'layout',
      'lang',
      'translated'
    ])
    expect(values.title, `${version} ${JSON.stringify(title)}\n${text}`).toBe(title)
    expect(values.layout).toBe('post')
  }
}

const HOSTILE_TITLES = [
  'Hola\u2028permalink:\u2028 /index.html',
  'Hola\u2029layout: evil\u2029published: false',
  'Hola\u0085permalink: /x',
  'Hola\rpermalink: /x',
  'No',
  'On',
  'off',
  'y',
  'N',
  'Yes',
  '~',
  'null',
  '=',
  '<<',
  '2025-01-16',
  '2001-12-14t21:59:43.10-05:00',
  '1:20',
  '190:20:30',
  '0o17',
  '017',
  '0x1F',
  '0b101',
  '1_000',
  '.5',
  '.inf',
  '-.NaN',
  '+12',
  '12e3',
  '- item',
  '? key',
  ': value',
  '# comment',
  'a # comment',
  'key: value',
  '&anchor text',
  '*alias',
  '!!python/object:os.system',
  '| block',
  '> folded',
  "'quoted'",
  '"quoted"',
  '%TAG',
  '@at',
  '`tick',
  '[a, b]',
  '{a: b}',
  '\ufeffBOM',
  'tab\there',
  'bell\u0007',
  'esc\u001b[31m',
  'del\u007f',
  'c1\u0090',
  'lone \ud800 surrogate',
  'emoji 😀 ok',
  'back\\slash "and" quotes',
  ' leading space',
  'trailing space ',
  '---',
  '...',
  '{{ site.github.token }}'
]

describe('front-matter values read back as one string in YAML 1.1 and 1.2', () => {
  it.each(HOSTILE_TITLES)('%j', (title) => {
    expectOneString(title)
    expectOneString(title, "'Single quoted title'")
    expectOneString(title, '"Double quoted title"')
  })

  it('plain words stay plain, and an existing single-quoted style is kept when it can carry the value', () => {
    expect(renderValue('Hola mundo', 'PLAIN')).toBe('Hola mundo')
    expect(renderValue("It's fine", 'QUOTE_SINGLE')).toBe("'It''s fine'")
    expect(renderValue('No', 'PLAIN')).toBe('"No"')
    expect(renderValue('a\u2028b', 'QUOTE_SINGLE')).toBe('"a\\u2028b"')
  })

  it('a seeded fuzz of 1,500 hostile titles: every one reads back as itself in both versions', () => {
    const pieces = [
      ...HOSTILE_TITLES,
      ' ',
      ': ',
      '\u2028',
      '\u2029',
      '\u0085',
      '\n',
      '\t',
      '#',
      '"',
      "'",
      '\\',
      'x',
      'Título',
      '中文',
      '\u200b',
      '\u00ad'
    ]
    let seed = 0x2028
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x80000000
    }
    const sources = ['Plain title', "'Single quoted title'", '"Double quoted title"']
    for (let k = 0; k < 1500; k++) {
      let title = ''
      const count = 1 + Math.floor(random() * 4)
      for (let p = 0; p < count; p++) title += pieces[Math.floor(random() * pieces.length)]
      if (title.trim() === '') title = `x${title}`
      const {text, rejected} = written(title, sources[k % 3])
      // A title the safety net refuses keeps the source's; anything written must read back exactly.
      const expected = rejected ? sources[k % 3]!.replace(/^['"]|['"]$/g, '') : title
      for (const version of ['1.1', '1.2'] as const) {
        const values = frontmatterAs(text, version)
        expect(Object.keys(values), JSON.stringify(title)).toEqual(['title', 'layout', 'lang', 'translated'])
        expect(values.title, `${version} ${JSON.stringify(title)}\n${text}`).toBe(expected)
      }
      expect(rejected, JSON.stringify(title)).toBe(false)
    }
  })
})
