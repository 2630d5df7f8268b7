/**
 * Option parsers and run controls shared by several commands.
 */
import {InvalidArgumentError} from 'commander'
import type {Output} from './output.js'

/** `--locale es,zh --locale ja` → ['es', 'zh', 'ja']. */
export const locales = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
]

export function positiveInteger(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError(`expected a whole number ≥ 1, received "${value}"`)
  return number
}

/** First Ctrl-C: stop starting work, abort requests, keep what is done. Second: leave at once. */
export function onInterrupt(controller: AbortController, out: Output): () => void {
  const handler = () => {
    if (controller.signal.aborted) process.exit(130)
    out.warn('interrupted: aborting requests in flight; finished notes are kept (Ctrl-C again to quit at once)')
    controller.abort()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
