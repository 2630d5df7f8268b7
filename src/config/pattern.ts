/**
 * Source file-name patterns with named captures: `notes/{date}-{slug}-{lang}.md`.
 *
 * Captures are greedy and never cross a `/`, so in `{slug}-{lang}` the slug takes every `-` it
 * can and the locale is the shortest tail that still looks like one (`foo-bar-zh-Hant` → slug
 * `foo-bar`, lang `zh-Hant`). A `date` capture only matches `YYYY-MM-DD`, so slugs may start with
 * digits.
 */

import {parseTemplate} from './template.js'

/** A compiled pattern. */
export interface SourcePattern {
  regex: RegExp
  /** Capture names, in order of first use. */
  names: string[]
}

/** Default expressions for well-known capture names. */
const DEFAULT_CAPTURES: Readonly<Record<string, string>> = {
  date: String.raw`\d{4}-\d{2}-\d{2}`
}

/** One or more characters other than `/`. */
const ANY_SEGMENT_TEXT = '[^/]+'

/** A locale-shaped word: a tag (`zh-Hant`) or, through `aliases`, any alias. */
function localeExpression(aliases: readonly string[]): string {
  const tag = String.raw`[A-Za-z]{2,3}(?:-[A-Za-z\d]{2,8})*`
  const escaped = [...aliases].sort((a, b) => b.length - a.length).map(escapeRegExp)
  return escaped.length > 0 ? `(?:${escaped.join('|')}|${tag})` : tag
}

/**
 * Compile a source pattern.
 *
 * @param pattern
 *   The pattern, relative to the root (`notes/**\/{date}-{slug}-{lang}.md`).
 * @param captures
 *   User expressions per capture name (override the defaults).
 * @param localeCapture
 *   Name of the capture that holds the source locale, if any: it matches locale shapes only.
 * @param aliases
 *   Locale aliases that the locale capture must also accept.
 * @returns
 *   The compiled pattern, or a problem message.
 */
export function compileSourcePattern(
  pattern: string,
  captures: Readonly<Record<string, string>>,
  localeCapture: string | undefined,
  aliases: readonly string[]
): SourcePattern | string {
  const pieces = parseTemplate(pattern)
  if (typeof pieces === 'string') return pieces

  const names: string[] = []
  let source = '^'

  for (const piece of pieces) {
    if (piece.type === 'literal') {
      source += globLiteral(piece.value)
      continue
    }

    if (names.includes(piece.name)) {
      source += `\\k<${piece.name}>`
      continue
    }

    names.push(piece.name)
    const expression = Object.hasOwn(captures, piece.name)
      ? captures[piece.name]!
      : piece.name === localeCapture
        ? localeExpression(aliases)
        : (DEFAULT_CAPTURES[piece.name] ?? ANY_SEGMENT_TEXT)
    source += `(?<${piece.name}>${expression})`
  }

  try {
    return {regex: new RegExp(`${source}$`), names}
  } catch (error) {
    return `it does not compile to a regular expression (${error instanceof Error ? error.message : String(error)})`
  }
}

/**
 * Match a root-relative POSIX path against a compiled pattern.
 *
 * @returns
 *   The captures, or `undefined` when the path does not match.
 */
export function matchSourcePattern(compiled: SourcePattern, path: string): Record<string, string> | undefined {
  const match = compiled.regex.exec(path)
  if (!match) return undefined
  const result: Record<string, string> = {}
  for (const name of compiled.names) result[name] = match.groups?.[name] ?? ''
  return result
}

/** Literal text of a pattern, where `**\/` is any number of folders and `*` any text in one. */
function globLiteral(value: string): string {
  let result = ''
  let index = 0
  while (index < value.length) {
    if (value.startsWith('**/', index)) {
      result += '(?:[^/]+/)*'
      index += 3
    } else if (value[index] === '*') {
      result += '[^/]*'
      index++
    } else {
      result += escapeRegExp(value[index]!)
      index++
    }
  }
  return result
}

function escapeRegExp(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}
