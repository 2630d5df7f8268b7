/**
 * Atomic file writes: a reader (or a crash) sees the old file or the new one, never half of one.
 *
 * The new bytes go to a temp file in the target's own directory (a rename across file systems is
 * not atomic: it fails with EXDEV, docs/rules.md D3), are fsynced, renamed over the target, and the directory
 * is fsynced so the rename itself survives a power loss (D2).
 *
 * Symlinks are refused rather than followed (docs/rules.md S5): a target file or a parent folder inside the
 * project root that is a symlink could point anywhere (`~/.bashrc`). This is why `write-file-atomic`
 * is not used: it `realpath`s the target and writes through the link.
 */
import {randomBytes} from 'node:crypto'
import {type FileHandle, lstat, mkdir, open, readdir, rename, unlink} from 'node:fs/promises'
import path from 'node:path'
import {redactSecrets} from '../redact.js'
import {UserError} from '../types.js'
import {errnoCode} from './errno.js'
import {isProcessAlive} from './process.js'

export interface WriteOptions {
  /**
   * The project root. Every folder between it and the target is checked with `lstat` and must be
   * a real folder (missing ones are created one by one, never through a link); the target must
   * lie inside it; messages name the file relative to it. The root itself may be a symlink.
   */
  root?: string
  /**
   * Folders already checked by an earlier write of the same run (with the same `root`): they are
   * not `lstat`ed again, and the folders this write checks or creates are added. A sync writes
   * thousands of targets into a few dozen folders; checking each level again per file was ~5 % of
   * its time. This does not weaken the symlink refusal in any way that matters: the check was
   * never atomic with the write (a folder can be swapped for a link right after its `lstat`), so
   * it guards against links that exist when the run starts or that the run would create, and
   * those are still refused — the run holds the project's run lock, and nothing it does turns a
   * folder into a link. Use one set per run, never across runs.
   */
  verified?: Set<string>
  /**
   * For a file the user named on the command line (`--report`, `export -o`): a target outside
   * `root` is allowed — the user asked for it — and written with no folder checks beyond refusing
   * a symlink at the file itself; a target inside `root` is checked like any other. A path that
   * names an inside folder that is a symlink to outside (`out/r.md`, `out` → `/elsewhere`) is
   * inside by its name, so it is refused.
   */
  allowOutside?: boolean
  /**
   * Fault injection for tests: runs after the temp file is written and fsynced, right before the
   * rename. A throw here behaves like a failed write (temp removed, original intact).
   */
  beforeRename?: (temp: string) => void | Promise<void>
}

/**
 * `.<name>.notes-l10n-<pid>-<random>.tmp`, or `.notes-l10n-<pid>-<random>.tmp` when that would
 * exceed {@link NAME_MAX_BYTES}: recognisable, so a later run can clean up after a kill.
 */
const TEMP_PATTERN = /^\.(?:.+\.)?notes-l10n-(\d+)-[a-z0-9]+\.tmp$/

/** The longest file name most file systems take (ext4, APFS, NTFS: 255 bytes or UTF-16 units). */
const NAME_MAX_BYTES = 255

/** Random per process, then counted: unique within the process without a `randomBytes` call per file. */
const tempBase = randomBytes(4).toString('hex')
let tempCount = 0

/**
 * The part of a temp name after the pid. Uniqueness only spares retries: `open(…, 'wx')` refuses
 * an existing name (another process's, or a link planted at it) whatever the name is.
 */
function tempSuffix(): string {
  return tempBase + (tempCount++).toString(36)
}

/**
 * What a failed write means to the user, by errno code: `[what happened, how to fix it]`.
 * Codes not listed are bugs or transient faults and are rethrown as they are.
 */
const errnoAdvice: Record<string, [string, string]> = {
  ENOSPC: ['no space left on device', 'free space and re-run `sync`'],
  EDQUOT: ['disk quota exceeded', 'free space or raise the quota and re-run `sync`'],
  EACCES: ['permission denied', 'make the file and its folder writable and re-run `sync`'],
  EPERM: ['operation not permitted', 'make the file and its folder writable and re-run `sync`'],
  EROFS: ['read-only file system', 'write to a writable checkout and re-run `sync`'],
  ENOTDIR: ['a parent path is a file, not a folder', 'move that file out of the way and re-run `sync`'],
  EISDIR: ['it is a folder', 'remove or rename the folder and re-run `sync`'],
  ENAMETOOLONG: ['the file name is too long', 'shorten the path and re-run `sync`'],
  EMFILE: ['too many open files', 'lower --concurrency or raise `ulimit -n` and re-run `sync`']
}

