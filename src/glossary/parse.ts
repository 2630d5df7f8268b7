/**
 * `glossary.json` (already parsed JSON) → a validated, normalised, compiled `Glossary`.
 *
 * Structure is checked by the JSON Schema (the same one editors use); what a schema cannot say is
 * checked here: canonical BCP-47 keys, a source form claimed by two entries, an entry that neither
 * keeps nor translates, surrounding spaces, a forbidden form that is also accepted. Every problem is
 * collected first and reported in one `UserError`, one line each.
 */

import type {ValidateFunction} from 'ajv'
import {UserError} from '../types.js'
import {isRecord} from '../values.js'
import {anyLocale, canonicalLocale} from './locale.js'
import {compileMatcher} from './match.js'
import {compareProblems, describeValue, formatProblem, type Problem, problemsFromAjv} from './problems.js'
import {glossarySchema} from './schema.js'
import {validate as generatedValidator} from './schema-validator.generated.js'
import type {Glossary, GlossaryEntry, Rendering} from './types.js'

/** The file as the schema describes it (after validation). */
interface GlossaryFile {
  version: 1
  sourceLocale?: string
  entries: EntryFile[]
}

interface EntryFile {
  term: string
  variants?: string[]
  caseSensitive?: boolean
  note?: string
  keep?: boolean
  translations?: Record<string, string | RenderingFile>
}

interface RenderingFile {
  target: string
  variants?: string[]
  forbidden?: string[]
}

/** `glossarySchema` compiled ahead of time (scripts/generate-validators.mjs): no ajv at run time. */
const validator = generatedValidator as unknown as ValidateFunction<GlossaryFile>

