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
  const code = errnoCode(error)
  // Our own code (`readWithStats`): a FIFO, socket or device where a file was expected.
  if (code === 'ENOTREGULAR')
    return 'it is a named pipe (FIFO), socket or device, not a regular file — remove it and re-run'
  return code ?? (error instanceof Error ? error.message : String(error))
}
