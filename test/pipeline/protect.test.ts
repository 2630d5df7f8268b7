/**
 * Protection: which constructs become which tokens, and `restore` as their exact inverse.
 */

import {describe, expect, it} from 'vitest'
import {type Placement, protectPlain} from '../../src/pipeline/protect.js'
import {restore} from '../../src/pipeline/restore.js'
import {type Segment, TOKEN_PATTERN, type Token} from '../../src/types.js'
import {analyse} from './harness.js'

/** The first segment of `markdown` (front-matter excluded), with its placement. */
function first(markdown: string, options?: Parameters<typeof analyse>[1]): Segment & {placement: Placement} {
  const note = analyse(markdown, options)
  const segment = note.segments.find((candidate) => candidate.kind !== 'frontmatter')
  if (!segment) throw new Error(`no segment in ${JSON.stringify(markdown)}`)
  return {...segment, placement: note.layouts.get(segment.id)!.placement}
}

function summary(token: Token): string {
  return `${token.n}:${token.shape}:${token.kind}:${token.open}|${token.close}${token.url === undefined ? '' : `@${token.url}`}`
}

describe('protect: one token per construct', () => {
  const cases: Array<[string, string, string, string[]]> = [
    ['inline code', 'Run `npm ci` now', 'Run ⟦1⟧ now', ['1:atom:code:`npm ci`|']],
    ['inline math', 'Area $\\pi r^2$ here', 'Area ⟦1⟧ here', ['1:atom:math:$\\pi r^2$|']],
    ['unpaired inline HTML', 'a <br> b', 'a ⟦1⟧ b', ['1:atom:html:<br>|']],
    ['same-parent HTML pair', 'a <b>Ctrl</b> b', 'a ⟦1⟧Ctrl⟦/1⟧ b', ['1:pair:htmlPair:<b>|</b>']],
    ['link', 'see [the docs](/d "T") ok', 'see ⟦1⟧the docs⟦/1⟧ ok', ['1:pair:link:[|](/d "T")@/d']],
    ['image inside text', 'a ![logo](/l.png) b', 'a ⟦1⟧logo⟦/1⟧ b', ['1:pair:image:![|](/l.png)@/l.png']],
    ['autolink', 'mail <a@b.co> now', 'mail ⟦1⟧ now', ['1:atom:autolink:<a@b.co>|@mailto:a@b.co']],
    ['literal autolink', 'go www.x.com now', 'go ⟦1⟧ now', ['1:atom:autolink:www.x.com|@http://www.x.com']],
    ['footnote reference', 'Fact[^1] here\n\n[^1]: Source', 'Fact⟦1⟧ here', ['1:atom:footnote:[^1]|']],
    ['full reference', 'a [text][ref] b\n\n[ref]: /r', 'a ⟦1⟧text⟦/1⟧ b', ['1:pair:link:[|][ref]@/r']],
    [
      'character reference',
      'caf&eacute; &#35; ok',
      'caf⟦1⟧ ⟦2⟧ ok',
      ['1:atom:charref:&eacute;|', '2:atom:charref:&#35;|']
    ],
    ['hard break (spaces)', 'one  \ntwo', 'one⟦1⟧two', ['1:atom:break:  \n|']],
    ['hard break (backslash)', 'one\\\ntwo', 'one⟦1⟧two', ['1:atom:break:\\\n|']],
    ['literal token syntax', 'x ⟦1⟧ y', 'x ⟦1⟧1⟦2⟧ y', ['1:atom:escape:⟦|', '2:atom:escape:⟧|']],
    [
      'emphasis, strong, delete',
      '*a* __b__ ~~c~~',
      '⟦1⟧a⟦/1⟧ ⟦2⟧b⟦/2⟧ ⟦3⟧c⟦/3⟧',
      ['1:pair:emphasis:*|*', '2:pair:strong:__|__', '3:pair:delete:~~|~~']
    ]
  ]
  for (const [name, markdown, text, tokens] of cases) {
    it(name, () => {
      const segment = first(markdown)
      expect(segment.text).toBe(text)
      expect(segment.tokens.map(summary)).toEqual(tokens)
      expect(restore(segment.text, segment.tokens, segment.placement)).toBe(segment.markdown)
    })
  }

  it('numbers atoms and pairs together, from 1, in document order', () => {
    const segment = first('*a `b` c* and [d](/e)')
    expect(segment.text).toBe('⟦1⟧a ⟦2⟧ c⟦/1⟧ and ⟦3⟧d⟦/3⟧')
    expect([...segment.text.matchAll(TOKEN_PATTERN)].map((match) => match[0])).toEqual([
      '⟦1⟧',
      '⟦2⟧',
      '⟦/1⟧',
      '⟦3⟧',
      '⟦/3⟧'
    ])
  })

  it('keeps backslash escapes as text and leaves unpaired HTML closing tags atoms', () => {
    const segment = first('a \\*b\\* </i> c')
    expect(segment.text).toBe('a \\*b\\* ⟦1⟧ c')
    expect(restore(segment.text, segment.tokens, segment.placement)).toBe('a \\*b\\* </i> c')
  })

  it('protects shielded glossary terms as `term` atoms, only inside text runs', () => {
    const shield = (text: string) =>
      [...text.matchAll(/Qwen/g)].map((match) => ({start: match.index, end: match.index + 4}))
    const segment = first('Use Qwen with `Qwen` code', {shield})
    expect(segment.text).toBe('Use ⟦1⟧ with ⟦2⟧ code')
    expect(segment.tokens.map((token) => token.kind)).toEqual(['term', 'code'])
  })

  it('ignores shield ranges that overlap or fall outside the run', () => {
    const shield = () => [
      {start: 0, end: 3},
      {start: 2, end: 5},
      {start: 4, end: 99}
    ]
    const segment = first('abcdef ghi', {shield})
    expect(segment.text).toBe('⟦1⟧def ghi')
  })

  it('protects plain values: only token syntax and terms', () => {
    const result = protectPlain('A *title* ⟦1⟧ &amp;', 'plain')
    expect(result.text).toBe('A *title* ⟦1⟧1⟦2⟧ &amp;')
    expect(restore(result.text, result.tokens)).toBe('A *title* ⟦1⟧ &amp;')
  })
})

