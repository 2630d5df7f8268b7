/**
 * Human- and machine-readable renderings of command results. Pure: text in, text out.
 */
import type {BatchSummary, CollectResult, SubmitResult} from '../commands/batch.js'
import type {CheckFinding, CheckResult} from '../commands/check.js'
import type {LocaleStatus} from '../commands/status.js'
import type {NoteResult, SyncResult} from '../commands/sync.js'
import {describeProblem} from '../project/project.js'
import type {Output} from './output.js'

/** One line per finished note (what CI logs and non-TTY runs show). */
export function formatSyncLine(note: NoteResult, out: Pick<Output, 'paint'>): string {
  const {paint} = out
  const status =
    note.status === 'failed' || note.status === 'untouched'
      ? paint.red(note.status)
      : note.status === 'written' || note.status === 'copied'
        ? paint.green(note.status)
        : note.status
  const counts = Object.entries(note.counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`)
    .join(', ')
  const line = `${note.locale.padEnd(7)} ${note.output}  ${status}${counts ? paint.dim(` (${counts})`) : ''}`
  const details = [
    ...(note.message ? [`  ${note.message}`] : []),
    ...note.segments
      .filter((segment) => segment.state === 'failed')
      .map((segment) => `  ${note.note}:${segment.line}: segment ${segment.id}: ${segment.reason ?? 'failed'}`),
    ...findingLines(note)
  ]
  return [line, ...details].join('\n')
}

/** Lines shown of a warning repeated in a note before its count stands in for it. */
const REPEATED = 2

/**
 * A note's findings, one line each, except warnings repeated under one rule: those print as one
 * line with their count, their lines and the first message (`--report` keeps every one).
 */
function findingLines(note: NoteResult): string[] {
  const byRule = new Map<string, NoteResult['findings']>()
  for (const finding of note.findings) {
    if (finding.severity !== 'warning') continue
    const list = byRule.get(finding.rule) ?? []
    list.push(finding)
    byRule.set(finding.rule, list)
  }
  const lines: string[] = []
  const grouped = new Set<string>()
  for (const finding of note.findings) {
    const same = finding.severity === 'warning' ? byRule.get(finding.rule)! : [finding]
    if (same.length < REPEATED) {
      lines.push(`  ${note.note}:${finding.line ?? 1}: ${finding.severity} ${finding.rule}: ${finding.message}`)
      continue
    }
    if (grouped.has(finding.rule)) continue
    grouped.add(finding.rule)
    const at = same.map((other) => other.line ?? 1)
    const shown = at.length > 8 ? `${at.slice(0, 8).join(', ')}…` : at.join(', ')
    lines.push(
      `  ${note.note}:${at[0]}: warning ${finding.rule}: ${same.length}× (lines ${shown}), first: ${finding.message} — --report lists each`
    )
  }
  return lines
}

export function formatSyncSummary(result: SyncResult, out: Pick<Output, 'paint'>): string {
  const lines: string[] = []
  for (const problem of result.problems) lines.push(out.paint.red(describeProblem(problem)))
  const by = (status: string) => result.notes.filter((note) => note.status === status).length
  const segments = (state: keyof NoteResult['counts']) =>
    result.notes.reduce((sum, note) => sum + note.counts[state], 0)
  const parts = result.dryRun
    ? [
        `${by('pending')} to write`,
        `${by('unchanged')} up to date`,
        `${segments('pending')} segments to translate`,
        `${segments('reused')} reused`
      ]
    : [
        `${by('written') + by('copied')} written`,
        `${by('unchanged')} up to date`,
        ...(by('failed') ? [`${by('failed')} failed`] : []),
        ...(by('untouched') ? [`${by('untouched')} untouched`] : []),
        `${segments('translated')} segments translated`,
        `${segments('reused')} reused`,
        ...(segments('human') ? [`${segments('human')} human kept`] : []),
        ...(segments('needs-review') ? [`${segments('needs-review')} need review`] : [])
      ]
  if (result.problems.length > 0)
    parts.push(`${result.problems.length} file${result.problems.length === 1 ? '' : 's'} with errors`)
  const usage = result.usage
  const money = result.priced ? `$${usage.costUsd.toFixed(4)}` : unknownCost(result.model)
  const cost =
    usage.requests > 0
      ? ` · ${usage.requests} requests, ${usage.promptTokens + usage.completionTokens} tokens${usage.cachedTokens ? ` (${usage.cachedTokens} cached)` : ''}, ${money}`
      : ''
  // Dry runs of a real provider print a full estimate (formatEstimate); otherwise count source tokens.
  const pendingTokens =
    result.dryRun && !result.estimate ? result.notes.reduce((sum, note) => sum + (note.pendingTokens ?? 0), 0) : 0
  const estimate = pendingTokens > 0 ? ` · ${pendingTokens} source tokens to translate` : ''
  lines.push(
    `${result.dryRun ? 'sync --dry-run' : 'sync'}${result.interrupted ? ' (interrupted)' : ''}: ${parts.join(', ')} [${result.provider}${result.model && result.model !== result.provider ? `/${result.model}` : ''}]${cost}${estimate}`
  )
  return lines.join('\n')
}

export function formatCheck(
  result: CheckResult,
  format: 'text' | 'json' | 'github',
  out: Pick<Output, 'paint'>
): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`
  if (format === 'github') {
    return result.findings
      .map(
        (finding) =>
          `::${finding.severity} file=${escapeProperty(finding.file)},line=${finding.line},title=${escapeProperty(`notes-l10n ${finding.rule}`)}::${escapeData(finding.message)}\n`
      )
      .join('')
      .concat(`${summaryLine(result)}\n`)
  }
  const lines = result.findings.map(
    (finding) =>
      `${finding.file}:${finding.line}: ${finding.severity === 'error' ? out.paint.red('error') : out.paint.yellow('warning')} ${finding.rule}: ${finding.message}`
  )
  lines.push(summaryLine(result))
  return `${lines.join('\n')}\n`
}

function summaryLine(result: CheckResult): string {
  const errors = result.findings.filter((finding) => finding.severity === 'error').length
  const warnings = result.findings.length - errors
  return errors === 0 && warnings === 0
    ? `check: ${result.targets} translation${result.targets === 1 ? '' : 's'} checked, all current`
    : `check: ${result.targets} translation${result.targets === 1 ? '' : 's'} checked, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
}

/** At most this many findings are listed in a job summary (GitHub caps a step summary at 1 MiB). */
const SUMMARY_ROWS = 200

/**
 * `check --summary <file>`: a Markdown job summary for `$GITHUB_STEP_SUMMARY` — a verdict line,
 * per-locale counts, then every error finding (stale, needs-review, missing, broken …) with its
 * file and line, and the warnings below them.
 */
export function formatCheckSummary(result: CheckResult): string {
  const errors = result.findings.filter((finding) => finding.severity === 'error')
  const warnings = result.findings.filter((finding) => finding.severity === 'warning')
  const lines = [
    `### notes-l10n check: ${errors.length === 0 ? '✅ all translations current' : `❌ ${errors.length} error${errors.length === 1 ? '' : 's'}`}${warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}`,
    ''
  ]
  const rules = ['missing', 'stale', 'needs-review'] as const
  if (result.locales && result.locales.length > 0) {
    lines.push(
      '| locale | notes | current | missing | stale segments | needs review | other errors | warnings |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
    )
    for (const row of result.locales) {
      const mine = result.findings.filter((finding) => finding.locale === row.locale)
      const count = (rule: string) =>
        mine.filter((finding) => finding.severity === 'error' && finding.rule === rule).length
      const other = mine.filter(
        (finding) => finding.severity === 'error' && !(rules as readonly string[]).includes(finding.rule)
      ).length
      const warned = mine.filter((finding) => finding.severity === 'warning').length
      lines.push(
        `| ${cell(row.locale)} | ${row.targets} | ${row.current} | ${count('missing')} | ${count('stale')} | ${count('needs-review')} | ${other} | ${warned} |`
      )
    }
    lines.push('')
  }
  const table = (title: string, findings: readonly CheckFinding[]) => {
    if (findings.length === 0) return
    lines.push(`#### ${title}`, '', '| where | locale | rule | message |', '| --- | --- | --- | --- |')
    for (const finding of findings.slice(0, SUMMARY_ROWS)) {
      lines.push(
        `| ${cell(`${finding.file}:${finding.line}`)} | ${cell(finding.locale ?? '')} | ${cell(finding.rule)} | ${cell(finding.message)} |`
      )
    }
    if (findings.length > SUMMARY_ROWS)
      lines.push('', `… and ${findings.length - SUMMARY_ROWS} more (run notes-l10n check locally for all of them)`)
    lines.push('')
  }
  table('Errors (stale segments, reviews, missing and broken translations)', errors)
  table('Warnings', warnings)
  return `${lines.join('\n')}\n`
}

