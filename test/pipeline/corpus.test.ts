/**
 * Every note and README of the shared corpus: identity translations give the file back byte for
 * byte; pseudo translations are all accepted and keep the shape.
 */

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {tally} from './harness.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const corpus = [join(root, '../shared/corpus'), '/work/shared/corpus'].find((path) => existsSync(path))

describe.runIf(corpus)('shared corpus', () => {
  for (const folder of ['notes', 'readmes']) {
    const path = join(corpus!, folder)
    const files = readdirSync(path)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => ({name, text: readFileSync(join(path, name), 'utf8')}))

    it(`${folder}: identity byte-identical and pseudo same shape on all ${files.length} files`, () => {
      expect(files.length).toBeGreaterThan(0)
      const {counts, failures} = tally(files)
      expect(failures.slice(0, 10)).toEqual([])
      const all = `${files.length}/${files.length}`
      expect(counts).toEqual({markdown: all, restore: all, pseudo: all})
    })
  }
})
