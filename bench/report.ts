/**
 * Bench results → `bench/results.md` and the console: one summary table (the figure, its ratio,
 * its goal) followed by each figure's measured quantities and notes.
 */
import type {Figure, FigureResult, Row} from './figure.js'
import type {Machine} from './machine.js'
import {formatStats, round} from './stats.js'

/** A figure's outcome: its result, or why it was not measured. */
export interface FigureOutcome {
  figure: Figure
  result?: FigureResult
  notMeasured?: string
  /** Wall time the figure took, in seconds (setup included). */
  seconds: number
}

export interface BenchReport {
  machine: Machine
  /** `bench/limits.md`: the hand-written analysis of what limits the missed goals (from profiles). */
  limits?: string
  runs: number
  quick: boolean
  outcomes: FigureOutcome[]
  totalSeconds: number
}

/** The whole report as Markdown. */
export function renderMarkdown(report: BenchReport): string {
  const {machine} = report
  const lines = [
    '# Benchmark results',
    '',
    `Measured ${machine.date.slice(0, 10)} (${machine.date}) with \`npm run bench\`${report.quick ? ' **in quick mode (smaller trees; not for publication)**' : ''}.`,
    '',
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}; load average ${machine.load.toFixed(2)} at start`,
    `- Node ${machine.node}`,
    `- Every figure is the median of its runs (${report.runs} requested; the Runs column says how many were done) with (min–max); every ratio is taken within one run against a baseline measured in that same run.`,
    `- Whole bench: ${report.totalSeconds.toFixed(0)} s.`,
    '',
    '| # | Figure | Ratio (median, min–max) | Goal | Met | Runs |',
    '|---|---|---|---|---|---|'
  ]
  for (const {figure, result, notMeasured} of report.outcomes) {
    if (!result) {
      lines.push(
        `| ${figure.id} | ${figure.title} | not measured: ${escapeCell(notMeasured ?? 'unknown')} | ${escapeCell(figure.goal)} | – | – |`
      )
      continue
    }
    for (const headline of result.headlines) {
      lines.push(
        `| ${figure.id} | ${escapeCell(`${figure.title}: ${headline.label}`)} | ${formatStats(headline.value, headline.digits ?? 2)} | ${escapeCell(headline.goal)} | ${headline.met ? 'yes' : '**no**'} | ${result.runs} |`
      )
    }
  }
  for (const outcome of report.outcomes) lines.push('', ...renderFigure(outcome))
  if (report.limits) lines.push('', report.limits.trim())
  return `${lines.join('\n')}\n`
}

function renderFigure({figure, result, notMeasured, seconds}: FigureOutcome): string[] {
  const lines = [
    `## ${figure.id}. ${figure.title}`,
    '',
    `Goal: ${figure.goal}. Took ${seconds.toFixed(0)} s${result ? `, ${result.runs} runs` : ''}.`,
    ''
  ]
  if (!result) return [...lines, `Not measured: ${notMeasured ?? 'unknown'}`]
  lines.push('| Quantity | Value |', '|---|---|')
  for (const row of result.rows) lines.push(`| ${escapeCell(row.label)} | ${escapeCell(formatRow(row))} |`)
  if (result.notes.length > 0) lines.push('', ...result.notes.map((note) => `- ${note}`))
  return lines
}

/** A row's value as printed. */
export function formatRow(row: Row): string {
  const digits = row.digits ?? 2
  if (typeof row.value === 'string') return row.value
  if (typeof row.value === 'number')
    return `${Number.isInteger(row.value) ? String(row.value) : round(row.value, digits)}${row.unit ? ` ${row.unit}` : ''}`
  return formatStats(row.value, digits, row.unit)
}

/** The summary for the console: one line per headline. */
export function renderConsole(report: BenchReport): string {
  const lines = [
    `notes-l10n bench — ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, ${report.machine.date}`
  ]
  for (const {figure, result, notMeasured, seconds} of report.outcomes) {
    if (!result) {
      lines.push(
        `${figure.id}. ${figure.title}: not measured: ${(notMeasured ?? 'unknown').split('\n')[0]} (${seconds.toFixed(0)} s)`
      )
      continue
    }
    lines.push(`${figure.id}. ${figure.title} (${result.runs} runs, ${seconds.toFixed(0)} s)`)
    for (const headline of result.headlines) {
      lines.push(
        `   ${headline.label}: ${formatStats(headline.value, headline.digits ?? 2)}  goal ${headline.goal}  ${headline.met ? 'met' : 'MISSED'}`
      )
    }
    for (const row of result.rows) lines.push(`     ${row.label}: ${formatRow(row)}`)
  }
  lines.push(`total ${report.totalSeconds.toFixed(0)} s`)
  return lines.join('\n')
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}
