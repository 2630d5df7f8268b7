/**
 * `notes-l10n diff`: what changed, segment by segment, for reviewers.
 *
 * Without a base, it shows what the next `sync` would do (pending, needs-review and hand-edited
 * segments), with the old source taken from git `HEAD` when the project is in a repository. With
 * `--base <rev>`, it compares every note and translation at that revision with the working tree.
 */
import {segmentFingerprint} from '../glossary/load.js'
import {type InspectOptions, inspect} from '../inspection/inspect.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {analyse, readNote} from '../project/analyse.js'
import {loadLock, noteText, openProject, type Project, type ProjectBase} from '../project/project.js'
import {align, type Decision, match} from '../state/align.js'
import {type GitRevision, openRevision} from '../state/git.js'
import {LOCK_FILE, type LockEntry, Lockfile} from '../state/lock.js'
import type {SegmentKind} from '../types.js'
import {UserError} from '../types.js'

export type DiffState = 'new' | 'changed' | 'removed' | 'needs-review' | 'human-edited' | 'retranslated' | 'glossary'

export interface DiffEntry {
  note: string
  locale: string
  output: string
  /** Segment id in the current source (the old id for removed segments). */
  id: string
  /** Line in the current source (in the old source for removed segments). */
  line: number
  state: DiffState
  oldSource?: string
  newSource?: string
  oldTranslation?: string
  /** Absent when the translation does not exist yet (the next sync makes it). */
  newTranslation?: string
}

export interface DiffResult {
  /** Format version of this JSON (see docs/review.md). */
  version: 1
  /** The revision compared with, or null for "what the next sync would change". */
  base: string | null
  entries: DiffEntry[]
}

export async function diff(options: InspectOptions & {base?: string}): Promise<DiffResult> {
  if (options.base) return diffAgainst(options, options.base)
  const inspection = await inspect({...options, deep: true})
  const project = await loadLock(inspection.project)
  const head = await openRevision(project.root, 'HEAD').catch(() => undefined)
  const entries: DiffEntry[] = []
  // Source segments at HEAD by note: a note's targets share them.
  const headSources = new Map<string, Map<string, string> | undefined>()
  for (const target of inspection.targets) {
    const where = {note: target.note, locale: target.locale, output: target.output}
    if (target.state === 'missing') {
      entries.push({...where, id: '*', line: 1, state: 'new'})
      continue
    }
    const segments = target.plan.segments ?? []
    const record = project.lock.get(target.note, target.locale)
    const humanBefore = new Set(record?.segments.filter((segment) => segment.human).map((segment) => segment.id))
    const interesting = segments.filter(
      (segment) =>
        segment.decision === 'pending' ||
        segment.decision === 'needs-review' ||
        (segment.decision === 'human' && !humanBefore.has(segment.id))
    )
    if (interesting.length === 0) continue
    let oldSources: Map<string, string> | undefined
    if (head && interesting.some((segment) => segment.previousId)) {
      if (!headSources.has(target.note)) headSources.set(target.note, await segmentsAt(project, head, target.note))
      oldSources = headSources.get(target.note)
    }
    const oldTargets =
      head && interesting.some((segment) => segment.decision === 'human')
        ? await lockedTranslations(project, head, target.output, record)
        : undefined
    for (const segment of interesting) {
      const base = {...where, id: segment.id, line: segment.line, newSource: segment.source}
      const oldSource = segment.previousId ? oldSources?.get(segment.previousId) : undefined
      const withOld = oldSource === undefined ? {} : {oldSource}
      if (segment.decision === 'pending') {
        const state: DiffState =
          segment.reason === 'glossary' ? 'glossary' : segment.reason === 'new' ? 'new' : 'changed'
        entries.push({
          ...base,
          state,
          ...withOld,
          ...(segment.translation === undefined ? {} : {oldTranslation: segment.translation})
        })
      } else if (segment.decision === 'needs-review') {
        entries.push({
          ...base,
          state: 'needs-review',
          ...withOld,
          oldTranslation: segment.translation!,
          newTranslation: segment.translation!
        })
      } else {
        // Edited by hand since the last sync: the next sync adopts it as human work.
        const committed = oldTargets?.get(segment.id)
        entries.push({
          ...base,
          state: 'human-edited',
          ...(committed === undefined ? {} : {oldTranslation: committed}),
          newTranslation: segment.translation!
        })
      }
    }
  }
  return {version: 1, base: null, entries: entries.map(inJsonOrder)}
}

/**
 * What the committed target held for each segment id of the lock entry (target segment i was
 * written for the entry's segment i), or undefined when it cannot be lined up.
 */
async function lockedTranslations(
  project: ProjectBase,
  revision: GitRevision,
  output: string,
  entry: LockEntry | undefined
): Promise<Map<string, string> | undefined> {
  const note = entry ? await noteAt(project, revision, output) : undefined
  if (!entry || !note || note.segments.length !== entry.segments.length) return undefined
  return new Map(entry.segments.map((record, index) => [record.id, note.segments[index]!.markdown]))
}

/** Source segments (id → markdown) of a note at a revision. */
async function segmentsAt(
  project: ProjectBase,
  revision: GitRevision,
  file: string
): Promise<Map<string, string> | undefined> {
  const note = await noteAt(project, revision, file)
  return note ? new Map(note.segments.map((segment) => [segment.id, segment.markdown])) : undefined
}

