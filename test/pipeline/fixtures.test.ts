/**
 * Fixture folders per stage (`test/fixtures/pipeline/<stage>/<case>/`):
 *
 * - `pseudo`: `input.md` → `output.md`, the pseudo-translated note (a missing `output.md` means
 *   the note must come back unchanged). Identity translations must always give `input.md` back.
 * - `segments`: `input.md` → `segments.json`, what the translator is sent (missing: none).
 *
 * `UPDATE_FIXTURES=1 npx vitest run test/pipeline/fixtures.test.ts` writes the expectations;
 * review the diff before committing it.
 */

import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {isUntranslatable} from '../../src/text/letters.js'
import {analyse, roundTrip, shapeProblem} from './harness.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pipeline')
const update = process.env.UPDATE_FIXTURES === '1'

function cases(stage: string): string[] {
  return readdirSync(join(fixtures, stage)).sort()
}

function expectFile(path: string, actual: string, fallback: string): void {
  if (update && actual !== fallback) writeFileSync(path, actual)
  const expected = existsSync(path) ? readFileSync(path, 'utf8') : fallback
  expect(actual).toBe(expected)
}

describe('pseudo stage', () => {
  for (const name of cases('pseudo')) {
    it(name, () => {
      const folder = join(fixtures, 'pseudo', name)
      const input = readFileSync(join(folder, 'input.md'), 'utf8')
      expect(roundTrip(input, 'restore').text).toBe(input)
      const pseudo = roundTrip(input, 'pseudo', {frontmatter: {set: {lang: 'qps', translated: true}}})
      expect([...pseudo.rejected.values()]).toEqual([])
      expect(shapeProblem(input, pseudo.text)).toBeUndefined()
      const unchanged = pseudo.note.segments.every(isUntranslatable) ? input : undefined
      expectFile(join(folder, 'output.md'), unchanged ?? pseudo.text, input)
    })
  }
})

describe('segments stage', () => {
  for (const name of cases('segments')) {
    it(name, () => {
      const folder = join(fixtures, 'segments', name)
      const note = analyse(readFileSync(join(folder, 'input.md'), 'utf8'))
      // What the translator is sent: letterless segments are segments, but rendered locally.
      const actual = note.segments
        .filter((segment) => !isUntranslatable(segment))
        .map((segment) => ({
          kind: segment.kind,
          ...(segment.key ? {key: segment.key} : {}),
          line: segment.line,
          markdown: segment.markdown,
          text: segment.text,
          tokens: segment.tokens.map(
            (token) => `${token.kind} ${JSON.stringify(token.open)} ${JSON.stringify(token.close)}`
          )
        }))
      expectFile(join(folder, 'segments.json'), `${JSON.stringify(actual, null, 2)}\n`, '[]\n')
    })
  }
})
