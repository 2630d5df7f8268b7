/**
 * `notes-l10n lock merge`: combine the locks written by sharded runs (`sync --shard i/n`) into
 * the project's lock, three-way against it: an entry is taken from the lock that changed it. Shards
 * own disjoint notes, so their changes never compete; where two locks changed the same note and
 * locale differently, the one given later wins and is reported.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {loadConfig} from '../config/load.js'
import {errnoMessage} from '../io/errno.js'
import {LOCK_FILE, Lockfile} from '../state/lock.js'
import {mergeThreeWay} from '../state/lock-three-way.js'
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
  // The project's lock is what the shards started from: each shard's lock holds every entry, its
  // own notes' new and the other notes' as they were. Merged three-way against it, an entry is
  // taken from the lock that changed it — whatever the order of the files.
  const base = await Lockfile.load(root)
  let merged = base
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
    const {lock, conflicts} = mergeThreeWay(base, merged, other)
    // Two locks changed one entry differently (not shards of one run): the later file wins, reported.
    for (const {note, locale} of conflicts) {
      const theirs = other.get(note, locale)
      if (theirs) lock.set(note, locale, theirs)
      else lock.delete(note, locale)
      result.replaced.push({note, locale, file})
    }
    merged = lock
    result.merged += other.size
  }
  await merged.save(root)
  return result
}
