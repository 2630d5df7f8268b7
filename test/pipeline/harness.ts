/**
 * Shared helpers for the pipeline tests: run a note through analyse → translate → reassemble.
 */

import {type AnalysedNote, type AnalyseOptions, analyseNote} from '../../src/pipeline/analyse.js'
import {parseTree} from '../../src/pipeline/parse.js'
import {decodeNote} from '../../src/pipeline/read.js'
import {type ReassembleOptions, reassemble} from '../../src/pipeline/reassemble.js'
import {restore} from '../../src/pipeline/restore.js'
import {sameShape, shapeDifference, treeShape} from '../../src/pipeline/shape.js'
import {normaliseTranslation, validateTranslation} from '../../src/pipeline/validate.js'
import {pseudoTranslate} from '../../src/providers/pseudo.js'
import {type PlausibleLocale, plausibleTranslate} from '../support/plausible.js'

export type Translator = 'markdown' | 'restore' | 'pseudo'

/** Analyse a note given as text (UTF-8, BOM allowed). */
export function analyse(text: string, options?: AnalyseOptions, file = 'note.md'): AnalysedNote {
  return analyseNote(file, decodeNote(new TextEncoder().encode(text), file), options)
}

/** Translations for every segment of `note` made by `translator`. */
export function translate(note: AnalysedNote, translator: Translator): Map<string, string> {
  const translations = new Map<string, string>()
  for (const segment of note.segments) {
    const value =
      translator === 'markdown'
        ? segment.markdown
        : translator === 'restore'
          ? restore(segment.text, segment.tokens, note.layouts.get(segment.id)?.placement)
          : restore(pseudoTranslate(segment.text), segment.tokens, note.layouts.get(segment.id)?.placement)
    translations.set(segment.id, value)
  }
  return translations
}

/** Analyse, translate and reassemble `text`. */
export function roundTrip(
  text: string,
  translator: Translator,
  options?: ReassembleOptions & AnalyseOptions
): {note: AnalysedNote; text: string; rejected: Map<string, string>} {
  const note = analyse(text, options)
  const result = reassemble(note, translate(note, translator), options)
  return {note, ...result}
}

/** Why `output` does not have the shape of `input`, or undefined when it does. */
export function shapeProblem(input: string, output: string): string | undefined {
  const strip = (value: string): string => (value.startsWith('\uFEFF') ? value.slice(1) : value)
  const before = treeShape(parseTree(strip(input)))
  const after = treeShape(parseTree(strip(output)))
  return sameShape(before, after) ? undefined : shapeDifference(before, after)
}

/** Nest every line of `markdown` in a container. */
export function nest(markdown: string, first: string, rest: string): string {
  const lines = markdown.split('\n')
  const last = lines.pop()
  const nested = lines.map((line, index) => (index === 0 ? first : rest) + line)
  return `${nested.join('\n')}\n${last ?? ''}`
}

/** The three round-trip properties of one input, from a single analysis: problems, or undefined. */
export function properties(input: string): Record<Translator, string | undefined> {
  const note = analyse(input)
  const identity = (translator: Translator): string | undefined => {
    const {text, rejected} = reassemble(note, translate(note, translator))
    if (rejected.size > 0) return `rejected: ${[...rejected.values()].join('; ')}`
    return text === input ? undefined : `not byte-identical: ${JSON.stringify(text).slice(0, 200)}`
  }
  const pseudo = reassemble(note, translate(note, 'pseudo'))
  return {
    markdown: identity('markdown'),
    restore: identity('restore'),
    pseudo:
      pseudo.rejected.size > 0
        ? `rejected: ${[...pseudo.rejected.values()].join('; ')}`
        : shapeProblem(input, pseudo.text)
  }
}

