/**
 * The unit of review: one segment of one note for one target locale, as exported to reviewers
 * (XLIFF, PO) and read back from them.
 */

import type {Locale, Token} from '../types.js'

/** Where a unit stands, as `sync` sees it; exported as XLIFF state / PO fuzzy flag. */
export type ReviewState = 'new' | 'translated' | 'needs-review' | 'human' | 'stale'

export interface ReviewUnit {
  /** Segment id (unique within its note). */
  id: string
  /** Source note path, relative to the project root. */
  note: string
  /** 1-based source line of the segment. */
  line: number
  locale: Locale
  /** Protected source text (`⟦n⟧` tokens). */
  source: string
  /** The segment's token table: what each `⟦n⟧` stands for. */
  tokens: Token[]
  /** Protected translation in the same token numbering, when there is one. */
  target?: string
  /** The protected source this target was made from, when the source changed since. */
  previousSource?: string
  state?: ReviewState
  /** A free-text remark for the reviewer (a validation finding, a glossary hint). */
  comment?: string
}

/** What comes back from a reviewer's file: the unit's identity and its (edited) translation. */
export interface ImportedUnit {
  id: string
  note: string
  /** Protected text in `⟦n⟧` form; absent when the file has no translation for the unit. */
  target?: string
  /**
   * The file still marks the unit as not final (PO `fuzzy`; XLIFF `initial`, or our
   * needs-review/stale sub-state): an unedited draft is not applied on import.
   */
  draft?: boolean
}

/** How a token is described to a human reviewer: `inline code \`npm ci\``. */
export function describeToken(token: Token): string {
  const shown = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}…` : text).replace(/\s*\n\s*/g, ' ')
  switch (token.kind) {
    case 'link':
    case 'image':
    case 'reference':
      return `${TOKEN_NAMES[token.kind]} to ${shown(token.url ?? `${token.open}${token.close}`)}`
    case 'emphasis':
    case 'strong':
    case 'delete':
    case 'break':
      return TOKEN_NAMES[token.kind]
    case 'htmlPair':
      return `${TOKEN_NAMES[token.kind]} ${shown(token.open)}…${shown(token.close)}`
    default:
      return `${TOKEN_NAMES[token.kind]} ${shown(token.url ?? token.open)}`
  }
}

const TOKEN_NAMES: Record<Token['kind'], string> = {
  code: 'inline code',
  math: 'math',
  html: 'HTML',
  url: 'URL',
  autolink: 'autolink',
  footnote: 'footnote reference',
  reference: 'reference link',
  charref: 'character reference',
  break: 'line break',
  escape: 'literal character',
  term: 'name kept as is',
  link: 'link',
  image: 'image',
  emphasis: 'emphasis',
  strong: 'bold',
  delete: 'strikethrough',
  htmlPair: 'HTML element'
}
