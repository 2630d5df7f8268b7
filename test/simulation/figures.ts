/**
 * Global setup of the simulation's lanes under `STRESS=1` (vitest.config.ts): each lane writes its
 * figures to SIM_FIGURES/lane-<n>.json; the teardown prints their sum, the run's figures.
 */
import {mkdir, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import type {LaneFigures} from './run.js'

/** Where the lanes write (vitest.config.ts passes the same path to each lane as SIM_FIGURES). */
export const FIGURES = path.join(tmpdir(), `notes-l10n-sim-figures-${process.pid}`)

export async function setup(): Promise<() => Promise<void>> {
  const folder = FIGURES
  await rm(folder, {recursive: true, force: true})
  await mkdir(folder, {recursive: true})
  const started = Date.now()
  return async () => {
    const lanes: LaneFigures[] = []
    for (const name of (await readdir(folder)).sort())
      lanes.push(JSON.parse(await readFile(path.join(folder, name), 'utf8')) as LaneFigures)
    await rm(folder, {recursive: true, force: true})
    const sum = (key: Exclude<keyof LaneFigures, 'failures'>) => lanes.reduce((total, lane) => total + lane[key], 0)
    const violations = lanes.flatMap((lane) => lane.failures)
    console.log(
      `simulation (${lanes.length} lanes, ${Math.round((Date.now() - started) / 1000)} s): ${sum('steps')} steps, ${sum('kills')} SIGKILLs (${sum('killedMidRun')} mid-run), ${sum('merges')} git merges, ${sum('syncs')} syncs, ${sum('verdicts')} per-note verdicts compared, ${sum('worlds')} worlds, ${violations.length} violations`
    )
    for (const failure of violations) console.log(`violation: ${failure}`)
  }
}