export async function noteAt(
  project: ProjectBase,
  revision: GitRevision | undefined,
  file: string
): Promise<AnalysedNote | undefined> {
  if (!revision) return readNote(project, file)
  const bytes = await revision.read(file)
  if (!bytes) return undefined
  try {
    return analyse(project, file, await noteText(bytes, `${file}@${revision.rev}`, project.config.limits.maxFileBytes))
  } catch (error) {
    if (error instanceof UserError) return undefined
    throw error
  }
}

interface SideSegment {
  id: string
  kind: SegmentKind | undefined
  line: number
  source: string
  translation?: string
  decision: Decision['state']
}

/** A note's source on one side, parsed on first use and then shared by its targets. */
interface SideSource {
  note: string
  parsed?: {source: AnalysedNote | undefined}
}

/** One side of a comparison: a note's source segments with what its target held for each. */
async function side(
  project: Project,
  revision: GitRevision | undefined,
  lock: Lockfile,
  note: SideSource,
  output: string,
  locale: string
): Promise<SideSegment[] | undefined> {
  note.parsed ??= {source: await noteAt(project, revision, note.note)}
  const source = note.parsed.source
  if (!source) return undefined
  const target = await noteAt(project, revision, output)
  const glossary = project.glossary
  const entry: LockEntry | undefined = lock.get(note.note, locale)
  const alignment = align({
    source: source.segments,
    fingerprints: source.segments.map((segment) =>
      glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
    ),
    entry,
    target: target?.segments
  })
  return source.segments.map((segment, index) => {
    const decision = alignment.aligned ? alignment.decisions[index]! : undefined
    const translation = decision && decision.state !== 'pending' ? decision.markdown : undefined
    return {
      id: segment.id,
      kind: segment.kind,
      line: segment.line,
      source: segment.markdown,
      ...(translation === undefined ? {} : {translation}),
      decision: decision?.state ?? 'pending'
    }
  })
}

async function diffAgainst(options: InspectOptions, rev: string): Promise<DiffResult> {
  const project = await openProject(options)
  const revision = await openRevision(project.root, rev)
  const oldLockText = await revision.read(LOCK_FILE)
  // No lock at the revision: nothing had been translated yet.
  const oldLock = oldLockText ? Lockfile.parse(oldLockText.toString('utf8'), `${LOCK_FILE}@${rev}`) : new Lockfile()
  const newLock = project.lock

  const entries: DiffEntry[] = []
  for (const plan of project.plans) {
    const sourceBefore: SideSource = {note: plan.source}
    const sourceAfter: SideSource = {note: plan.source}
    for (const target of plan.targets) {
      if (target.copy) continue
      const where = {note: plan.source, locale: target.locale, output: target.output}
      const before = (await side(project, revision, oldLock, sourceBefore, target.output, target.locale)) ?? []
      const after = (await side(project, undefined, newLock, sourceAfter, target.output, target.locale)) ?? []
      const {same, changed} = match(after, before)
      const used = new Set<number>()
      after.forEach((segment, index) => {
        const base = {
          ...where,
          id: segment.id,
          line: segment.line,
          newSource: segment.source,
          ...(segment.translation === undefined ? {} : {newTranslation: segment.translation})
        }
        const sameIndex = same[index]
        const changedIndex = changed[index]
        if (sameIndex !== undefined) {
          used.add(sameIndex)
          const old = before[sameIndex]!
          if (old.translation === segment.translation) return
          const state: DiffState =
            old.translation === undefined
              ? 'new'
              : segment.decision === 'human'
                ? 'human-edited'
                : segment.decision === 'pending'
                  ? 'glossary'
                  : 'retranslated'
          entries.push({...base, state, ...(old.translation === undefined ? {} : {oldTranslation: old.translation})})
        } else if (changedIndex !== undefined) {
          used.add(changedIndex)
          const old = before[changedIndex]!
          const state: DiffState = segment.decision === 'needs-review' ? 'needs-review' : 'changed'
          entries.push({
            ...base,
            state,
            oldSource: old.source,
            ...(old.translation === undefined ? {} : {oldTranslation: old.translation})
          })
        } else {
          entries.push({...base, state: 'new'})
        }
      })
      before.forEach((old, index) => {
        if (used.has(index)) return
        entries.push({
          ...where,
          id: old.id,
          line: old.line,
          state: 'removed',
          oldSource: old.source,
          ...(old.translation === undefined ? {} : {oldTranslation: old.translation})
        })
      })
    }
  }
  return {version: 1, base: rev, entries: entries.map(inJsonOrder)}
}

/** The entry with its keys in the documented order (docs/review.md), absent ones left out. */
function inJsonOrder(entry: DiffEntry): DiffEntry {
  const {note, locale, output, id, line, state, oldSource, newSource, oldTranslation, newTranslation} = entry
  return {
    note,
    locale,
    output,
    id,
    line,
    state,
    ...(oldSource === undefined ? {} : {oldSource}),
    ...(newSource === undefined ? {} : {newSource}),
    ...(oldTranslation === undefined ? {} : {oldTranslation}),
    ...(newTranslation === undefined ? {} : {newTranslation})
  }
}
