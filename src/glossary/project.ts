/**
 * Markdown → the text a reader sees, for term matching only.
 *
 * Glossary checks work at block level (docs/rules.md Q19): a term may move across inline markup in
 * translation (`Alibaba **Cloud**`), so emphasis, link brackets and paired tokens are dropped,
 * while what is never prose — inline code, autolinks, link destinations, images, footnote
 * references, atom tokens — becomes a boundary character, so that words on either side of it are
 * not joined into a term. Offsets are not kept: callers only ask *which* terms occur.
 *
 * This is a small scanner, not a parser: it is called per segment and per locale, and only has to
 * be right about what can change whether a term matches.
 */

import {decodeNamedCharacterReference} from 'decode-named-character-reference'

/** Stands for a construct that is not prose: not a letter, not whitespace. */
export const boundaryMark = '\uFFFC'

/** What a handler produced: the text to emit and where scanning resumes. */
interface Step {
  text: string
  end: number
}

/** Per-call state shared by handlers. */
interface Scan {
  readonly value: string
  /** Numbers of the `⟦/n⟧` close tokens present: an `⟦n⟧` with a close is a pair, else an atom. */
  readonly closedTokens: ReadonlySet<string>
}

type Handler = (scan: Scan, index: number) => Step | undefined

const asciiPunctuation = /[!-/:-@[-`{-~]/
const autolinkPattern = /<[A-Za-z][A-Za-z\d+.-]{1,31}:[^\s<>]*>/y
const emailAutolinkPattern =
  /<[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z\d](?:[A-Za-z\d-]*[A-Za-z\d])?(?:\.[A-Za-z\d](?:[A-Za-z\d-]*[A-Za-z\d])?)*>/y
const htmlPattern =
  /<\/?[A-Za-z][A-Za-z\d-]*(?:\s[^<>]*)?\/?>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>/y
const footnoteReferencePattern = /\[\^[^\]\s]+\]/y
const referenceLabelPattern = /\[(?:\\.|[^\\\]])*\]/y
const tokenPattern = /⟦(\/?)(\d+)⟧/y
const characterReferencePattern = /&(?:#[xX]([\da-fA-F]{1,6})|#(\d{1,7})|([A-Za-z][A-Za-z\d]{1,31}));/y
const dropped: Step = {text: '', end: 0}

/** Run a sticky pattern at `index`. */
function stickyMatch(pattern: RegExp, value: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index
  return pattern.exec(value)
}

/**
 * Index after the bracket that closes the one at `open` (`(` or `[`), honouring backslash
 * escapes and nesting; `-1` when it is never closed.
 */
function closingBracket(value: string, open: number): number {
  const opener = value[open]
  const closer = opener === '(' ? ')' : ']'
  let depth = 0
  for (let index = open; index < value.length; index++) {
    const character = value[index]
    if (character === '\\') index++
    else if (character === opener) depth++
    else if (character === closer && --depth === 0) return index + 1
  }
  return -1
}

/** After a link text's `]`: skip `(destination "title")` or `[label]`, if present. */
function skipLinkTail(value: string, index: number): number {
  const next = value[index]
  if (next === '(') {
    const end = closingBracket(value, index)
    return end === -1 ? index : end
  }
  if (next === '[') {
    const match = stickyMatch(referenceLabelPattern, value, index)
    if (match) return index + match[0].length
  }
  return index
}

const handlers: Readonly<Record<string, Handler>> = {
  '\\'(scan, index) {
    const next = scan.value[index + 1]
    if (next === '\n') return {text: '\n', end: index + 2}
    if (next !== undefined && asciiPunctuation.test(next)) return {text: next, end: index + 2}
    return undefined
  },
  '`'(scan, index) {
    const {value} = scan
    let runEnd = index
    while (value[runEnd] === '`') runEnd++
    const size = runEnd - index
    let search = runEnd
    while (search < value.length) {
      const open = value.indexOf('`', search)
      if (open === -1) break
      let close = open
      while (value[close] === '`') close++
      if (close - open === size) return {text: boundaryMark, end: close}
      search = close
    }
    // An unmatched run is literal, and so is every shorter run inside it.
    return {text: value.slice(index, runEnd), end: runEnd}
  },
  '<'(scan, index) {
    const {value} = scan
    const autolink = stickyMatch(autolinkPattern, value, index) ?? stickyMatch(emailAutolinkPattern, value, index)
    if (autolink) return {text: boundaryMark, end: index + autolink[0].length}
    const html = stickyMatch(htmlPattern, value, index)
    if (html) return {text: '', end: index + html[0].length}
    return undefined
  },
  '!'(scan, index) {
    const {value} = scan
    if (value[index + 1] !== '[') return undefined
    const textEnd = closingBracket(value, index + 1)
    if (textEnd === -1) return undefined
    // Alt text is a segment of its own; the paragraph's reader sees an image, not words.
    return {text: boundaryMark, end: skipLinkTail(value, textEnd)}
  },
  '['(scan, index) {
    const footnote = stickyMatch(footnoteReferencePattern, scan.value, index)
    if (footnote) return {text: boundaryMark, end: index + footnote[0].length}
    return {...dropped, end: index + 1}
  },
  ']'(scan, index) {
    return {...dropped, end: skipLinkTail(scan.value, index + 1)}
  },
  '*'(_, index) {
    return {...dropped, end: index + 1}
  },
  _(_, index) {
    return {...dropped, end: index + 1}
  },
  '~'(_, index) {
    return {...dropped, end: index + 1}
  },
  '⟦'(scan, index) {
    const token = stickyMatch(tokenPattern, scan.value, index)
    if (!token) return undefined
    const [whole, slash, number = ''] = token
    const pairSide = slash === '/' || scan.closedTokens.has(number)
    return {text: pairSide ? '' : boundaryMark, end: index + whole.length}
  },
  '&'(scan, index) {
    const reference = stickyMatch(characterReferencePattern, scan.value, index)
    if (!reference) return undefined
    const [whole, hex, decimal, name] = reference
    const codePoint = hex ? Number.parseInt(hex, 16) : decimal ? Number(decimal) : undefined
    if (codePoint !== undefined) {
      const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff)
      return {text: valid ? String.fromCodePoint(codePoint) : '\uFFFD', end: index + whole.length}
    }
    // The HTML named-reference table (a maintained package): `&eacute;` is é, and a name that is
    // no reference (`&constructor;`) stays literal text — never a prototype property.
    const decoded = name === undefined ? false : decodeNamedCharacterReference(name)
    return decoded === false ? undefined : {text: decoded, end: index + whole.length}
  }
}

/**
 * The visible prose of a piece of (logical) Markdown or protected text, for term matching.
 *
 * @param markdown
 *   One segment's Markdown, restored or protected.
 * @returns
 *   Its prose with inline markup dropped and non-prose constructs replaced by `boundaryMark`.
 */
export function visibleText(markdown: string): string {
  const closedTokens = new Set<string>()
  for (const match of markdown.matchAll(/⟦\/(\d+)⟧/g)) closedTokens.add(match[1] ?? '')
  const scan: Scan = {value: markdown, closedTokens}

  let result = ''
  let index = 0
  while (index < markdown.length) {
    const character = markdown[index] ?? ''
    const handler = handlers[character]
    const step = handler ? handler(scan, index) : undefined
    if (step && step.end > index) {
      result += step.text
      index = step.end
    } else {
      result += character
      index++
    }
  }
  return result
}
