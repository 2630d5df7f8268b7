/**
 * Word-level differences between two strings, for reviewers: `diff` highlights the words that
 * changed inside a segment instead of showing two walls of text.
 *
 * Words are runs of letters/digits, single CJK characters (CJK has no spaces, so each character is
 * a word), whitespace runs and single punctuation marks. A plain LCS is enough: segments are
 * short, and above `maxCells` the diff degrades to "all removed, all added" rather than stall.
 */

export interface DiffPart {
  type: 'same' | 'removed' | 'added'
  text: string
}

const wordPattern = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}_]+|\s+|./gsu

export function splitWords(text: string): string[] {
  return text.match(wordPattern) ?? []
}

export function wordDiff(before: string, after: string, maxCells = 4_000_000): DiffPart[] {
  const a = splitWords(before)
  const b = splitWords(after)
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }

  const parts: DiffPart[] = []
  push(parts, 'same', a.slice(0, start).join(''))
  const middleA = a.slice(start, endA)
  const middleB = b.slice(start, endB)
  if (middleA.length * middleB.length > maxCells) {
    push(parts, 'removed', middleA.join(''))
    push(parts, 'added', middleB.join(''))
  } else {
    for (const part of lcsDiff(middleA, middleB)) push(parts, part.type, part.text)
  }
  push(parts, 'same', a.slice(endA).join(''))
  return parts
}

function lcsDiff(a: readonly string[], b: readonly string[]): DiffPart[] {
  const width = b.length + 1
  // lengths[i * width + j] = LCS length of a[i:] and b[j:]
  const lengths = new Uint32Array((a.length + 1) * width)
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!)
    }
  }
  const parts: DiffPart[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push(parts, 'same', a[i]!)
      i++
      j++
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      push(parts, 'removed', a[i++]!)
    } else {
      push(parts, 'added', b[j++]!)
    }
  }
  while (i < a.length) push(parts, 'removed', a[i++]!)
  while (j < b.length) push(parts, 'added', b[j++]!)
  return parts
}

/** Appends, merging with the previous part of the same type; empty text is dropped. */
function push(parts: DiffPart[], type: DiffPart['type'], text: string): void {
  if (!text) return
  const last = parts[parts.length - 1]
  if (last && last.type === type) last.text += text
  else parts.push({type, text})
}
