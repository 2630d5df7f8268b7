/**
 * The deep look at one target whose hashes do not prove it current: parse source and target,
 * align their segments through the lock, and re-run the deterministic validators and the
 * glossary on what was written. Loaded by `inspect` only when a note has to be parsed.
 */
import {type NotePlan, targetUrlForms} from '../config/load.js'
import {segmentFingerprint} from '../glossary/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {readNote} from '../project/analyse.js'
import {type ProjectBase, translationsIn} from '../project/project.js'
import {writtenSegmentFindings} from '../project/segment-findings.js'
import {type ConfigInputs, planTarget} from '../project/target-plan.js'
import {align, type Decision} from '../state/align.js'
import {type LockEntry, segmentTargetHash} from '../state/lock.js'
import type {Segment} from '../types.js'
import {UserError} from '../types.js'
import type {InspectOptions, TargetReport} from './inspect.js'

export function inspectTarget(
  project: ProjectBase,
  plan: NotePlan,
  target: NotePlan['targets'][number],
  entry: LockEntry,
  source: AnalysedNote,
  translation: AnalysedNote,
  report: TargetReport,
  options: InspectOptions & {replaceMachine?: boolean; config: ConfigInputs; renamedFrom?: string}
): void {
  const glossary = project.glossary
  const locale = target.locale
  const fingerprints = source.segments.map((segment) =>
    glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
  )
  const alignment = align({
    source: source.segments,
    fingerprints,
    entry,
    target: translation.segments,
    replaceMachine: options.replaceMachine
  })
  const planned = planTarget({
    segments: source.segments,
    alignment,
    entry,
    config: options.config,
    ...(options.renamedFrom === undefined ? {} : {renamedFrom: options.renamedFrom})
  })
  report.plan = planned
  report.state = planned.verdict
  if (!alignment.aligned) return

  const targetById = pairTargets(entry, translation.segments)
  report.total = source.segments.length
  report.plan.segments = (planned.segments ?? []).map((segment, index) => {
    const decision = alignment.decisions[index]!
    const written = decision.state === 'pending' ? undefined : findTarget(targetById, decision, source.segments[index]!)
    return written ? {...segment, targetLine: written.line} : segment
  })

  // A human segment the lock does not know as written: a hand edit since the last sync. It is
  // legitimate (sync keeps it and records it), so it is a warning that tells the reviewer where.
  const recorded = new Map(entry.segments.map((record) => [record.id, record.target]))
  source.segments.forEach((segment, index) => {
    if (alignment.decisions[index]!.state !== 'human') return
    const written = targetById.get(segment.id)
    if (!written || segmentTargetHash(written.markdown) === recorded.get(segment.id)) return
    report.findings.push({
      rule: 'hand-edited',
      severity: 'warning',
      segment: segment.id,
      line: written.line,
      message: `${locale}: edited by hand since the last sync (source ${plan.source}:${segment.line}); sync keeps it and records it as the reference translation`
    })
  })

  // Written by sync: links to other notes point at their translation in this locale (or, in older
  // targets, at the source note).
  const rewriteUrl = project.config.links.rebase
    ? targetUrlForms(plan.source, target.output, translationsIn(project, locale))
    : undefined
  source.segments.forEach((segment, index) => {
    const decision = alignment.decisions[index]!
    if (decision.state !== 'current' && decision.state !== 'human') return
    const written = findTarget(targetById, decision, segment)
    if (!written) return
    const findings = writtenSegmentFindings({
      source: segment,
      written,
      human: decision.state === 'human',
      sourceFile: plan.source,
      output: target.output,
      sourceLocale: plan.sourceLocale,
      locale,
      glossary,
      rewriteUrl,
      strictGlossary: options.strictGlossary
    })
    for (const finding of findings) report.findings.push({...finding, segment: segment.id, line: written.line})
  })

  if (report.state === 'current' && report.findings.some((finding) => finding.severity === 'error'))
    report.state = 'broken'
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

export async function load(
  project: ProjectBase,
  file: string,
  frontmatterKeys?: readonly string[]
): Promise<AnalysedNote> {
  const note = await readNote(project, file, frontmatterKeys)
  if (!note) throw new UserError(`${file}: disappeared while it was being checked`)
  return note
}
