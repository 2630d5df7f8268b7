/**
 * `notes-l10n glossary check`: offline scan of existing translations for glossary violations.
 */
import {glossaryCheck} from '../glossary/load.js'
import {type InspectOptions, inspect} from '../inspection/inspect.js'
import {UserError} from '../types.js'
import type {CheckFinding, CheckResult} from './check.js'

export async function glossaryCheckCommand(options: InspectOptions & {strict?: boolean}): Promise<CheckResult> {
  const inspection = await inspect({...options, deep: true})
  const glossary = inspection.project.glossary
  if (!glossary) {
    throw new UserError(
      `no glossary: ${inspection.project.config.glossary} does not exist (create it — see docs/glossary.md — or set "glossary" in notes-l10n.config.json)`
    )
  }
  const pairs = inspection.targets.flatMap((target) =>
    (target.plan.segments ?? [])
      .filter((segment) => segment.translation !== undefined && segment.decision !== 'pending')
      .map((segment) => ({
        file: target.output,
        locale: target.locale,
        source: {markdown: segment.source, line: segment.line, id: segment.id},
        target: {markdown: segment.translation!, line: segment.targetLine ?? 1}
      }))
  )
  const findings: CheckFinding[] = glossaryCheck(glossary, pairs, {strict: options.strict}).map((finding) => ({
    file: finding.file,
    locale: finding.locale,
    line: finding.line,
    severity: finding.severity,
    rule: finding.rule,
    message: finding.message
  }))
  return {findings, targets: inspection.targets.length}
}
