/**
 * Bytes → text for one note: the only place that knows about encodings.
 *
 * Pure: the caller reads the file and passes the bytes, so this is testable without a disk.
 * The text is never normalised (no EOL or Unicode normalisation), because reassembly splices
 * by offset and must give back the source bytes where nothing was translated.
 */

import {DEFAULT_MAX_FILE_BYTES} from '../config/defaults.js'
import {UserError} from '../types.js'

export {lineAt} from '../text/lines.js'

/** A decoded note, ready for `analyseNote`. */
export interface NoteText {
  /** The document text, without its byte order mark. */
  text: string
  /** Whether the file started with a UTF-8 byte order mark (re-added on write: docs/decisions.md trap 8). */
  bom: boolean
  /** The dominant line ending; ties and files without any line ending count as `\n`. */
  eol: '\n' | '\r\n' | '\r'
  /** An `.mdx` file: parsed with `remark-mdx` (`parse.ts`). */
  mdx?: boolean
}

/**
 * A problem with one note that its author can fix.
 *
 * The message is one line: `<file>: <problem>. <fix>`.
 */
export class NoteError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string
  ) {
    super(`${file}: ${oneLine(problem)}. ${oneLine(fix)}`)
  }
}

const BOM = [0xef, 0xbb, 0xbf] as const

/**
 * Decode the bytes of a note.
 *
 * @throws {NoteError} when the file is larger than `maxBytes`, contains a NUL byte, or is not
 *   valid UTF-8 (with the byte offset and line of the first problem).
 */
export function decodeNote(bytes: Uint8Array, file: string, options?: {maxBytes?: number}): NoteText {
  // 1 MiB by default: notes are prose; a bigger file is almost certainly generated or binary, and
  // the parser's worst cases (S10) grow with size, so refuse before parsing.
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_FILE_BYTES
  if (bytes.length > maxBytes) {
    throw new NoteError(
      file,
      `file is ${bytes.length} bytes, more than the limit of ${maxBytes} bytes`,
      'Split the note, or exclude it from the sources if it is not a note'
    )
  }

  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    throw new NoteError(
      file,
      `NUL byte at byte ${nul} (line ${lineAtByte(bytes, nul)}): this looks like a binary file, not Markdown`,
      'Remove the NUL bytes, or exclude the file from the sources'
    )
  }

  const bom = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]
  const body = bom ? bytes.subarray(3) : bytes
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(body)
  } catch {
    const at = firstInvalidUtf8(body) + (bom ? 3 : 0)
    throw new NoteError(
      file,
      `not valid UTF-8 at byte ${at} (line ${lineAtByte(bytes, at)})`,
      'Re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)'
    )
  }

  refuseManyLines(text, file)
  refuseDeepNesting(text, file)
  const note: NoteText = {text, bom, eol: dominantEol(text)}
  // `diff` names a revision's copy `file@rev`.
  if (/\.mdx(?:@[^/]*)?$/i.test(file)) note.mdx = true
  return note
}

/**
 * Lines a note may have. The Markdown parser (micromark) keeps several events per line and its
 * time and memory grow with them: a 1 MB note of one million one-character lines took 166 s and
 * 2.6 GB. Real notes under the 1 MiB size limit have a few thousand lines; 50,000 parse in a
 * few seconds and a few hundred MB.
 */
export const MAX_LINES = 50_000

function refuseManyLines(text: string, file: string): void {
  let lines = 1
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    if (++lines > MAX_LINES) {
      throw new NoteError(
        file,
        `more than ${MAX_LINES.toLocaleString('en')} lines (line ${MAX_LINES + 1} is at byte ${index + 1}), more than the Markdown parser handles in bounded time and memory`,
        'Split the note into several notes'
      )
    }
  }
  // CR-only line endings count too.
  if (lines === 1 && text.split('\r', MAX_LINES + 2).length > MAX_LINES + 1) {
    throw new NoteError(
      file,
      `more than ${MAX_LINES.toLocaleString('en')} lines, more than the Markdown parser handles in bounded time and memory`,
      'Split the note into several notes'
    )
  }
}

/** Blockquote and list levels a line may open; real notes use a handful. */
const MAX_NESTING = 100

/**
 * The Markdown parser's time and stack grow with container nesting: 10,000 nested blockquotes
 * overflow the stack and 10,000 nested lists take minutes. Refuse such a note up front with a
 * clear message instead (docs/rules.md S10). A line's nesting is the run of `>` and list markers it starts
 * with; counting stops at the limit, so the scan stays linear.
 */
function refuseDeepNesting(text: string, file: string): void {
  const marker = /[ \t]{0,3}(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?/y
  const lineBreak = /\r\n?|\n/g
  let line = 1
  for (let start = 0; start < text.length; line++) {
    marker.lastIndex = start
    let depth = 0
    while (depth <= MAX_NESTING && marker.exec(text)) depth++
    if (depth > MAX_NESTING) {
      throw new NoteError(
        file,
        `line ${line} nests more than ${MAX_NESTING} blockquote or list levels, which the Markdown parser cannot handle in bounded time`,
        'Flatten the nesting'
      )
    }
    // LF, CRLF or a bare CR (old Mac files) ends a line, as for the parser.
    lineBreak.lastIndex = start
    const found = lineBreak.exec(text)
    if (!found) break
    start = found.index + found[0].length
  }
}

/** The most frequent line ending: `\r\n`, a bare `\r` (old Mac files) or `\n` (ties go to `\n`). */
export function dominantEol(text: string): '\n' | '\r\n' | '\r' {
  let crlf = 0
  let cr = 0
  let lf = 0
  for (const [ending] of text.matchAll(/\r\n?|\n/g)) {
    if (ending === '\r\n') crlf++
    else if (ending === '\r') cr++
    else lf++
  }
  if (crlf > lf && crlf >= cr) return '\r\n'
  return cr > lf && cr > crlf ? '\r' : '\n'
}

function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1
  for (let index = 0; index < offset && index < bytes.length; index++) {
    if (bytes[index] === 10) line++
  }
  return line
}

/** Byte offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index)
    if (length === 0) return index
    index += length
  }
  return bytes.length
}

/** Length of the well-formed sequence at `index` (RFC 3629 table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] ?? 0
  if (lead < 0x80) return 1
  const continuation = (at: number, low = 0x80, high = 0xbf): boolean => {
    const byte = bytes[at]
    return byte !== undefined && byte >= low && byte <= high
  }
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(index + 1) ? 2 : 0
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80
    const high = lead === 0xed ? 0x9f : 0xbf
    return continuation(index + 1, low, high) && continuation(index + 2) ? 3 : 0
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80
    const high = lead === 0xf4 ? 0x8f : 0xbf
    return continuation(index + 1, low, high) && continuation(index + 2) && continuation(index + 3) ? 4 : 0
  }
  return 0
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/\.$/, '')
}
