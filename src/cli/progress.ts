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

export function progressMode(options: {json?: boolean; isTTY: boolean; env: Readonly<Record<string, string | undefined>>}): ProgressMode {
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

interface LocaleBar {
  bar: SingleBar
  total: number
  done: number
  /** Segments accepted so far per note, to settle the count when the note finishes. */
  accepted: Map<string, number>
}

/**
 * Start a live display on `stream` (stderr, so stdout stays the run's result).
 *
 * An unpriced model shows "cost unknown", never $0.
 */
export function startLiveProgress(stream: NodeJS.WriteStream): LiveProgress {
  const multibar = new MultiBar(
    {
      stream,
      format: ' {locale} [{bar}] {value}/{total} segments | {inFlight} in flight | {tokens} tokens | {cost} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      // Repaint on a timer as well, so ETA and in-flight counts move between events.
      fps: 5
    }
  )
  const bars = new Map<string, LocaleBar>()
  let usage = {tokens: 0, cost: 0}
  let inFlight = 0
  let priced = true

  const payload = (locale: string) => ({
    locale: locale.padEnd(7),
    inFlight,
    tokens: usage.tokens,
    cost: priced ? `$${usage.cost.toFixed(4)}` : 'cost unknown'
  })
  const barOf = (locale: string): LocaleBar => {
    let entry = bars.get(locale)
    if (!entry) {
      entry = {bar: multibar.create(0, 0, payload(locale)), total: 0, done: 0, accepted: new Map()}
      bars.set(locale, entry)
    }
    return entry
  }
  const refresh = () => {
    for (const [locale, entry] of bars) {
      entry.bar.setTotal(entry.total)
      entry.bar.update(entry.done, payload(locale))
    }
  }

  return {
    onEvent(event) {
      const entry = barOf(event.locale)
      const key = `${event.note}\0${event.locale}`
      if (event.type === 'note-started') {
        entry.total += event.segments
      } else if (event.type === 'segment-batch') {
        entry.done += event.accepted
        entry.accepted.set(key, (entry.accepted.get(key) ?? 0) + event.accepted)
        if (event.usage) usage = {tokens: event.usage.promptTokens + event.usage.completionTokens, cost: event.usage.costUsd}
        if (event.inFlight !== undefined) inFlight = event.inFlight
        priced = event.priced
      } else if (entry.accepted.has(key) || event.counts.failed > 0) {
        // Failed segments are done too: count everything the note settled, once.
        const settled = event.counts.translated + event.counts.failed
        entry.done += Math.max(0, settled - (entry.accepted.get(key) ?? 0))
        entry.accepted.delete(key)
      }
      refresh()
    },
    log(text) {
      multibar.log(text.endsWith('\n') ? text : text + '\n')
    },
    stop() {
      refresh()
      multibar.stop()
    }
  }
}

/** One NDJSON line per event; the run ends with a `summary` line holding the whole result. */
export function eventLine(event: SyncEvent | ({type: 'summary'} & SyncResult)): string {
  return JSON.stringify(event) + '\n'
}

/**
 * The dry-run estimate, one line per locale and a total:
 * `es      3 notes, 12 segments to translate, 4 reused · ~1234 prompt + 456 completion tokens in 3 requests · ~$0.0012`.
 */
export function formatEstimate(estimate: {locales: readonly LocaleEstimate[]; total: Estimate}, options: {priced: boolean; model: string}, out: Pick<Output, 'paint'>): string {
  const cost = (figures: Estimate) => (options.priced ? `~$${figures.costUsd.toFixed(4)}` : 'cost unknown')
  const tokens = (figures: Estimate) =>
    `~${figures.promptTokens} prompt + ${figures.completionTokens} completion tokens in ${figures.requests} request${figures.requests === 1 ? '' : 's'}`
  const lines = estimate.locales.map(
    (figures) =>
      `${figures.locale.padEnd(7)} ${figures.notes} note${figures.notes === 1 ? '' : 's'}, ${figures.segments} segment${figures.segments === 1 ? '' : 's'} to translate, ${figures.reused} reused · ${tokens(figures)} · ${cost(figures)}`
  )
  lines.push(out.paint.bold(`estimate: ${tokens(estimate.total)} · ${cost(estimate.total)}`) + (options.priced ? '' : ` — ${unknownCost(options.model)}`))
  return lines.join('\n')
}
