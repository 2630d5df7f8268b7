/**
 * Repeated measurements reduced to what results.md shows: median with min–max.
 *
 * Medians, not means: these machines are shared, and one run slowed down by a neighbour must not
 * move the figure.
 */

/** A summary of ≥1 samples of one quantity. */
export interface Stats {
  median: number
  min: number
  max: number
  /** The samples, in run order (kept so results.md can be audited). */
  samples: number[]
}

/**
 * Summarise samples.
 *
 * @param samples
 *   One value per run; must not be empty.
 */
export function summarise(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('summarise: no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return {median, min: sorted[0]!, max: sorted.at(-1)!, samples: [...samples]}
}

/** Per-run ratios `a[i] / b[i]`: a ratio is taken within one run, never across runs. */
export function ratios(numerators: readonly number[], denominators: readonly number[]): number[] {
  return numerators.map((value, index) => value / denominators[index]!)
}

/**
 * `1.23 (1.10–1.40)`: median then range, with `digits` significant decimals.
 */
export function formatStats(stats: Stats, digits = 2, unit = ''): string {
  const suffix = unit ? ` ${unit}` : ''
  if (stats.min === stats.max) return `${round(stats.median, digits)}${suffix}`
  return `${round(stats.median, digits)}${suffix} (${round(stats.min, digits)}–${round(stats.max, digits)})`
}

/** Fixed decimals, without a trailing `.0…` on integers-looking large values. */
export function round(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value)
  return value.toFixed(Math.abs(value) >= 100 ? Math.min(digits, 1) : digits)
}
