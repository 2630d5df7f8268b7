/**
 * The value of one top-level key in a note's YAML front-matter, read from the note's head only:
 * discovery learns each note's source locale without reading ten thousand whole notes or parsing
 * their YAML (the `yaml` package and the full parse come later, for the notes that are
 * translated). Line breaks are LF, CRLF or a bare CR.
 */

import {constants} from 'node:fs'
import {open} from 'node:fs/promises'

/** How much of a note is read first to find its front-matter locale: most front-matter fits. */
const HEAD_BYTES = 4096

/** How far a long front-matter is followed before giving up. */
const MAX_HEAD_BYTES = 65_536

/**
 * The value of a top-level scalar key in a note's YAML front-matter, reading only its head.
 *
 * Handles `key: value`, quoted values and trailing comments; anything fancier (block scalars,
 * flow collections) is not a locale anyway and yields undefined.
 */
export async function readFrontmatterValue(file: string, key: string): Promise<string | undefined> {
  // O_NONBLOCK: a FIFO among the sources opens at once (and reads as empty) instead of blocking.
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    let size = HEAD_BYTES
    for (;;) {
      const buffer = Buffer.allocUnsafe(size)
      const {bytesRead} = await handle.read(buffer, 0, size, 0)
      const text = buffer.toString('utf8', 0, bytesRead)
      // A full buffer may end mid-line (or mid-character): only whole lines are looked at.
      const head = bytesRead < size ? text : wholeLines(text)
      const found = frontmatterValue(head, key)
      // Read further only when the front-matter is still open at the end of what was read.
      if (found !== undefined || bytesRead < size || size >= MAX_HEAD_BYTES || !frontmatterOpen(head)) return found
      size *= 4
    }
  } finally {
    await handle.close()
  }
}

/**
 * {@link readFrontmatterValue} of a note's bytes already read: the same answer, from the same
 * head of at most {@link MAX_HEAD_BYTES}.
 */
export function frontmatterValueOfBytes(bytes: Uint8Array, key: string): string | undefined {
  const cut = bytes.length > MAX_HEAD_BYTES
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEAD_BYTES)).toString('utf8')
  return frontmatterValue(cut ? wholeLines(text) : text, key)
}

/** Whether `head` starts a front-matter block that it does not close. */
function frontmatterOpen(head: string): boolean {
  return /^\uFEFF?---(?:\r\n?|\n)/.test(head) && !/[\r\n](?:---|\.\.\.)[ \t]*(?:[\r\n]|$)/.test(head)
}

/** The pure half of `readFrontmatterValue`: find `key` in the front-matter at the start of `head`. */
export function frontmatterValue(head: string, key: string): string | undefined {
  const lines = head.replace(/^\uFEFF/, '').split(/\r\n?|\n/)
  if (lines[0]?.trimEnd() !== '---') return undefined

  for (const line of lines.slice(1)) {
    const trimmed = line.trimEnd()
    if (trimmed === '---' || trimmed === '...') return undefined
    if (!line.startsWith(key) || !/^\s*:/.test(line.slice(key.length))) continue
    const raw = line.slice(line.indexOf(':', key.length) + 1).trim()
    const quoted = /^(["'])(.*)\1(?:\s+#.*)?$/.exec(raw)
    const value = quoted ? quoted[2]! : raw.replace(/\s+#.*$/, '').trim()
    return value === '' ? undefined : value
  }

  return undefined
}

/** `text` up to its last line break: a read that filled its buffer may end mid-line or mid-character. */
function wholeLines(text: string): string {
  return text.slice(0, Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1)
}