function validate(json: unknown): {valid: true; file: GlossaryFile} | {valid: false; problems: Problem[]} {
  if (validator(json)) return {valid: true, file: json}
  return {valid: false, problems: problemsFromAjv(validator.errors ?? [], glossarySchema)}
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

/** Default case rule: acronyms (no lowercase letter, some uppercase) match exactly. */
export function defaultCaseSensitive(term: string): boolean {
  return !/\p{Ll}/u.test(term) && /\p{Lu}/u.test(term)
}

/** Text compared for duplicates: spacing is not significant when matching, so not here either. */
function spacingKey(text: string): string {
  return text.trim().replace(/\s+/gu, ' ')
}

function checkSpacing(text: unknown, pointer: string, problems: Problem[]): void {
  if (typeof text !== 'string' || text === '' || text.trim() === text) return
  problems.push({
    pointer,
    expected: 'text without leading or trailing spaces',
    received: describeValue(text),
    fix: `write ${JSON.stringify(text.trim())}`
  })
}

function checkLocale(key: string, pointer: string, problems: Problem[]): void {
  if (key === anyLocale || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(key)) return // the schema reports those
  const canonical = canonicalLocale(key)
  if (canonical === key) return
  problems.push({
    pointer,
    expected: canonical ? `the canonical BCP-47 tag "${canonical}"` : 'a valid BCP-47 locale such as "es" or "zh-Hant"',
    received: `the key ${JSON.stringify(key)}`,
    fix: canonical ? `write "${canonical}"` : 'use a language tag from the BCP-47 registry'
  })
}

function checkRendering(value: unknown, pointer: string, problems: Problem[]): void {
  if (typeof value === 'string') {
    checkSpacing(value, pointer, problems)
    return
  }
  if (!isRecord(value)) return
  checkSpacing(value.target, `${pointer}/target`, problems)
  const accepted = [value.target, ...strings(value.variants)].filter((item) => typeof item === 'string')
  strings(value.variants).forEach((variant, index) => {
    checkSpacing(variant, `${pointer}/variants/${index}`, problems)
  })
  strings(value.forbidden).forEach((forbidden, index) => {
    checkSpacing(forbidden, `${pointer}/forbidden/${index}`, problems)
    const clash = accepted.find((form) => spacingKey(form).toLowerCase() === spacingKey(forbidden).toLowerCase())
    if (clash === undefined) return
    problems.push({
      pointer: `${pointer}/forbidden/${index}`,
      expected: 'a form that is not also the target or an accepted variant',
      received: JSON.stringify(forbidden),
      fix: 'remove it from "forbidden" or from the accepted forms'
    })
  })
}

/** The semantic checks, on whatever parts of the input have the right shape. */
function semanticProblems(json: unknown): Problem[] {
  const problems: Problem[] = []
  if (!isRecord(json)) return problems
  if (typeof json.sourceLocale === 'string') checkLocale(json.sourceLocale, '/sourceLocale', problems)
  if (!Array.isArray(json.entries)) return problems

  /** Source forms seen so far, by lowercased key: who claimed them and how they match case. */
  const claimed = new Map<string, Array<{form: string; pointer: string; caseSensitive: boolean}>>()

  json.entries.forEach((entry: unknown, index) => {
    const pointer = `/entries/${index}`
    if (!isRecord(entry) || typeof entry.term !== 'string' || entry.term === '') return
    const caseSensitive =
      typeof entry.caseSensitive === 'boolean' ? entry.caseSensitive : defaultCaseSensitive(entry.term)

    const forms = [
      {form: entry.term, pointer: `${pointer}/term`},
      ...strings(entry.variants).map((form, variant) => ({form, pointer: `${pointer}/variants/${variant}`}))
    ]
    for (const {form, pointer: formPointer} of forms) {
      if (form === '') continue
      checkSpacing(form, formPointer, problems)
      const key = spacingKey(form).toLowerCase()
      const previous = (claimed.get(key) ?? []).find(
        (other) => !caseSensitive || !other.caseSensitive || spacingKey(other.form) === spacingKey(form)
      )
      if (previous) {
        problems.push({
          pointer: formPointer,
          expected: 'a source form that no other entry or variant matches',
          received: `${JSON.stringify(form)}, already matched by ${previous.pointer}`,
          fix: 'merge the two entries, or remove one of the forms'
        })
      }
      claimed.set(key, [...(claimed.get(key) ?? []), {form, pointer: formPointer, caseSensitive}])
    }

    const translations = isRecord(entry.translations) ? entry.translations : undefined
    if (entry.keep !== true && (!translations || Object.keys(translations).length === 0)) {
      problems.push({
        pointer,
        expected: '"keep": true or at least one rendering in "translations"',
        received: translations ? 'an empty "translations"' : 'neither',
        fix: 'add "keep": true to leave the term untranslated, or "translations": {"es": "…"}'
      })
    }
    if (typeof entry.note === 'string') checkSpacing(entry.note, `${pointer}/note`, problems)
    for (const [key, rendering] of Object.entries(translations ?? {})) {
      const renderingPointer = `${pointer}/translations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
      checkLocale(key, renderingPointer, problems)
      checkRendering(rendering, renderingPointer, problems)
    }
  })
  return problems
}

function normaliseRendering(value: string | RenderingFile): Rendering {
  if (typeof value === 'string') return {target: value, variants: [], forbidden: []}
  return {target: value.target, variants: value.variants ?? [], forbidden: value.forbidden ?? []}
}

function normaliseEntry(entry: EntryFile, index: number): GlossaryEntry {
  const normalised: GlossaryEntry = {
    term: entry.term,
    variants: entry.variants ?? [],
    caseSensitive: entry.caseSensitive ?? defaultCaseSensitive(entry.term),
    keep: entry.keep === true,
    translations: new Map(
      Object.entries(entry.translations ?? {}).map(([locale, rendering]) => [locale, normaliseRendering(rendering)])
    ),
    pointer: `/entries/${index}`
  }
  if (entry.note !== undefined) normalised.note = entry.note
  return normalised
}

/**
 * Validate and compile a glossary.
 *
 * @param json
 *   The parsed content of the glossary file (any JSON value).
 * @param file
 *   The file's name as the user should see it in messages (`glossary.json`).
 * @returns
 *   The glossary, ready for `findTerms`, `shield`, `requiredTerms`, `verifyTerms`, ….
 * @throws {UserError}
 *   Listing every problem, one per line: `file: /entries/3/translations/es: expected …, received …
 *   — fix: …`.
 */
export function parseGlossary(json: unknown, file: string): Glossary {
  const result = validate(json)
  const problems = [...(result.valid ? [] : result.problems), ...semanticProblems(json)]
  if (!result.valid || problems.length > 0) {
    const lines = problems.sort(compareProblems).map((problem) => formatProblem(file, problem))
    throw new UserError(lines.join('\n'))
  }

  const entries = result.file.entries.map(normaliseEntry)
  return {
    file,
    sourceLocale: result.file.sourceLocale ?? 'en',
    entries,
    matcher: compileMatcher(entries)
  }
}
