/**
 * Paragraphs that are obviously code written as prose — what is left of a broken fence
 * (`foo.bar(x); // comment`). Translating them corrupts the code and pays for nothing, so
 * `sync` copies them as they are and reports them (docs/rules.md, Q29).
 *
 * Deliberately conservative: a false positive leaves real prose untranslated, a false negative
 * only costs what it cost before. Every line must read as a statement (ends with `;`, `{` or
 * `}`, holds a call, member access or assignment, and has no run of three words) or be a comment
 * beside such lines; prose that merely mentions code (`Call foo.bar(x); then go on.`) has a run
 * of words or ends like a sentence, and is translated as usual.
 */

import type {Segment} from '../types.js'

const tokenPattern = /⟦\/?\d+⟧/g
/** Keywords that read as words but start statements; removed before looking for a run of words. */
const keywords =
  /\b(?:const|let|var|return|new|await|async|function|def|import|from|export|default|class|public|private|protected|static|void|final|if|else|for|while|elif|try|catch|throw|int|long|char|bool|boolean|string|struct|fn|pub|mut|use|func|typeof|instanceof|in|of|yield|self|this|null|true|false|None|True|False)\b/g
const comment = /(?:^|\s)(?:\/\/|#(?!include)|--)\s.*$/
const construct =
  /[\p{L}\p{N}_$\]][(]|[\p{L}_$][\p{L}\p{N}_$]*\.[\p{L}_$]|\s=\s|=>|::|->|\+\+|\+=|==|!=|^[}\])]|\b(?:if|for|while|switch|catch|function)\s*\(/u
const proseRun = /\p{L}{2,}[ ,]+\p{L}{2,}[ ,]+\p{L}{2,}/u

type Line = 'code' | 'comment' | 'other'

function classify(line: string): Line | 'blank' {
  const trimmed = line.trim()
  if (trimmed === '') return 'blank'
  if (/^(?:\/\/|#\s|--\s|\/\*|\*)/.test(trimmed)) return 'comment'
  const code = trimmed.replace(comment, '').trimEnd()
  if (code === '' || !/[;{}]$/.test(code)) return 'other'
  if (!construct.test(code)) return 'other'
  if (proseRun.test(code.replace(keywords, ' '))) return 'other'
  return 'code'
}

/** Whether a paragraph segment is code written as prose (see the module comment). */
export function looksLikeCode(segment: Pick<Segment, 'kind' | 'text'>): boolean {
  if (segment.kind !== 'paragraph') return false
  const lines = segment.text
    .replace(tokenPattern, '')
    .split('\n')
    .map(classify)
    .filter((line) => line !== 'blank')
  return lines.includes('code') && lines.every((line) => line === 'code' || line === 'comment')
}