/**
 * Writes `data` to `file` atomically: temp file in the same directory, write, fsync, rename,
 * directory fsync. On any failure the temp file is removed and the original is left untouched.
 *
 * @throws {UserError} when the target or a parent folder inside `root` is a symlink, when the
 *   target is outside `root`, or on an error the user can fix (no space, permissions, read-only).
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteOptions = {}
): Promise<void> {
  const target = path.resolve(file)
  const outside =
    options.root === undefined || (options.allowOutside === true && !isInside(path.resolve(options.root), target))
  const shown = outside ? file : display(target, options.root, file)
  const directory = path.dirname(target)

  let mode: number | undefined
  try {
    if (outside) await mkdir(directory, {recursive: true})
    else await ensureDirectoryInside(path.resolve(options.root!), directory, shown, options.verified)
    mode = await existingMode(target, shown)
  } catch (error) {
    throw asUserError(error, shown)
  }

  const temp = path.join(directory, tempName(path.basename(target)))
  let created = false
  try {
    // `wx` is O_CREAT|O_EXCL: never opens an existing file, and never follows a link planted at the temp name.
    const handle = await open(temp, 'wx', mode ?? 0o666)
    created = true
    try {
      // open() applies the umask; a replaced file keeps exactly the permissions it had.
      if (mode !== undefined) await handle.chmod(mode)
      // The key never reaches a file, whatever path a message or a reply took to get here.
      await handle.writeFile(typeof data === 'string' ? redactSecrets(data, false) : data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await options.beforeRename?.(temp)
    // rename replaces a symlink planted at the target since the check; it never writes through one.
    await rename(temp, target)
    created = false
    await syncDirectory(directory)
  } catch (error) {
    if (created) await unlink(temp).catch(() => undefined)
    throw asUserError(error, shown)
  }
}

/** The temp name for `name`: beside it, and never longer than a file name may be (a 250-byte note name). */
function tempName(name: string): string {
  const tail = `notes-l10n-${process.pid}-${tempSuffix()}.tmp`
  const full = `.${name}.${tail}`
  return Buffer.byteLength(full) <= NAME_MAX_BYTES ? full : `.${tail}`
}

/** Whether `file` is `root` or lies below it, by name. */
function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * Removes temp files left in `directory` by a process that was killed between writing a temp file
 * and renaming it (docs/rules.md D1). Temp files of live processes are left alone. Returns the removed names.
 */
export async function removeStaleTemps(directory: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(directory)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return []
    throw error
  }
  const removed: string[] = []
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name)
    if (!match) continue
    const pid = Number(match[1])
    if (pid === process.pid || isProcessAlive(pid)) continue
    try {
      await unlink(path.join(directory, name))
      removed.push(name)
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error
    }
  }
  return removed
}

/** Whether `name` is a temp file name made by {@link writeFileAtomic}. */
export function isTempName(name: string): boolean {
  return TEMP_PATTERN.test(name)
}

/**
 * Creates `directory` inside `root` the way {@link writeFileAtomic} creates a target's folder:
 * every existing level must be a real folder, not a symlink (for files appended to in place, such
 * as the journal, which cannot go through a temp file).
 *
 * @throws {UserError} naming the offending folder.
 */
export async function ensureDirectory(root: string, directory: string): Promise<void> {
  const absolute = path.resolve(directory)
  const shown = display(absolute, root, directory)
  try {
    await ensureDirectoryInside(path.resolve(root), absolute, shown)
  } catch (error) {
    throw asUserError(error, shown)
  }
}

/**
 * Makes sure every folder from `root` down to `directory` is a real folder, creating missing ones
 * one level at a time so that no step can go through a link created by someone else.
 */
async function ensureDirectoryInside(
  root: string,
  directory: string,
  shown: string,
  verified?: Set<string>
): Promise<void> {
  const relative = path.relative(root, directory)
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new UserError(
      `refusing to write ${shown}: it is outside the project root ${root} — output paths must stay inside the project`
    )
  }
  if (verified?.has(directory)) return
  let current = root
  for (const part of relative.split(path.sep).filter(Boolean)) {
    current = path.join(current, part)
    if (verified?.has(current)) continue
    const stats = await lstatOrUndefined(current)
    if (stats === undefined) {
      try {
        await mkdir(current)
        verified?.add(current)
        continue
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error
      }
    }
    const now = stats ?? (await lstat(current))
    const folder = display(current, root, current)
    if (now.isSymbolicLink()) {
      throw new UserError(
        `refusing to write ${shown}: its folder ${folder} is a symbolic link — notes-l10n never writes through symlinks; replace the link with a real folder`
      )
    }
    if (!now.isDirectory()) {
      throw new UserError(
        `cannot write ${shown}: ${folder} is a file, not a folder — move that file out of the way and re-run \`sync\`; nothing was written`
      )
    }
    verified?.add(current)
  }
}

/** The mode of the file being replaced (so a rewrite keeps its permissions), after refusing links and folders. */
async function existingMode(target: string, shown: string): Promise<number | undefined> {
  const stats = await lstatOrUndefined(target)
  if (stats === undefined) return undefined
  if (stats.isSymbolicLink()) {
    throw new UserError(
      `refusing to write ${shown}: it is a symbolic link — notes-l10n never writes through symlinks; replace the link with a regular file`
    )
  }
  if (!stats.isFile()) {
    throw new UserError(
      `cannot write ${shown}: it is not a regular file — remove or rename it and re-run \`sync\`; nothing was written`
    )
  }
  return stats.mode & 0o7777
}

async function lstatOrUndefined(file: string) {
  try {
    return await lstat(file)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw error
  }
}

/** Makes a completed rename durable. Some platforms cannot fsync a directory; that is not an error there. */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(directory, 'r')
    await handle.sync()
  } catch (error) {
    const code = errnoCode(error)
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error
  } finally {
    await handle?.close()
  }
}

function asUserError(error: unknown, shown: string): unknown {
  if (error instanceof UserError) return error
  const advice = errnoAdvice[errnoCode(error) ?? '']
  if (!advice) return error
  return new UserError(`cannot write ${shown}: ${advice[0]} — ${advice[1]}; nothing was half-written`)
}

/** The file as the user knows it: relative to the project root when there is one, with `/`. */
function display(file: string, root: string | undefined, given: string): string {
  if (root === undefined) return given
  return path.relative(path.resolve(root), file).split(path.sep).join('/') || given
}
