/**
 * `notes-l10n accept`: a reviewer says "this human translation is still right for the new source".
 *
 * A needs-review segment (its source changed under a human translation) is re-recorded in the
 * lock against the *current* source segment, as human work: the translation's bytes are not
 * touched, only the lock learns which source they were reviewed against. Later syncs keep it,
 * and `check` no longer reports it. Returns what it accepted; never prints.
 */
import {segmentFingerprint} from '../glossary/load.js'
import {type InspectOptions, inspect} from '../inspection/inspect.js'
import {loadLock, type Problem} from '../project/project.js'
import {type LockEntry, segmentTargetHash} from '../state/lock.js'
import {acquireRunLock} from '../state/mutex.js'
import {UserError} from '../types.js'

export interface AcceptedSegment {
  note: string
  locale: string
  output: string
  id: string
  /** Line of the segment in the source note. */
  line: number
}

export interface AcceptResult {
  accepted: AcceptedSegment[]
  /** Targets that could not be looked into (unreadable, misaligned): nothing accepted there. */
  problems: Problem[]
}

export async function accept(options: InspectOptions): Promise<AcceptResult> {
  const inspection = await inspect({...options, deep: true})
  const project = await loadLock(inspection.project)
  // Not while a sync writes the same lock.
  const release = await acquireRunLock(project.root)
  try {
    const result: AcceptResult = {accepted: [], problems: [...inspection.problems]}
    for (const target of inspection.targets) {
      if (target.state === 'misaligned')
        result.problems.push({file: target.output, message: target.plan.message ?? 'misaligned'})
      const review = (target.plan.segments ?? []).filter((segment) => segment.decision === 'needs-review')
      if (review.length === 0) continue
      const entry = project.lock.get(target.note, target.locale)
      if (!entry) continue
      const glossary = project.glossary
      const records = entry.segments.map((record) => ({...record}))
      for (const segment of review) {
        const record = records.find((candidate) => candidate.id === segment.previousId)
        if (!record || segment.translation === undefined) continue
        const fingerprint = glossary ? segmentFingerprint(glossary, segment.source, target.locale) : undefined
        record.id = segment.id
        record.target = segmentTargetHash(segment.translation)
        record.human = true
        delete record.review
        if (fingerprint) record.glossary = fingerprint
        else delete record.glossary
        result.accepted.push({
          note: target.note,
          locale: target.locale,
          output: target.output,
          id: segment.id,
          line: segment.line
        })
      }
      // With nothing else waiting, the whole target is current against today's source: record the
      // source's hash so `check` can trust the hashes again without parsing the note.
      const settled = (target.plan.segments ?? []).every(
        (segment) =>
          segment.decision === 'current' || segment.decision === 'human' || segment.decision === 'needs-review'
      )
      const updated: LockEntry = {
        ...entry,
        ...(settled ? {source: project.statCache.hashSync(target.note)} : {}),
        segments: records
      }
      project.lock.set(target.note, target.locale, updated)
    }
    if (result.accepted.length > 0) await project.lock.save(project.root)
    return result
  } finally {
    await release()
  }
}

/** Refuses an accept with neither paths nor `--all`: accepting everything must be asked for. */
export function requireScope(paths: readonly string[], all: boolean | undefined): void {
  if (paths.length === 0 && !all) {
    throw new UserError(
      'accept: name the notes to accept (notes-l10n accept notes/a.md --locale es), or pass --all to accept every needs-review segment'
    )
  }
}
