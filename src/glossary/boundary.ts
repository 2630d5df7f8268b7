/**
 * Word boundaries that work across scripts.
 *
 * Latin, Cyrillic, Arabic, Devanagari, Hangul … separate words with spaces, so a term written in
 * them must not match inside a longer word (`Qwen` in `Qwenlike`). Chinese, Japanese and the
 * South-East Asian scripts do not, so a term written in them matches anywhere, and their letters
 * never count as "the same word" next to a Latin term (`用Qwen模型` contains `Qwen`).
 */

/** Letters, digits, marks and `_`: what a word is made of. */
const wordCharacter = '[\\p{L}\\p{N}\\p{M}_]'

/** Scripts written without spaces between words (Script_Extensions, so `ー` and `々` count). */
const unspacedCharacter =
  '[\\p{scx=Han}\\p{scx=Hiragana}\\p{scx=Katakana}\\p{scx=Bopomofo}\\p{scx=Thai}\\p{scx=Lao}\\p{scx=Khmer}\\p{scx=Myanmar}\\p{scx=Tibetan}]'

const spacedWordCharacter = `(?:(?!${unspacedCharacter})${wordCharacter})`

/** Regex source asserting that no letter of a spaced script comes right before. */
export const boundaryBefore = `(?<!${spacedWordCharacter})`

/** Regex source asserting that no letter of a spaced script comes right after. */
export const boundaryAfter = `(?!${spacedWordCharacter})`

const spacedWordTest = new RegExp(`^${spacedWordCharacter}$`, 'u')
const arabicTest = /^\p{scx=Arabic}$/u

/**
 * Whether `character` (one code point) is part of a word in a script that separates words with
 * spaces — i.e. whether a term starting or ending with it needs a boundary there.
 */
export function needsBoundary(character: string | undefined): boolean {
  return character !== undefined && spacedWordTest.test(character)
}

/**
 * Whether `character` is Arabic: Arabic attaches clitics (`و`, `ب`, `ل`, `ال`) to the front of a
 * word, so a rendering is still present when letters precede it.
 */
export function isArabic(character: string | undefined): boolean {
  return character !== undefined && arabicTest.test(character)
}

/** First and last code point of a non-empty string. */
export function edges(text: string): {first: string | undefined; last: string | undefined} {
  const codePoints = Array.from(text)
  return {first: codePoints[0], last: codePoints.at(-1)}
}

/**
 * Regex source matching `text` literally, with any run of whitespace matching any run of
 * whitespace (a term may be wrapped across lines in a paragraph).
 */
export function literalPattern(text: string): string {
  return text
    .trim()
    .split(/\s+/u)
    .map((word) => word.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
    .join('\\s+')
}
