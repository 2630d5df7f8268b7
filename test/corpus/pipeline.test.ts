/**
 * Every note and README of the shared corpus: identity translations give the file back byte for
 * byte; pseudo translations are all accepted and keep the shape.
 */

import {describe, expect, it} from 'vitest'
import {tally} from '../pipeline/harness.js'
import {corpusFiles} from './shared.js'

describe('shared corpus', () => {
  for (const folder of ['notes', 'readmes'] as const) {
    const files = corpusFiles(folder)

    it(`${folder}: identity byte-identical and pseudo same shape on all ${files.length} files`, () => {
      expect(files.length).toBeGreaterThan(0)
      const {counts, failures} = tally(files)
      expect(failures.slice(0, 10)).toEqual([])
      const all = `${files.length}/${files.length}`
      expect(counts).toEqual({markdown: all, restore: all, pseudo: all})
    })
  }
})
