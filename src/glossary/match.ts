/**
 * Finding glossary terms in plain text.
 *
 * All forms of all entries are compiled into (at most) two regular expressions — one
 * case-sensitive, one not, because JavaScript on Node 20 has no per-alternative case flag. Each is
 * a lookahead over an alternation sorted longest first, so it reports, at every position, the
 * longest form that starts there *and* satisfies its own boundaries. Overlaps are then resolved
 * longest first across positions.
 */

import {boundaryAfter, boundaryBefore, edges, literalPattern, needsBoundary} from './boundary.js'
import {opaqueRanges} from './opaque.js'
import type {Glossary, GlossaryEntry, TermMatch} from './types.js'

/** One compiled alternation: capture group `i + 1` is `forms[i]`. */
interface Alternation {
  readonly pattern: RegExp
  readonly forms: ReadonlyArray<GlossaryEntry>
}

/** The compiled source matcher of a glossary. */
export interface Matcher {
  readonly alternations: ReadonlyArray<Alternation>
}

/**
 * Regex source for one source form: the literal text, with a boundary on each side whose
 * outermost character belongs to a script that separates words with spaces.
 *
 * @param form
 *   Term or variant as written in the glossary.
 */
export function formPattern(form: string): string {
  const {first, last} = edges(form.trim())
  return (
    (needsBoundary(first) ? boundaryBefore : '') + literalPattern(form) + (needsBoundary(last) ? boundaryAfter : '')
  )
}

/**
 * Compile the source matcher for `entries`.
 *
 * @param entries
 *   Validated entries (forms are non-empty and unique).
 */
export function compileMatcher(entries: ReadonlyArray<GlossaryEntry>): Matcher {
  const bySensitivity = new Map<boolean, Array<{form: string; entry: GlossaryEntry}>>()
  for (const entry of entries) {
    const forms = bySensitivity.get(entry.caseSensitive) ?? []
    for (const form of [entry.term, ...entry.variants]) forms.push({form, entry})
    bySensitivity.set(entry.caseSensitive, forms)
  }

  const alternations: Alternation[] = []
  for (const [caseSensitive, forms] of bySensitivity) {
    // Longest first, so the alternation prefers `Alibaba Cloud Intelligence` over `Alibaba Cloud`.
    forms.sort((a, b) => b.form.length - a.form.length)
    const source = forms.map(({form}) => `(${formPattern(form)})`).join('|')
    alternations.push({
      pattern: new RegExp(`(?=${source})`, caseSensitive ? 'gu' : 'giu'),
      forms: forms.map(({entry}) => entry)
    })
  }
  return {alternations}
}

/**
 * Find glossary terms in plain text: longest match first, no overlaps, never inside a placeholder
 * token (`⟦3⟧`), a bare URL or an e-mail address.
 *
 * @param glossary
 *   Parsed glossary.
 * @param text
 *   Plain text (a text run, or Markdown projected with `visibleText`).
 * @returns
 *   Matches in document order.
 */
export function findTerms(glossary: Glossary, text: string): TermMatch[] {
  const candidates: TermMatch[] = []
  for (const {pattern, forms} of glossary.matcher.alternations) {
    for (const match of text.matchAll(pattern)) {
      const group = match.findIndex((value, index) => index > 0 && value !== undefined)
      const matched = match[group]
      const entry = forms[group - 1]
      if (group < 1 || matched === undefined || matched.length === 0 || entry === undefined) continue
      candidates.push({start: match.index, end: match.index + matched.length, entry, matched})
    }
  }
  if (candidates.length === 0) return []

  const taken = new Uint8Array(text.length)
  for (const range of opaqueRanges(text)) taken.fill(1, range.start, range.end)

  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
  const chosen: TermMatch[] = []
  for (const candidate of candidates) {
    if (taken.subarray(candidate.start, candidate.end).includes(1)) continue
    taken.fill(1, candidate.start, candidate.end)
    chosen.push(candidate)
  }
  return chosen.sort((a, b) => a.start - b.start)
}

/**
 * Whether `text` (prose, placeholders removed) is nothing but glossary terms and punctuation: a
 * translation identical to it is then expected wherever the terms render as themselves, so the
 * "unchanged translation" rule (docs/rules.md Q12) does not apply.
 */
export function onlyTerms(glossary: Glossary, text: string): boolean {
  let rest = ''
  let cursor = 0
  for (const match of findTerms(glossary, text)) {
    rest += text.slice(cursor, match.start)
    cursor = match.end
  }
  rest += text.slice(cursor)
  return !/\p{L}/u.test(rest)
}
