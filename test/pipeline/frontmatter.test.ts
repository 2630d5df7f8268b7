/**
 * Front-matter: strict parsing, translatable values, patching in place.
 */

import {describe, expect, it} from 'vitest'
import {NoteError} from '../../src/pipeline/read.js'
import {type FrontmatterEdit, reassemble} from '../../src/pipeline/reassemble.js'
import {analyse} from './harness.js'

function patched(
  source: string,
  title: string | undefined,
  edit?: FrontmatterEdit
): {text: string; rejected: Map<string, string>} {
  const note = analyse(source)
  const translations = new Map<string, string>()
  const segment = note.segments.find((candidate) => candidate.kind === 'frontmatter')
  if (title !== undefined && segment) translations.set(segment.id, title)
  return reassemble(note, translations, edit ? {frontmatter: edit} : undefined)
}

const source = [
  '---',
  '# Post metadata',
  "title: 'Jingren Zhou: CTO'",
  'date: 2025-01-16 # published',
  'tags: [ai, cloud]',
  'lang: en',
  '---',
  '',
  'Body.',
  ''
].join('\n')

describe('front-matter segments', () => {
  it('come first, with kind, key, line, and the string value as markdown', () => {
    const note = analyse(source)
    const segment = note.segments[0]!
    expect(segment).toMatchObject({
      kind: 'frontmatter',
      key: 'title',
      line: 3,
      markdown: 'Jingren Zhou: CTO',
      text: 'Jingren Zhou: CTO'
    })
    expect(note.source.text.slice(segment.start, segment.end)).toBe("'Jingren Zhou: CTO'")
  })

  it('cover the configured keys with string values only', () => {
    const note = analyse('---\ntitle: T\ndescription: A note\ncount: 3\nlist: [a]\n---\n', {
      frontmatterKeys: ['title', 'description', 'count', 'list', 'missing']
    })
    expect(note.segments.map((segment) => segment.key)).toEqual(['title', 'description'])
  })

  it('protect literal token syntax and shielded terms', () => {
    const shield = (text: string) =>
      text.includes('Qwen') ? [{start: text.indexOf('Qwen'), end: text.indexOf('Qwen') + 4}] : []
    const note = analyse('---\ntitle: Qwen rocks ⟦1⟧\n---\n', {shield})
    expect(note.segments[0]!.text).toBe('⟦1⟧ rocks ⟦2⟧1⟦3⟧')
  })
})

describe('patching', () => {
  it('keeps every other byte: order, comments, quoting', () => {
    const {text} = patched(source, 'Jingren Zhou: director de tecnología', {set: {lang: 'es', translated: true}})
    expect(text).toBe(
      source
        .replace("'Jingren Zhou: CTO'", "'Jingren Zhou: director de tecnología'")
        .replace('lang: en', 'lang: es\ntranslated: true')
    )
  })

  it('appends new keys and drops keys with their line', () => {
    const {text} = patched('---\na: 1 # keep\nb: 2\nc: 3\n---\nx\n', undefined, {set: {d: null}, drop: ['b']})
    expect(text).toBe('---\na: 1 # keep\nc: 3\nd: null\n---\nx\n')
  })

  it('re-emits a block scalar title quoted (trap 12)', () => {
    const {text} = patched('---\ntitle: >-\n  A long\n  title\nnext: 1\n---\n', 'Un título largo')
    expect(text).toBe('---\ntitle: "Un título largo"\nnext: 1\n---\n')
  })

  it('quotes values that would read back differently (Q24)', () => {
    const cases: Array<[string, string]> = [
      ['{not: a map}', '"{not: a map}"'],
      ['a: b', '"a: b"'],
      ['- item', '"- item"'],
      ['# hash', '"# hash"'],
      ['true', '"true"'],
      ['12', '"12"'],
      ['*star', '"*star"'],
      ['plain words', 'plain words']
    ]
    for (const [value, written] of cases) {
      expect(patched('---\ntitle: Old\n---\n', value).text).toBe(`---\ntitle: ${written}\n---\n`)
    }
  })

  it('keeps double quotes double and escapes inside them', () => {
    expect(patched('---\ntitle: "Old"\n---\n', 'Dijo "hola"').text).toBe('---\ntitle: "Dijo \\"hola\\""\n---\n')
  })

  it('creates front-matter when the note has none and keys are set', () => {
    expect(patched('Body\n', undefined, {set: {lang: 'es'}}).text).toBe('---\nlang: es\n---\nBody\n')
  })

  it('keeps CRLF inside front-matter', () => {
    const {text} = patched('---\r\ntitle: Old\r\n---\r\nBody\r\n', 'Nuevo', {set: {lang: 'es'}})
    expect(text).toBe('---\r\ntitle: Nuevo\r\nlang: es\r\n---\r\nBody\r\n')
  })

  it('refuses to set keys in front-matter that is not a mapping', () => {
    expect(() => patched('---\n- a\n- b\n---\nx\n', undefined, {set: {lang: 'es'}})).toThrow(NoteError)
  })
})

describe('hostile front-matter', () => {
  const message = (markdown: string): string => {
    try {
      analyse(markdown, undefined, 'notes/bad.md')
    } catch (error) {
      expect(error).toBeInstanceOf(NoteError)
      return (error as Error).message
    }
    throw new Error('expected a NoteError')
  }

  it('invalid YAML: one line naming the file and the line', () => {
    const text = message('---\ntitle: ok\nbad: [unclosed\n---\nBody\n')
    expect(text).toMatch(/^notes\/bad\.md: invalid YAML front-matter on line \d+: .+\. Fix the YAML/)
    expect(text).not.toContain('\n')
  })

  it('duplicate keys (S9)', () => {
    expect(message('---\ntitle: a\ntitle: b\n---\n')).toMatch(/on line 3: Map keys must be unique/)
  })

  it('aliases, so no alias bomb can expand (S6)', () => {
    expect(message('---\na: &x [1, 2]\nb: *x\n---\n')).toMatch(/notes\/bad\.md: YAML alias `\*x` .* on line 3/)
  })

  it('`---js` front-matter is rejected, never evaluated or translated (S8)', () => {
    expect(message('---js\nmodule.exports = {title: "x"}\n---\nBody\n')).toMatch(/`---js` on line 1 is not supported/)
    expect(message('---javascript\n{}\n---\n')).toMatch(/`---javascript`/)
  })

  it('custom tags are not constructed and `__proto__` is just a key (S7, S9)', () => {
    const note = analyse('---\ntitle: !!js/function "f()"\n__proto__: {polluted: true}\n---\nBody\n')
    expect(note.segments.map((segment) => segment.kind)).toEqual(['paragraph'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
