/**
 * Node's error codes (`ENOENT`, `EACCES`, …), read from errors caught as `unknown`: the one place
 * that knows their shape.
 */

/** The errno `code` of a Node error, or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as {code?: unknown}).code
  return typeof code === 'string' ? code : undefined
}

/** Whether `error` carries one of `codes`. */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = errnoCode(error)
  return code !== undefined && codes.includes(code)
}

/** The error's code when it has one, else its message: the short reason shown in one-line errors. */
export function errnoMessage(error: unknown): string {
  return errnoCode(error) ?? (error instanceof Error ? error.message : String(error))
}
