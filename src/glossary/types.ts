/**
 * The compiled glossary: what `parseGlossary` returns and every other glossary module reads.
 *
 * The JSON file is normalised on load (defaults resolved, absent lists made empty) so that the
 * matching, verification and fingerprint code never has to know which fields were optional.
 */

import type {Locale} from '../types.js'
import type {Matcher} from './match.js'

/** How a term is written in one target locale. */
export interface Rendering {
  /** The form the translator must use. */
  target: string
  /** Other accepted forms in that locale (inflections, feminine forms, an accepted short form). */
  variants: string[]
  /** Forms that must not appear in that locale when the term occurs in the source. */
  forbidden: string[]
}

/** One entry of the glossary, normalised. */
export interface GlossaryEntry {
  /** The source term as written in the glossary. */
  term: string
  /** Aliases matched in the source like the term itself (`Tongyi Qianwen` → `Tongyi`). */
  variants: string[]
  /**
   * Whether source matching is case-sensitive. When the file does not say, it is `true` for terms
   * without lowercase letters (acronyms such as `CTO`) and `false` otherwise.
   */
  caseSensitive: boolean
  /** Guidance for translators, sent with the term. */
  note?: string
  /**
   * Do not translate: the source text is protected as a placeholder and survives byte-identical,
   * except in locales listed in `translations`, where the integrator substitutes that rendering.
   */
  keep: boolean
  /** Renderings by BCP-47 locale key, or `*` for every locale without its own key. */
  translations: ReadonlyMap<string, Rendering>
  /** JSON pointer of the entry in its file (`/entries/3`), for messages. */
  pointer: string
}

/** A parsed, validated and compiled glossary. */
export interface Glossary {
  /** The file it came from, as named in messages. */
  file: string
  /** The language the terms are written in (`en` when the file does not say). */
  sourceLocale: Locale
  entries: GlossaryEntry[]
  /** Compiled source matcher (internal: use `findTerms`). */
  readonly matcher: Matcher
}

/** One occurrence of a glossary term in a piece of text. */
export interface TermMatch {
  /** UTF-16 offsets into the text that was searched. */
  start: number
  end: number
  entry: GlossaryEntry
  /** The text as it occurs (may differ from `entry.term` in case, spacing or by being a variant). */
  matched: string
}
