/**
 * The glossary's fingerprint for one segment in one locale, stored in the lock so that a glossary
 * edit re-opens only the segments it affects.
 *
 * It hashes what the glossary *does* to this segment in this locale — for each entry that occurs:
 * whether it is kept, and the rendering that applies (target, accepted variants, forbidden forms,
 * and the note sent with it). So an edit to another entry, or to another locale's rendering, or to
 * the order of the file, leaves it unchanged.
 */

import {contentHash} from '../io/hash.js'
import {compareCodeUnits} from '../values.js'
import {resolveRendering} from './locale.js'
import {findTerms} from './match.js'
import {visibleText} from './project.js'
import type {Glossary, GlossaryEntry} from './types.js'

/** Characters of the fingerprint: 48 bits, plenty to tell one glossary state from the next. */
const fingerprintLength = 8

/** What one entry contributes in `locale`, or `undefined` when it does nothing there. */
function effect(entry: GlossaryEntry, locale: string): unknown[] | undefined {
  const rendering = resolveRendering(entry, locale)
  if (entry.keep) return [entry.term, 'keep', rendering?.target ?? null]
  if (!rendering) return undefined
  return [entry.term, 'translate', rendering.target, rendering.variants, rendering.forbidden, entry.note ?? null]
}

/**
 * @param sourceMarkdown
 *   The source segment's logical Markdown.
 * @returns
 *   A short hash (`[A-Za-z0-9_-]`), or `undefined` when no entry applies to this segment in
 *   `locale` (the lock then stores nothing).
 */
export function segmentFingerprint(glossary: Glossary, sourceMarkdown: string, locale: string): string | undefined {
  const entries = new Set(findTerms(glossary, visibleText(sourceMarkdown)).map((match) => match.entry))
  const effects = [...entries]
    .map((entry) => effect(entry, locale))
    .filter((value) => value !== undefined)
    // Code-unit order, not a collation: the hash must not depend on the ICU data of the machine.
    .sort((a, b) => compareCodeUnits(String(a[0]), String(b[0])))
  if (effects.length === 0) return undefined
  return contentHash(JSON.stringify(effects), fingerprintLength)
}

/**
 * The fingerprint of everything the glossary does in `locale`: which terms it matches (term,
 * variants, case rule) and what each does there. Stored with each lock entry: while it is
 * unchanged no segment's fingerprint can have changed, so a note whose files are unchanged needs
 * no parse. Rendering edits for other locales leave it unchanged.
 */
export function glossaryFingerprint(glossary: Glossary, locale: string): string {
  let byLocale = wholeFingerprints.get(glossary)
  if (!byLocale) {
    byLocale = new Map()
    wholeFingerprints.set(glossary, byLocale)
  }
  let fingerprint = byLocale.get(locale)
  if (fingerprint === undefined) {
    const rows = glossary.entries
      .map((entry) => [entry.term, entry.variants ?? [], entry.caseSensitive ?? null, effect(entry, locale) ?? null])
      .sort((a, b) => compareCodeUnits(String(a[0]), String(b[0])))
    fingerprint = contentHash(JSON.stringify(rows), fingerprintLength)
    byLocale.set(locale, fingerprint)
  }
  return fingerprint
}

/** Glossaries are immutable once parsed: their whole fingerprints are computed once per locale. */
const wholeFingerprints = new WeakMap<Glossary, Map<string, string>>()
