/**
 * A model's reply for one segment → the Markdown it stands for in the target: normalised, its
 * placeholders restored with the locale's renderings of keep-terms, made safe where it lands. The
 * one definition the journal, the commit step and the run's worker threads share.
 */
import type {Glossary} from '../glossary/types.js'
import type {Placement} from '../pipeline/protect.js'
import {restore} from '../pipeline/restore.js'
import {normaliseTranslation} from '../pipeline/validate.js'
import {tokensForLocale} from '../review/target-tokens.js'
import type {Segment} from '../types.js'

export function restoreTranslation(
  segment: Segment,
  translation: string,
  locale: string,
  glossary: Glossary | undefined,
  placement: Placement | undefined
): string {
  return restore(normaliseTranslation(segment, translation), tokensForLocale(segment, locale, glossary), placement)
}
