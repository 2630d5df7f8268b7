/**
 * Plain values from outside (parsed JSON, keys of maps): the guard for a JSON object and the one
 * string order used wherever output must be the same on every machine.
 */

/** A non-null, non-array object, as JSON.parse gives for `{…}`. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** UTF-16 code-unit order: the same on every machine and locale, unlike `localeCompare`. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
