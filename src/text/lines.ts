/**
 * Offsets and lines of text, shared by every layer that reports a `file:line`: `vfile-location`,
 * the index unified's own messages use, so a line here is the line remark reports (line breaks are
 * `\n`, `\r\n` or a bare `\r`, as CommonMark and YAML count them).
 */
import {location} from 'vfile-location'

/** The 1-based line of UTF-16 `offset` in `text` (an offset past the end is on the last line). */
export function lineAt(text: string, offset: number): number {
  return lineIndex(text)(offset)
}

/** `lineAt` for many lookups in one text: the index is built once, as far as the lookups need. */
export function lineIndex(text: string): (offset: number) => number {
  const {toPoint} = location(text)
  return (offset) => toPoint(Math.max(0, Math.min(offset, text.length)))?.line ?? 1
}

/** The 1-based line and column of UTF-16 `offset` in `text`. */
export function pointAt(text: string, offset: number): {line: number; column: number} {
  const point = location(text).toPoint(Math.max(0, Math.min(offset, text.length)))
  return {line: point?.line ?? 1, column: point?.column ?? 1}
}
