/**
 * Physical source ↔ logical Markdown for one segment.
 *
 * A segment inside containers spans lines that each start with container syntax (`> `, list
 * indentation, a lazy line's nothing) and end with the file's own line ending. The translator
 * must see neither: the logical Markdown drops the prefixes and writes every line ending as
 * `\n`. Both are recorded per line so that an unchanged line is written back byte for byte and
 * a changed one gets its container back (docs/decisions.md traps 6 and 9).
 */

/** How a segment's lines sit in the source. */
export interface Layout {
  /** Container prefix of each continuation line (line 2, 3, …), exactly as in the source. */
  prefixes: string[]
  /** Line ending closing each line but the last, exactly as in the source (`\n`, `\r\n`, `\r`). */
  eols: string[]
}

/** A segment range seen as logical Markdown. */
export interface Logical extends Layout {
  markdown: string
  /** Maps a source offset inside the range to an offset into `markdown`. */
  toLogical(offset: number): number
}

/**
 * Cut `text[start, end)` into logical Markdown.
 *
 * @param contentStart line start offset → where that line's content begins (from `parse.ts`)
 */
export function toLogical(
  text: string,
  start: number,
  end: number,
  contentStart: ReadonlyMap<number, number>
): Logical {
  const prefixes: string[] = []
  const eols: string[] = []
  /** Source offset where each logical line starts, and its logical offset. */
  const lineSource: number[] = [start]
  const lineLogical: number[] = [0]
  const lineLength: number[] = []
  let markdown = ''
  let cursor = start

  while (cursor <= end) {
    const lineEnd = nextLineEnding(text, cursor, end)
    const chunk = text.slice(cursor, lineEnd)
    markdown += chunk
    lineLength.push(chunk.length)
    if (lineEnd >= end) break
    const eolLength = text.charCodeAt(lineEnd) === 13 && text.charCodeAt(lineEnd + 1) === 10 ? 2 : 1
    const nextLine = lineEnd + eolLength
    const content = Math.min(Math.max(contentStart.get(nextLine) ?? nextLine, nextLine), end)
    eols.push(text.slice(lineEnd, nextLine))
    prefixes.push(text.slice(nextLine, content))
    markdown += '\n'
    lineSource.push(content)
    lineLogical.push(markdown.length)
    cursor = content
  }

  return {
    markdown,
    prefixes,
    eols,
    toLogical(offset) {
      let line = lineSource.length - 1
      while (line > 0 && (lineSource[line] ?? 0) > offset) line--
      const into = Math.max(0, offset - (lineSource[line] ?? 0))
      const length = lineLength[line] ?? 0
      // Offsets in a line ending or the next line's prefix land after the logical `\n`.
      return (lineLogical[line] ?? 0) + (into > length ? length + 1 : into)
    }
  }
}

/**
 * Logical Markdown back to source bytes: line endings and container prefixes re-added.
 *
 * Line `i` of the result reuses the source's own ending and prefix for that line; lines the
 * translation added reuse the last source line's (or `eol` and an empty prefix when the source
 * was one line — restore never lets a one-line segment grow a soft line break).
 */
export function toPhysical(markdown: string, layout: Layout, eol: string): string {
  const lines = markdown.split('\n')
  let result = lines[0] ?? ''
  for (let index = 1; index < lines.length; index++) {
    const prefix = layout.prefixes[index - 1] ?? layout.prefixes[layout.prefixes.length - 1] ?? ''
    const ending = layout.eols[index - 1] ?? layout.eols[layout.eols.length - 1] ?? eol
    result += ending + prefix + lines[index]
  }
  return result
}

/** Offset of the next line ending (`\n`, `\r\n`, lone `\r`) at or after `from`, capped at `end`. */
function nextLineEnding(text: string, from: number, end: number): number {
  for (let index = from; index < end; index++) {
    const code = text.charCodeAt(index)
    if (code === 10 || code === 13) return index
  }
  return end
}
