/**
 * The offline glossary scan behind `notes-l10n glossary check`: existing translations, segment by
 * segment, against the current glossary.
 */

import type {Finding} from '../types.js'
import type {Glossary} from './types.js'
import {verifyTerms} from './verify.js'

/** A glossary finding in an existing translation: where to look, as `file:line`. */
export interface GlossaryFinding extends Finding {
  /** The translated file. */
  file: string
  locale: string
  /** 1-based line of the segment in the translated file. */
  line: number
  /** Source segment id. */
  segment: string
}

/** One aligned source/target segment pair of an existing translation. */
export interface TranslatedPair {
  file: string
  locale: string
  source: {markdown: string; line: number; id: string}
  target: {markdown: string; line: number}
}

/**
 * Verify every pair.
 *
 * @param options.strict
 *   Report violations as errors instead of warnings.
 * @returns
 *   Findings in input order, each with the target `file`, `line` and source `segment` id.
 */
export function glossaryCheck(
  glossary: Glossary,
  pairs: Iterable<TranslatedPair>,
  options: {strict?: boolean} = {}
): GlossaryFinding[] {
  const findings: GlossaryFinding[] = []
  for (const pair of pairs) {
    for (const finding of verifyTerms(glossary, pair.source.markdown, pair.target.markdown, pair.locale, options)) {
      findings.push({...finding, file: pair.file, locale: pair.locale, line: pair.target.line, segment: pair.source.id})
    }
  }
  return findings
}