/** Run `properties` over named inputs: `passed/total` per translator, and the failures. */
export function tally(inputs: ReadonlyArray<{name: string; text: string}>): {
  counts: Record<Translator, string>
  failures: string[]
} {
  const failed: Record<Translator, number> = {markdown: 0, restore: 0, pseudo: 0}
  const failures: string[] = []
  for (const input of inputs) {
    let result: Record<Translator, string | undefined>
    try {
      result = properties(input.text)
    } catch (error) {
      const message = `threw ${String(error)}`
      result = {markdown: message, restore: message, pseudo: message}
    }
    for (const translator of ['markdown', 'restore', 'pseudo'] as const) {
      const problem = result[translator]
      if (problem === undefined) continue
      failed[translator]++
      failures.push(`${input.name} (${translator}): ${problem}`)
    }
  }
  const total = inputs.length
  const count = (translator: Translator): string => `${total - failed[translator]}/${total}`
  return {counts: {markdown: count('markdown'), restore: count('restore'), pseudo: count('pseudo')}, failures}
}

/** How a plausible translator's answers fared: segments accepted on the first or second attempt. */
export interface Acceptance {
  segments: number
  first: number
  second: number
  /** `name: segment text → reason` for segments not accepted after two attempts. */
  failures: string[]
  /** Inputs whose written text does not have the source's shape (must stay empty). */
  shapeFailures: string[]
}

/**
 * Translate every segment of every input with {@link plausibleTranslate} as the pipeline would:
 * normalise, validate (errors reject the answer), restore, splice (the safety net rejects what
 * changes the structure); a rejected answer gets a second attempt. The written text must have
 * the source's shape.
 */
export function acceptance(
  inputs: ReadonlyArray<{name: string; text: string}>,
  locale: PlausibleLocale,
  seed: number
): Acceptance {
  const result: Acceptance = {segments: 0, first: 0, second: 0, failures: [], shapeFailures: []}
  const context = {sourceLocale: 'en', targetLocale: locale}
  for (const input of inputs) {
    let note: AnalysedNote
    try {
      note = analyse(input.text)
    } catch {
      continue
    }
    const attempts = new Map<string, number>()
    const translations = new Map<string, string>()
    const reasons = new Map<string, string>()
    const answer = (segment: AnalysedNote['segments'][number], attempt: number): boolean => {
      const translation = normaliseTranslation(segment, plausibleTranslate(segment.text, {locale, seed, attempt}))
      const errors = validateTranslation(segment, translation, context).filter(
        (finding) => finding.severity === 'error'
      )
      if (errors.length > 0) {
        reasons.set(
          segment.id,
          `${JSON.stringify(translation)}: ${errors.map((finding) => `${finding.rule} ${finding.message}`).join('; ')}`
        )
        return false
      }
      translations.set(segment.id, restore(translation, segment.tokens, note.layouts.get(segment.id)?.placement))
      attempts.set(segment.id, attempt)
      return true
    }
    for (const segment of note.segments) {
      result.segments++
      if (!answer(segment, 1)) answer(segment, 2)
    }
    let spliced = reassemble(note, translations)
    const retried = [...spliced.rejected.keys()].filter((id) => attempts.get(id) === 1)
    for (const id of spliced.rejected.keys()) {
      reasons.set(id, `${JSON.stringify(translations.get(id))}: ${spliced.rejected.get(id)}`)
      translations.delete(id)
      attempts.delete(id)
    }
    if (retried.length > 0) {
      for (const id of retried) answer(note.segments.find((segment) => segment.id === id)!, 2)
      spliced = reassemble(note, translations)
      for (const id of spliced.rejected.keys()) {
        reasons.set(id, `${JSON.stringify(translations.get(id))}: ${spliced.rejected.get(id)}`)
        translations.delete(id)
        attempts.delete(id)
      }
    }
    for (const segment of note.segments) {
      const attempt = attempts.get(segment.id)
      if (attempt === 1) result.first++
      else if (attempt === 2) result.second++
      else
        result.failures.push(
          `${input.name}: ${JSON.stringify(segment.text)} → ${reasons.get(segment.id) ?? 'no answer'}`
        )
    }
    const problem = shapeProblem(input.text, spliced.text)
    if (problem !== undefined) result.shapeFailures.push(`${input.name}: ${problem}`)
  }
  return result
}
