/**
 * What `sync` shows while it works and before it starts: a live per-locale display on a terminal,
 * NDJSON events for tools, and the dry-run estimate.
 *
 * Fed by `SyncOptions.onEvent`: commands never print, so the display lives here.
 */
import {MultiBar, type SingleBar} from 'cli-progress'
import type {LocaleEstimate, SyncEvent, SyncResult} from '../commands/sync.js'
import type {Estimate} from '../providers/estimate.js'
import type {Output} from './output.js'
import {unknownCost} from './report.js'

/**
 * How progress is shown: `live` bars on an interactive terminal; `lines`, one line per finished
 * note, when output is a log (not a TTY, or `CI` set: CI logs keep every redraw); `json`, one
 * event per line.
 */
export type ProgressMode = 'live' | 'lines' | 'json'

export function progressMode(options: {
  json?: boolean
  isTTY: boolean
  env: Readonly<Record<string, string | undefined>>
}): ProgressMode {
  if (options.json) return 'json'
  return options.isTTY && !options.env.CI ? 'live' : 'lines'
}

/** A live display: one bar per locale. */
export interface LiveProgress {
  onEvent(event: SyncEvent): void
  /** Prints a line above the bars (a failed note). */
  log(text: string): void
  stop(): void
}

/**
 * What the run will translate, known before it starts (from a planning dry run): segments to
 * translate per locale, and per note and locale. The bars' totals come from here and never change.
 */
export interface ProgressPlan {
  locales: Array<{locale: string; total: number}>
  /** Segments planned per `note\0locale`. */
  notes: Map<string, number>
}

/** The plan of a dry run's result: every pending segment of every note and locale. */
export function progressPlan(result: Pick<SyncResult, 'notes'>): ProgressPlan {
  const totals = new Map<string, number>()
  const notes = new Map<string, number>()
  for (const note of result.notes) {
    if (note.counts.pending === 0) continue
    notes.set(`${note.note}\0${note.locale}`, note.counts.pending)
    totals.set(note.locale, (totals.get(note.locale) ?? 0) + note.counts.pending)
  }
  return {
    locales: [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([locale, total]) => ({locale, total})),
    notes
  }
}

/**
 * The ETA part of a bar: ` | ETA 1m05s` from the rate so far, or nothing when there is no rate
 * yet or nothing left (never a placeholder such as Infinity or NaN).
 */
export function etaText(done: number, total: number, elapsedMs: number): string {
  if (done <= 0 || done >= total || !(elapsedMs > 0)) return ''
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000)
  if (!Number.isFinite(seconds)) return ''
  const minutes = Math.floor(seconds / 60)
  return ` | ETA ${minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`}`
}

interface LocaleBar {
  bar: SingleBar
  total: number
  /** Segments settled by finished notes (their whole plan). */
  settled: number
  /** Segments accepted so far by notes still in flight, capped at their plan. */
  accepted: Map<string, number>
}

/**
 * Start a live display on `stream` (stderr, so stdout stays the run's result), one bar per locale
 * of `plan` drawn at once with its final total.
 *
 * A note's segments count as done as they are accepted, and all of them once the note finishes,
 * whatever its outcome (failed and free segments are done too), so each bar ends full.
 * An unpriced model shows "cost unknown", never $0.
 */
export function startLiveProgress(
  stream: NodeJS.WriteStream,
  plan: ProgressPlan,
  now: () => number = Date.now
): LiveProgress {
  const multibar = new MultiBar({
    stream,
    format: ' {locale} [{bar}] {value}/{total} segments | {inFlight} in flight | {tokens} tokens | {cost}{remaining}',
    hideCursor: true,
    clearOnComplete: false,
    // Repaint on a timer as well, so ETA and in-flight counts move between events.
    fps: 5
  })
  const started = now()
  let usage = {tokens: 0, cost: 0}
  let inFlight = 0
  let priced = true

  const doneOf = (entry: LocaleBar) =>
    Math.min(entry.total, entry.settled + [...entry.accepted.values()].reduce((sum, count) => sum + count, 0))
  const payload = (locale: string, entry: LocaleBar | undefined) => ({
    locale: locale.padEnd(7),
    inFlight,
    tokens: usage.tokens,
    cost: priced ? `$${usage.cost.toFixed(4)}` : 'cost unknown',
    // Not `eta`: that name is cli-progress's own raw estimate (`INF`, `NULL` before it has one).
    remaining: entry ? etaText(doneOf(entry), entry.total, now() - started) : ''
  })
  const bars = new Map<string, LocaleBar>()
  for (const {locale, total} of plan.locales) {
    bars.set(locale, {
      bar: multibar.create(total, 0, payload(locale, undefined)),
      total,
      settled: 0,
      accepted: new Map()
    })
  }
  const refresh = () => {
    for (const [locale, entry] of bars) entry.bar.update(doneOf(entry), payload(locale, entry))
  }

  return {
    onEvent(event) {
      const entry = bars.get(event.locale)
      const key = `${event.note}\0${event.locale}`
      const planned = plan.notes.get(key) ?? 0
      if (event.type === 'segment-batch') {
        if (event.usage)
          usage = {tokens: event.usage.promptTokens + event.usage.completionTokens, cost: event.usage.costUsd}
        if (event.inFlight !== undefined) inFlight = event.inFlight
        priced = event.priced
        if (entry) entry.accepted.set(key, Math.min(planned, (entry.accepted.get(key) ?? 0) + event.accepted))
      } else if (event.type === 'note-finished' && entry && planned > 0) {
        entry.accepted.delete(key)
        entry.settled += planned
      }
      refresh()
    },
    log(text) {
      multibar.log(text.endsWith('\n') ? text : `${text}\n`)
    },
    stop() {
      refresh()
      multibar.stop()
    }
  }
}

/** One NDJSON line per event; the run ends with a `summary` line holding the whole result. */
export function eventLine(event: SyncEvent | ({type: 'summary'} & SyncResult)): string {
  return `${JSON.stringify(event)}\n`
}

/**
 * The dry-run estimate, one line per locale and a total:
 * `es      3 notes, 12 segments to translate, 4 reused · ~1234 prompt + 456 completion tokens in 3 requests · ~$0.0012`.
 */
export function formatEstimate(
  estimate: {locales: readonly LocaleEstimate[]; total: Estimate},
  options: {priced: boolean; model: string},
  out: Pick<Output, 'paint'>
): string {
  const cost = (figures: Estimate) => (options.priced ? `~$${figures.costUsd.toFixed(4)}` : 'cost unknown')
  const tokens = (figures: Estimate) =>
    `~${figures.promptTokens} prompt + ${figures.completionTokens} completion tokens in ${figures.requests} request${figures.requests === 1 ? '' : 's'}`
  const lines = estimate.locales.map(
    (figures) =>
      `${figures.locale.padEnd(7)} ${figures.notes} note${figures.notes === 1 ? '' : 's'}, ${figures.segments} segment${figures.segments === 1 ? '' : 's'} to translate, ${figures.reused} reused · ${tokens(figures)} · ${cost(figures)}`
  )
  lines.push(
    out.paint.bold(`estimate: ${tokens(estimate.total)} · ${cost(estimate.total)}`) +
      (options.priced ? '' : ` — ${unknownCost(options.model)}`)
  )
  return lines.join('\n')
}
