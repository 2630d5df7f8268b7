/**
 * Applying the glossary to a translation job: keep-terms become placeholders (`shield`) and are
 * rendered per locale when restored (`renderKeep`); translate-as terms are sent with their
 * segment (`requiredTerms`, `qwenMtTerms`).
 */

import type {RequiredTerm} from '../types.js'
import {resolveRendering} from './locale.js'
import {findTerms} from './match.js'
import {visibleText} from './project.js'
import type {Glossary, GlossaryEntry} from './types.js'

/**
 * A shield for the core pipeline: the ranges of keep-terms in one plain-text run. Shielding is
 * locale-independent (a note is protected once for all locales), so every keep-term is shielded,
 * including those with per-locale renderings.
 *
 * @param glossary
 *   Parsed glossary.
 * @returns
 *   `(text) => ranges`, in order and non-overlapping.
 */
export function shield(glossary: Glossary): (text: string) => ReadonlyArray<{start: number; end: number}> {
  if (!glossary.entries.some(shielded)) return () => []
  return (text) =>
    findTerms(glossary, text)
      .filter((match) => shielded(match.entry))
      .map(({start, end}) => ({start, end}))
}

/**
 * Whether an entry is protected as a placeholder: keep-terms, and terms whose default (`*`)
 * rendering is the term itself (`"*": "Alibaba Cloud"`): brands that most locales leave as
 * they are survive by construction instead of being checked after the model changed them.
 * Their placeholder is rendered per locale like a keep-term's (`zh: 阿里云` where given).
 */
export function shielded(entry: GlossaryEntry): boolean {
  return entry.keep || entry.translations.get('*')?.target === entry.term
}

/**
 * The text that replaces a keep-term's placeholder in `locale`: the locale's rendering where the
 * glossary has one (`Jingren Zhou` → `周靖人` in `zh`), else the source text itself, byte for byte.
 *
 * @param term
 *   The token's source text (`Token.open`), as it was matched.
 */
export function renderKeep(glossary: Glossary, term: string, locale: string): string {
  const [match] = findTerms(glossary, term)
  if (!match || !shielded(match.entry) || match.start !== 0 || match.end !== term.length) return term
  return resolveRendering(match.entry, locale)?.target ?? term
}

/**
 * The translate-as terms of one segment, for `TranslateJob.terms`: only entries that occur in it
 * and have a rendering for `locale`, one per distinct source form (so that term-intervention APIs,
 * which match literally, see the form that is actually in the text).
 *
 * @param sourceMarkdown
 *   The segment's logical Markdown (or its protected text): code, URLs and tokens are skipped.
 */
export function requiredTerms(glossary: Glossary, sourceMarkdown: string, locale: string): RequiredTerm[] {
  const terms: RequiredTerm[] = []
  const seen = new Set<string>()
  for (const match of findTerms(glossary, visibleText(sourceMarkdown))) {
    if (shielded(match.entry)) continue
    const rendering = resolveRendering(match.entry, locale)
    if (!rendering) continue
    const source = match.matched.replace(/\s+/gu, ' ')
    const key = `${match.entry.pointer}\0${source}`
    if (seen.has(key)) continue
    seen.add(key)
    const term: RequiredTerm = {source, target: rendering.target}
    if (rendering.variants.length > 0) term.variants = [...rendering.variants]
    if (match.entry.note !== undefined) term.note = match.entry.note
    terms.push(term)
  }
  return terms
}

/**
 * Qwen-MT's `translation_options.terms`: `{source, target}` pairs, one per source form (Qwen-MT
 * takes no notes and no alternatives).
 */
export function qwenMtTerms(terms: readonly RequiredTerm[]): Array<{source: string; target: string}> {
  const bySource = new Map<string, string>()
  for (const {source, target} of terms) if (!bySource.has(source)) bySource.set(source, target)
  return [...bySource].map(([source, target]) => ({source, target}))
}
