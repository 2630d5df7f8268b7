/**
 * `notes-l10n status`: how far each locale is, counted in segments.
 */
import {type InspectOptions, inspect} from '../inspection/inspect.js'

export interface LocaleStatus {
  locale: string
  notes: number
  /** Notes whose target file does not exist. */
  missing: number
  /**
   * Notes whose target file exists but the lock has no record of it (a translation made before
   * notes-l10n, or by hand): the next `sync` adopts it rather than translating it again.
   */
  untracked: number
  segments: {total: number; translated: number; stale: number; needsReview: number; human: number}
  /** Translated (incl. human) segments of all segments, 0–100, counting missing and untracked notes as 0 %. */
  percent: number
}

export async function status(options: InspectOptions): Promise<LocaleStatus[]> {
  const inspection = await inspect(options)
  const byLocale = new Map<string, LocaleStatus>()
  for (const target of inspection.targets) {
    let entry = byLocale.get(target.locale)
    if (!entry) {
      entry = {
        locale: target.locale,
        notes: 0,
        missing: 0,
        untracked: 0,
        segments: {total: 0, translated: 0, stale: 0, needsReview: 0, human: 0},
        percent: 0
      }
      byLocale.set(target.locale, entry)
    }
    entry.notes++
    if (target.state === 'untracked') {
      entry.untracked++
      continue
    }
    if (target.state === 'missing' || target.state === 'misaligned') {
      entry.missing++
      continue
    }
    if (!target.plan.segments) {
      // Proven current by its hashes without a parse: every segment the lock records is translated.
      entry.segments.total += target.total ?? 0
      entry.segments.translated += target.total ?? 0
      continue
    }
    for (const segment of target.plan.segments) {
      entry.segments.total++
      if (segment.decision === 'pending') entry.segments.stale++
      else if (segment.decision === 'needs-review') entry.segments.needsReview++
      else {
        entry.segments.translated++
        if (segment.decision === 'human') entry.segments.human++
      }
    }
  }
  for (const entry of byLocale.values()) {
    const notesDone = entry.notes - entry.missing - entry.untracked
    const segmentShare = entry.segments.total === 0 ? 1 : entry.segments.translated / entry.segments.total
    entry.percent = entry.notes === 0 ? 100 : Math.round((notesDone / entry.notes) * segmentShare * 1000) / 10
  }
  return [...byLocale.values()].sort((a, b) => a.locale.localeCompare(b.locale))
}
