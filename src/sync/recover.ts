/**
 * Crash recovery before anything is planned: every write-ahead mark a killed run left in the
 * journal whose target file is exactly what the mark describes goes into the lock now.
 *
 * `provenCurrent` and `madeFrom` (note.ts) also consult a note's mark, but only for notes this
 * run plans under the path the mark names. A note renamed after the crash, or outside this run's
 * shard or paths, would otherwise be judged against the lock's older entry: the tool's own text
 * would differ from it segment by segment and be taken for human edits (docs/state.md, "Crash
 * safety"). Renames are judged from the lock (orphans.ts), so this runs before them.
 */
import {plannedOutput} from '../config/load.js'
import {contentHash} from '../io/hash.js'
import type {NoteText} from '../pipeline/read.js'
import {type Project, readText} from '../project/project.js'
import type {Journal} from '../state/journal.js'
import {withBom} from './plan.js'

/** Adopts the marks whose target is on disk as marked; returns their notes and locales, to settle once the lock is saved. */
export async function adoptWrittenMarks(
  project: Project,
  journal: Journal
): Promise<Array<{note: string; locale: string}>> {
  const adopted: Array<{note: string; locale: string}> = []
  for (const {note, locale, entry} of journal.marks()) {
    const output = entry.output ?? plannedOutput(project.config, note, locale)
    if (output === undefined) continue
    let text: NoteText | undefined
    try {
      text = await readText(project.root, output, Number.MAX_SAFE_INTEGER)
    } catch {
      // Unreadable now: the note's own run reports it; the mark stays for a later run.
      continue
    }
    if (text === undefined || contentHash(withBom(text)) !== entry.target) continue
    project.lock.set(note, locale, entry)
    adopted.push({note, locale})
  }
  return adopted
}
