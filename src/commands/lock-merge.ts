/**
 * `notes-l10n lock merge`: combine the locks written by sharded runs (`sync --shard i/n`) into
 * the project's lock. Shards own disjoint notes, so their entries never compete; where two locks
 * do name the same note and locale, the one given later wins and is reported.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {loadConfig} from '../config/load.js'
import {errnoMessage} from '../io/errno.js'
import {LOCK_FILE, Lockfile} from '../state/lock.js'
import {acquireRunLock} from '../state/mutex.js'
import {UserError} from '../types.js'

export interface LockMergeResult {
  /** The lock written. */
  lock: string
  /** Entries (note × locale) taken from the given files. */
  merged: number
  /** Entries given by more than one file with different contents: the later file's was kept. */
  replaced: Array<{note: string; locale: string; file: string}>
}

export async function mergeLocks(options: {
  cwd: string
  configPath?: string
  files: readonly string[]
}): Promise<LockMergeResult> {
  if (options.files.length === 0)
    throw new UserError(
      `lock merge: no lock files given; expected one or more paths, e.g. notes-l10n lock merge shard-*/${LOCK_FILE}`
    )
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  // A sync running meanwhile would save its own lock over the merge (or the merge over its work).
  const release = await acquireRunLock(config.root)
  try {
    return await mergeInto(config.root, options)
  } finally {
    await release()
  }
}

async function mergeInto(root: string, options: {cwd: string; files: readonly string[]}): Promise<LockMergeResult> {
  const lock = await Lockfile.load(root)
  const seen = new Map<string, string>()
  const result: LockMergeResult = {lock: LOCK_FILE, merged: 0, replaced: []}

  for (const file of options.files) {
    let text: string
    try {
      text = await readFile(path.resolve(options.cwd, file), 'utf8')
    } catch (error) {
      throw new UserError(
        `lock merge: cannot read ${file} (${errnoMessage(error)}); expected a ${LOCK_FILE} written by notes-l10n sync`
      )
    }
    const other = Lockfile.parse(text, file)
    for (const [note, locale, entry] of other.entries()) {
      const key = `${note}\0${locale}`
      const serialised = JSON.stringify(entry)
      const previous = seen.get(key)
      if (previous !== undefined && previous !== serialised) result.replaced.push({note, locale, file})
      seen.set(key, serialised)
      result.merged++
    }
    lock.merge(other)
  }
  await lock.save(root)
  return result
}
