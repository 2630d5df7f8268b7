/**
 * Three-way merge of locks, entry by entry: what `git merge` does with `notes-l10n.lock` once the
 * merge driver is installed (`notes-l10n lock install-merge-driver`, docs/state.md).
 *
 * Pure. A text merge conflicts whenever two branches insert at the same place — two new notes that
 * both sort last (date-prefixed names) always do — although their entries have nothing to do with
 * each other. Here each (note, locale) entry is one value: taken from the side that changed it
 * (added, changed or removed), kept when both sides agree, and a conflict only when both changed
 * the same entry differently.
 */
import {copyEntry, type LockEntry, Lockfile} from './lock.js'

export interface ThreeWayResult {
  lock: Lockfile
  /** Entries both sides changed differently: `ours` was kept for them. */
  conflicts: Array<{note: string; locale: string}>
}

export function mergeThreeWay(base: Lockfile, ours: Lockfile, theirs: Lockfile): ThreeWayResult {
  const lock = new Lockfile()
  const conflicts: ThreeWayResult['conflicts'] = []
  const keys = new Map<string, [string, string]>()
  for (const side of [base, ours, theirs])
    for (const [note, locale] of side.keys()) keys.set(`${note}\0${locale}`, [note, locale])
  for (const [note, locale] of keys.values()) {
    const [b, o, t] = [base, ours, theirs].map((side) => side.get(note, locale))
    const chosen = pick(b, o, t)
    if (chosen === 'conflict') {
      conflicts.push({note, locale})
      if (o) lock.set(note, locale, o)
    } else if (chosen) {
      lock.set(note, locale, chosen)
    }
  }
  return {lock, conflicts}
}

function pick(
  base: LockEntry | undefined,
  ours: LockEntry | undefined,
  theirs: LockEntry | undefined
): LockEntry | undefined | 'conflict' {
  // Compared in one field order (copyEntry's): an entry read from a file and one set in memory list
  // the same fields in different orders.
  const [b, o, t] = [base, ours, theirs].map((entry) =>
    entry === undefined ? undefined : JSON.stringify(copyEntry(entry))
  )
  if (o === t) return ours
  if (o === b) return theirs
  if (t === b) return ours
  return 'conflict'
}
