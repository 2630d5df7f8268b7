/**
 * The offline view of a project's translations, shared by `check`, `status` and `diff`: for every
 * note and target locale, whether the target is missing, current, stale or broken, segment by
 * segment. No provider, no key, no network (DESIGN decision 9).
 *
 * Notes whose source and target hashes both match the lock are current without being parsed
 * (parsing is the expensive step); the stat cache makes those hashes cheap on warm runs.
 */
import type {AnalysedNote} from '../pipeline/analyse.js'
import type {Decision} from '../state/align.js'
import type {StatCache} from '../state/stat-cache.js'
import type {Finding} from '../types.js'
import {UserError} from '../types.js'
import {errnoMessage, glossaryVersion, isErrno, openProject, type Problem, type Project, type ProjectOptions} from './project.js'

export type TargetState = 'current' | 'missing' | 'stale' | 'needs-review' | 'untracked' | 'misaligned' | 'broken'

export interface SegmentReport {
  id: string
  /** Line of the segment in the source note. */
  line: number
  /** Line of the segment in the target, when it has one. */
  targetLine?: number
  decision: Decision['state']
  reason?: string
  /** For changed and needs-review segments: the id of the source the old translation was made from. */
  previousId?: string
  source: string
  translation?: string
}

export interface TargetReport {
  note: string
  locale: string
  output: string
  state: TargetState
  /** All segments, when the note had to be parsed (undefined on the fast path). */
  segments?: SegmentReport[]
  /** Source segment count (for status percentages); undefined on the fast path for copies. */
  total?: number
  /** QA and glossary findings on the committed target, with target lines. */
  findings: Finding[]
  message?: string
}

export interface Inspection {
  project: Project
  targets: TargetReport[]
  /** Lock entries whose source note no longer exists. */
  orphaned: Array<{note: string; locale: string}>
  problems: Problem[]
}

export interface InspectOptions extends ProjectOptions {
  /** Parse every note even when hashes match (for `diff` and full QA re-runs). */
  deep?: boolean
  strictGlossary?: boolean
}

export async function inspect(options: InspectOptions): Promise<Inspection> {
  const project = await openProject(options)
  const lock = project.lock
  const cache = project.statCache
  const inspection: Inspection = {project, targets: [], orphaned: [], problems: [...project.problems]}

  let deep: typeof import('./inspect-target.js') | undefined
  for (const plan of project.plans) {
    let source: AnalysedNote | undefined
    let sourceHash: string | undefined
    for (const target of plan.targets) {
      try {
        sourceHash ??= hashOf(cache, plan.source)
        const entry = lock.head(plan.source, target.locale)
        const targetHash = hashOf(cache, target.output)
        const report: TargetReport = {note: plan.source, locale: target.locale, output: target.output, state: 'current', findings: []}
        inspection.targets.push(report)

        if (targetHash === undefined) {
          report.state = 'missing'
          continue
        }
        if (!entry) {
          report.state = 'untracked'
          report.message = 'the target exists but the lock has no record of it: run `notes-l10n sync` to adopt it'
          continue
        }
        const unchanged = entry.source === sourceHash && entry.target === targetHash
        if (target.copy) {
          // A copy has no segments to look into: its hashes are the whole story.
          if (!unchanged) {
            report.state = 'stale'
            report.message = 'the source or the copy changed since it was made: run notes-l10n sync'
          }
          continue
        }
        if (unchanged && !options.deep && entry.glossary === glossaryVersion(project, target.locale)) {
          report.total = entry.segmentCount
          continue
        }

        // Only now is the Markdown parser needed: a check of current targets never loads it.
        deep ??= await import('./inspect-target.js')
        source ??= await deep.load(project, plan.source)
        deep.inspectTarget(project, plan, target, lock.get(plan.source, target.locale)!, source, await deep.load(project, target.output), report, options)
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        inspection.problems.push({file: target.output, message: error.message})
      }
    }
  }

  if (!options.paths?.length) {
    const known = new Set(project.plans.map((plan) => plan.source))
    const locales = new Set(project.plans.flatMap((plan) => plan.targets.map((target) => target.locale)))
    for (const [note, locale] of lock.keys()) {
      if (!known.has(note) && (locales.size === 0 || locales.has(locale))) inspection.orphaned.push({note, locale})
    }
  }

  // A run over everything looked at every file the cache should know: the rest are gone.
  await cache.save({prune: !options.paths?.length && !options.locales?.length})
  return inspection
}

/** Hash of the file's bytes (what the lock records), or undefined when it does not exist. */
function hashOf(cache: StatCache, file: string): string | undefined {
  try {
    return cache.hashSync(file)
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined
    throw new UserError(`${file}: cannot be read (${errnoMessage(error)})`)
  }
}
