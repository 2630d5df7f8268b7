/**
 * Q26, Q27: text a model adds that a site generator would execute or a reader would not see
 * (docs/rules.md Q26–Q28, docs/providers.md).
 *
 * - Q26: template syntax (`{{`, `{%`, `{#`, Hugo's `{{<` and `{{%`) that the source segment does
 *   not have. Jekyll (Liquid), Hugo, Eleventy (Nunjucks) and Jinja sites run it when they build
 *   the page, so an injected `{% include … %}` or `{{ site.github.token }}` is code, not prose.
 * - Q27: invisible format characters (Unicode category Cf: zero-width space and joiners, soft
 *   hyphen, invisible operators, bidi marks, overrides and isolates, the BOM) and the Unicode TAG
 *   block (U+E0000–U+E007F, a known channel for smuggling instructions past a reader) that the
 *   source does not have. Two legitimate uses are kept: U+200C/U+200D between letters of a script
 *   that shapes with them (Devanagari, Arabic, Persian…) or between emoji, and the bidi *marks*
 *   U+200E, U+200F, U+061C in a right-to-left target.
 *
 * - Q28: the API key, in any form the redactor recognises (verbatim, encoded, truncated), or an
 *   `sk-…`-shaped token the source does not have. A reply that quotes the key is never written
 *   anywhere, and its reason never quotes it.
 *
 * Q26 and Q27 compare multisets (each opener or character counted), so a segment that already has one
 * `{{` may keep it but not gain a second. Every pattern here is a single character class or a
 * fixed string: one pass, linear in the text.
 */

import {error, introduced, type Rule, type RuleFinding} from './rule.js'
import {isRightToLeft} from './script.js'

/** Template openers, longest first so `{{<` is counted as itself and not also as `{{`. */
const TEMPLATE_OPENER = /\{\{[<%]|\{[{%#]/g

/** Category Cf and the whole TAG block (its unassigned code points included). */
const INVISIBLE = /[\p{Cf}\u{E0000}-\u{E007F}]/gu

/** Joiners that shape letters of non-Latin scripts or build emoji sequences. */
const JOINER = /[\u200C\u200D]/u
const SHAPED_LETTER = /[\p{L}\p{M}]/u
const LATIN_OR_ASCII = /[\p{Script=Latin}\p{ASCII}]/u
const PICTOGRAPH = /\p{Extended_Pictographic}|\uFE0F|[\u{1F3FB}-\u{1F3FF}]/u
/** Bidi marks (not overrides or isolates) that right-to-left text uses around numbers and Latin. */
const RTL_MARK = /[\u200E\u200F\u061C]/u

export const introducedTemplate: Rule = ({source, target}) => {
  const added = introduced(source.text, target.text, TEMPLATE_OPENER)
  if (added.length === 0) return []
  const kinds = [...new Set(added)].map((opener) => JSON.stringify(opener)).join(', ')
  return [
    error(
      'Q26',
      `template syntax ${kinds} added to the text (${added.length} in all): a site generator would run it. Expected none beyond the source's`
    )
  ]
}

export const invisibleCharacters: Rule = ({source, target, context}) => {
  const findings: RuleFinding[] = []
  const rightToLeft = isRightToLeft(context.targetLocale)
  const added = introduced(source.text, visibleOnly(target.text, rightToLeft), INVISIBLE)
  if (added.length > 0) {
    const codes = [...new Set(added)]
      .slice(0, 8)
      .map((character) => `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`)
      .join(', ')
    findings.push(
      error(
        'Q27',
        `${added.length} invisible or bidi control character(s) (${codes}) not in the source: expected visible text only`
      )
    )
  }
  return findings
}

/**
 * `text` without the invisible characters that are legitimate where they stand: joiners between
 * shaped letters or emoji, and bidi marks in a right-to-left target. One pass over the text.
 */
function visibleOnly(text: string, rightToLeft: boolean): string {
  if (!JOINER.test(text) && !(rightToLeft && RTL_MARK.test(text))) return text
  const characters = [...text]
  let result = ''
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index]!
    if (rightToLeft && RTL_MARK.test(character)) continue
    if (JOINER.test(character)) {
      const before = characters[index - 1] ?? ''
      const after = characters[index + 1] ?? ''
      const shaped = (letter: string) => SHAPED_LETTER.test(letter) && !LATIN_OR_ASCII.test(letter)
      if ((shaped(before) && shaped(after)) || (PICTOGRAPH.test(before) && PICTOGRAPH.test(after))) continue
    }
    result += character
  }
  return result
}

export const secretInText: Rule = ({source, target, context}) => {
  if (!context.containsSecret?.(target.text, source.text)) return []
  return [
    error(
      'Q28',
      'the text holds the API key, a fragment or an encoding of it, or a key-shaped token (sk-…) not in the source: never written'
    )
  ]
}
