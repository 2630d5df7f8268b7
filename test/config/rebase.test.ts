import {describe, expect, it} from 'vitest'
import {rebaseLink, rebaseUrl} from '../../src/config/rebase.js'

describe('rebaseUrl (Q25)', () => {
  it.each([
    // One level deeper: notes/a.md → locales/es/a.md
    ['img/x.png', 'notes/a.md', 'locales/es/a.md', '../../notes/img/x.png'],
    ['./img/x.png', 'notes/a.md', 'locales/es/a.md', '../../notes/img/x.png'],
    ['../assets/x.svg', 'notes/a.md', 'locales/es/a.md', '../../assets/x.svg'],
    ['other.md#section', 'notes/a.md', 'locales/es/a.md', '../../notes/other.md#section'],
    ['other.md?raw=1#l2', 'notes/a.md', 'locales/es/a.md', '../../notes/other.md?raw=1#l2'],
    ['sub/', 'notes/a.md', 'locales/es/a.md', '../../notes/sub/'],
    ['./', 'notes/a.md', 'locales/es/a.md', '../../notes/'],
    ['x%20y.png', 'notes/a.md', 'locales/es/a.md', '../../notes/x%20y.png'],
    // Shallower and sideways
    ['img/x.png', 'notes/deep/a.md', 'a.es.md', 'notes/deep/img/x.png'],
    ['../img/x.png', 'notes/deep/a.md', 'notes/es/a.md', '../img/x.png'],
    ['../../img/x.png', 'notes/deep/a.md', 'out/es/deep/a.md', '../../../img/x.png'],
    ['img/x.png', 'notes/a.md', 'notes/img/a.es.md', 'x.png'],
    // Above the root: the relation is kept exactly
    ['../../up.png', 'notes/a.md', 'locales/es/a.md', '../../../up.png'],
    // Same folder: untouched
    ['img/x.png', 'notes/a.md', 'notes/a.es.md', 'img/x.png']
  ])('%j from %s to %s → %j', (url, from, to, expected) => {
    expect(rebaseUrl(url, from, to)).toBe(expected)
  })

  it.each([
    '#anchor',
    '#',
    '?q=1',
    '',
    'https://example.com/x.png',
    'mailto:a@b.co',
    'tel:+1',
    'data:image/png;base64,AAA',
    '/abs/x.png',
    '//cdn.example.com/x.png',
    'C:x'
  ])('leaves %j alone', (url) => {
    expect(rebaseUrl(url, 'notes/a.md', 'locales/es/a.md')).toBe(url)
  })
})

describe('rebaseLink: links between notes point at their translation', () => {
  const outputs = new Map([
    ['notes/other.md', 'locales/es/other.md'],
    ['notes/sub/deep.md', 'locales/es/sub/deep.md']
  ])
  const translationOf = (note: string) => outputs.get(note)
  it.each([
    ['other.md', 'locales/es/other.md'.slice('locales/es/'.length)],
    ['./other.md#part', 'other.md#part'],
    ['sub/deep.md', 'sub/deep.md'],
    // No translation: the original note; images and other files: the original.
    ['missing.md', '../../notes/missing.md'],
    ['img/x.png', '../../notes/img/x.png'],
    ['https://example.com/other.md', 'https://example.com/other.md']
  ])('%j from notes/a.md to locales/es/a.md → %j', (url, expected) => {
    expect(rebaseLink(url, 'notes/a.md', 'locales/es/a.md', translationOf)).toBe(expected)
  })
})
