/**
 * Verifying a translation against the glossary, at block level (docs/rules.md Q18, Q19).
 *
 * Both sides are projected to their visible prose first, so a term that moved across inline markup
 * (`**director** de tecnología`) still counts, and a term inside code or a URL never does.
 * Presence is checked, not counts: translations legitimately merge repetitions into a pronoun.
 *
 * - `G1`: a translate-as term occurs in the source, and neither its rendering nor an accepted
 *   variant is in the target.
 * - `G2`: a forbidden form of a term that occurs in the source is in the target (outside an
 *   accepted form: `directeur` inside `directeur technique` is fine).
 * - `G3`: a keep-term is not in the target byte-identical (or as its locale's rendering).
 */

import type {Finding} from '../types.js'
import {boundaryAfter, boundaryBefore, edges, isArabic, literalPattern, needsBoundary} from './boundary.js'
import {resolveRendering} from './locale.js'
import {findTerms} from './match.js'
import {visibleText} from './project.js'
import type {Glossary, GlossaryEntry} from './types.js'

/**
 * How a target form is looked for.
 *
 * - `present`: any case, starting at a word start, any ending — inflected forms (`CTOs`,
 *   `Technologiechefs`) and, in Arabic, attached clitics (`لمايكروسوفت`) are still the term.
 * - `exact`: byte-identical (spacing aside), for keep-terms.
 * - `word`: any case, whole words only, for forbidden forms (no false alarms inside longer words).
 */
type Search = 'present' | 'exact' | 'word'

const patterns = new Map<string, RegExp>()

function targetPattern(form: string, search: Search): RegExp {
  const key = `${search}\0${form}`
  const cached = patterns.get(key)
  if (cached) return cached
  const {first, last} = edges(form.trim())
  let source = literalPattern(form)
  if (search !== 'exact' && needsBoundary(first) && !(search === 'present' && isArabic(first))) {
    source = boundaryBefore + source
  }
  if (search === 'word' && needsBoundary(last)) source += boundaryAfter
  const pattern = new RegExp(source, search === 'exact' ? 'gu' : 'giu')
  patterns.set(key, pattern)
  return pattern
}

function rangesOf(text: string, forms: readonly string[], search: Search): Array<{start: number; end: number}> {
  const ranges: Array<{start: number; end: number}> = []
  for (const form of forms) {
    for (const match of text.matchAll(targetPattern(form, search))) {
      ranges.push({start: match.index, end: match.index + match[0].length})
    }
  }
  return ranges
}

/** Quoted, `or`-joined list of forms for messages. */
function either(forms: readonly string[]): string {
  return forms.map((form) => JSON.stringify(form)).join(' or ')
}

/** `"director de tecnología" (or an accepted variant) for "Chief Technology Officer"`. */
function expectedRendering(target: string, variants: readonly string[], source: string): string {
  const alternatives =
    variants.length === 0
      ? ''
      : variants.length === 1
        ? ` (or ${JSON.stringify(variants[0])})`
        : ' (or an accepted variant)'
  return `${JSON.stringify(target)}${alternatives} for ${JSON.stringify(source)}`
}

/** The distinct source forms of each entry that occurs, in order of first occurrence. */
function occurrences(glossary: Glossary, text: string): Map<GlossaryEntry, string[]> {
  const byEntry = new Map<GlossaryEntry, string[]>()
  for (const match of findTerms(glossary, text)) {
    const forms = byEntry.get(match.entry) ?? []
    const form = match.matched.replace(/\s+/gu, ' ')
    if (!forms.includes(form)) forms.push(form)
    byEntry.set(match.entry, forms)
  }
  return byEntry
}

/**
 * Check one translated segment against the glossary.
 *
 * @param sourceMarkdown
 *   The source segment's logical Markdown.
 * @param targetMarkdown
 *   The translation, restored to Markdown (keep-terms already rendered for `locale`).
 * @param options.strict
 *   Report violations as errors (`--strict-glossary`); warnings otherwise.
 * @returns
 *   Findings `G1`, `G2`, `G3`, without `segment` or `line` (the caller knows them).
 */
export function verifyTerms(
  glossary: Glossary,
  sourceMarkdown: string,
  targetMarkdown: string,
  locale: string,
  options: {strict?: boolean} = {}
): Finding[] {
  const severity = options.strict ? 'error' : 'warning'
  const findings: Finding[] = []
  const target = visibleText(targetMarkdown)

  for (const [entry, forms] of occurrences(glossary, visibleText(sourceMarkdown))) {
    const rendering = resolveRendering(entry, locale)
    if (!entry.keep && !rendering) continue
    const source = forms[0] ?? entry.term
    const accepted = rendering ? [rendering.target, ...rendering.variants] : forms
    const acceptedRanges = rangesOf(target, accepted, rendering ? 'present' : 'exact')

    const wanted = rendering ? expectedRendering(rendering.target, rendering.variants, source) : undefined
    if (acceptedRanges.length === 0) {
      const expected = wanted ?? `the keep term ${either(forms)} unchanged`
      findings.push({
        rule: entry.keep ? 'G3' : 'G1',
        severity,
        message: `expected ${expected} (${locale}, ${glossary.file} ${entry.pointer}), received a translation without it`
      })
    }

    for (const forbidden of rendering?.forbidden ?? []) {
      const used = rangesOf(target, [forbidden], 'word').find(
        (range) => !acceptedRanges.some((ok) => range.start < ok.end && ok.start < range.end)
      )
      if (!used) continue
      findings.push({
        rule: 'G2',
        severity,
        message: `expected ${wanted ?? either(accepted)} (${locale}, ${glossary.file} ${entry.pointer}), received the forbidden form ${JSON.stringify(target.slice(used.start, used.end).replace(/\s+/gu, ' '))}`
      })
    }
  }
  return findings
}
