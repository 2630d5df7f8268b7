/**
 * Reading a reassembled note back without parsing it again: reassembly hands out the parse its
 * safety net made, and `analyseNote` takes it instead of parsing (sync's third parse saved).
 */

import {describe, expect, it} from 'vitest'
import {analyseNote} from '../../src/pipeline/analyse.js'
import {parseMarkdown} from '../../src/pipeline/parse.js'
import {reassemble} from '../../src/pipeline/reassemble.js'
import {restore} from '../../src/pipeline/restore.js'
import {analyse} from './harness.js'

const source =
  '---\ntitle: Hello\n---\n# Title\n\nSee [the guide](../guide.md "Guide") and `code`.\n\n> - one\n>   two\n'

function translateAll(markdown: string) {
  const note = analyse(markdown)
  const translations = new Map(
    note.segments.map((segment) => [
      segment.id,
      restore(`«${segment.text}»`, segment.tokens, note.layouts.get(segment.id)?.placement)
    ])
  )
  return {note, translations}
}

/** What a test can compare: the segments without object identity. */
function segmentsOf(text: string, parsed?: ReturnType<typeof parseMarkdown>) {
  return analyseNote('out.md', {text, bom: false, eol: '\n'}, parsed ? {parsed} : undefined).segments
}

describe('reassembly hands out its parse', () => {
  it('returns the parse of exactly the text it produced when its safety net ran', () => {
    const {note, translations} = translateAll(source)
    const result = reassemble(note, translations)
    expect(result.rejected.size).toBe(0)
    expect(result.parsed).toBeDefined()
    // The parse is of the output, not the source: same tree as a fresh parse of the output.
    expect(result.parsed!.tree).toEqual(parseMarkdown(result.text).tree)
    expect(segmentsOf(result.text, result.parsed)).toEqual(segmentsOf(result.text))
  })

  it('hands out nothing when nothing in the body changed (identity costs no parse)', () => {
    const note = analyse(source)
    expect(reassemble(note, new Map()).parsed).toBeUndefined()
  })

  it('carries the parse over rewritten destinations: the same as parsing the result (rewrite-destinations.ts)', () => {
    const {note, translations} = translateAll(source)
    const rewritten = reassemble(note, translations, {rewriteUrl: (url) => `../../${url}`})
    expect(rewritten.text).toContain('](../../../guide.md')
    expect(rewritten.parsed?.tree).toEqual(parseMarkdown(rewritten.text).tree)
    expect(rewritten.parsed?.destinations).toEqual(parseMarkdown(rewritten.text).destinations)
    // A destination the rewrite would end in a backslash: parsed again by the caller.
    expect(reassemble(note, translations, {rewriteUrl: (url) => `${url}\\`}).parsed).toBeUndefined()
    const untouched = reassemble(note, translations, {rewriteUrl: (url) => url})
    expect(untouched.parsed?.tree).toEqual(parseMarkdown(untouched.text).tree)
  })
})

describe('analyseNote with a parse given', () => {
  it('uses the given parse instead of parsing the text', () => {
    const text = '# One\n\nTwo.\n'
    const other = '## Uno\n\nDos.\n'
    // Offsets come from the given tree, not from `text` (whose heading text starts at 2).
    expect(segmentsOf(text)[0]!.start).toBe(2)
    expect(segmentsOf(text, parseMarkdown(other))[0]!.start).toBe(3)
  })
})
