/**
 * Real-world Markdown nobody here wrote — the README of every package `npm ci` installs — and the
 * repository's own fixture notes and translations: identity translations give each file back byte
 * for byte; pseudo translations are all accepted and keep the shape.
 */

import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {FIXTURES, fixtureNotes, markdownFiles} from '../support/notes.js'
import {packageReadmes} from '../support/readmes.js'
import {tally} from './harness.js'

const sets = {
  'node_modules READMEs': packageReadmes(),
  'fixture notes': fixtureNotes(),
  'fixture translations': ['es', 'zh'].flatMap((locale) => markdownFiles(path.join(FIXTURES, 'translations', locale)))
}

describe('real-world Markdown', () => {
  for (const [name, files] of Object.entries(sets)) {
    it(`${name}: identity byte-identical and pseudo same shape on all ${files.length} files`, {
      timeout: 300_000
    }, () => {
      expect(files.length).toBeGreaterThan(name === 'node_modules READMEs' ? 100 : 3)
      const {counts, failures} = tally(files)
      expect(failures.slice(0, 10)).toEqual([])
      const all = `${files.length}/${files.length}`
      expect(counts).toEqual({markdown: all, restore: all, pseudo: all})
    })
  }
})
