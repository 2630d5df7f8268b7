/**
 * `notes-l10n export`: the segments reviewers should look at, as one XLIFF 2.0 or PO file per
 * target locale, for the tools they already use (a CAT tool, Poedit).
 *
 * Built from the same inspection as `check`, so the two always agree on what is stale. Each unit
 * carries the protected source (`⟦n⟧` tokens, explained), the existing translation re-expressed
 * in the same tokens, the location, and the previous source of a changed segment (from git
 * `HEAD`). Returns the file text; the CLI writes it.
 */
import {type NotePlan, targetUrlForms} from '../config/load.js'
import {requiredTerms} from '../glossary/load.js'
import {inspect, type SegmentReport, type TargetReport} from '../inspection/inspect.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {type Problem, type ProjectBase, type ProjectOptions, translationsIn} from '../project/project.js'
import {toPo} from '../review/po.js'
import {readBack, type UrlForms} from '../review/target-tokens.js'
import type {ReviewState, ReviewUnit} from '../review/unit.js'
import {toXliff} from '../review/xliff.js'
import {type GitRevision, openRevision} from '../state/git.js'
import type {Segment} from '../types.js'
import {UserError} from '../types.js'
import {noteAt} from './diff.js'

export type ReviewFormat = 'xliff' | 'po'

export interface ExportOptions extends ProjectOptions {
  format: ReviewFormat
  /** `stale` (default): new, changed and needs-review segments, and missing targets; `all`: every segment. */
  only?: 'stale' | 'all'
  /** For the PO revision date; the caller owns the clock. */
  now?: Date
}

export interface ExportResult {
  format: ReviewFormat
  sourceLocale: string
  locale: string
  /** The file's text. */
  text: string
  units: ReviewUnit[]
  /** Targets left out, with the reason (they cannot be matched with their sources). */
  skipped: Problem[]
  problems: Problem[]
}

export async function exportReview(options: ExportOptions): Promise<ExportResult> {
  if (options.locales?.length !== 1) {
    throw new UserError(
      `export --locale: received ${options.locales?.length ? options.locales.join(',') : 'none'}, expected exactly one target locale (one file per locale), e.g. --locale es`
    )
  }
  const inspection = await inspect({...options, deep: true})
  const project = inspection.project
  const only = options.only ?? 'stale'
  const units: ReviewUnit[] = []
  const skipped: Problem[] = []
  const problems: Problem[] = [...inspection.problems]
  let head: Promise<GitRevision | undefined> | undefined
  let sourceLocale: string | undefined
  const plans = new Map<string, NotePlan>()
  for (const plan of project.plans) if (!plans.has(plan.source)) plans.set(plan.source, plan)

  for (const target of inspection.targets) {
    const plan = plans.get(target.note)
    const planned = plan?.targets.find((candidate) => candidate.locale === target.locale)
    if (!plan || !planned || planned.copy) continue
    if (target.state === 'untracked' || target.state === 'misaligned') {
      skipped.push({
        file: target.output,
        message: `${target.output}: not exported: ${target.plan.message ?? target.state}`
      })
      continue
    }
    sourceLocale ??= plan.sourceLocale
    let source: AnalysedNote | undefined
    try {
      source = await noteAt(project, undefined, target.note)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      problems.push({file: target.note, message: error.message})
      continue
    }
    if (!source) continue
    const reports =
      target.state === 'missing'
        ? undefined
        : new Map((target.plan.segments ?? []).map((report) => [report.id, report]))
    const wanted = source.segments.filter((segment) => {
      if (only === 'all' || !reports) return true
      const decision = reports.get(segment.id)?.decision
      return decision === 'pending' || decision === 'needs-review'
    })
    if (wanted.length === 0) continue

    const needsOld = wanted.some((segment) => reports?.get(segment.id)?.previousId !== undefined)
    if (needsOld) head ??= openRevision(project.root, 'HEAD').catch(() => undefined)
    const old = needsOld && head ? await oldSources(project, head, target.note) : undefined
    const rewriteUrl = project.config.links.rebase
      ? targetUrlForms(target.note, target.output, translationsIn(project, target.locale))
      : undefined
    const translationOf = (id: string) => reports?.get(id)?.translation
    for (const segment of wanted)
      units.push(unitFor(project, target, source, segment, reports?.get(segment.id), old, rewriteUrl, translationOf))
  }

  const locale = inspection.targets[0]?.locale ?? options.locales[0]!
  const formatOptions = {sourceLocale: sourceLocale ?? project.config.sourceLocale.default, targetLocale: locale}
  const text =
    options.format === 'po'
      ? toPo(units, {...formatOptions, revisionDate: poDate(options.now ?? new Date())})
      : toXliff(units, formatOptions)
  return {format: options.format, sourceLocale: formatOptions.sourceLocale, locale, text, units, skipped, problems}
}

function unitFor(
  project: ProjectBase,
  target: TargetReport,
  source: AnalysedNote,
  segment: Segment,
  report: SegmentReport | undefined,
  old: ReadonlyMap<string, string> | undefined,
  rewriteUrl: UrlForms | undefined,
  translationOf: (id: string) => string | undefined
): ReviewUnit {
  const unit: ReviewUnit = {
    id: segment.id,
    note: target.note,
    line: segment.line,
    locale: target.locale,
    source: segment.text,
    tokens: segment.tokens,
    state: stateOf(report)
  }
  const comments: string[] = []
  if (report?.decision === 'pending' && report.reason === 'glossary')
    comments.push('The glossary changed for this segment since it was translated.')
  if (report?.translation !== undefined) {
    const result = readBack(report.translation, segment, source, {
      locale: target.locale,
      glossary: project.glossary,
      rewriteUrl,
      translationOf
    })
    if (result.ok) unit.target = result.text
    else
      comments.push(
        `The existing translation could not be shown with this segment's placeholders (${result.reason}); translate from the source.`
      )
  }
  const previous = report?.previousId === undefined ? undefined : old?.get(report.previousId)
  if (previous !== undefined) unit.previousSource = previous
  if (project.glossary) {
    const terms = requiredTerms(project.glossary, segment.markdown, target.locale)
    if (terms.length > 0)
      comments.push(`Glossary: ${terms.map((term) => `${term.source} → ${term.target}`).join('; ')}.`)
  }
  if (comments.length > 0) unit.comment = comments.join('\n')
  return unit
}

/** Review state of a unit, from `sync`'s decision for its segment (none: the target is missing). */
function stateOf(report: SegmentReport | undefined): ReviewState {
  switch (report?.decision) {
    case undefined:
      return 'new'
    case 'pending':
      return report.reason === 'new' ? 'new' : 'stale'
    case 'needs-review':
      return 'needs-review'
    case 'human':
      return 'human'
    default:
      return 'translated'
  }
}

/** Protected source text by segment id of a note at git `HEAD` (the source before this edit). */
async function oldSources(
  project: ProjectBase,
  head: Promise<GitRevision | undefined>,
  note: string
): Promise<Map<string, string> | undefined> {
  const revision = await head
  if (!revision) return undefined
  const analysed = await noteAt(project, revision, note)
  return analysed ? new Map(analysed.segments.map((segment) => [segment.id, segment.text])) : undefined
}

/** `PO-Revision-Date` format: `2026-01-31 12:00+0000`. */
function poDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}+0000`
}
