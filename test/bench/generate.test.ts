import {describe, expect, it} from 'vitest'
import type {CorpusFile} from '../../bench/corpus.js'
import {replicate} from '../../bench/figures/throughput.js'
import {generatedNote, proseBlocks, seededRandom} from '../../bench/generate.js'

const file = (name: string, text: string): CorpusFile => ({name, bytes: new TextEncoder().encode(text)})

describe('generated note trees', () => {
  const corpus = [
    file(
      'notes/a.md',
      [
        '---',
        'title: "A note"',
        '---',
        '',
        '## A heading that is long enough to keep',
        '',
        'A paragraph of real prose that is long enough to be kept as a block.',
        '',
        '```',
        'code inside a fence, long enough to be kept if fences were ignored',
        '',
        'more code after a blank line inside the same fence, long enough',
        '```',
        '',
        '| a table row | that is long enough to be kept as a block |',
        '',
        'short'
      ].join('\n')
    )
  ]

  it('keeps headings and paragraphs, and drops code, tables, short blocks and front-matter', () => {
    expect(proseBlocks(corpus)).toEqual([
      '## A heading that is long enough to keep',
      'A paragraph of real prose that is long enough to be kept as a block.'
    ])
  })

  it('gives the same note for the same index, and front-matter with the index in the title', () => {
    const blocks = ['first block', 'second block', 'third block', 'fourth block']
    const note = generatedNote(blocks, 7, 3)
    expect(generatedNote(blocks, 7, 3)).toBe(note)
    expect(note.startsWith('---\ntitle: "Generated note 7"\n---\n\n')).toBe(true)
    expect(note.split('\n\n').length).toBe(4)
  })

  it('draws seeded numbers in [0, 1) that differ between seeds', () => {
    const one = seededRandom(1)
    const draws = Array.from({length: 1000}, one)
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true)
    expect(new Set(draws).size).toBeGreaterThan(990)
    expect(seededRandom(2)()).not.toBe(seededRandom(1)())
  })

  it('replicates the corpus into equal shards of whole copies reaching the requested bytes', () => {
    const small = [file('notes/a.md', 'x'.repeat(100)), file('notes/b.md', 'y'.repeat(50))]
    const shards = replicate(small, 1000, 4)
    expect(shards).toHaveLength(4)
    for (const shard of shards) expect(shard.reduce((sum, entry) => sum + entry.bytes.byteLength, 0)).toBe(300)
    expect(new Set(shards.flat().map((entry) => entry.name)).size).toBe(16)
  })
})
