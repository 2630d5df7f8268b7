/**
 * `notes-l10n import`: a reviewer's XLIFF or PO file back into the translations.
 *
 * Every unit is checked against the *current* source segment with the validators `sync` uses
 * (placeholders, URLs, structure — errors reject the unit; glossary findings are warnings).
 * Accepted units are restored to Markdown as `sync` would restore a machine translation and
 * applied through `sync` itself (no provider), which writes and locks them as human work: later
 * syncs keep them. Returns one outcome per unit; never prints.
 */
import {access, readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {loadConfig, type NotePlan, normaliseLocale, targetUrlForms} from '../config/load.js'
import {verifyTerms} from '../glossary/load.js'
import {inspect, type SegmentReport, type TargetReport} from '../inspection/inspect.js'
import {errnoMessage} from '../io/errno.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {restore} from '../pipeline/restore.js'
import {normaliseTranslation, validateTranslation} from '../pipeline/validate.js'
import {type Problem, type ProjectBase, type ProjectOptions, translationsIn} from '../project/project.js'
import {containsSecret} from '../redact.js'
import {fromPo} from '../review/po.js'
import {type ReadBackOptions, readBack, tokensForLocale, withNestedTranslations} from '../review/target-tokens.js'
import type {ImportedUnit} from '../review/unit.js'
import {fromXliff} from '../review/xliff.js'
import type {Finding, Segment} from '../types.js'
import {UserError} from '../types.js'
import {noteAt} from './diff.js'
import type {ReviewFormat} from './export.js'
import {type NoteResult, sync} from './sync.js'

export interface ImportOptions extends Omit<ProjectOptions, 'paths' | 'locales'> {
  /** The reviewer's file, relative to `cwd`. */
  file: string
  /** Target locale when the file does not name one (PO `Language`, XLIFF `trgLang`). */
  locale?: string
  /** Validate and report, write nothing. */
  dryRun?: boolean
  env: Readonly<Record<string, string | undefined>>
}

export type UnitState =
  /** Written into the target and locked as a human translation. */
  | 'applied'
  /** Valid, and written by a real run (dry run). */
  | 'valid'
  /** Identical to what the target already holds: nothing to do. */
  | 'unchanged'
  /** Not applied and not an error: no translation in the file, or an unedited draft. */
  | 'skipped'
  /** Not applied: the reason says why and what to do. */
  | 'rejected'

export interface UnitOutcome {
  id: string
  note: string
  /** 1-based line of the segment in the current source, when it still exists. */
  line?: number
  state: UnitState
  reason?: string
  /** Warnings (glossary, prose QA) on an accepted unit, or the errors that rejected it. */
  findings: Finding[]
}

export interface ImportResult {
  file: string
  format: ReviewFormat
  locale: string
  dryRun: boolean
  units: UnitOutcome[]
  /** What the `sync` that applied the units did, per note. */
  notes: NoteResult[]
  problems: Problem[]
}

export async function importReview(options: ImportOptions): Promise<ImportResult> {
  const file = path.resolve(options.cwd, options.file)
  const shown = options.file
  const parsed = parseReviewFile(await readReviewFile(file, shown), shown)
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  const requested = options.locale ?? parsed.locale
  if (!requested) {
    throw new UserError(
      `${shown}: names no target language (PO "Language:" header or XLIFF trgLang), expected one; pass --locale, e.g. --locale es`
    )
  }
  const locale = normaliseLocale(config, requested).tag

  const notes = [...new Set(parsed.units.map((unit) => unit.note))]
  const present = await existing(config.root, notes)
  const outcomes: UnitOutcome[] = []
  const result: ImportResult = {
    file: shown,
    format: parsed.format,
    locale,
    dryRun: Boolean(options.dryRun),
    units: outcomes,
    notes: [],
    problems: []
  }
  if (present.length === 0) {
    for (const unit of parsed.units)
      outcomes.push(
        rejected(
          unit,
          `${unit.note}: no such source note in this project (renamed or removed since the export?): re-export`
        )
      )
    return result
  }

  const common = {
    cwd: options.cwd,
    configPath: options.configPath,
    paths: present.map((note) => path.join(config.root, note)),
    locales: [locale]
  }
  const inspection = await inspect({...common, deep: true})
  const project = inspection.project
  result.problems.push(...inspection.problems)
  const targets = new Map(inspection.targets.map((target) => [target.note, target]))
  const plans = new Map<string, NotePlan>()
  for (const plan of project.plans) if (!plans.has(plan.source)) plans.set(plan.source, plan)
  const sources = new Map<string, AnalysedNote | undefined>()
  const overrides = new Map<string, Map<string, string>>()
  const accepted = new Map<UnitOutcome, string>()

  for (const unit of parsed.units) {
    const target = targets.get(unit.note)
    if (!target) {
      outcomes.push(
        rejected(
          unit,
          `${unit.note}: no such source note for locale ${locale} in this project (renamed or removed since the export?): re-export`
        )
      )
      continue
    }
    if (target.state === 'untracked' || target.state === 'misaligned') {
      outcomes.push(rejected(unit, `${target.output}: ${target.plan.message ?? target.state}`))
      continue
    }
    if (!sources.has(unit.note)) sources.set(unit.note, await noteAt(project, undefined, unit.note))
    const segment = sources.get(unit.note)?.segments.find((candidate) => candidate.id === unit.id)
    if (!segment) {
      outcomes.push(
        rejected(
          unit,
          `source changed since export: segment ${unit.id} is no longer in ${unit.note}; re-export and review it again`
        )
      )
      continue
    }
    const outcome = check(project, plans.get(unit.note), target, sources.get(unit.note)!, segment, unit, locale)
    outcomes.push(outcome.outcome)
    if (outcome.normalised !== undefined) {
      const byId = overrides.get(unit.note) ?? new Map<string, string>()
      byId.set(unit.id, outcome.normalised)
      overrides.set(unit.note, byId)
      accepted.set(outcome.outcome, unit.note)
    }
  }

  // Protected text → Markdown, once every unit is known: a link title or alt text imported as a
  // unit of its own, or already translated in the target, rides inside its paragraph's tokens
  // (sync takes an applied paragraph whole, nested titles included).
  for (const [note, byId] of overrides) {
    const source = sources.get(note)!
    const reports = new Map((targets.get(note)?.plan.segments ?? []).map((report) => [report.id, report]))
    const protectedText = new Map(byId)
    for (const id of byId.keys()) {
      const parent = source.layouts.get(id)?.within?.id
      if (parent === undefined || protectedText.has(parent)) continue
      const held = parentText(project, targets.get(note)!, source, parent, reports)
      if (held !== undefined) {
        protectedText.set(parent, held)
        continue
      }
      protectedText.delete(id)
      byId.delete(id)
      for (const [outcome, from] of accepted) {
        if (from !== note || outcome.id !== id) continue
        outcome.state = 'rejected'
        outcome.reason =
          'a title or alt text is applied with its paragraph, whose current translation could not be read back: import the paragraph too'
        accepted.delete(outcome)
      }
    }
    for (const [id, normalised] of protectedText) {
      const segment = source.segments.find((candidate) => candidate.id === id)!
      const tokens = tokensForLocale(segment, locale, project.glossary)
      const nestedText = (child: string) => {
        const imported = protectedText.get(child)
        const childSegment =
          imported === undefined ? undefined : source.segments.find((candidate) => candidate.id === child)
        if (childSegment && imported !== undefined)
          return restore(
            imported,
            tokensForLocale(childSegment, locale, project.glossary),
            source.layouts.get(child)?.placement
          )
        const report = reports.get(child)
        return report && report.decision !== 'pending' ? report.translation : undefined
      }
      byId.set(
        id,
        restore(
          normalised,
          withNestedTranslations(segment, source, nestedText, tokens),
          source.layouts.get(id)?.placement
        )
      )
    }
  }

  if (accepted.size === 0) return result
  const applied = await sync({
    ...common,
    paths: [...overrides.keys()].map((note) => path.join(project.root, note)),
    env: options.env,
    overrides: new Map([...overrides].map(([note, byId]) => [note, new Map([[locale, byId]])])),
    translate: false,
    dryRun: options.dryRun
  })
  result.notes = applied.notes
  result.problems.push(...applied.problems)
  for (const [outcome, note] of accepted)
    settle(
      outcome,
      applied.notes.find((candidate) => candidate.note === note),
      Boolean(options.dryRun)
    )
  return result
}

/** Validates one unit against its current source segment; `markdown` is set when it may be applied. */
function check(
  project: ProjectBase,
  plan: NotePlan | undefined,
  target: TargetReport,
  source: AnalysedNote,
  segment: Segment,
  unit: ImportedUnit,
  locale: string
): {outcome: UnitOutcome; normalised?: string} {
  const base = {id: unit.id, note: unit.note, line: segment.line}
  if (unit.target === undefined)
    return {outcome: {...base, state: 'skipped', reason: 'no translation in the file', findings: []}}

  const report = target.plan.segments?.find((candidate) => candidate.id === segment.id)
  const normalised = normaliseTranslation(segment, unit.target)
  const held = heldText(project, target, source, segment, report)
  if (held !== undefined && held === normalised) {
    if (report?.decision === 'current' || report?.decision === 'human' || report?.decision === 'journaled') {
      return {outcome: {...base, state: 'unchanged', findings: []}}
    }
    if (unit.draft) {
      return {
        outcome: {
          ...base,
          state: 'skipped',
          reason:
            'still marked fuzzy / not reviewed in the file and not edited: clear the flag (or confirm the unit) to accept it',
          findings: []
        }
      }
    }
  }

  const context = {
    sourceLocale: plan?.sourceLocale ?? project.config.sourceLocale.default,
    targetLocale: locale,
    containsSecret
  }
  const findings = validateTranslation(segment, normalised, context)
  const errors = findings.filter((finding) => finding.severity === 'error')
  if (errors.length > 0) {
    return {
      outcome: {
        ...base,
        state: 'rejected',
        reason: errors.map((finding) => `${finding.rule}: ${finding.message}`).join('; '),
        findings
      }
    }
  }
  const markdown = restore(
    normalised,
    tokensForLocale(segment, locale, project.glossary),
    source.layouts.get(segment.id)?.placement
  )
  if (project.glossary) {
    const terms = verifyTerms(project.glossary, segment.markdown, markdown, locale)
    findings.push(
      ...terms.map((finding) => ({...finding, severity: 'warning' as const, segment: segment.id, line: segment.line}))
    )
  }
  return {outcome: {...base, state: 'applied', findings}, normalised}
}

/**
 * What the target holds for the segment today, in the segment's token space (undefined when it
 * holds nothing, or nothing that can be expressed with its tokens).
 */
function heldText(
  project: ProjectBase,
  target: TargetReport,
  source: AnalysedNote,
  segment: Segment,
  report: SegmentReport | undefined
): string | undefined {
  if (report?.translation === undefined) return undefined
  const translationOf = (child: string) =>
    target.plan.segments?.find((candidate) => candidate.id === child)?.translation
  const result = readBack(report.translation, segment, source, readBackOptions(project, target, translationOf))
  return result.ok ? normaliseTranslation(segment, result.text) : undefined
}

/**
 * The current translation of the paragraph a title or alt text sits in, in the paragraph's own
 * placeholders, so that a title imported alone can be applied with it.
 */
function parentText(
  project: ProjectBase,
  target: TargetReport,
  source: AnalysedNote,
  id: string,
  reports: ReadonlyMap<string, SegmentReport>
): string | undefined {
  const segment = source.segments.find((candidate) => candidate.id === id)
  const report = reports.get(id)
  if (!segment || !report || report.decision === 'pending' || report.translation === undefined) return undefined
  const result = readBack(
    report.translation,
    segment,
    source,
    readBackOptions(project, target, (child) => reports.get(child)?.translation)
  )
  return result.ok ? result.text : undefined
}

function readBackOptions(
  project: ProjectBase,
  target: TargetReport,
  translationOf: (id: string) => string | undefined
): ReadBackOptions {
  const rewriteUrl = project.config.links.rebase
    ? targetUrlForms(target.note, target.output, translationsIn(project, target.locale))
    : undefined
  return {locale: target.locale, glossary: project.glossary, rewriteUrl, translationOf}
}

/** The unit's final state, from what `sync` did with its note. */
function settle(outcome: UnitOutcome, note: NoteResult | undefined, dryRun: boolean): void {
  if (!note) {
    outcome.state = 'rejected'
    outcome.reason = `${outcome.note}: was not processed (see the problems reported above)`
    return
  }
  const own = note.segments.find((segment) => segment.id === outcome.id)
  if (own?.state === 'failed') {
    outcome.state = 'rejected'
    outcome.reason = own.reason ?? 'the translation could not be placed in the note'
    return
  }
  const untranslated = note.segments.filter(
    (segment) => segment.state === 'failed' || segment.state === 'pending'
  ).length
  if (note.status === 'failed' || note.status === 'untouched' || (dryRun && untranslated > 0)) {
    outcome.state = 'rejected'
    outcome.reason =
      untranslated > 0
        ? `not written: ${note.output} still has ${untranslated} segment${untranslated === 1 ? '' : 's'} with no translation (a note is written whole): translate them in the file too, or run notes-l10n sync first and export again`
        : (note.message ?? `${note.output} was not written`)
    return
  }
  if (dryRun) outcome.state = 'valid'
}

function rejected(unit: ImportedUnit, reason: string): UnitOutcome {
  return {id: unit.id, note: unit.note, state: 'rejected', reason, findings: []}
}

/** A review file larger than this is refused before it is read (a whole blog's export is a few MB). */
export const MAX_REVIEW_FILE_BYTES = 64 * 1024 * 1024

async function readReviewFile(file: string, shown: string): Promise<string> {
  try {
    const {size} = await stat(file)
    if (size > MAX_REVIEW_FILE_BYTES) {
      throw new UserError(
        `${shown}: ${(size / 1024 / 1024).toFixed(1)} MiB, over the ${MAX_REVIEW_FILE_BYTES / 1024 / 1024} MiB limit for a review file; export and import fewer notes at a time (notes-l10n export <paths…>)`
      )
    }
    return await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(
      `${shown}: cannot be read (${errnoMessage(error)}), expected an XLIFF or PO file written by notes-l10n export`
    )
  }
}

/** Parses by extension (`.po`/`.pot`, `.xlf`/`.xliff`), else by content. */
function parseReviewFile(text: string, file: string): {format: ReviewFormat; units: ImportedUnit[]; locale?: string} {
  const extension = path.extname(file).toLowerCase()
  const format: ReviewFormat =
    extension === '.po' || extension === '.pot'
      ? 'po'
      : extension === '.xlf' || extension === '.xliff'
        ? 'xliff'
        : /^\s*(?:\uFEFF)?\s*</.test(text)
          ? 'xliff'
          : 'po'
  if (format === 'po') {
    const parsed = fromPo(text, file)
    return {
      format,
      units: parsed.units.map(({fuzzy: _fuzzy, ...unit}) => unit),
      ...(parsed.language ? {locale: parsed.language} : {})
    }
  }
  const parsed = fromXliff(text, file)
  return {format, units: parsed.units, ...(parsed.targetLocale ? {locale: parsed.targetLocale} : {})}
}

/** The notes (root-relative) that exist on disk. */
async function existing(root: string, notes: readonly string[]): Promise<string[]> {
  const found: string[] = []
  for (const note of notes) {
    if (path.isAbsolute(note) || note.split('/').includes('..')) continue
    try {
      await access(path.join(root, note))
      found.push(note)
    } catch {
      // Reported per unit.
    }
  }
  return found
}
