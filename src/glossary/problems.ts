/**
 * Problems found in a glossary file, and how they are worded.
 *
 * Every problem names the JSON pointer of the bad value, what was expected, what was received and
 * how to fix it, so one `UserError` can list all of them, one per line.
 */

import type {ErrorObject} from 'ajv'

/** One thing wrong with a glossary file. */
export interface Problem {
  /** JSON pointer of the bad value (`/entries/3/translations/es`); empty for the whole file. */
  pointer: string
  expected: string
  received: string
  fix: string
}

/** One line: `glossary.json: /entries/3: expected …, received … — fix: …`. */
export function formatProblem(file: string, problem: Problem): string {
  return `${file}: ${problem.pointer || '/'}: expected ${problem.expected}, received ${problem.received} — fix: ${problem.fix}`
}

/** Order problems as they appear in the file (numeric array indices, not string order). */
export function compareProblems(a: Problem, b: Problem): number {
  const left = a.pointer.split('/')
  const right = b.pointer.split('/')
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index] ?? ''
    const y = right[index] ?? ''
    if (x === y) continue
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y)
    return numeric ? Number(x) - Number(y) : x < y ? -1 : 1
  }
  return left.length - right.length
}

/** A short, one-line picture of a JSON value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}…` : value
    return value === '' ? 'an empty string' : JSON.stringify(shown)
  }
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

/** Schema nodes as far as `describeSchema` needs them. */
interface SchemaNode {
  $ref?: string
  const?: unknown
  type?: string
  minLength?: number
  pattern?: string
  required?: readonly string[]
  properties?: Readonly<Record<string, unknown>>
  items?: unknown
  anyOf?: readonly unknown[]
  description?: string
}

function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A noun phrase for what a schema node accepts (`a non-empty string or an object {target,
 * variants?, forbidden?}`), resolving `#/definitions/…` references against `root`.
 */
export function describeSchema(node: unknown, root: unknown): string {
  if (!isSchemaNode(node)) return 'a valid value'
  if (node.$ref) {
    const name = node.$ref.replace('#/definitions/', '')
    const definitions = isSchemaNode(root) ? (root as {definitions?: Record<string, unknown>}).definitions : undefined
    if (name === 'locale') return 'a BCP-47 locale such as "es" or "zh-Hant"'
    return describeSchema(definitions?.[name], root)
  }
  if ('const' in node) return JSON.stringify(node.const)
  if (node.anyOf) return node.anyOf.map((branch) => describeSchema(branch, root)).join(' or ')
  switch (node.type) {
    case 'string':
      return node.minLength ? 'a non-empty string' : 'a string'
    case 'boolean':
      return 'true or false'
    case 'array':
      return `a list of ${describeSchema(node.items, root).replace(/^an? /, '')}s`
    case 'object': {
      if (!node.properties) return 'an object'
      const required = new Set(node.required)
      const keys = Object.keys(node.properties).filter((key) => key !== '$schema')
      return `an object {${keys.map((key) => (required.has(key) ? key : `${key}?`)).join(', ')}}`
    }
    default:
      return 'a valid value'
  }
}

/** Nearest known name to a misspelt one (edit distance ≤ 2), for "did you mean". */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: {name: string; distance: number} | undefined
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance <= 2 && (!best || distance < best.distance)) best = {name: candidate, distance}
  }
  return best?.name
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** Turn one (already collapsed) ajv error into a problem. */
function problemFromError(error: ErrorObject, root: unknown): Problem {
  const pointer = error.instancePath
  const received = describeValue(error.data)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty)
      return {
        pointer,
        expected: describeSchema(error.parentSchema, root),
        received: `an object without "${missing}"`,
        fix: `add "${missing}"`
      }
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty)
      const properties = isSchemaNode(error.parentSchema) ? Object.keys(error.parentSchema.properties ?? {}) : []
      const suggestion = closest(extra, properties)
      return {
        pointer,
        expected: `only the properties ${properties.join(', ')}`,
        received: `unknown property "${extra}"`,
        fix: suggestion ? `rename "${extra}" to "${suggestion}"` : `remove "${extra}"`
      }
    }
    case 'propertyNames': {
      const name = String(params.propertyName)
      return {
        pointer: `${pointer}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`,
        expected: 'a BCP-47 locale key such as "es", "zh-Hant" or "*"',
        received: `the key ${JSON.stringify(name)}`,
        fix: 'write the language tag with hyphens (zh-Hant, pt-BR), not underscores or names'
      }
    }
    case 'minLength':
      return {pointer, expected: 'a non-empty string', received, fix: 'write the text, or remove the property'}
    case 'const':
      return {
        pointer,
        expected: JSON.stringify(params.allowedValue),
        received,
        fix: `set it to ${JSON.stringify(params.allowedValue)}`
      }
    case 'pattern':
      return {
        pointer,
        expected: 'a BCP-47 locale such as "en" or "zh-Hant"',
        received,
        fix: 'write a language tag with hyphens'
      }
    default: {
      const expected = describeSchema(error.parentSchema, root)
      return {pointer, expected, received, fix: `replace it with ${expected}`}
    }
  }
}

/**
 * Turn ajv's errors into one problem per bad value.
 *
 * ajv reports every failed branch of an `anyOf` plus the `anyOf` itself. When the value has the
 * shape of one branch (an object with a missing or unknown property), the errors inside that branch
 * say more; otherwise the `anyOf` alone says "expected a string or an object {…}".
 */
export function problemsFromAjv(errors: readonly ErrorObject[], root: unknown): Problem[] {
  const kept: ErrorObject[] = []
  const byPointer = new Map<string, ErrorObject[]>()
  for (const error of errors) {
    byPointer.set(error.instancePath, [...(byPointer.get(error.instancePath) ?? []), error])
  }
  for (const error of errors) {
    // Errors about a property name come with their own summary (`propertyNames`).
    if ('propertyName' in error && error.propertyName !== undefined) continue
    const siblings = byPointer.get(error.instancePath) ?? []
    const alternative = siblings.find((sibling) => sibling.keyword === 'anyOf')
    if (alternative) {
      const branchShaped =
        siblings.some((sibling) => sibling.keyword === 'required' || sibling.keyword === 'additionalProperties') ||
        errors.some((other) => other.instancePath.startsWith(`${error.instancePath}/`))
      const useful = branchShaped
        ? error.keyword !== 'anyOf' && error.keyword !== 'type' && error.keyword !== 'minLength'
        : error === alternative
      if (!useful) continue
    }
    kept.push(error)
  }
  return kept.map((error) => problemFromError(error, root))
}
