/**
 * Offline pseudo-localisation: how a new user sees the whole pipeline work without a key.
 *
 * Latin letters outside placeholders become accented look-alikes (so untranslated text stands
 * out); every script gets the length marker, so text in any script comes back changed; glossary terms are rendered as their targets (so glossary renderings show offline), and
 * a length-expansion marker is appended. The marker is a space and middle dots: not Markdown
 * syntax anywhere, so the output is always safe to splice. Deterministic: the same input gives
 * the same output, so re-runs are byte-identical.
 */

import type {Finding, Provider, RequiredTerm, TranslateJob, TranslateOutcome} from '../types.js'
import {describeFindings} from './errors.js'
import {emptyUsage} from './prices.js'

const plain = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const accented = 'àƀçđéƒĝĥíĵķĺɱñóƥʠŕšţúṽŵẋýžÀƁÇĐÉƑĜĤÍĴĶĹṀÑÓƤǪŔŠŢÚṼŴẊÝŽ'
const lookAlike = new Map([...plain].map((letter, index) => [letter, [...accented][index]!]))

const tokenPattern = /⟦\/?\d+⟧/g
const LETTER = /\p{L}/u

/** Roughly how much longer real translations run: the marker adds one dot per 3 letters. */
const expansion = 3

/**
 * Pseudo-translate protected text: every `⟦n⟧` / `⟦/n⟧` is kept exactly; each occurrence of a
 * term's `source` becomes its `target` (longest terms first).
 */
export function pseudoTranslate(text: string, terms?: readonly RequiredTerm[]): string {
  const sorted = [...(terms ?? [])]
    .filter((term) => term.source !== '')
    .sort((a, b) => b.source.length - a.source.length)
  let letters = 0
  let result = ''
  let cursor = 0
  const prose = (value: string): string => {
    let out = ''
    for (const piece of splitByTerms(value, sorted)) {
      if (piece.term) {
        out += piece.term.target
        continue
      }
      for (const character of piece.text) {
        const mapped = lookAlike.get(character)
        // Other scripts (CJK, Cyrillic, Greek…) have no look-alikes here: they count for the
        // marker, which then tells them apart from the source (no Q12 on a first run).
        if (mapped || LETTER.test(character)) letters++
        out += mapped ?? character
      }
    }
    return out
  }
  for (const match of text.matchAll(tokenPattern)) {
    result += prose(text.slice(cursor, match.index)) + match[0]
    cursor = match.index + match[0].length
  }
  result += prose(text.slice(cursor))
  if (letters === 0) return result
  // The marker goes before trailing punctuation and placeholders, so the end of the segment (its
  // stop, its closing link) stays where the source has it and no QA rule flags the marker itself.
  const cut = tailStart(result)
  return `${result.slice(0, cut)} ${'·'.repeat(Math.ceil(letters / expansion))}${result.slice(cut)}`
}

/** Where the trailing run of whitespace, punctuation and placeholders starts (scanned from the end: linear). */
function tailStart(text: string): number {
  let index = text.length
  while (index > 0) {
    const character = text.charAt(index - 1)
    if (character === '⟧') {
      const open = text.lastIndexOf('⟦', index - 1)
      if (open === -1 || !/^⟦\/?\d+⟧$/.test(text.slice(open, index))) break
      index = open
    } else if (/[\s\p{P}]/u.test(character)) {
      index--
    } else {
      break
    }
  }
  return index
}

function splitByTerms(value: string, terms: readonly RequiredTerm[]): Array<{text: string; term?: RequiredTerm}> {
  const pieces: Array<{text: string; term?: RequiredTerm}> = []
  let cursor = 0
  let buffer = ''
  while (cursor < value.length) {
    const term = terms.find((candidate) => value.startsWith(candidate.source, cursor))
    if (term) {
      if (buffer) pieces.push({text: buffer})
      buffer = ''
      pieces.push({text: term.source, term})
      cursor += term.source.length
      continue
    }
    buffer += value.charAt(cursor)
    cursor++
  }
  if (buffer) pieces.push({text: buffer})
  return pieces
}

/** The offline provider: name and model `pseudo`, no network, no usage. */
export function createPseudoProvider(): Provider {
  return {
    name: 'pseudo',
    model: 'pseudo',
    async translate(job: TranslateJob, options?: {signal?: AbortSignal}): Promise<TranslateOutcome> {
      const translations = new Map<string, string>()
      const failures = new Map<string, string>()
      const findings: Finding[] = []
      for (const segment of job.segments) {
        options?.signal?.throwIfAborted()
        const translation = pseudoTranslate(segment.text, job.terms?.get(segment.id))
        const problems = job.check(segment.id, translation)
        const errors = describeFindings(problems)
        if (errors.length > 0) {
          failures.set(segment.id, errors.join('; '))
          continue
        }
        translations.set(segment.id, translation)
        findings.push(...problems)
      }
      if (translations.size > 0) await job.onAccepted?.(translations)
      return {translations, failures, findings, usage: emptyUsage()}
    }
  }
}
