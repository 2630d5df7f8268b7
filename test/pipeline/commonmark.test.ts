/**
 * Every CommonMark spec example, plain, nested in containers, with CRLF and with a BOM.
 *
 * Identity translations (each segment's own `markdown`, and `restore` of its protected text)
 * give the input back byte for byte; pseudo translations are all accepted and keep the shape.
 */

import {createRequire} from 'node:module'
import {describe, expect, it} from 'vitest'
import {nest, tally} from './harness.js'

// The package is CommonJS without types: `tests` is its list of examples.
const spec = createRequire(import.meta.url)('commonmark-spec') as {tests: Array<{markdown: string; number: number}>}

const examples = spec.tests.map((example) => ({
  name: `example ${example.number}`,
  // In spec.txt a tab is shown as `→`.
  text: example.markdown.replaceAll('→', '\t')
}))

const variants: Record<string, (markdown: string) => string> = {
  plain: (markdown) => markdown,
  'nested in "> "': (markdown) => nest(markdown, '> ', '> '),
  'nested in "- "': (markdown) => nest(markdown, '- ', '  '),
  'nested in "> 1. "': (markdown) => nest(markdown, '> 1. ', '>    '),
  'with CRLF': (markdown) => markdown.replaceAll('\n', '\r\n'),
  'with a BOM': (markdown) => `\uFEFF${markdown}`
}

describe('CommonMark spec examples', () => {
  it('are all 652 there', () => {
    expect(examples.length).toBe(652)
  })

  for (const [name, variant] of Object.entries(variants)) {
    it(`${name}: identity byte-identical 652/652, pseudo same shape 652/652`, () => {
      const {counts, failures} = tally(examples.map((example) => ({...example, text: variant(example.text)})))
      expect(failures.slice(0, 10)).toEqual([])
      expect(counts).toEqual({markdown: '652/652', restore: '652/652', pseudo: '652/652'})
    })
  }
})
