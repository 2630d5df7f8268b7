/**
 * Rebasing destinations keeps the parse (`src/pipeline/rewrite-destinations.ts`): whenever it
 * returns a parse, that parse equals a fresh `parseMarkdown` of the rewritten text — tree, every
 * position, urls, raw-HTML values, labels (with an image's alt children), titles, destinations and
 * container prefixes — over every CommonMark example (plain, nested, CRLF), every package README
 * `npm ci` installs, and hand-made cases for each way it must give up instead.
 */

import {createRequire} from 'node:module'
import type {Nodes} from 'mdast'
import {describe, expect, it} from 'vitest'
import {loadMdxParser, type ParsedMarkdown, parseMarkdown} from '../../src/pipeline/parse.js'
import {rewriteDestinations} from '../../src/pipeline/rewrite-destinations.js'
import {packageReadmes} from '../support/readmes.js'
import {nest} from './harness.js'

const spec = createRequire(import.meta.url)('commonmark-spec') as {tests: Array<{markdown: string}>}
const examples = spec.tests.map((example) => example.markdown.replaceAll('→', '\t'))

/** Everything a parse holds, as plain data in document order. */
function described(parsed: ParsedMarkdown): unknown {
  const labels: unknown[] = []
  const seen = new Set<Nodes>()
  const visit = (node: Nodes): void => {
    if (seen.has(node)) return
    seen.add(node)
    const label = parsed.labels.get(node)
    labels.push(label ?? null)
    if ('children' in node) for (const child of node.children) visit(child)
    if (label) for (const child of label.children) visit(child)
  }
  visit(parsed.tree)
  return {
    tree: parsed.tree,
    labels,
    contentStart: [...parsed.contentStart].sort((a, b) => a[0] - b[0]),
    resourceTitles: parsed.resourceTitles,
    definitionTitles: parsed.definitionTitles,
    destinations: parsed.destinations
  }
}

const rewrites: Record<string, (url: string) => string> = {
  // What `links.rebase` does for a note one folder deeper.
  'one folder up': (url) => (/^[a-z]+:|^#|^\//i.test(url) || url === '' ? url : `../${url}`),
  shorter: (url) => (url.length > 1 ? url.slice(1) : url),
  // Spaces, parentheses, angle brackets, a reference, an escape-looking pair and astral characters.
  'characters that need care': (url) => `a b(c)<d>&amp;\\*é😀/${url}`
}

/**
 * Rewrite `text` and compare the kept parse (if any) with a fresh one: `unchanged` when nothing
 * was rewritten, `kept` when the parse came along, `parsed` when the caller must parse.
 */
function rewritten(text: string, rewrite: (url: string) => string, mdx = false): 'unchanged' | 'kept' | 'parsed' {
  const result = rewriteDestinations(text, parseMarkdown(text, {mdx}), rewrite, {mdx})
  if (result.text === text) return 'unchanged'
  if (!result.parsed) return 'parsed'
  const [shifted, fresh] = [described(result.parsed), described(parseMarkdown(result.text, {mdx}))]
  // Strings compare fast; the structural comparison is there for its diff when they differ.
  if (JSON.stringify(shifted) !== JSON.stringify(fresh)) expect(shifted).toEqual(fresh)
  return 'kept'
}

const kept = (text: string, rewrite: (url: string) => string, mdx = false): boolean =>
  rewritten(text, rewrite, mdx) === 'kept'

describe('a rebased note keeps its parse', () => {
  for (const [name, rewrite] of Object.entries(rewrites)) {
    it(`equals a fresh parse on every CommonMark example, plain, in containers and with CRLF (${name})`, () => {
      const counts = {unchanged: 0, kept: 0, parsed: 0}
      for (const example of examples) {
        for (const text of [
          example,
          nest(example, '> ', '> '),
          nest(example, '- ', '  '),
          example.replaceAll('\n', '\r\n')
        ])
          counts[rewritten(text, rewrite)]++
      }
      expect(counts.kept + counts.parsed).toBeGreaterThan(100)
      // Most are kept; the rest are the documented cases (a destination across lines, a trailing backslash).
      expect(counts.kept / (counts.kept + counts.parsed)).toBeGreaterThan(0.8)
    })
  }

  it('equals a fresh parse on every package README (half rebased one folder up, half with characters that need care)', () => {
    const readmes = packageReadmes()
    expect(readmes.length).toBeGreaterThan(20)
    const counts = {unchanged: 0, kept: 0, parsed: 0}
    // Half each way: three parses of every README are what this test costs.
    readmes.forEach((readme, index) => {
      const name = index % 2 === 0 ? 'one folder up' : 'characters that need care'
      counts[rewritten(readme.text.replace(/^\uFEFF/, ''), rewrites[name]!)]++
    })
    expect(counts.kept + counts.parsed).toBeGreaterThan(20)
    expect(counts.kept / (counts.kept + counts.parsed)).toBeGreaterThan(0.8)
  })

  it('updates urls, raw-HTML values, labels, titles and columns on lines with several rewrites', () => {
    const text = [
      '# Guide',
      '',
      'See [a](a.md "A") and [![logo](img/logo.png)](docs/x.md) and [r][ref], then <img src="img/b.png"> [c](<c d.md>).',
      '',
      '![alt with [a link](inner.md)](pic.png)',
      '',
      '| k | v |',
      '|---|---|',
      '| [t](t.md) | ok |',
      '',
      '<p align="center"><img src="img/c.png" srcset="img/c.png 1x, img/c2.png 2x"></p>',
      '',
      '[ref]: ref.md "Ref"',
      ''
    ].join('\n')
    expect(kept(text, rewrites['one folder up']!)).toBe(true)
    const result = rewriteDestinations(text, parseMarkdown(text), rewrites['one folder up']!, {mdx: false})
    expect(result.text).toContain('[![logo](../img/logo.png)](../docs/x.md)')
    expect(result.text).toContain('srcset="../img/c.png 1x, ../img/c2.png 2x"')
    expect(result.text).toContain('[c](<../c d.md>)')
  })

  it('leaves the destinations `keep` names as they are (a URL a human wrote for the target), and still keeps the parse', () => {
    const text = 'A [x](a.md) and [y](b.md) and <img src="c.png">.\n'
    const keep = (_range: unknown, url: string) => url === 'b.md'
    const result = rewriteDestinations(text, parseMarkdown(text), rewrites['one folder up']!, {mdx: false, keep})
    expect(result.text).toBe('A [x](../a.md) and [y](b.md) and <img src="../c.png">.\n')
    expect(described(result.parsed!)).toEqual(described(parseMarkdown(result.text)))
  })

  it('gives up, and the caller parses, where a fresh parse could differ', async () => {
    const up = rewrites['one folder up']!
    // Raw HTML in a block quote: its value leaves out the `> ` of its lines.
    expect(kept('> <div>\n> <img src="a.png">\n> </div>\n', up)).toBe(false)
    // A destination that would end in a backslash escapes the `)` after it.
    expect(kept('[a](a.md)\n', (url) => `${url}\\`)).toBe(false)
    // A destination that becomes empty is no destination at all.
    expect(kept('[a](a.md)\n', () => '')).toBe(false)
    // MDX: expressions carry estree positions.
    await loadMdxParser()
    expect(kept('[a](a.md) {1 + 1}\n', up, true)).toBe(false)
    // Nothing to rewrite: the parse is the same object.
    const text = '[a](https://example.com)\n'
    const parsed = parseMarkdown(text)
    expect(rewriteDestinations(text, parsed, up, {mdx: false})).toEqual({text, parsed})
  })
})
