/**
 * Hostile and broken notes through the real CLI (docs/rules.md S6–S10, Q4, L10): each bad note sits next
 * to a good one and `sync --provider pseudo` runs over both.
 *
 * Fixture folders `test/fixtures/bad/<case>/`: `input.md` (or a generator in `generated.ts` for
 * the huge ones) and either `expected.txt`, the one line the run must print about the note, or
 * `expected.md`, the translation it must write (compared without the pseudo provider's length
 * markers, whose placement is not what these cases test). A generated case without either must translate
 * to a note of the source's tree shape.
 *
 * `UPDATE_FIXTURES=1 npx vitest run test/reliability/bad-input.test.ts` writes the expectations
 * of cases that have one; review the diff before committing it.
 */

import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {parseTree} from '../../src/pipeline/parse.js'
import {treeShape} from '../../src/pipeline/shape.js'
import {generated} from '../fixtures/bad/generated.js'
import {tempProject} from '../support/project.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/bad')
const update = process.env.UPDATE_FIXTURES === '1'

/** A hang guard, not a performance assertion: the slowest case takes a few seconds. */
const PARSE_BOUND_MS = 20_000

const GOOD = '---\ntitle: A good note\n---\n\nA good paragraph.\n'

const STACK_TRACE = /\n\s+at /

const folders = readdirSync(fixtures, {withFileTypes: true})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
const cases = [...new Set([...folders, ...Object.keys(generated)])].sort()

const timings: Array<[string, number]> = []
afterAll(() => {
  // Printed for the README figures; never asserted beyond the hang guard.
  if (process.env.STRESS) console.log(timings.map(([name, ms]) => `${name}: ${Math.round(ms)} ms`).join('\n'))
})

const stress = Boolean(process.env.STRESS)

function inputOf(name: string): Uint8Array {
  const make = generated[name]
  return make ? make((full, small) => (stress ? full : small)) : readFileSync(join(fixtures, name, 'input.md'))
}

describe('bad inputs next to a good note (S6–S10, Q4, L10)', () => {
  it('has at least 25 cases, each with an input', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
    for (const name of cases)
      expect(generated[name] !== undefined || existsSync(join(fixtures, name, 'input.md')), name).toBe(true)
  })

  for (const name of cases) {
    it(name, async () => {
      const folder = join(fixtures, name)
      const input = inputOf(name)
      const project = await tempProject({'notes/good.md': GOOD})
      try {
        await writeFile(join(project.root, 'notes/bad.md'), input)
        const started = performance.now()
        const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
        const elapsed = performance.now() - started
        timings.push([name, elapsed])
        expect(elapsed).toBeLessThan(PARSE_BOUND_MS)

        const output = `${stdout}${stderr}`
        expect(output).not.toMatch(STACK_TRACE)
        expect(output).not.toMatch(/internal error/)
        // The good note is written whatever happened to the bad one.
        expect(await project.read('locales/es/good.md')).toMatch(/^---\ntitle: (?!A good note)/)
        // Nothing a note says is ever run (S7, S8): the JavaScript in some cases would write this.
        expect(existsSync(join(project.root, 'PWNED'))).toBe(false)
        expect(existsSync(join(process.cwd(), 'PWNED'))).toBe(false)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()

        const written = await project.read('locales/es/bad.md').catch(() => undefined)
        const expectedLine = join(folder, 'expected.txt')
        const expectedNote = join(folder, 'expected.md')
        if (update && written === undefined) writeFileSync(expectedLine, `${problemLine(output)}\n`)
        if (update && written !== undefined && !generated[name]) writeFileSync(expectedNote, written)

        if (existsSync(expectedLine)) {
          const line = readFileSync(expectedLine, 'utf8').trimEnd()
          expect(line).toMatch(/^notes\/bad\.md: /)
          expect(output.split('\n')).toContain(line)
          expect(written).toBeUndefined()
          expect(code).toBe(1)
          expect(stdout).toMatch(/^sync: 1 written, .*1 file with errors/m)
          return
        }
        expect(code, output).toBe(0)
        expect(output).not.toMatch(/notes\/bad\.md: /)
        expect(written).toBeDefined()
        if (existsSync(expectedNote)) {
          expect(withoutMarkers(written!)).toBe(withoutMarkers(readFileSync(expectedNote, 'utf8')))
        } else {
          const source = new TextDecoder().decode(input)
          expect(treeShape(parseTree(withoutFrontmatter(written!)))).toEqual(treeShape(parseTree(source)))
        }
        expect(existsSync(join(project.root, 'notes-l10n.lock'))).toBe(true)
      } finally {
        await project.remove()
      }
    })
  }
})

/** The line naming the bad note (what `expected.txt` records). */
function problemLine(output: string): string {
  return output.split('\n').find((line) => line.startsWith('notes/bad.md: ')) ?? '(no line names notes/bad.md)'
}

/**
 * The pseudo provider's length marker (` ···`) removed: where it goes and how long it is are the
 * pseudo provider's business (its own tests); everything else must match byte for byte.
 */
function withoutMarkers(text: string): string {
  return text.replace(/ ·+/g, '')
}

function withoutFrontmatter(text: string): string {
  return text.replace(/^---\n[\s\S]*?\n---\n/, '')
}
