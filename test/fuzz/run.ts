/**
 * The fuzz property test over mutated documents: the CommonMark spec examples, the README of
 * every package in node_modules and the fixture notes (`roundtrip.test.ts`; `test/corpus/fuzz.test.ts`
 * adds the shared corpus), each mutated by seeded random insertions, deletions and duplications of
 * characters and lines.
 *
 * For every document: analysis either succeeds or throws a `NoteError` (anything else is a
 * crash); identity translations (each segment's `markdown`, and `restore(text, tokens)`) give
 * the document back byte for byte; the pseudo translation is accepted whole and keeps the
 * tree shape; and each document finishes within a hang guard.
 *
 * `npm test` runs a few hundred documents; `STRESS=1` (`npm run test:fuzz`) runs 10,000.
 * `FUZZ_SEED=<n>` and `FUZZ_COUNT=<n>` reproduce or widen a run; a failure prints the seed, the
 * document's index and the document itself.
 *
 * A rejected pseudo translation is fail-closed (the safety net kept the segment out), not
 * corruption. Two known classes of rejection (0.19% of 10,000 documents at the default seed, measured
 * with the spec examples and the shared corpus as seeds:
 * the safety net seeing a changed structure — emphasis runs re-pairing, docs/decisions.md trap 7, a
 * backtick or fence pairing differently — and a link title in a duplicated paragraph) are
 * counted and printed rather than failed, until the pipeline handles them; `FUZZ_STRICT=1`
 * fails them too. Any other rejection, an accepted changed shape, a crash or a broken identity
 * fails.
 */

import {createRequire} from 'node:module'
import {describe, expect, it} from 'vitest'
import {type AnalysedNote, analyseNote} from '../../src/pipeline/analyse.js'
import {parseTree} from '../../src/pipeline/parse.js'
import {decodeNote, NoteError} from '../../src/pipeline/read.js'
import {reassemble} from '../../src/pipeline/reassemble.js'
import {restore} from '../../src/pipeline/restore.js'
import {sameShape, shapeDifference, treeShape} from '../../src/pipeline/shape.js'
import {pseudoTranslate} from '../../src/providers/pseudo.js'
import {fixtureNotes} from '../support/notes.js'
import {packageReadmes} from '../support/readmes.js'
import {mutate, random, window} from './mutate.js'

const stress = Boolean(process.env.STRESS)
const COUNT = Number(process.env.FUZZ_COUNT ?? (stress ? 10_000 : 400))
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611)
const strict = Boolean(process.env.FUZZ_STRICT)
/** Rejection reasons of the known classes (see the module comment). */
const KNOWN_REJECTION =
  /^(?:changes the document structure \(expected .*, got .*\)|its link could not be found exactly once in the translated text around it)$/
/** Per document; a hang guard (the slowest mutated document takes well under a second). */
const HANG_GUARD_MS = 10_000

const spec = createRequire(import.meta.url)('commonmark-spec') as {tests: Array<{markdown: string}>}

/** The documents to mutate: spec examples, package READMEs, fixture notes (and any `extra`). */
export function fuzzSeeds(extra: readonly string[] = []): string[] {
  return [
    ...spec.tests.map((example) => example.markdown.replaceAll('→', '\t')),
    ...packageReadmes().map((readme) => readme.text),
    ...fixtureNotes().map((note) => note.text),
    ...extra
  ]
}

/** What is wrong with one document, or undefined. */
function check(input: string): string | undefined {
  let note: AnalysedNote
  try {
    note = analyseNote('fuzz.md', decodeNote(new TextEncoder().encode(input), 'fuzz.md'))
  } catch (error) {
    if (error instanceof NoteError) return undefined
    return `crashed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
  }
  const identity = (
    name: string,
    translate: (segment: AnalysedNote['segments'][number]) => string
  ): string | undefined => {
    const {text, rejected} = reassemble(note, new Map(note.segments.map((segment) => [segment.id, translate(segment)])))
    if (rejected.size > 0) return `${name}: rejected ${[...rejected.values()].join('; ')}`
    return text === input ? undefined : `${name}: not byte-identical`
  }
  const problem =
    identity('identity (markdown)', (segment) => segment.markdown) ??
    identity('identity (restore)', (segment) =>
      restore(segment.text, segment.tokens, note.layouts.get(segment.id)?.placement)
    )
  if (problem) return problem

  const pseudo = reassemble(
    note,
    new Map(
      note.segments.map((segment) => [
        segment.id,
        restore(pseudoTranslate(segment.text), segment.tokens, note.layouts.get(segment.id)?.placement)
      ])
    )
  )
  if (pseudo.rejected.size > 0) {
    const reasons = [...pseudo.rejected.values()]
    const known = !strict && reasons.every((reason) => reason.split('; ').every((part) => KNOWN_REJECTION.test(part)))
    return `${known ? 'known ' : ''}pseudo: rejected ${reasons.join('; ')}`
  }
  const after = treeShape(parseTree(pseudo.text))
  return sameShape(note.shape, after) ? undefined : `pseudo: shape changed: ${shapeDifference(note.shape, after)}`
}

/** The fuzz test over `seeds` (see the module comment); `label` names the seed set. */
export function defineFuzz(label: string, seeds: readonly string[]): void {
  describe(`fuzz: ${COUNT} mutated documents from ${seeds.length} ${label}, seed ${SEED}`, () => {
    it('no crash, identity byte-identical, pseudo accepted with the same shape, bounded time', {
      timeout: 30 * 60_000
    }, () => {
      expect(seeds.length).toBeGreaterThan(600)
      const next = random(SEED)
      const failures: string[] = []
      const known: string[] = []
      for (let index = 0; index < COUNT; index++) {
        const base = seeds[Math.floor(next() * seeds.length)]!
        const input = mutate(window(base, 60, next), next)
        const started = performance.now()
        const problem = check(input)
        const elapsed = performance.now() - started
        if (problem === undefined && elapsed > HANG_GUARD_MS) failures.push(`#${index}: took ${Math.round(elapsed)} ms`)
        if (problem?.startsWith('known ')) known.push(`#${index}: ${problem}\n${JSON.stringify(input)}`)
        else if (problem !== undefined) failures.push(`#${index}: ${problem}\n${JSON.stringify(input)}`)
      }
      if (known.length > 0)
        console.log(
          `fuzz seed ${SEED}: ${known.length}/${COUNT} known fail-closed rejections:\n${known.slice(0, 5).join('\n\n')}`
        )
      if (failures.length > 0) {
        console.log(
          `fuzz seed ${SEED}, ${failures.length}/${COUNT} failed (FUZZ_SEED=${SEED} FUZZ_COUNT=${COUNT} to reproduce):\n` +
            failures.slice(0, 20).join('\n\n')
        )
      }
      expect(failures.length, `seed ${SEED}: ${failures[0] ?? ''}`).toBe(0)
      // Fail-closed rejections stay rare: a jump means a new class hiding behind the known patterns.
      expect(known.length).toBeLessThanOrEqual(Math.ceil(COUNT * 0.01))
    })
  })
}
