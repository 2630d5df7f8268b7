/**
 * The git merge driver of `notes-l10n.lock` and the command that installs it.
 *
 * `notes-l10n lock install-merge-driver` (run once per clone) sets `merge.notes-l10n-lock.driver`
 * in the repository's own git config and adds `notes-l10n.lock merge=notes-l10n-lock` to
 * `.gitattributes` (commit it). git then calls `notes-l10n lock merge-file %O %A %B` for the lock,
 * which merges it entry by entry (`state/lock-three-way.ts`) and writes the result over `%A`.
 */
import {execFile} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {errnoCode, errnoMessage} from '../io/errno.js'
import {writeFileAtomic} from '../io/write.js'
import {LOCK_FILE, Lockfile} from '../state/lock.js'
import {mergeThreeWay} from '../state/lock-three-way.js'
import {UserError} from '../types.js'

const run = promisify(execFile)

/** The driver's name in git config and `.gitattributes`. */
export const DRIVER = 'notes-l10n-lock'
/** How git finds notes-l10n by default: the project's own install. */
export const DEFAULT_COMMAND = 'npx --no-install notes-l10n'

export interface MergeFileResult {
  /** Entries both branches changed differently (ours kept). */
  conflicts: Array<{note: string; locale: string}>
}

/** `lock merge-file <base> <ours> <theirs>`: merges into `ours` (git's `%A`). */
export async function mergeLockFiles(options: {
  cwd: string
  base: string
  ours: string
  theirs: string
}): Promise<MergeFileResult> {
  const read = async (file: string, role: string): Promise<Lockfile> => {
    let text: string
    try {
      text = await readFile(path.resolve(options.cwd, file), 'utf8')
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' && role === 'base') return new Lockfile()
      throw new UserError(`lock merge-file: cannot read the ${role} lock ${file} (${errnoMessage(error)})`)
    }
    // An empty file is what git passes for a side where the lock does not exist.
    return text.trim() === '' ? new Lockfile() : Lockfile.parse(text, `${LOCK_FILE} (${role})`)
  }
  const [base, ours, theirs] = [
    await read(options.base, 'base'),
    await read(options.ours, 'ours'),
    await read(options.theirs, 'theirs')
  ]
  const {lock, conflicts} = mergeThreeWay(base, ours, theirs)
  await writeFileAtomic(path.resolve(options.cwd, options.ours), lock.serialise())
  return {conflicts}
}

export interface InstallResult {
  /** The git config key set and its value. */
  driver: string
  command: string
  /** `.gitattributes` was changed (it needs committing). */
  attributesChanged: boolean
  attributes: string
}

/** `lock install-merge-driver`: git config in this clone, and the `.gitattributes` line. */
export async function installMergeDriver(options: {cwd: string; command?: string}): Promise<InstallResult> {
  let top: string
  try {
    top = (await run('git', ['rev-parse', '--show-toplevel'], {cwd: options.cwd})).stdout.trim()
  } catch {
    throw new UserError(
      `lock install-merge-driver: ${options.cwd} is not inside a git repository — run it in the repository that commits ${LOCK_FILE}`
    )
  }
  const command = `${options.command ?? DEFAULT_COMMAND} lock merge-file %O %A %B`
  await run('git', ['config', `merge.${DRIVER}.name`, `notes-l10n lock (merged entry by entry)`], {cwd: top})
  await run('git', ['config', `merge.${DRIVER}.driver`, command], {cwd: top})

  const attributes = path.join(top, '.gitattributes')
  let text = ''
  try {
    text = await readFile(attributes, 'utf8')
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT')
      throw new UserError(`lock install-merge-driver: cannot read .gitattributes (${errnoMessage(error)})`)
  }
  // The pattern is the lock's path from the top of the repository (the project may be a subfolder).
  const lockPath = path.relative(top, path.resolve(options.cwd, LOCK_FILE)).split(path.sep).join('/')
  const line = `${lockPath.includes('/') ? `/${lockPath}` : lockPath} merge=${DRIVER}`
  const present = text.split(/\r?\n/).some((existing) => existing.trim() === line)
  if (!present)
    await writeFileAtomic(attributes, `${(text === '' || text.endsWith('\n') ? text : `${text}\n`) + line}\n`)
  return {
    driver: `merge.${DRIVER}.driver`,
    command,
    attributesChanged: !present,
    attributes: path.relative(options.cwd, attributes) || '.gitattributes'
  }
}
