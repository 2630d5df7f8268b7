/**
 * Q21: characters that mean the text was damaged on the way (replacement characters, control
 * characters, UTF-8 read as Latin-1/CP1252). Characters that hide in text (zero-width, bidi
 * controls, TAG characters) are Q27, in `smuggling.ts`.
 */

import {error, introduced, quote, type Rule, type RuleFinding} from './rule.js'

/** C0 and C1 controls except tab and line feed (segments use `\n` line endings). */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/gu
const REPLACEMENT = /\uFFFD/gu
/**
 * The common shapes of UTF-8 decoded as Latin-1 or Windows-1252: `Ã©` (é), `Â ` (NBSP),
 * `â€™` (’), `ï»¿` (BOM). Legitimate text (`SÃO`, `PÂTE`) puts a letter, not a C1 or Latin-1
 * symbol, after `Ã`/`Â`.
 */
const MOJIBAKE = /[ÃÂ][\u0080-\u00BF]|Ã[\u0152-\u0192\u02C6\u02DC\u2013-\u2122]|â€|ï»¿/gu

function codePoints(characters: readonly string[]): string {
  return [...new Set(characters)]
    .map((character) => `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`)
    .join(', ')
}

export const corruptedCharacters: Rule = ({source, target}) => {
  const findings: RuleFinding[] = []
  const replacement = introduced(source.text, target.text, REPLACEMENT)
  if (replacement.length > 0) {
    findings.push(
      error(
        'Q21',
        `${replacement.length} replacement character(s) U+FFFD: the text was decoded wrongly somewhere; expected none`
      )
    )
  }
  const control = introduced(source.text, target.text, CONTROL)
  if (control.length > 0) {
    findings.push(error('Q21', `control character(s) ${codePoints(control)} in the text: expected none`))
  }
  const mojibake = introduced(source.text, target.text, MOJIBAKE)
  if (mojibake.length > 0) {
    findings.push(
      error(
        'Q21',
        `mojibake ${mojibake.map((text) => quote(text, 10)).join(', ')}: UTF-8 read as Latin-1; expected the characters themselves`
      )
    )
  }
  return findings
}
