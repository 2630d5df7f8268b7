/**
 * Notes that are gone or moved: lock entries of deleted notes (claimed by renamed notes, the rest
 * removed with their machine-made translations), and translations left at an old path.
 */

import type {NotePlan} from '../config/load.js'
import {plannedOutput} from '../config/load.js'
import {contentHash} from '../io/hash.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import type {NoteText} from '../pipeline/read.js'
import {type Project, readText} from '../project/project.js'
import {type Orphan, OrphanPool} from '../project/renames.js'
import type {LockEntry} from '../state/lock.js'
import {removeFile} from './commit.js'
import {withBom} from './plan.js'
import type {Run, SyncOptions} from './types.js'

/**
 * Lock entries of the run's locales whose source note is gone (renamed, moved or deleted), for
 * new notes to claim and the rest to be removed (see `renames.ts`).
 */
export function orphanPool(
  project: Project,
  options: SyncOptions,
  plans: readonly NotePlan[] = project.plans
): OrphanPool {
  // A note skipped for a problem (bad front-matter…) still exists: it is neither renamed nor deleted.
  const known = new Set([...plans.map((plan) => plan.source), ...project.problems.map((problem) => problem.file)])
  const locales = new Set(plans.flatMap((plan) => plan.targets.map((target) => target.locale)))
  // Without notes there are no plans to name the locales: every locale of a deleted note goes.
  const every = locales.size === 0 && !options.locales?.length
  const orphans: Orphan[] = []
  for (const [note, locale] of project.lock.keys()) {
    if (known.has(note) || (!every && !locales.has(locale))) continue
    const entry = project.lock.get(note, locale)!
    orphans.push({note, locale, entry, output: entry.output ?? plannedOutput(project.config, note, locale)})
  }
  return new OrphanPool(orphans)
}

/** The orphan a new note (no lock entry of its own) is a rename of, if any. */
export function claimRename(
  run: Run,
  _plan: NotePlan,
  locale: string,
  sourceHash: string,
  note: AnalysedNote
): Orphan | undefined {
  return run.orphans?.claim(
    locale,
    sourceHash,
    note.segments.map((segment) => segment.id)
  )
}

/** Lock entries of deleted notes removed, with their translations when the tool wrote them unchanged. */
export async function removeOrphans(run: Run, pool: OrphanPool): Promise<void> {
  for (const orphan of pool.remaining()) {
    if (run.options.dryRun) {
      run.result.warnings.push(
        `${orphan.note} no longer exists: sync would remove its ${orphan.locale} lock entry${orphan.output ? ` and ${orphan.output} unless edited by hand` : ''}`
      )
      continue
    }
    if (orphan.output && !run.plannedOutputs.has(orphan.output)) {
      await removeIfMachineMade(run, orphan.output, orphan.entry, orphan.note)
    }
    run.project.lock.delete(orphan.note, orphan.locale)
  }
}

/**
 * Removes a translation whose note is gone, if the tool wrote it and nobody edited it since
 * (its hash is the entry's and no segment is human work); otherwise keeps it and says so.
 */
export async function removeIfMachineMade(run: Run, file: string, entry: LockEntry, note?: string): Promise<void> {
  let text: NoteText | undefined
  try {
    text = await readText(run.project.root, file, Number.MAX_SAFE_INTEGER)
  } catch {
    text = undefined
  }
  if (!text) return
  const human = entry.segments.some((segment) => segment.human)
  if (human || contentHash(withBom(text)) !== entry.target) {
    run.result.warnings.push(
      `kept ${file}: ${note ? `its source ${note} no longer exists` : 'its note was renamed'}, but it holds ${human ? 'human translations' : 'changes made after the last sync'} — delete it by hand if it is no longer wanted (the lock no longer records it)`
    )
    return
  }
  await removeFile(run, file)
}

/** Removes the file a translation was read from after it was written at its new path. */
export async function removeMoved(run: Run, file: string): Promise<void> {
  if (run.plannedOutputs.has(file)) return
  if (run.options.paths?.length || run.options.shard) {
    // Only some notes are planned: the old path may be another note's target.
    run.result.warnings.push(
      `left ${file} in place: its translation now lives at its new path, and with a path filter this run cannot tell whether another note writes there — delete it by hand if nothing does`
    )
    return
  }
  await removeFile(run, file)
}
