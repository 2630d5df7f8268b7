/**
 * Where the CLI's text goes. Every write passes through `redact`, so a secret that reached a
 * message by any path (a library error, a URL) is never printed (docs/rules.md S1).
 */
import {createRedactor} from '../redact.js'

export interface Output {
  stdout(text: string): void
  stderr(text: string): void
  error(message: string): void
  warn(message: string): void
  /** Colour helpers: identity when colour is off (not a TTY, or NO_COLOR). */
  paint: Paint
  color: boolean
}

export interface Paint {
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  dim(text: string): string
  bold(text: string): string
}

export function createOutput(options: {
  stdout: (text: string) => void
  stderr: (text: string) => void
  secrets: readonly string[]
  color: boolean
}): Output {
  // The key in any recognisable form (encoded, truncated); a note's own `sk-…` words stay readable.
  const redactor = createRedactor(options.secrets)
  const redact = (text: string) => redactor.redact(text, false)
  const paint = createPaint(options.color)
  return {
    stdout: (text) => options.stdout(redact(text)),
    stderr: (text) => options.stderr(redact(text)),
    error: (message) => options.stderr(redact(`notes-l10n: ${paint.red('error')}: ${message}\n`)),
    warn: (message) => options.stderr(redact(`notes-l10n: ${paint.yellow('warning')}: ${message}\n`)),
    paint,
    color: options.color
  }
}

function createPaint(color: boolean): Paint {
  const wrap = (open: number, close: number) => (text: string) =>
    color ? `\u001B[${open}m${text}\u001B[${close}m` : text
  return {red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22)}
}
