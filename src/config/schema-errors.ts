/**
 * Turn ajv errors into one line each: where (JSON path), what was received, what was expected,
 * how to fix it. Branch errors of an `anyOf` are folded into one line about the `anyOf`, so a
 * bad front-matter policy reads as "expected "translate", "keep", "drop" or {"set": value}" and
 * not as three unrelated complaints.
 */

import type {ErrorObject} from 'ajv'
import {didYouMean} from './did-you-mean.js'
import type {SchemaNode} from './schema.js'
import {looksLikeSecret} from './secrets.js'

/** Readable names for the patterns used in the schema. */
const PATTERN_NAMES: Readonly<Record<string, string>> = {
  '^[A-Za-z][A-Za-z0-9_-]{0,34}$':
    'a locale name (a letter, then letters, digits, "-" or "_"; e.g. "es", "zh-Hant", "hant")',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'a capture name (letters, digits and "_")',
  '^https?://': 'an http(s) URL'
}

/**
 * One line per problem, in document order.
 *
 * @param errors
 *   ajv errors from a validator compiled with `allErrors` and `verbose`.
 * @param skip
 *   JSON paths already reported another way (secrets): errors at or below them are dropped.
 */
export function formatSchemaErrors(errors: readonly ErrorObject[], skip: readonly string[] = []): string[] {
  const folded = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'propertyNames')
  const lines: string[] = []

  for (const error of errors) {
    const where = errorPath(error)
    if (skip.some((path) => where === path || where.startsWith(`${path}.`) || where.startsWith(`${path}[`))) continue
    if (isFoldedInto(error, folded)) continue
    const line = formatOne(error, where)
    if (!lines.includes(line)) lines.push(line)
  }

  return lines
}

/** Whether `error` is a branch error of an `anyOf` or the inner error of a `propertyNames`. */
function isFoldedInto(error: ErrorObject, folded: readonly ErrorObject[]): boolean {
  if (error.keyword !== 'propertyNames' && 'propertyName' in error) return true
  return folded.some(
    (parent) =>
      parent !== error &&
      parent.keyword === 'anyOf' &&
      error.schemaPath.startsWith(`${parent.schemaPath}/`) &&
      error.instancePath.startsWith(parent.instancePath)
  )
}

function formatOne(error: ErrorObject, where: string): string {
  const parent = asSchema(error.parentSchema)

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty)
      const known = Object.keys(parent?.properties ?? {}).filter((name) => !name.startsWith('$'))
      const suggestion = didYouMean(key, known)
      const path = joinPath(instancePathOf(error), key)
      return suggestion
        ? `${path}: unknown key; did you mean "${suggestion}"? fix: rename it`
        : `${path}: unknown key; expected one of ${known.map((name) => `"${name}"`).join(', ')}; fix: remove it`
    }

    case 'required': {
      const key = String(error.params.missingProperty)
      return `${joinPath(instancePathOf(error), key)}: missing; fix: add it`
    }

    case 'propertyNames': {
      const key = String(error.params.propertyName)
      const names = asSchema(parent?.propertyNames)
      return `${joinPath(instancePathOf(error), key)}: key ${show(key)} is not allowed here; expected ${describeSchema(names)}; fix: rename it`
    }

    case 'uniqueItems':
      return `${where}: received a list with duplicates (items ${String(error.params.j)} and ${String(error.params.i)}); expected each value once; fix: remove the duplicate`

    default:
      return `${where}: received ${show(error.data)}, expected ${describeSchema(parent)}; fix: change the value`
  }
}

/**
 * A short description of what a schema node accepts.
 */
export function describeSchema(schema: SchemaNode | undefined): string {
  if (!schema) return 'a valid value'
  if (schema.anyOf) return schema.anyOf.map(describeSchema).join(' or ')
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum)
    return schema.enum.length === 1
      ? JSON.stringify(schema.enum[0])
      : `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`

  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  if (types.length > 1) return types.map((type) => article(type)).join(' or ')

  switch (types[0]) {
    case 'string':
      if (schema.pattern) return PATTERN_NAMES[schema.pattern] ?? `a string matching /${schema.pattern}/`
      return schema.minLength ? 'a non-empty string' : 'a string'
    case 'integer':
    case 'number': {
      const noun = types[0] === 'integer' ? 'an integer' : 'a number'
      if (schema.minimum !== undefined && schema.maximum !== undefined)
        return `${noun} from ${schema.minimum} to ${schema.maximum}`
      if (schema.minimum !== undefined) return `${noun} ≥ ${schema.minimum}`
      return noun
    }
    case 'array':
      return `a list of ${plural(describeSchema(schema.items))}${schema.minItems ? ` (at least ${schema.minItems})` : ''}`
    case 'object':
      if (schema.required && schema.required.length > 0)
        return `an object with ${schema.required.map((key) => `"${key}"`).join(', ')}`
      return 'an object'
    default:
      return types[0] ? article(types[0]) : 'a valid value'
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array'
    ? `an ${type}`
    : type === 'null'
      ? 'null'
      : `a ${type}`
}

function plural(description: string): string {
  return description.replace(/^an? /, '').replace(/\b(string|integer|number|object|name|URL)\b/, '$1s')
}

/** A received value, short and with anything secret-looking redacted. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string' && looksLikeSecret(value)) return '"(redacted)"'
  let text: string
  try {
    text =
      JSON.stringify(value, (_key, item: unknown) =>
        typeof item === 'string' && looksLikeSecret(item) ? '(redacted)' : item
      ) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

/** The path of the value concerned: the offending key itself for key-level keywords. */
function errorPath(error: ErrorObject): string {
  const base = pointerToPath(error.instancePath)
  const key = error.params.additionalProperty ?? error.params.missingProperty ?? error.params.propertyName
  return typeof key === 'string' ? joinPath(base, key) : base
}

function instancePathOf(error: ErrorObject): string {
  return pointerToPath(error.instancePath)
}

/** `/provider/models/zh` → `provider.models.zh`; `/locales/2` → `locales[2]`; `` → `(root)`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '(root)'
  let result = ''
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    result = /^\d+$/.test(key) ? `${result}[${key}]` : joinPath(result, key)
  }
  return result
}

/** Append a key to a dotted path, quoting keys that are not plain identifiers. */
export function joinPath(base: string, key: string): string {
  const prefix = base === '(root)' ? '' : base
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return prefix ? `${prefix}.${key}` : key
  return `${prefix}[${JSON.stringify(key)}]`
}

function asSchema(value: unknown): SchemaNode | undefined {
  return value !== null && typeof value === 'object' ? (value as SchemaNode) : undefined
}
