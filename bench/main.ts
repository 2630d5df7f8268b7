/**
 * `npm run bench`: runs every figure, prints the results and writes `bench/results.md`.
 *
 * Flags (for developing the bench; published numbers use none):
 * `--only 1,4` runs some figures, `--runs N` changes the repetitions (≥ 5 to publish),
 * `--quick` shrinks trees and volumes. Any of them writes `bench/work/results.md` instead, so a
 * partial run never overwrites the published results. `--no-budget` makes the slow figures (2, 3)
 * do every requested run even when that takes the bench past ten minutes.
 */
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {locateCorpus} from './corpus.js'
import {type BenchContext, CommandFailed, type Figure, NotMeasured} from './figure.js'
import {checkSpeed} from './figures/check.js'
import {faults} from './figures/faults.js'
import {translationMemory} from './figures/memory.js'
import {providerBound} from './figures/provider.js'
import {peakMemory} from './figures/rss.js'
import {scale} from './figures/scale.js'
import {scaleMemory} from './figures/scale-memory.js'
import {throughput} from './figures/throughput.js'
import {tokens} from './figures/tokens.js'
import {wireCost} from './figures/wire.js'
import {describeMachine} from './machine.js'
import {type FigureOutcome, renderConsole, renderMarkdown} from './report.js'

export const figures: readonly Figure[] = [
  throughput,
  scale,
  checkSpeed,
  providerBound,
  tokens,
  faults,
  scaleMemory,
  wireCost,
  translationMemory,
  peakMemory
]

/** Published results need at least this many runs per figure (issue 8). */
const PUBLISHED_RUNS = 5

interface Flags {
  only?: Set<number>
  runs: number
  quick: boolean
  budgeted: boolean
}

export async function main(argv: readonly string[]): Promise<number> {
  let flags: Flags
  try {
    flags = parseFlags(argv)
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
  // This file is bench/work/build/bench/main.js once compiled.
  const benchRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
  const repoRoot = path.dirname(benchRoot)
  const workRoot = path.join(benchRoot, 'work')
  const started = performance.now()
  const machine = describeMachine()
  const outcomes: FigureOutcome[] = []
  const handoff = new Map<string, string>()

  let corpusRoot: string | undefined
  let corpusProblem: string | undefined
  try {
    corpusRoot = locateCorpus(repoRoot)
  } catch (error) {
    corpusProblem = error instanceof Error ? error.message : String(error)
  }

  for (const figure of figures) {
    if (flags.only && !flags.only.has(figure.id)) continue
    const figureStarted = performance.now()
    const log = (line: string) => console.log(`  [${figure.id}] ${line}`)
    console.log(`figure ${figure.id}: ${figure.title}`)
    const outcome: FigureOutcome = {figure, seconds: 0}
    if (corpusRoot === undefined && !figure.corpusFree) {
      outcome.notMeasured = corpusProblem
    } else {
      const context: BenchContext = {
        repoRoot,
        corpusRoot: corpusRoot ?? '',
        workRoot: path.join(workRoot, `figure-${figure.id}`),
        runs: flags.runs,
        budgeted: flags.budgeted,
        handoff,
        quick: flags.quick,
        log
      }
      try {
        outcome.result = await figure.run(context)
      } catch (error) {
        outcome.notMeasured = notMeasuredReason(error)
      }
    }
    outcome.seconds = (performance.now() - figureStarted) / 1000
    console.log(
      `  [${figure.id}] ${outcome.result ? 'done' : `not measured: ${outcome.notMeasured?.split('\n')[0]}`} in ${outcome.seconds.toFixed(1)} s`
    )
    outcomes.push(outcome)
  }

  const limits = await readFile(path.join(benchRoot, 'limits.md'), 'utf8').catch(() => undefined)
  const report = {
    machine,
    limits,
    runs: flags.runs,
    quick: flags.quick,
    outcomes,
    totalSeconds: (performance.now() - started) / 1000
  }
  const published = !flags.only && !flags.quick && flags.runs >= PUBLISHED_RUNS
  const target = published ? path.join(benchRoot, 'results.md') : path.join(workRoot, 'results.md')
  await mkdir(path.dirname(target), {recursive: true})
  await writeFile(target, renderMarkdown(report))
  console.log(`\n${renderConsole(report)}`)
  console.log(
    `\nwrote ${path.relative(process.cwd(), target) || target}${published ? '' : ' (a partial or quick run: bench/results.md is left as it was)'}`
  )
  return outcomes.every((outcome) => outcome.result) ? 0 : 1
}

/** Expected failures read as one line; a bug in the bench itself keeps its stack. */
function notMeasuredReason(error: unknown): string {
  if (error instanceof NotMeasured || error instanceof CommandFailed) return error.message
  return `the bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {runs: PUBLISHED_RUNS, quick: false, budgeted: true}
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]
    const value = () => {
      const next = argv[++index]
      if (next === undefined) throw new Error(`${flag} needs a value`)
      return next
    }
    if (flag === '--quick') flags.quick = true
    else if (flag === '--no-budget') flags.budgeted = false
    else if (flag === '--runs') {
      const runs = Number(value())
      if (!Number.isInteger(runs) || runs < 1)
        throw new Error(`--runs expects a positive integer, received ${argv[index]}`)
      flags.runs = runs
    } else if (flag === '--only') {
      const ids = value().split(',').map(Number)
      if (ids.some((id) => !figures.some((figure) => figure.id === id)))
        throw new Error(
          `--only expects figure numbers 1–${figures.length} separated by commas, received ${argv[index]}`
        )
      flags.only = new Set(ids)
    } else throw new Error(`unknown flag ${flag}: expected --only <ids>, --runs <n>, --quick or --no-budget`)
  }
  return flags
}
