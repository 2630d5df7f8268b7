/**
 * The deterministic simulation (test/simulation/world.ts): seeded model-based sequences over the
 * real CLI, invariants I1–I6 after every step, SIGKILLs of real `sync` processes.
 *
 * `npm test`: 300 steps with 12 SIGKILLs. `npm run test:stress`: SIM_STEPS (default 20,000) steps
 * with a SIGKILL every SIM_KILL_EVERY (default 20) steps. SIM_SEED picks the first seed; a failure
 * prints the seed and a shrunk reproduction.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {builtCli} from '../reliability/support/built-cli.js'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import {describeFailure, sequence, simulate} from './run.js'

const STRESS = Boolean(process.env.STRESS)
const STEPS = Number(process.env.SIM_STEPS ?? (STRESS ? 20_000 : 300))
const KILL_EVERY = Number(process.env.SIM_KILL_EVERY ?? (STRESS ? 20 : 25))
/** Steps per world: long enough for histories, short enough that a failure shrinks quickly. */
const PER_WORLD = Number(process.env.SIM_WORLD_STEPS ?? 60)
const SEED = Number(process.env.SIM_SEED ?? 1)

let server: TestServer
let bin: string
beforeAll(async () => {
  ;[server, bin] = await Promise.all([startTestServer({latencyMs: 15}), builtCli()])
}, 120_000)
afterAll(async () => {
  await server?.close()
})

describe('simulation', () => {
  it(
    `${STEPS} steps of a repository's life keep invariants I1–I6`,
    async () => {
      const totals = {steps: 0, kills: 0, killedMidRun: 0, syncs: 0, merges: 0, verdicts: 0, worlds: 0}
      for (let seed = SEED; totals.steps < STEPS; seed++) {
        const steps = sequence(seed, Math.min(PER_WORLD, STEPS - totals.steps), KILL_EVERY)
        const outcome = await simulate({server, bin}, steps)
        totals.steps += outcome.figures.steps
        totals.kills += outcome.figures.kills
        totals.killedMidRun += outcome.figures.killedMidRun
        totals.merges += outcome.figures.merges
        totals.verdicts += outcome.figures.verdicts
        totals.syncs += outcome.figures.syncs
        totals.worlds++
        if (outcome.failure) expect.fail(describeFailure(seed, outcome.failure))
        // Progress per world, so that a long run stopped early still tells its figures.
        if (STRESS || process.env.SIM_STEPS)
          console.log(`simulation so far: seed ${seed}, ${totals.steps} steps, ${totals.kills} SIGKILLs, 0 violations`)
      }
      console.log(
        `simulation: ${totals.steps} steps, ${totals.kills} SIGKILLs (${totals.killedMidRun} mid-run), ${totals.merges} git merges, ${totals.syncs} syncs, ${totals.verdicts} per-note verdicts compared, ${totals.worlds} worlds, 0 violations`
      )
      expect(totals.steps).toBeGreaterThanOrEqual(STEPS)
      if (!process.env.SIM_KILL_EVERY && !process.env.SIM_STEPS)
        expect(totals.kills).toBeGreaterThanOrEqual(STRESS ? 1000 : 10)
    },
    STRESS || process.env.SIM_STEPS ? 48 * 3600_000 : 600_000
  )
})
