/**
 * The deterministic simulation (test/simulation/world.ts): seeded model-based sequences over the
 * real CLI, invariants I1–I6 after every step, SIGKILLs of real `sync` processes.
 *
 * `npm test`: 300 steps with 10 SIGKILLs, the first violation fails the test. `npm run test:stress`:
 * SIM_STEPS (default 20,000) steps with a SIGKILL every SIM_KILL_EVERY (default 20) steps, in
 * worlds of SIM_WORLD_STEPS (60) steps with seeds SIM_SEED (1), SIM_SEED + 1, …, split over
 * SIM_LANES parallel processes (vitest.config.ts): lane n runs worlds n, n + lanes, …. Under
 * stress a violation is printed (seed, step, and for the first of each invariant in a lane a shrunk
 * reproduction) and the run goes on, so that its figures are complete; the lane fails at the end.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {builtCli} from '../reliability/support/built-cli.js'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import {describeFailure, type LaneFigures, sequence, simulate, TIMINGS} from './run.js'

const STRESS = Boolean(process.env.STRESS)
const STEPS = Number(process.env.SIM_STEPS ?? (STRESS ? 20_000 : 300))
const KILL_EVERY = Number(process.env.SIM_KILL_EVERY ?? (STRESS ? 20 : 25))
/** Steps per world: long enough for histories, short enough that a failure shrinks quickly. */
const PER_WORLD = Number(process.env.SIM_WORLD_STEPS ?? 60)
const SEED = Number(process.env.SIM_SEED ?? 1)
const LANES = Number(process.env.SIM_LANES ?? 1)
const LANE = Number(process.env.SIM_LANE ?? 0)
/** This lane's steps: a multiple of KILL_EVERY, so that the lanes together kill STEPS / KILL_EVERY times. */
const QUOTA = KILL_EVERY > 0 ? Math.ceil(STEPS / LANES / KILL_EVERY) * KILL_EVERY : Math.ceil(STEPS / LANES)
/** The Done-when figure (1,000 SIGKILLs under stress, 10 in `npm test`), this lane's share; none when the sizes are set by hand. */
const REQUIRED_KILLS = process.env.SIM_KILL_EVERY || process.env.SIM_STEPS ? 0 : Math.ceil((STRESS ? 1000 : 10) / LANES)

let server: TestServer
let bin: string
beforeAll(async () => {
  ;[server, bin] = await Promise.all([startTestServer({latencyMs: 15}), builtCli()])
}, 120_000)
afterAll(async () => {
  await server?.close()
})

function printTimings(): void {
  if (!TIMINGS) return
  for (const [op, row] of Object.entries(TIMINGS).sort((a, b) => b[1].step + b[1].check - a[1].step - a[1].check))
    console.log(
      `${op.padEnd(26)} n=${String(row.n).padStart(5)} step ${(row.step / row.n).toFixed(0).padStart(6)} ms  check ${(row.check / row.n).toFixed(0).padStart(5)} ms  total ${((row.step + row.check) / 1000).toFixed(1)} s`
    )
}

describe('simulation', () => {
  it(
    `${STEPS} steps of a repository's life keep invariants I1–I6${LANES > 1 ? ` (lane ${LANE + 1} of ${LANES})` : ''}`,
    async () => {
      const started = Date.now()
      const totals: LaneFigures = {
        steps: 0,
        kills: 0,
        killedMidRun: 0,
        syncs: 0,
        merges: 0,
        verdicts: 0,
        worlds: 0,
        failures: []
      }
      /** Invariants already shrunk in this lane: a shrink replays up to 40 sequences. */
      const shrunk = new Set<string>()
      for (let world = LANE; totals.steps < QUOTA || totals.kills < REQUIRED_KILLS; world += LANES) {
        const seed = SEED + world
        const steps = sequence(seed, Math.min(PER_WORLD, Math.max(QUOTA - totals.steps, KILL_EVERY)), KILL_EVERY)
        const outcome = await simulate({server, bin}, steps, (message) => {
          const invariant = /^I\d/.exec(message)?.[0] ?? message
          if (STRESS && shrunk.has(invariant)) return 0
          shrunk.add(invariant)
          return 40
        })
        totals.steps += outcome.figures.steps
        totals.kills += outcome.figures.kills
        totals.killedMidRun += outcome.figures.killedMidRun
        totals.merges += outcome.figures.merges
        totals.verdicts += outcome.figures.verdicts
        totals.syncs += outcome.figures.syncs
        totals.worlds++
        if (outcome.failure) {
          printTimings()
          if (!STRESS) expect.fail(describeFailure(seed, outcome.failure))
          totals.failures.push(describeFailure(seed, outcome.failure))
          console.log(`VIOLATION ${describeFailure(seed, outcome.failure)}`)
        }
        // Progress per world, so that a long run stopped early still tells its figures.
        if (STRESS || process.env.SIM_STEPS)
          console.log(
            `simulation so far${LANES > 1 ? ` (lane ${LANE + 1}/${LANES})` : ''}: seed ${seed}, ${totals.steps} steps, ${totals.kills} SIGKILLs, ${totals.failures.length} violations, ${Math.round((Date.now() - started) / 1000)} s`
          )
      }
      console.log(
        `simulation${LANES > 1 ? ` lane ${LANE + 1}/${LANES}` : ''}: ${totals.steps} steps, ${totals.kills} SIGKILLs (${totals.killedMidRun} mid-run), ${totals.merges} git merges, ${totals.syncs} syncs, ${totals.verdicts} per-note verdicts compared, ${totals.worlds} worlds, ${totals.failures.length} violations, ${Math.round((Date.now() - started) / 1000)} s`
      )
      printTimings()
      if (process.env.SIM_FIGURES) {
        await mkdir(process.env.SIM_FIGURES, {recursive: true})
        await writeFile(path.join(process.env.SIM_FIGURES, `lane-${LANE + 1}.json`), JSON.stringify(totals))
      }
      expect(totals.failures).toEqual([])
      expect(totals.steps).toBeGreaterThanOrEqual(QUOTA)
      expect(totals.kills).toBeGreaterThanOrEqual(REQUIRED_KILLS)
    },
    STRESS || process.env.SIM_STEPS ? 48 * 3600_000 : 600_000
  )
})
