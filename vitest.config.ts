import {availableParallelism} from 'node:os'
import {configDefaults, defineConfig} from 'vitest/config'
import {FIGURES} from './test/simulation/figures.js'

const exclude = [...configDefaults.exclude, 'test/corpus/**']
const test = {
  // Command tests spawn the CLI and run real syncs in temp dirs; give them room on 2-core machines.
  testTimeout: 60_000,
  hookTimeout: 60_000
}

/**
 * `STRESS=1` (`npm run test:stress`) splits the simulation's worlds over SIM_LANES parallel
 * processes (default: one per core plus one, at least 3): its steps mostly wait on child processes,
 * git and the test server's latency. Each lane is a vitest project running
 * test/simulation/simulation.test.ts with its own SIM_LANE; the global teardown prints the
 * figures summed over the lanes (test/simulation/figures.ts).
 */
const lanes = process.env.STRESS ? Number(process.env.SIM_LANES ?? Math.max(3, availableParallelism() + 1)) : 1

export default defineConfig({
  test:
    lanes <= 1
      ? {
          ...test,
          include: ['test/**/*.test.ts'],
          // test/corpus needs ../shared/corpus beside the repository: only `npm run test:corpus` runs it
          // (vitest.corpus.config.ts), so `npm test` passes on a clone with nothing beside it.
          exclude
        }
      : {
          ...test,
          globalSetup: ['test/simulation/figures.ts'],
          projects: [
            {
              test: {
                ...test,
                name: 'suite',
                include: ['test/**/*.test.ts'],
                exclude: [...exclude, 'test/simulation/**']
              }
            },
            ...Array.from({length: lanes}, (_, lane) => ({
              test: {
                ...test,
                name: `simulation lane ${lane + 1}`,
                include: ['test/simulation/simulation.test.ts'],
                env: {SIM_LANES: String(lanes), SIM_LANE: String(lane), SIM_FIGURES: FIGURES}
              }
            }))
          ]
        }
})
