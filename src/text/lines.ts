/**
 * Offsets and lines of text, shared by every layer that reports a `file:line`.
 */

/** The 1-based line of UTF-16 `offset` in `text` (line breaks are `\n`; an offset past the end counts them all). */
export function lineAt(text: string, offset: number): number {
  let line = 1
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++
  return line
}
