/**
 * The run mutex: one `sync` at a time per project (docs/rules.md D11).
 *
 * Two runs would translate the same segments twice (paying twice), interleave journal appends and
 * race on the lock file. The holder is recorded in `.notes-l10n/sync.pid`, created with O_EXCL so
 * exactly one process can create it. A run that dies without releasing (kill -9, power loss) leaves
 * the file behind; the next run reclaims it when the recorded process is gone, or — when the pid
 * cannot be checked (another host sharing the folder) or may have been reused — when its heartbeat
 * (the file's mtime, touched while the run lives) is older than the stale threshold.
 */
import {randomBytes} from 'node:crypto'
import {readFileSync, unlinkSync} from 'node:fs'
import {type FileHandle, link, open, readdir, stat, unlink, utimes, writeFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import path from 'node:path'
import {isErrno} from '../io/errno.js'
import {isProcessAlive} from '../io/process.js'
import {ensureDirectory} from '../io/write.js'
import {redactSecrets} from '../redact.js'
import {UserError} from '../types.js'
import {readRegularFile} from './regular-file.js'

export {isProcessAlive}

/** The folder of per-machine run state (journal, mutex, stat cache), relative to the project root. */
export const STATE_DIRECTORY = '.notes-l10n'

/** Where the holder is recorded, relative to the project root. */
export const RUN_LOCK_FILE = `${STATE_DIRECTORY}/sync.pid`

export interface RunLockOptions {
  /** A holder whose heartbeat is older than this is presumed dead even if its pid exists. Default 10 min. */
  staleMs?: number
  /** How often the holder touches the file. Default: a fifth of `staleMs`. */
  heartbeatMs?: number
}

/** What the holder writes into the file. */
interface Holder {
  pid: number
  host: string
  started: string
  /** Random: tells this run's file from one that replaced it after a reclaim (pids get reused). */
  token: string
}

/** The file as found on disk: its raw text (to notice a replacement) and its age. */
interface Found {
  raw: string
  holder: Holder | undefined
  mtimeMs: number
}

const DEFAULT_STALE_MS = 10 * 60_000
/** A file with no readable holder yet may be one being written right now: give its creator this long. */
const CREATION_GRACE_MS = 5_000
/** A reclaim takes microseconds; a guard older than this was left by a reclaimer that died. */
const RECLAIM_GUARD_STALE_MS = 10_000
const ATTEMPTS = 20
const RETRY_DELAY_MS = 25

/**
 * Takes the run mutex of the project at `root`, or fails fast when another live run holds it.
 *
 * Returns `release`, which is idempotent and also runs on process exit; the CLI calls it on
 * SIGINT before exiting.
 *
 * @throws {UserError} naming the holder's pid, host and start time.
 */
export async function acquireRunLock(root: string, options: RunLockOptions = {}): Promise<() => Promise<void>> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS
  const heartbeatMs = options.heartbeatMs ?? Math.max(1000, Math.floor(staleMs / 5))
  const file = path.join(root, RUN_LOCK_FILE)
  await ensureStateDirectory(root)

  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex')
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await create(file, holder)) {
      await removeStrayTemps(root)
      return holdingRelease(file, holder, heartbeatMs)
    }
    const found = await read(file)
    if (found === undefined) continue
    const verdict = judge(found, staleMs)
    if (verdict !== 'stale') throw busy(verdict, found)
    await reclaim(file, found)
    await delay(RETRY_DELAY_MS)
  }
  throw new UserError(
    `could not take ${RUN_LOCK_FILE}: other notes-l10n runs keep taking it — wait for them to finish and re-run \`sync\``
  )
}

/**
 * Creates `.notes-l10n/` with a `.gitignore` of `*`: the journal, the run mutex and the stat cache
 * are per-machine and must never be committed, whatever the project's own `.gitignore` says.
 */
export async function ensureStateDirectory(root: string): Promise<void> {
  const directory = path.join(root, STATE_DIRECTORY)
  // A planted `.notes-l10n` symlink would carry every state write out of the project (docs/rules.md S5).
  await ensureDirectory(root, directory)
  try {
    await writeFile(path.join(directory, '.gitignore'), '# notes-l10n run state: never committed\n*\n', {flag: 'wx'})
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error
  }
}

/**
 * Creates `file` holding `holder`, unless it exists. The holder is written to a temp file first and
 * hard-linked into place (link fails if the name exists, like O_EXCL): a kill can never leave an
 * empty or half-written holder file, which the next run could not judge and would have to wait
 * out (CREATION_GRACE_MS). Where hard links are not supported, O_EXCL with the write after it.
 */
