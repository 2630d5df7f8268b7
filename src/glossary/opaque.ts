/**
 * Parts of plain text that are never prose, even outside Markdown syntax: placeholder tokens and
 * bare URLs or e-mail addresses (GFM turns those into links, and `Microsoft` must not match in
 * `https://microsoft.com`).
 */

const opaquePattern =
  /⟦\/?\d+⟧|\b(?:https?|ftp):\/\/[^\s<>"']+|\bwww\.[^\s<>"']+|[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu

/** Start/end offsets of every opaque run in `text`, in order. */
export function opaqueRanges(text: string): Array<{start: number; end: number}> {
  const ranges: Array<{start: number; end: number}> = []
  for (const match of text.matchAll(opaquePattern)) {
    ranges.push({start: match.index, end: match.index + match[0].length})
  }
  return ranges
}
