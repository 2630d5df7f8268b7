/**
 * The plausible translator (test/support/plausible.ts) on every note and README of the shared
 * corpus, into Spanish and Chinese: at least 99 % of segments are accepted on the first or second
 * attempt, and every written file keeps the source's shape — the corpus half of
 * test/pipeline/plausible.test.ts, which measures the same on the CommonMark examples and the
 * installed packages' READMEs.
 */

import {describe, expect, it} from 'vitest'
import {acceptance} from '../pipeline/harness.js'
import {corpusFiles} from './shared.js'

const SEED = 17

describe('plausible translations of the shared corpus', () => {
  for (const locale of ['es', 'zh'] as const) {
    for (const folder of ['notes', 'readmes'] as const) {
      it(`${folder} into ${locale}: ≥ 99 % accepted on the first or second attempt, every file keeps its shape`, () => {
        const files = corpusFiles(folder)
        expect(files.length).toBeGreaterThan(0)
        const result = acceptance(files, locale, SEED)
        const rate = (result.first + result.second) / result.segments
        console.log(
          `corpus ${folder} → ${locale}: ${files.length} files, ${result.segments} segments, ${result.first} first (${((100 * result.first) / result.segments).toFixed(2)} %), ${result.second} second, ${(100 * rate).toFixed(2)} % accepted`
        )
        expect(result.shapeFailures).toEqual([])
        expect(result.segments).toBeGreaterThan(400)
        expect(rate, result.failures.slice(0, 15).join('\n')).toBeGreaterThanOrEqual(0.99)
      }, 600_000)
    }
  }
})
