/**
 * Renames, moves and deletions of source notes, judged like git's rename detection: a lock
 * entry whose source note is gone is an *orphan*; a new note (no entry of its own) whose content
 * matches an orphan's — the same file hash, or at least half of its segment ids — is that note
 * renamed, and takes over its translations without paying for them. Orphans nobody claims are
 * deleted notes. Pure: `sync` reads the lock and moves or removes files.
 */
import type {LockEntry} from '../state/lock.js'

/** A lock entry whose source note no longer exists. */
export interface Orphan {
  note: string
  locale: string
  entry: LockEntry
  /** Where its translation was written (recorded, or where the config puts it), when known. */
  output: string | undefined
}

/** The share of segment ids two versions of a note must have in common to be one note renamed (git's default similarity). */
export const RENAME_SIMILARITY = 0.5

export class OrphanPool {
  readonly #byLocale = new Map<string, Orphan[]>()

  constructor(orphans: Iterable<Orphan>) {
    for (const orphan of orphans) {
      const list = this.#byLocale.get(orphan.locale)
      if (list) list.push(orphan)
      else this.#byLocale.set(orphan.locale, [orphan])
    }
  }

  /**
   * The orphan of `locale` that a new note with this source hash and these segment ids is a
   * rename of, taken out of the pool (so two new notes never claim one); undefined when none is
   * similar enough. The same source hash wins, then the most ids in common.
   */
  claim(locale: string, sourceHash: string, ids: readonly string[]): Orphan | undefined {
    const list = this.#byLocale.get(locale)
    if (!list || list.length === 0) return undefined
    let best = list.findIndex((orphan) => orphan.entry.source === sourceHash)
    if (best === -1) {
      let bestScore = RENAME_SIMILARITY
      list.forEach((orphan, index) => {
        const score = similarity(
          ids,
          orphan.entry.segments.map((segment) => segment.id)
        )
        if (score >= bestScore && (best === -1 || score > bestScore)) {
          best = index
          bestScore = score
        }
      })
    }
    if (best === -1) return undefined
    return list.splice(best, 1)[0]
  }

  /** The orphans nobody claimed: notes that were deleted. */
  remaining(): Orphan[] {
    return [...this.#byLocale.values()].flat()
  }
}

/** Ids in common over the larger count (multisets: a duplicate counts once per occurrence). */
export function similarity(a: readonly string[], b: readonly string[]): number {
  const larger = Math.max(a.length, b.length)
  if (larger === 0) return 0
  const counts = new Map<string, number>()
  for (const id of b) counts.set(id, (counts.get(id) ?? 0) + 1)
  let common = 0
  for (const id of a) {
    const left = counts.get(id) ?? 0
    if (left > 0) {
      common++
      counts.set(id, left - 1)
    }
  }
  return common / larger
}