async function create(file: string, holder: Holder): Promise<boolean> {
  const text = redactSecrets(`${JSON.stringify(holder)}\n`, false)
  const temp = `${file}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`
  await writeFile(temp, text, {flag: 'wx'})
  try {
    await link(temp, file)
    return true
  } catch (error) {
    // ENOENT: the holder that won removed this temp as a stray (removeStrayTemps) — we lost the race.
    if (isErrno(error, 'EEXIST', 'ENOENT')) return false
    if (!isErrno(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV')) throw error
  } finally {
    await unlink(temp).catch(() => undefined)
  }
  let handle: FileHandle
  try {
    handle = await open(file, 'wx')
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false
    throw error
  }
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
  return true
}

/** Suffix of the holder's temp files: one a kill left between its write and its link is removed by the next holder. */
const TEMP_SUFFIX = '.pid-tmp'

/** Removes temp files of {@link create} that killed runs left (called by the holder, so no creator is mid-way). */
async function removeStrayTemps(root: string): Promise<void> {
  const directory = path.join(root, STATE_DIRECTORY)
  for (const name of await readdir(directory).catch(() => [])) {
    if (name.endsWith(TEMP_SUFFIX)) await unlink(path.join(directory, name)).catch(() => undefined)
  }
}

async function read(file: string): Promise<Found | undefined> {
  try {
    // A FIFO or folder planted as the run lock is refused (UserError), never waited on.
    const bytes = await readRegularFile(file, RUN_LOCK_FILE)
    if (bytes === undefined) return undefined
    const raw = bytes.toString('utf8')
    const stats = await stat(file)
    return {raw, holder: parseHolder(raw), mtimeMs: stats.mtimeMs}
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined
    throw error
  }
}

function parseHolder(raw: string): Holder | undefined {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const {pid, host, started, token} = value as Record<string, unknown>
  if (typeof pid !== 'number' || typeof host !== 'string' || typeof started !== 'string' || typeof token !== 'string')
    return undefined
  return {pid, host, started, token}
}

type Verdict = 'stale' | 'live' | 'starting'

function judge(found: Found, staleMs: number): Verdict {
  const age = Date.now() - found.mtimeMs
  if (!found.holder) return age > CREATION_GRACE_MS ? 'stale' : 'starting'
  if (found.holder.host === hostname() && !isProcessAlive(found.holder.pid)) return 'stale'
  return age > staleMs ? 'stale' : 'live'
}

function busy(verdict: Verdict, found: Found): UserError {
  const holder = found.holder
  if (verdict === 'starting' || !holder) {
    return new UserError(
      `another notes-l10n sync is starting in this project (${RUN_LOCK_FILE} was just created) — wait for it to finish and re-run \`sync\``
    )
  }
  const where = holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`
  return new UserError(
    `another notes-l10n sync is running in this project (${where}, started ${holder.started}) — wait for it to finish or stop it; if no such process exists, delete ${RUN_LOCK_FILE}`
  )
}

/**
 * Removes a stale holder file, unless it changed since it was judged stale: two runs may judge
 * the same file stale at once, and the slower one must not delete the file the faster one just
 * created. A guard file (O_EXCL too) makes "check it is the same, then unlink" one step.
 */
async function reclaim(file: string, judged: Found): Promise<void> {
  const guard = `${file}.reclaim`
  if (!(await create(guard, {pid: process.pid, host: hostname(), started: new Date().toISOString(), token: ''}))) {
    const stats = await stat(guard).catch(() => undefined)
    if (stats && Date.now() - stats.mtimeMs > RECLAIM_GUARD_STALE_MS) await unlink(guard).catch(() => undefined)
    return
  }
  try {
    const now = await read(file)
    if (now && now.raw === judged.raw && now.mtimeMs === judged.mtimeMs) await unlink(file).catch(() => undefined)
  } finally {
    await unlink(guard).catch(() => undefined)
  }
}

function holdingRelease(file: string, holder: Holder, heartbeatMs: number): () => Promise<void> {
  let released = false
  const heartbeat = setInterval(() => {
    const now = new Date()
    utimes(file, now, now).catch(() => undefined)
  }, heartbeatMs)
  heartbeat.unref()

  // Covers exits the CLI did not plan for (an uncaught error, process.exit): only sync work is possible here.
  const onExit = () => {
    try {
      if (parseHolder(readFileSync(file, 'utf8'))?.token === holder.token) unlinkSync(file)
    } catch {
      // Already gone, or unreadable: the next run judges it by its pid.
    }
  }
  process.once('exit', onExit)

  return async () => {
    if (released) return
    released = true
    clearInterval(heartbeat)
    process.off('exit', onExit)
    const found = await read(file)
    if (found?.holder?.token === holder.token) await unlink(file).catch(() => undefined)
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
