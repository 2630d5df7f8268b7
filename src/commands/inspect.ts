/**
 * The offline view of a project's translations, shared by `check`, `status` and `diff`: for every
 * note and target locale, whether the target is missing, current, stale or broken, segment by
 * segment. No provider, no key, no network (DESIGN decision 9).
 *
 * Notes whose source and target hashes both match the lock are current without being parsed
 * (parsing is the expensive step); the stat cache makes those hashes cheap on warm runs.
 */
import path from 'node:path'
import {rebaseUrl, type NotePlan} from '../config/load.js'
import {segmentFingerprint, verifyTerms} from '../glossary/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {compareSegments} from '../pipeline/validate.js'
import {align, type Decision} from '../state/align.js'
import type {LockEntry} from '../state/lock.js'
import {StatCache} from '../state/stat-cache.js'
import type {Finding, Segment} from '../types.js'
import {UserError} from '../types.js'
import {segmentInSourceSpace} from './url-space.js'
import {analyse, errnoMessage, glossaryVersion, isErrno, openProject, readText, type Problem, type Project, type ProjectOptions} from './project.js'

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
  const cache = await StatCache.load(project.root)
  const inspection: Inspection = {project, targets: [], orphaned: [], problems: [...project.problems]}

  for (const plan of project.plans) {
    let source: AnalysedNote | undefined
    let sourceHash: string | undefined
    for (const target of plan.targets) {
      try {
        sourceHash ??= await hashOf(cache, project, plan.source)
        const entry = lock.get(plan.source, target.locale)
        const targetHash = await hashOf(cache, project, target.output)
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
          report.total = entry.segments.length
          continue
        }

        source ??= await load(project, plan.source)
        inspectTarget(project, plan, target, entry, source, await load(project, target.output), report, options)
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        inspection.problems.push({file: target.output, message: error.message})
      }
    }
  }

  if (!options.paths?.length) {
    const known = new Set(project.plans.map((plan) => plan.source))
    const locales = new Set(project.plans.flatMap((plan) => plan.targets.map((target) => target.locale)))
    for (const [note, locale] of lock.entries()) {
      if (!known.has(note) && (locales.size === 0 || locales.has(locale))) inspection.orphaned.push({note, locale})
    }
  }

  await cache.save()
  return inspection
}

function inspectTarget(
  project: Project,
  plan: NotePlan,
  target: NotePlan['targets'][number],
  entry: LockEntry,
  source: AnalysedNote,
  translation: AnalysedNote,
  report: TargetReport,
  options: InspectOptions
): void {
  const glossary = project.glossary
  const locale = target.locale
  const fingerprints = source.segments.map((segment) => (glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined))
  const alignment = align({source: source.segments, fingerprints, entry, target: translation.segments})
  if (!alignment.aligned) {
    report.state = 'misaligned'
    report.message = alignment.reason
    return
  }

  const targetById = pairTargets(entry, translation.segments)
  report.total = source.segments.length
  report.segments = source.segments.map((segment, index) => {
    const decision = alignment.decisions[index]!
    const written = decision.state === 'pending' ? undefined : findTarget(targetById, decision, segment)
    return {
      id: segment.id,
      line: segment.line,
      ...(written ? {targetLine: written.line} : {}),
      decision: decision.state,
      ...(decision.state === 'pending' ? {reason: decision.reason} : {}),
      ...('previousId' in decision && decision.previousId ? {previousId: decision.previousId} : {}),
      source: segment.markdown,
      ...(decision.state === 'pending' ? (decision.previous === undefined ? {} : {translation: decision.previous}) : {translation: decision.markdown})
    }
  })

  const context = {sourceLocale: plan.sourceLocale, targetLocale: locale}
  const rewriteUrl = project.config.links.rebase ? (url: string) => rebaseUrl(url, plan.source, target.output) : undefined
  source.segments.forEach((segment, index) => {
    const decision = alignment.decisions[index]!
    if (decision.state !== 'current' && decision.state !== 'human') return
    const written = findTarget(targetById, decision, segment)
    if (!written) return
    const findings = compareSegments(segment, segmentInSourceSpace(written, segment, rewriteUrl), context)
    if (glossary) findings.push(...verifyTerms(glossary, segment.markdown, written.markdown, locale, {strict: options.strictGlossary}))
    for (const finding of findings) report.findings.push({...finding, segment: segment.id, line: written.line})
  })

  const states = alignment.decisions.map((decision) => decision.state)
  report.state = states.includes('pending')
    ? 'stale'
    : states.includes('needs-review')
      ? 'needs-review'
      : report.findings.some((finding) => finding.severity === 'error')
        ? 'broken'
        : 'current'
}

/** Target segments by the source id they were written for (the lock records them in target order). */
function pairTargets(entry: LockEntry, targets: readonly Segment[]): Map<string, Segment> {
  const byId = new Map<string, Segment>()
  entry.segments.forEach((record, index) => {
    const segment = targets[index]
    if (segment && !byId.has(record.id)) byId.set(record.id, segment)
  })
  return byId
}

function findTarget(byId: ReadonlyMap<string, Segment>, decision: Decision, segment: Segment): Segment | undefined {
  return byId.get(decision.state === 'needs-review' ? decision.previousId : segment.id)
}


/** Hash of the file's bytes (what the lock records), or undefined when it does not exist. */
async function hashOf(cache: StatCache, project: Project, file: string): Promise<string | undefined> {
  try {
    return await cache.hash(path.join(project.root, file))
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined
    throw new UserError(`${file}: cannot be read (${errnoMessage(error)})`)
  }
}

async function load(project: Project, file: string): Promise<AnalysedNote> {
  const text = await readText(project.root, file, project.config.limits.maxFileBytes)
  if (!text) throw new UserError(`${file}: disappeared while it was being checked`)
  return analyse(project, file, text)
}
