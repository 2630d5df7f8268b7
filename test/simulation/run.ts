/**
 * Runs seeded sequences of simulation steps (see world.ts) and, when an invariant breaks, shrinks
 * the sequence to a minimal reproduction by replaying it with steps removed.
 */
import {random} from '../fuzz/mutate.js'
import {type Figures, OPERATIONS, type Operation, type Step, Violation, World, type WorldOptions} from './world.js'

export const TIMINGS: Record<string, {n: number; step: number; check: number}> | undefined = process.env.SIM_TIMINGS
  ? {}
  : undefined

/** How often each operation is drawn (the rest weigh 1). Kills are counted separately. */
const WEIGHTS: Partial<Record<Operation, number>> = {
  'sync-pseudo': 3,
  'sync-server': 3,
  'edit-paragraph': 2,
  'hand-edit-prose': 2,
  'add-paragraph': 2,
  'kill-sync': 0
}

/** A sequence of `length` steps from `seed`, with a SIGKILL every `killEvery` steps (0: none). */
export function sequence(seed: number, length: number, killEvery: number): Step[] {
  const rng = random(seed)
  const pool: Operation[] = OPERATIONS.flatMap((op) => Array.from({length: WEIGHTS[op] ?? 1}, () => op))
  return Array.from({length}, (_, index) => {
    const op: Operation =
      killEvery > 0 && index % killEvery === killEvery - 1 ? 'kill-sync' : pool[Math.floor(rng() * pool.length)]!
    return {op, seed: Math.floor(rng() * 2 ** 31)}
  })
}

/** A lane's figures (summed over lanes by test/simulation/figures.ts). */
export interface LaneFigures {
  steps: number
  kills: number
  killedMidRun: number
  syncs: number
  merges: number
  verdicts: number
  worlds: number
  failures: string[]
}

export interface Outcome {
  figures: Figures
  /** The violation, the step it happened at, and the shrunk sequence that reproduces it. */
  failure?: {message: string; at: number; steps: Step[]; minimal: Step[]}
}

/** Replays `steps` in a fresh world, checking invariants after each; returns the first violation. */
export async function replay(
  options: WorldOptions,
  steps: readonly Step[],
  figures?: Figures
): Promise<{message: string; at: number} | undefined> {
  const world = await World.create(options)
  try {
    for (const [index, step] of steps.entries()) {
      try {
        const t0 = performance.now()
        await world.step(step)
        const t1 = performance.now()
        await world.checkInvariants()
        const t2 = performance.now()
        if (TIMINGS) {
          const row = TIMINGS[step.op] ?? {n: 0, step: 0, check: 0}
          TIMINGS[step.op] = row
          row.n++
          row.step += t1 - t0
          row.check += t2 - t1
        }
      } catch (error) {
        if (error instanceof Violation) return {message: error.message, at: index}
        throw new Error(`step ${index} (${step.op}) threw: ${error instanceof Error ? error.stack : String(error)}`)
      } finally {
        if (figures) {
          figures.steps++
          if (step.op === 'kill-sync') figures.kills++
          if (step.op === 'branch-merge') figures.merges++
        }
      }
    }
    return undefined
  } finally {
    if (figures) {
      figures.killedMidRun += world.figures.killedMidRun
      figures.verdicts += world.figures.verdicts
      figures.syncs += world.figures.syncs
    }
    await world.remove()
  }
}

/**
 * Runs the sequence; on a violation, shrinks it (drop chunks, then single steps) within
 * `shrinkRuns` replays (or as many as it answers for the violation's message).
 */
export async function simulate(
  options: WorldOptions,
  steps: readonly Step[],
  shrink: number | ((message: string) => number) = 40
): Promise<Outcome> {
  const figures: Figures = {steps: 0, kills: 0, killedMidRun: 0, syncs: 0, merges: 0, verdicts: 0}
  const found = await replay(options, steps, figures)
  if (!found) return {figures}
  const shrinkRuns = typeof shrink === 'number' ? shrink : shrink(found.message)
  let minimal = steps.slice(0, found.at + 1)
  let runs = 0
  for (let chunk = Math.ceil(minimal.length / 2); chunk >= 1 && runs < shrinkRuns; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start + chunk <= minimal.length - 1 && runs < shrinkRuns; ) {
      const candidate = [...minimal.slice(0, start), ...minimal.slice(start + chunk)]
      runs++
      const again = await replay(options, candidate).catch(() => undefined)
      if (again) minimal = candidate.slice(0, again.at + 1)
      else start += chunk
    }
  }
  return {figures, failure: {...found, steps: [...steps], minimal}}
}

export function describeFailure(seed: number, failure: NonNullable<Outcome['failure']>): string {
  return [
    `invariant violated at step ${failure.at} of seed ${seed}: ${failure.message}`,
    `minimal reproduction (${failure.minimal.length} steps; replay with SIM_SEED=${seed}, or replay() these steps):`,
    JSON.stringify(failure.minimal)
  ].join('\n')
}
