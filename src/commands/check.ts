/**
 * `notes-l10n check`: what CI runs. Offline, deterministic, no key: turns an inspection into
 * findings with file and line, errors for what must be fixed before merging.
 */
import {type Inspection, type InspectOptions, inspect} from '../inspection/inspect.js'
import {describeProblem} from '../project/project.js'

export interface CheckFinding {
  /** The file the annotation belongs on: the source note for stale segments, the target for QA. */
  file: string
  line: number
  severity: 'error' | 'warning'
  /** missing, stale, needs-review, misaligned, untracked, orphaned, hand-edited, unreadable, or a QA rule id. */
  rule: string
  message: string
  note?: string
  locale?: string
}

export interface CheckResult {
  findings: CheckFinding[]
  /** Targets inspected. */
  targets: number
  /** Per target locale: targets inspected and how many of them are current (for the job summary). */
  locales?: Array<{locale: string; targets: number; current: number}>
}

export async function check(options: InspectOptions): Promise<CheckResult> {
  return findingsOf(await inspect(options))
}

function findingsOf(inspection: Inspection): CheckResult {
  const findings: CheckFinding[] = []
  const add = (finding: CheckFinding) => findings.push(finding)

  for (const problem of inspection.problems) {
    add({file: problem.file, line: 1, severity: 'error', rule: 'unreadable', message: describeProblem(problem)})
  }

  for (const target of inspection.targets) {
    const where = {note: target.note, locale: target.locale}
    switch (target.state) {
      case 'missing':
        add({
          ...where,
          file: target.note,
          line: 1,
          severity: 'error',
          rule: 'missing',
          message: `no ${target.locale} translation: ${target.output} does not exist (run notes-l10n sync --locale ${target.locale})`
        })
        continue
      case 'untracked':
      case 'misaligned':
        add({
          ...where,
          file: target.output,
          line: 1,
          severity: 'error',
          rule: target.state,
          message: `${target.output}: ${target.plan.message ?? target.state}`
        })
        continue
      case 'stale':
        // Stale without a pending segment (translations of removed segments, a config change, a
        // rename): one finding for the target; its needs-review segments are still reported below.
        if (!target.plan.segments?.some((segment) => segment.decision === 'pending')) {
          add({
            ...where,
            file: target.note,
            line: 1,
            severity: 'error',
            rule: 'stale',
            message: `${target.output} is out of date: ${target.plan.message ?? 'the source changed'}`
          })
        }
        break
      default:
        break
    }

    for (const segment of target.plan.segments ?? []) {
      if (segment.decision === 'pending') {
        const why =
          segment.reason === 'glossary'
            ? 'its glossary terms changed'
            : segment.reason === 'new'
              ? 'it is new'
              : segment.reason === 'provider'
                ? 'it holds output of the offline pseudo provider, and the config names a real one'
                : 'the source changed'
        add({
          ...where,
          file: target.note,
          line: segment.line,
          severity: 'error',
          rule: 'stale',
          message: `${target.locale}: segment ${segment.id} is not translated in ${target.output} (${why})`
        })
      } else if (segment.decision === 'needs-review') {
        add({
          ...where,
          file: target.note,
          line: segment.line,
          severity: 'error',
          rule: 'needs-review',
          message: `${target.locale}: the source changed under a human translation in ${target.output}${segment.targetLine ? `:${segment.targetLine}` : ''}; review it: edit the translation, accept it as it is (notes-l10n accept ${target.note} --locale ${target.locale}), or re-translate with sync --force`
        })
      }
    }
    for (const finding of target.findings) {
      add({
        ...where,
        file: target.output,
        line: finding.line ?? 1,
        severity: finding.severity,
        rule: finding.rule,
        message: finding.message
      })
    }
  }

  for (const {note, locale} of inspection.orphaned) {
    add({
      note,
      locale,
      file: note,
      line: 1,
      severity: 'error',
      rule: 'orphaned',
      message: `${note} no longer exists but its ${locale} translation is still recorded: run notes-l10n sync — it moves the translation to the note's new name if it was renamed, else removes the lock entry and the translation (a translation with human edits is kept and reported)`
    })
  }

  const locales = new Map<string, {locale: string; targets: number; current: number}>()
  for (const target of inspection.targets) {
    const row = locales.get(target.locale) ?? {locale: target.locale, targets: 0, current: 0}
    row.targets++
    if (target.state === 'current') row.current++
    locales.set(target.locale, row)
  }
  return {
    findings,
    targets: inspection.targets.length,
    locales: [...locales.values()].sort((a, b) => (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0))
  }
}
