/**
 * The deep look at one target whose hashes do not prove it current: parse source and target,
 * align their segments through the lock, and re-run the deterministic validators and the
 * glossary on what was written. Loaded by `inspect` only when a note has to be parsed.
 */
import {type NotePlan, targetUrlForms} from '../config/load.js'
import {type Glossary, renderKeep, segmentFingerprint, verifyTerms} from '../glossary/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {compareSegments, humanMarkupFinding, missingMarkup} from '../pipeline/validate.js'
import {readNote} from '../project/analyse.js'
import {type ProjectBase, translationsIn} from '../project/project.js'
import {type ConfigInputs, planTarget} from '../project/target-plan.js'
import {segmentInSourceSpace} from '../project/url-space.js'
import {containsSecret} from '../redact.js'
import {align, type Decision} from '../state/align.js'
import {type LockEntry, segmentTargetHash} from '../state/lock.js'
import type {Segment, Token} from '../types.js'
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

  const context = {sourceLocale: plan.sourceLocale, targetLocale: locale, containsSecret}
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
    const comparable = glossary
      ? withRenderedTerms(segmentInSourceSpace(written, segment, rewriteUrl), segment, locale, glossary)
      : segmentInSourceSpace(written, segment, rewriteUrl)
    const human = decision.state === 'human'
    const findings = compareSegments(segment, comparable, human ? {...context, humanTarget: true} : context)
    if (human) {
      // Human edits win: inline markup a translator left out (bold written as plain text, a
      // dropped link) is theirs to choose — one warning with where to restore it, never an error
      // that stays red. A changed command or URL is still an error (fix the file).
      const missing = missingMarkup(segment.tokens, written.tokens)
      if (missing.length > 0)
        findings.push(humanMarkupFinding(segment, written.line, target.output, plan.source, missing))
    }
    if (glossary)
      findings.push(
        ...verifyTerms(glossary, segment.markdown, written.markdown, locale, {strict: options.strictGlossary})
      )
    for (const finding of findings) report.findings.push({...finding, segment: segment.id, line: written.line})
  })

  if (report.state === 'current' && report.findings.some((finding) => finding.severity === 'error'))
    report.state = 'broken'
}

/**
 * The target segment with a term token for each locale rendering of a source keep-term it
 * contains (周靖人 for Jingren Zhou in Chinese): `sync` restores keep-terms with their rendering,
 * so a rendering is the term, not a missing one. Without this a check that has to look inside a
 * note (after any hand edit) called every correct rendering a Q18 error.
 */
function withRenderedTerms(target: Segment, source: Segment, locale: string, glossary: Glossary): Segment {
  // Each rendering stands for at most as many terms as the source has: the same words written
  // literally in the source (`"Tongyi Qianwen" (通义千问)`) are text in both, not extra terms.
  const renderings = new Map<string, Token[]>()
  for (const token of source.tokens) {
    if (token.kind !== 'term') continue
    const rendered = renderKeep(glossary, token.open, locale)
    if (rendered === token.open || rendered === '') continue
    const tokens = renderings.get(rendered) ?? []
    tokens.push(token)
    renderings.set(rendered, tokens)
  }
  if (renderings.size === 0) return target
  const added: Token[] = []
  let n = Math.max(0, ...target.tokens.map((token) => token.n)) + 1
  // Longest first, each occurrence counted once.
  let text = target.markdown
  for (const [rendered, tokens] of [...renderings].sort((a, b) => b[0].length - a[0].length)) {
    const parts = text.split(rendered)
    const count = Math.min(parts.length - 1, tokens.length)
    for (let index = 0; index < count; index++) added.push({...tokens[index]!, n: n++})
    text = parts.join('\0')
  }
  return added.length === 0 ? target : {...target, tokens: [...target.tokens, ...added]}
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
