/**
 * L5, L6: an answer that is more than the translation — a chatty preface, a trailing note, the
 * source repeated — or the whole translation wrapped in a code fence.
 *
 * Structured outputs make both rare; these rules make the rare case fail closed. Each pattern is
 * only an error when the source does not match it too (a note may well begin with "Sure,").
 */

import {error, quote, type Rule, type RuleFinding} from './rule.js'
import {language} from './script.js'

/** Prefaces and sign-offs of chat models, in the languages we translate into most. */
const COMMENTARY: readonly RegExp[] = [
  /^\s*(?:sure|certainly|of course|absolutely|okay|ok)\s*[,!.:]/iu,
  /^\s*here(?:'s|’s| is| are)\b[^\n]*?\btranslat/iu,
  /^\s*(?:the\s+)?(?:translation|translated text|traducción|traduction|übersetzung|tradução|traduzione|译文|翻译|翻訳|번역)\s*(?:\([^)\n]*\))?\s*[:：]/iu,
  /^\s*(?:aquí (?:está|tienes)|voici|hier ist|ecco)\b[^\n]*?\b(?:traduc|übersetz|tradu)/iu,
  /^\s*(?:以下是|下面是|这是|這是|以下は)[^\n]{0,30}?(?:翻译|翻譯|译文|譯文|翻訳)/u,
  /[(（]\s*(?:note|nota|remarque|anmerkung|hinweis|注|注意|备注|備註|translator[’']?s note|n\. ?d\. ?t\.?|t\/n)\s*[:：][^()（）]*[)）]\s*$/iu,
  /(?:^|(?<=\S))[^\S\n]*\n\s*(?:note|nota|remarque|anmerkung|hinweis|注|注意|备注)\s*[:：]/iu,
  /\b(?:I hope this helps|let me know if)\b/iu
]

/** L5: commentary around the translation, or the source repeated next to it. */
export const commentary: Rule = ({source, target, context}) => {
  const findings: RuleFinding[] = []
  const added = COMMENTARY.filter((pattern) => pattern.test(target.plain) && !pattern.test(source.plain))
  if (added.length > 0) {
    findings.push(
      error(
        'L5',
        `commentary around the translation (${quote(target.plain.trim(), 50)}): expected the translated text only`
      )
    )
  }
  const echoed = source.plain.replace(/\s+/g, ' ').trim()
  const answer = target.plain.replace(/\s+/g, ' ').trim()
  if (
    language(context.sourceLocale) !== language(context.targetLocale) &&
    echoed.length >= 25 &&
    echoed.split(' ').length >= 5 &&
    answer.length > echoed.length + 10 &&
    answer.includes(echoed)
  ) {
    findings.push(
      error('L5', 'the source text is repeated in the answer next to its translation: expected the translation only')
    )
  }
  return findings
}

/**
 * An answer that is one fenced block and nothing else: its fence, info word and body. Scanned by
 * hand, not with one regex: a backreference to the opening fence and a lazy body retried at every
 * position are quadratic on a reply of a million backticks.
 */
export function wholeFence(text: string): {fence: string; info: string; body: string} | undefined {
  const start = text.length - text.trimStart().length
  const marker = text.charAt(start)
  if (marker !== '`' && marker !== '~') return undefined
  let after = start
  while (text.charAt(after) === marker) after++
  if (after - start < 3) return undefined
  const fence = text.slice(start, after)
  const lineEnd = text.indexOf('\n', after)
  if (lineEnd === -1) return undefined
  const info = /^[ \t]*([^\s`]*)/.exec(text.slice(after, lineEnd))?.[1] ?? ''
  const end = text.trimEnd().length
  const closeStart = end - fence.length
  if (closeStart <= lineEnd || text.slice(closeStart, end) !== fence) return undefined
  let bodyEnd = closeStart
  while (bodyEnd > lineEnd + 1 && (text.charAt(bodyEnd - 1) === ' ' || text.charAt(bodyEnd - 1) === '\t')) bodyEnd--
  if (bodyEnd > lineEnd + 1 && text.charAt(bodyEnd - 1) === '\n') bodyEnd--
  return {fence, info, body: text.slice(lineEnd + 1, bodyEnd)}
}

/** L6: the whole answer wrapped in a fence (`normaliseTranslation` unwraps the safe case). */
export const fencedAnswer: Rule = ({target}) =>
  wholeFence(target.text) !== undefined
    ? [error('L6', 'the whole answer is wrapped in a code fence: expected the translated text without ``` around it')]
    : []