describe('restore', () => {
  it('tolerates reordered tokens (trap 13)', () => {
    const segment = first('Run `a` then [b](/b)')
    expect(restore('⟦2⟧b⟦/2⟧ después de ⟦1⟧', segment.tokens, segment.placement)).toBe('[b](/b) después de `a`')
  })

  it('leaves unknown token numbers as written', () => {
    const segment = first('Run `a` now')
    expect(restore('⟦1⟧ ⟦9⟧', segment.tokens, segment.placement)).toBe('`a` ⟦9⟧')
  })

  it('writes `[texto][label]` when a shortcut or collapsed reference text changed (trap 1)', () => {
    const segment = first('[foo] and [bar][]\n\n[foo]: /f\n[bar]: /b')
    expect(restore('⟦1⟧texto⟦/1⟧ y ⟦2⟧barra⟦/2⟧', segment.tokens, segment.placement)).toBe(
      '[texto][foo] y [barra][bar]'
    )
    expect(restore('⟦1⟧FOO⟦/1⟧ y ⟦2⟧bar⟦/2⟧', segment.tokens, segment.placement)).toBe('[FOO] y [bar][]')
  })

  it('brackets a literal autolink whose neighbours changed (trap 2)', () => {
    const segment = first('see https://x.com now')
    expect(restore('见⟦1⟧。', segment.tokens, segment.placement)).toBe('见<https://x.com>。')
    expect(restore('ver ⟦1⟧ ahora', segment.tokens, segment.placement)).toBe('ver https://x.com ahora')
    const www = first('see www.x.com now')
    expect(restore('见⟦1⟧。', www.tokens, www.placement)).toBe('见<http://www.x.com>。')
  })

  it('escapes literal markup the translator added (trap 5)', () => {
    const segment = first('Say hi.')
    // `]` outside a label closes nothing once `[` is escaped: the unsafe table leaves it alone.
    expect(restore('Di **nota** por $5 y $10 <br> [x] `c` ~t~ &amp;', segment.tokens, segment.placement)).toBe(
      'Di \\*\\*nota\\*\\* por \\$5 y \\$10 \\<br> \\[x] \\`c\\` \\~t\\~ \\&amp;'
    )
  })

  it('does not double existing escapes, and escapes a backslash before a token', () => {
    const segment = first('a `b`')
    expect(restore('x \\* y\\⟦1⟧', segment.tokens, segment.placement)).toBe('x \\* y\\\\`b`')
  })

  it('escapes block starts on changed lines only (trap 6)', () => {
    const segment = first('one\ntwo\nthree\nfour\nfive')
    expect(restore('# uno\n1. dos\n- tres\n> cuatro\n---', segment.tokens, segment.placement)).toBe(
      '\\# uno\n1\\. dos\n\\- tres\n\\> cuatro\n\\---'
    )
  })

  it('joins a line that would start with a block-opening placeholder (trap 6)', () => {
    const segment = first('one <span>x</span>\ntwo')
    expect(restore('uno\n⟦1⟧x⟦/1⟧ dos', segment.tokens, segment.placement)).toBe('uno <span>x</span> dos')
  })

  it('keeps the hard break a placeholder that forces a line end (trap 4)', () => {
    const segment = first('one  \ntwo')
    expect(restore('uno⟦1⟧# dos', segment.tokens, segment.placement)).toBe('uno  \n\\# dos')
  })

  it('restores flanking: a space after a closing delimiter glued to punctuation (trap 7)', () => {
    const segment = first('**Note:** text')
    expect(restore('⟦1⟧注意:⟦/1⟧内容', segment.tokens, segment.placement)).toBe('**注意:** 内容')
  })

  it('restores flanking: `_` inside a word becomes `*` (trap 7)', () => {
    const segment = first('a _word_ b')
    expect(restore('x⟦1⟧palabra⟦/1⟧y', segment.tokens, segment.placement)).toBe('x*palabra*y')
  })

  it('moves whitespace the translator put just inside delimiters outside them', () => {
    const segment = first('a *word* b')
    expect(restore('x⟦1⟧ palabra ⟦/1⟧y', segment.tokens, segment.placement)).toBe('x *palabra* y')
  })

  it('never lets a one-line segment grow a line break, and drops blank lines', () => {
    const one = first('one')
    const two = first('one\ntwo')
    expect(restore('uno\ndos', one.tokens, one.placement)).toBe('uno dos')
    expect(restore('uno\n\ndos', two.tokens, two.placement)).toBe('uno\ndos')
  })

  it('escapes `|` and a trailing `\\` in table cells (trap 11)', () => {
    const cell = first('| a |\n|---|\n| b |')
    expect(cell.kind).toBe('tableCell')
    expect(restore('x | y\\', cell.tokens, cell.placement)).toBe('x \\| y\\\\')
  })

  it('escapes a trailing `#` run in ATX headings', () => {
    const heading = first('# Title')
    expect(restore('Título C #', heading.tokens, heading.placement)).toBe('Título C \\#')
  })

  it('escapes only the title delimiter in titles', () => {
    const note = analyse('[a](/u "The title")')
    const title = note.segments.find((segment) => segment.kind === 'linkTitle')!
    expect(restore('El "título" *x*', title.tokens, note.layouts.get(title.id)!.placement)).toBe('El \\"título\\" *x*')
  })

  it('takes its placement as an argument: copied tokens restore alike, no placement substitutes only', () => {
    const segment = first('**Note:** `x`')
    const copied = segment.tokens.map((token) => ({...token}))
    expect(restore('⟦1⟧注意:⟦/1⟧内容 ⟦2⟧', copied, segment.placement)).toBe('**注意:** 内容 `x`')
    // The same token objects without a placement: a plain substitution, whoever restored them before.
    expect(restore('⟦1⟧注意:⟦/1⟧内容 ⟦2⟧', segment.tokens)).toBe('**注意:**内容 `x`')
    const tokens: Token[] = [{n: 1, shape: 'atom', kind: 'code', open: '`x`', close: ''}]
    expect(restore('a * b ⟦1⟧', tokens)).toBe('a * b `x`')
  })
})
