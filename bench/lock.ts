/**
 * The project's lock API, loaded from `dist/state/lock.js` and checked at the boundary (it is
 * written in parallel with the bench). Used only to build large trees quickly.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {NotMeasured} from './figure.js'

/** The slice of `Lockfile` the bench uses. */
export interface LockfileLike {
  get(note: string, locale: string): unknown
  set(note: string, locale: string, entry: unknown): void
  entries(): Iterable<[string, string]>
  save(root: string): Promise<unknown>
}

/**
 * Loads the lock of the project at `root` with the project's own code.
 *
 * @throws {NotMeasured} when `dist/state/lock.js` is missing or has another shape.
 */
export async function loadLock(repoRoot: string, root: string): Promise<LockfileLike> {
  const modulePath = path.join(repoRoot, 'dist/state/lock.js')
  if (!existsSync(modulePath)) throw new NotMeasured('dist/state/lock.js does not exist yet (run npm run build)')
  const exports: unknown = await import(pathToFileURL(modulePath).href)
  const Lockfile =
    typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>).Lockfile : undefined
  const load = typeof Lockfile === 'function' ? (Lockfile as unknown as Record<string, unknown>).load : undefined
  if (typeof load !== 'function') throw new NotMeasured('dist/state/lock.js has no Lockfile.load')
  const lock: unknown = await (load as (root: string) => Promise<unknown>).call(Lockfile, root)
  for (const method of ['get', 'set', 'entries', 'save']) {
    if (typeof (lock as Record<string, unknown>)[method] !== 'function')
      throw new NotMeasured(`Lockfile has no ${method}() method`)
  }
  return lock as LockfileLike
}

/** What a lock entry records of the config and output path for one locale (`RECORDED_FIELDS`). */
export type RecordedFor = (locale: string, entry: {output?: string}) => {inputs: string; output?: string}

/**
 * The provenance a lock entry of `locale` records in the project at `root` (its config as
 * written there), with the project's own code: an entry copied from another locale must carry its
 * own locale's config fingerprint and output path, or `check` rightly calls it stale.
 *
 * @throws {NotMeasured} when the modules are missing or have another shape.
 */
export async function recordedFor(repoRoot: string, root: string, from: string): Promise<RecordedFor> {
  const load = async (file: string): Promise<Record<string, unknown>> => {
    const modulePath = path.join(repoRoot, 'dist', file)
    if (!existsSync(modulePath)) throw new NotMeasured(`dist/${file} does not exist yet (run npm run build)`)
    return (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>
  }
  const [{loadConfig}, {inputsFingerprint}] = await Promise.all([load('config/load.js'), load('project/provenance.js')])
  if (typeof loadConfig !== 'function' || typeof inputsFingerprint !== 'function')
    throw new NotMeasured('dist/ has no loadConfig or inputsFingerprint')
  const config: unknown = await (loadConfig as (options: {cwd: string}) => Promise<unknown>)({cwd: root})
  const fingerprint = inputsFingerprint as (config: unknown, target: {locale: string; localeForPath: string}) => string
  return (locale, entry) => ({
    inputs: fingerprint(config, {locale, localeForPath: locale}),
    ...(entry.output === undefined ? {} : {output: entry.output.replace(`locales/${from}/`, `locales/${locale}/`)})
  })
}
