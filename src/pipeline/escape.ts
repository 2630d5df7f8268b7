/**
 * Making translated literal text safe where it lands.
 *
 * Once every piece of markup in a segment is a placeholder, any markup character left in the
 * translator's text is meant literally. These functions escape exactly the characters that could
 * pair with something or open a block (DESIGN traps 5, 6, 7, 11); restore calls them on changed
 * lines only, so source lines come back byte for byte. mdast-util-to-markdown's `unsafe` list is
 * the reference for which characters matter.
 */

/** Where a segment's text lands: decides which characters are unsafe. */
export type Context =
  /** A paragraph or setext heading: the first line starts a block. */
  | 'paragraph'
  /** ATX heading content: one line; a trailing `#` run would be read as the closing sequence. */
  | 'atx'
  /** A table cell: one line; `|` ends the cell, a trailing `\` escapes the delimiter. */
  | 'cell'
  /** Image alt text inside `![…]`: inline content that does not start a block. */
  | 'alt'
  /** A link or definition title inside `"…"`, `'…'` or `(…)`: only escapes and entities count. */
  | 'title'
  /** A front-matter value: quoting is the YAML patcher's job. */
  | 'plain'

/** Contexts that are a single line in the source syntax. */
export const singleLine: ReadonlySet<Context> = new Set(['atx', 'cell'])

const asciiPunctuation = /[!-/:-@[-`{-~]/
/** A character reference (`&amp;`, `&#35;`, `&#x22;`) at the start of a string. */
export const characterReference = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/

/** Characters that pair or open inline constructs (code, attention, math, links, HTML). */
const inlineUnsafe: ReadonlySet<string> = new Set(['`', '*', '_', '~', '$', '[', ']', '<'])

/** Whether `value[index]` is an ASCII punctuation character (escapable with `\`). */
export function isAsciiPunctuation(character: string | undefined): boolean {
  return character !== undefined && asciiPunctuation.test(character)
}

/**
 * Escape a literal run of translated text for `context`.
 *
 * Existing backslash escapes are kept as they are (`\*` stays `\*`), so escaping is idempotent.
 */
export function escapeInline(run: string, context: Context, quote?: string): string {
  if (context === 'plain') return run
  let result = ''
  for (let index = 0; index < run.length; index++) {
    const character = run.charAt(index)
    if (character === '\\' && isAsciiPunctuation(run[index + 1])) {
      result += character + run.charAt(index + 1)
      index++
      continue
    }
    if (character === '&' && characterReference.test(run.slice(index))) {
      result += '\\&'
      continue
    }
    if (context === 'title') {
      result += character === quote || (quote === ')' && character === '(') ? '\\' + character : character
      continue
    }
    if (inlineUnsafe.has(character) || (context === 'cell' && character === '|')) {
      result += '\\' + character
      continue
    }
    result += character
  }
  return result
}

/**
 * Escape what would open a block when `line` (already inline-escaped, leading whitespace
 * removed) starts a line: headings, block quotes, list items, thematic breaks, setext
 * underlines, table delimiter rows.
 */
export function escapeBlockStart(line: string): string {
  if (/^#{1,6}(?=[ \t]|$)/.test(line)) return '\\' + line
  if (line.startsWith('>')) return '\\' + line
  if (/^[-+*](?=[ \t]|$)/.test(line)) return '\\' + line
  const ordered = /^(\d{1,9})([.)])(?=[ \t]|$)/.exec(line)
  if (ordered) return ordered[1] + '\\' + line.slice(ordered[1]!.length)
  if (/^(?:=+|-+)[ \t]*$/.test(line)) return '\\' + line
  if (/^([-*_])(?:[ \t]*\1){2,}[ \t]*$/.test(line)) return '\\' + line
  if (line.includes('|') && /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/.test(line)) {
    return '\\' + line
  }
  return line
}

/** Whether a placeholder's restored text could open a block when it starts a continuation line. */
export function opensBlock(markup: string): boolean {
  return /^(?:<|`{3}|~{3}|\$\$|#|>)/.test(markup)
}

/** Unicode whitespace, with the string boundary counting as whitespace (CommonMark §6.2). */
function isWhitespace(character: string): boolean {
  return character === '' || /\s/u.test(character)
}

/** Unicode punctuation or symbol (CommonMark 0.31). */
function isPunctuation(character: string): boolean {
  return /[\p{P}\p{S}]/u.test(character)
}

function leftFlanking(before: string, after: string): boolean {
  return !isWhitespace(after) && (!isPunctuation(after) || isWhitespace(before) || isPunctuation(before))
}

function rightFlanking(before: string, after: string): boolean {
  return !isWhitespace(before) && (!isPunctuation(before) || isWhitespace(after) || isPunctuation(after))
}

/** Whether a delimiter run of `marker` between `before` and `after` can open emphasis. */
export function canOpen(marker: string, before: string, after: string): boolean {
  const left = leftFlanking(before, after)
  if (marker !== '_') return left
  return left && (!rightFlanking(before, after) || isPunctuation(before))
}

/** Whether a delimiter run of `marker` between `before` and `after` can close emphasis. */
export function canClose(marker: string, before: string, after: string): boolean {
  const right = rightFlanking(before, after)
  if (marker !== '_') return right
  return right && (!leftFlanking(before, after) || isPunctuation(after))
}

export {isWhitespace}
