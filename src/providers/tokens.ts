/**
 * Token estimates for batching, `max_tokens` bounds and the test server's `usage`.
 *
 * `o200k_base` is the encoding of the current OpenAI models; for other vendors (Qwen, DeepSeek)
 * it is an estimate of the same order, which is all a batch budget needs. The ranks ship inside
 * `js-tiktoken`, so counting works offline.
 */

import {Tiktoken} from 'js-tiktoken/lite'
import o200kBase from 'js-tiktoken/ranks/o200k_base'

/** Built on first use: decoding the rank table takes a noticeable fraction of a second. */
let encoder: Tiktoken | undefined

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
  encoder ??= new Tiktoken(o200kBase)
  // Segment text is data, never control: allow no special tokens so a note can't make us throw.
  return encoder.encode(text, [], []).length
}
