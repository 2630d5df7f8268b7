import {describe, expect, it} from 'vitest'
import {rebaseUrl} from '../../src/config/rebase.js'

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

  it.each(['#anchor', '#', '?q=1', '', 'https://example.com/x.png', 'mailto:a@b.co', 'tel:+1', 'data:image/png;base64,AAA', '/abs/x.png', '//cdn.example.com/x.png', 'C:x'])(
    'leaves %j alone',
    (url) => {
      expect(rebaseUrl(url, 'notes/a.md', 'locales/es/a.md')).toBe(url)
    }
  )
})