/** Text for one Markdown table cell: no line breaks, pipes escaped, HTML inert. */
function cell(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'")
}

export function formatStatus(rows: readonly LocaleStatus[]): string {
  if (rows.length === 0) return 'status: no target locales (pass --locale or set "locales" in notes-l10n.config.json)\n'
  const header = ['locale', 'notes', 'missing', 'untracked', 'translated', 'stale', 'review', 'done']
  const body = rows.map((row) => [
    row.locale,
    String(row.notes),
    String(row.missing),
    String(row.untracked),
    `${row.segments.translated}/${row.segments.total}`,
    String(row.segments.stale),
    String(row.segments.needsReview),
    `${row.percent}%`
  ])
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((row) => row[column]!.length)))
  return `${[header, ...body]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()
    )
    .join('\n')}\n`
}

// GitHub workflow command escaping: https://github.com/actions/toolkit (core/command.ts).
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/**
 * `sync --report file.md`: what the run did, note by note and segment by segment, for a pull
 * request description. Only segments something happened to are listed; reused ones are counted
 * (those taken from another occurrence this run are listed, with the note that paid for them).
 */
export function formatSyncReportMarkdown(result: SyncResult): string {
  const lines = [
    result.dryRun ? '# notes-l10n sync report (dry run: nothing was sent or written)' : '# notes-l10n sync report',
    ''
  ]
  const usage = result.usage
  lines.push(
    `Provider: \`${result.provider}\`${result.model ? ` · model \`${result.model}\`` : ''} · ${result.notes.length} translation${result.notes.length === 1 ? '' : 's'}` +
      (usage.requests
        ? ` · ${usage.requests} requests · ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens · $${usage.costUsd.toFixed(4)}`
        : '') +
      (result.interrupted ? ' · **interrupted**' : ''),
    ''
  )
  if (result.stopped) lines.push(`**Stopped:** ${escapeMarkdown(result.stopped.message)}`, '')
  if (result.problems.length > 0) {
    lines.push('## Files with errors', '')
    for (const problem of result.problems) lines.push(`- ${escapeMarkdown(problem.message)}`)
    lines.push('')
  }
  lines.push(
    '| note | locale | status | translated | reused | human | needs review | failed |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |'
  )
  for (const note of result.notes) {
    const c = note.counts
    lines.push(
      `| ${code(note.output)} | ${note.locale} | ${note.status} | ${c.translated} | ${c.reused} | ${c.human} | ${c['needs-review']} | ${c.failed} |`
    )
  }
  lines.push('')
  for (const note of result.notes) {
    // A segment reused from another occurrence this run says where its translation came from.
    const notable = note.segments.filter((segment) => segment.state !== 'reused' || segment.reason !== undefined)
    if (notable.length === 0 && !note.message && note.findings.length === 0) continue
    lines.push(`## ${code(note.output)}`, '')
    if (note.message) lines.push(escapeMarkdown(note.message), '')
    for (const segment of notable) {
      lines.push(
        `- line ${segment.line} · \`${segment.id}\` · **${segment.state}**${segment.reason ? ` — ${escapeMarkdown(segment.reason)}` : ''}`
      )
    }
    for (const finding of note.findings) {
      lines.push(
        `- line ${finding.line ?? 1} · ${finding.severity} ${finding.rule}${finding.segment ? ` (segment \`${finding.segment}\`)` : ''}: ${escapeMarkdown(finding.message)}`
      )
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** Prose from messages, safe on one line of a list item or table cell. */
function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>|]/g, (character) => `\\${character}`)
}

/** A path as inline code, with a fence longer than any backtick run inside it. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`
}

/** One line per batch: `batch_abc  in_progress  12/40 requests done · 40 requests for 9 notes · submitted …`. */
export function formatBatch(batch: BatchSummary): string {
  const done = batch.counts
    ? ` ${batch.counts.completed + batch.counts.failed}/${batch.counts.total} requests done${batch.counts.failed ? ` (${batch.counts.failed} failed)` : ''} ·`
    : ''
  return `${batch.id}  ${batch.status} ·${done} ${batch.requests} request${batch.requests === 1 ? '' : 's'} for ${batch.notes} note${batch.notes === 1 ? '' : 's'} · submitted ${batch.submitted}`
}

/** What `sync --batch` / `batch collect` did, as text. */
export function formatBatchRun(
  run: {collected: CollectResult; submitted?: SubmitResult},
  out: Pick<Output, 'paint'>
): string {
  const lines: string[] = []
  for (const batch of run.collected.pending) {
    lines.push(
      `${formatBatch(batch)} — still running: run notes-l10n sync --batch again later (results come within 24 h)`
    )
  }
  for (const {batch, result} of run.collected.applied) {
    lines.push(out.paint.bold(`collected ${batch.id}:`))
    for (const note of result.notes) if (note.status !== 'unchanged') lines.push(formatSyncLine(note, out))
    lines.push(formatSyncSummary(result, out))
  }
  const submitted = run.submitted
  if (submitted) {
    for (const note of submitted.result.notes)
      if (note.status !== 'queued' && note.status !== 'unchanged') lines.push(formatSyncLine(note, out))
    if (submitted.batches.length === 0) {
      lines.push(`sync --batch: nothing to translate${run.collected.applied.length ? ' after collecting' : ''}`)
    } else {
      const cost =
        submitted.estimate.costUsd > 0
          ? `~$${submitted.estimate.costUsd.toFixed(4)} at the Batch API's 50% price`
          : 'cost unknown'
      lines.push(
        `sync --batch: submitted ${submitted.batches.map((batch) => batch.id).join(', ')}: ${submitted.segments} segments in ${submitted.estimate.requests} requests (${submitted.batches.reduce((sum, batch) => sum + batch.notes, 0)} notes${submitted.duplicates > 0 ? `; ${submitted.duplicates} duplicate${submitted.duplicates === 1 ? '' : 's'} not sent` : ''}), ~${submitted.estimate.promptTokens} prompt + ${submitted.estimate.completionTokens} completion tokens, ${cost}`,
        'results come within 24 h: run notes-l10n sync --batch (or notes-l10n batch collect) to write them'
      )
    }
  }
  return `${lines.join('\n')}\n`
}

/** 1 when a collected note failed or a file had errors, as for an online sync. */
export function batchExitCode(run: {collected: CollectResult; submitted?: SubmitResult}): number {
  const results: SyncResult[] = [
    ...run.collected.applied.map(({result}) => result),
    ...(run.submitted ? [run.submitted.result] : [])
  ]
  const failed = results.some(
    (result) =>
      result.problems.length > 0 || result.notes.some((note) => note.status === 'failed' || note.status === 'untouched')
  )
  return failed ? 1 : 0
}

/** The summary's word for a model with no price, instead of a misleading $0. */
export function unknownCost(model: string): string {
  return `cost unknown for model ${model} (add it to provider.prices)`
}
