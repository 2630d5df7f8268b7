/**
 * Token estimates for batching, `max_tokens` bounds and the test server's `usage`.
 *
 * `o200k_base` is the encoding of the current OpenAI models; for other vendors (Qwen, DeepSeek)
 * it is an estimate of the same order, which is all a batch budget needs. The ranks ship inside
 * `js-tiktoken`, so counting works offline.
 */

import {createRequire} from 'node:module'
import type {Tiktoken} from 'js-tiktoken/lite'
import type o200kBase from 'js-tiktoken/ranks/o200k_base'

/**
 * Built on first use, and its modules loaded then too: the rank table is a 2.3 MB module whose
 * text alone costs ~25 MB of memory and ~60 ms to load, and decoding it a noticeable fraction of
 * a second more. A pseudo run, `check` and `status` never count tokens, so they pay none of it
 * (issue 19; bench/limits.md section 7, "Start-up"). `js-tiktoken` ships CommonJS builds of both, which a
 * synchronous `require` can load where the first count happens.
 */
let encoder: Tiktoken | undefined

function createEncoder(): Tiktoken {
  const require = createRequire(import.meta.url)
  const {Tiktoken: Encoder} = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite')
  // The CommonJS build exports the table itself (`module.exports = {pat_str, …}`), not `default`.
  const ranks = require('js-tiktoken/ranks/o200k_base') as typeof o200kBase
  return new Encoder(ranks)
}

/**
 * Count the tokens of `text` with the `o200k_base` encoding.
 *
 * @param text
 *   Any text; special-token look-alikes (`<|endoftext|>`) are counted as plain text.
 * @returns
 *   Number of tokens.
 */
export function countTokens(text: string): number {
  if (text === '') return 0
  const cached = counted.get(text)
  if (cached !== undefined) return cached
  const count = countUncached(text)
  if (text.length <= MAX_CACHED_TEXT) {
    if (cachedChars + text.length > MAX_CACHED_CHARS) {
      counted.clear()
      cachedChars = 0
    }
    counted.set(text, count)
    cachedChars += text.length
  }
  return count
}

/**
 * Counts of recent texts. A segment is counted by the packer (its budget), again by the provider
 * that sends it (batches, `max_tokens`) and by the estimate: byte-pair encoding in JS is one of the
 * larger costs of the main thread, which also keeps requests in flight (bench figure 8). Bounded by
 * characters, and emptied when full, so memory does not grow with the corpus.
 */
const counted = new Map<string, number>()
let cachedChars = 0
const MAX_CACHED_TEXT = 16 * 1024
const MAX_CACHED_CHARS = 4 * 1024 * 1024

function countUncached(text: string): number {
  encoder ??= createEncoder()
  const tiktoken = encoder
  // Segment text is data, never control: allow no special tokens so a note can't make us throw.
  const encoded = (part: string) => (part === '' ? 0 : tiktoken.encode(part, [], []).length)
  // js-tiktoken's byte-pair merge is quadratic in the length of one pre-tokenized piece (a 10 KB
  // word took 53 s): long runs of letters, spaces or symbols are estimated instead, linearly.
  const runs = longRuns(text)
  if (runs.length === 0) return encoded(text)
  let count = 0
  let last = 0
  for (const [start, end] of runs) {
    count += encoded(text.slice(last, start)) + estimatedRun(text.slice(start, end))
    last = end
  }
  return count + encoded(text.slice(last))
}

/** A run that BPE would take as one piece is estimated from this length on; real words are shorter. */
const LONG_RUN = 64
const LETTER = /[\p{L}\p{M}]/u
const SPACE = /\s/u
const DIGIT = /\p{N}/u

/** 1 letter, 2 space, 3 symbol, 0 digit (o200k splits digits into threes: never long). */
function classOf(code: number, character: string): number {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) return 1
  if (code === 32 || code === 10 || code === 9 || code === 13) return 2
  if (code >= 48 && code <= 57) return 0
  if (code < 128) return 3
  return LETTER.test(character) ? 1 : SPACE.test(character) ? 2 : DIGIT.test(character) ? 0 : 3
}

/**
 * The `[start, end)` ranges of `text` that are runs of {@link LONG_RUN} or more letters, spaces
 * or symbols. One pass by code unit (a regex like `/\p{L}{64,}/u` overflows V8's backtracking
 * stack on a 10 MB word).
 */
function longRuns(text: string): Array<[number, number]> {
  const runs: Array<[number, number]> = []
  let start = 0
  let current = -1
  for (let index = 0; index <= text.length; index++) {
    const code = index < text.length ? text.charCodeAt(index) : -1
    // A surrogate pair takes the class of the whole character, judged at its first half.
    const kind =
      code === -1
        ? -1
        : code >= 0xdc00 && code <= 0xdfff
          ? current
          : classOf(code, String.fromCodePoint(text.codePointAt(index) ?? code))
    if (kind === current) continue
    if (current > 0 && index - start >= LONG_RUN) runs.push([start, index])
    start = index
    current = kind
  }
  return runs
}

/** About 4 ASCII characters per token, one per other character (CJK, accented scripts). */
function estimatedRun(run: string): number {
  let ascii = 0
  let other = 0
  for (let index = 0; index < run.length; index++) {
    if (run.charCodeAt(index) < 128) ascii++
    else other++
  }
  return Math.ceil(ascii / 4) + other
}
