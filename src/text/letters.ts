/**
 * Whether a segment has anything a provider could translate. A module of its own so that the
 * state layer can ask without loading the Markdown parser.
 */

const tokenPattern = /⟦\/?\d+⟧/g

/** Text with at least one letter outside its placeholders. */
export function hasLetters(text: string): boolean {
  return /\p{L}/u.test(text.replace(tokenPattern, ''))
}

/** A segment with nothing a provider could translate: no letter outside its placeholders. */
export function isUntranslatable(segment: {text: string}): boolean {
  return !hasLetters(segment.text)
}
