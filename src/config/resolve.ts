/**
 * Resolve parsed `notes-l10n.config.json` into a `ResolvedConfig`: validate it against the
 * schema, refuse credentials, check what a schema cannot (template parts, locale tags, pattern
 * captures), apply defaults. Pure: no file system, no environment.
 *
 * Every problem is collected before anything is thrown, so a user fixes a config in one pass.
 */

import type {ValidateFunction} from 'ajv'
import {UserError} from '../types.js'
import {isRecord} from '../values.js'
import {
  CONFIG_FILE_NAME,
  DEFAULT_FRONTMATTER,
  DEFAULT_GLOSSARY,
  DEFAULT_INCLUDE,
  DEFAULT_LOCALE_KEY,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MDX_ATTRIBUTES,
  DEFAULT_OUTPUT,
  DEFAULT_SOURCE_LOCALE
} from './defaults.js'
import {didYouMean} from './did-you-mean.js'
import {isLocaleTag, pairFromAliases} from './locales.js'
import {unsafePathReason} from './paths.js'
import {compileSourcePattern} from './pattern.js'
import {formatSchemaErrors, joinPath, show} from './schema-errors.js'
import {validate as generatedValidator} from './schema-validator.generated.js'
import {findSecrets} from './secrets.js'
import {BUILTIN_PARTS, parseTemplate, renderTemplate, templateParts} from './template.js'
import type {FieldPolicy, LocalePair, ResolvedConfig} from './types.js'

/** `configSchema` compiled ahead of time (scripts/generate-validators.mjs): no ajv at run time. */
const validator = generatedValidator as unknown as ValidateFunction

/** Raw config shapes, as far as the schema has vouched for them. */
interface RawConfig {
  sources?: {include?: string[]; exclude?: string[]; pattern?: string; captures?: Record<string, string>}
  sourceLocale?: {default?: string; fromFrontmatter?: string | false; fromPattern?: string | false}
  locales?: string[]
  localeAliases?: Record<string, string>
  output?: string | Record<string, string>
  glossary?: string
  provider?: Partial<Omit<ResolvedConfig['provider'], 'baseURL'>> & {baseURL?: string}
  frontmatter?: Record<string, unknown>
  links?: {rebase?: boolean}
  code?: {comments?: 'source' | 'keep'}
  mdx?: {attributes?: string[]}
  limits?: {maxFileBytes?: number}
}

/**
 * Validate and resolve a parsed config.
 *
 * @param json
 *   The parsed file (`{}` for zero-config).
 * @param root
 *   Absolute project root.
 * @param file
 *   Absolute path of the config file, for messages.
 * @throws {UserError}
 *   With one line per problem, each naming its JSON path, what was received and the fix.
 */
export function resolveConfig(json: unknown, root: string, file?: string): ResolvedConfig {
  const name = file ?? CONFIG_FILE_NAME

  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UserError(
      `${name}: received ${show(json)}, expected a JSON object like {"locales": ["es"]}; fix the file's top level`
    )
  }

  const secrets = findSecrets(json)
  const problems = secrets.map(
    (path) =>
      `${path}: looks like an API key; keys are never read from the config file (it gets committed); fix: remove it and set OPENAI_API_KEY in the environment or an untracked .env`
  )

  validator(json)
  const schemaProblems = formatSchemaErrors(validator.errors ?? [], secrets)
  problems.push(...schemaProblems)
  const reported = new Set([...secrets, ...schemaProblems.map(pathOfProblem)])
  // Semantic checks below re-read values the schema may already have refused: say it once.
  const report = (line: string) => {
    if (!reported.has(pathOfProblem(line))) problems.push(line)
  }

  // Past this point the schema may have failed; semantic checks only read parts of the right type.
  const raw = json as RawConfig
  const aliases = isRecord(raw.localeAliases) ? stringEntries(raw.localeAliases) : {}

  for (const [alias, tag] of Object.entries(aliases)) {
    if (!isLocaleTag(tag))
      report(
        `${joinPath('localeAliases', alias)}: received ${show(tag)}, expected a BCP-47 tag such as "zh-Hant"; fix: change the value`
      )
  }

  const locales = resolveLocales(raw.locales, aliases, report)
  const sourceLocale = resolveSourceLocale(raw.sourceLocale, aliases, report)
  const outputs = isRecord(raw.output) ? stringEntries(raw.output) : undefined
  const sources = resolveSources(raw.sources, outputs, report)
  const captureNames = resolvePattern(
    sources,
    sourceLocale,
    raw.sourceLocale?.fromPattern,
    Object.keys(aliases),
    report
  )
  const output = typeof raw.output === 'string' ? raw.output : (Object.values(outputs ?? {})[0] ?? DEFAULT_OUTPUT)
  if (outputs) {
    for (const [glob, template] of Object.entries(outputs))
      checkOutputTemplate(template, captureNames, report, joinPath('output', glob))
    sources.include.forEach((glob, index) => {
      if (!Object.hasOwn(outputs, glob))
        report(
          `sources.include[${index}]: ${show(glob)} has no template in "output"; fix: add "${glob}": "<template>" to "output", or give "output" as one string`
        )
    })
    for (const glob of Object.keys(outputs)) {
      if (!sources.include.includes(glob))
        report(
          `${joinPath('output', glob)}: not one of sources.include; fix: use the include glob exactly as written there`
        )
    }
  } else {
    checkOutputTemplate(output, captureNames, report)
  }

  const provider = raw.provider && isRecord(raw.provider) ? raw.provider : {}
  const models: Record<string, string> = {}
  for (const [locale, model] of Object.entries(isRecord(provider.models) ? stringEntries(provider.models) : {})) {
    const pair = pairFromAliases(aliases, locale)
    if (typeof pair === 'string')
      report(`${joinPath('provider.models', locale)}: ${pair}; fix: use a locale from "locales"`)
    else models[pair.tag] = model
  }

  const frontmatter = resolveFrontmatter(raw.frontmatter, aliases, report)

  if (problems.length > 0) {
    throw new UserError(
      `${name}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`} (see schemas/config.schema.json and docs/config.md):\n${problems.map((line) => `  - ${line}`).join('\n')}`
    )
  }

  const resolved: ResolvedConfig = {
    root,
    sources,
    sourceLocale,
    locales,
    localeAliases: aliases,
    output,
    glossary: typeof raw.glossary === 'string' ? raw.glossary : DEFAULT_GLOSSARY,
    glossaryRequired: typeof raw.glossary === 'string',
    provider: {
      name: provider.name ?? 'openai',
      models,
      responseFormat: provider.responseFormat ?? 'auto',
      prices: isRecord(provider.prices) ? (provider.prices as ResolvedConfig['provider']['prices']) : {}
    },
    frontmatter,
    links: {rebase: raw.links?.rebase ?? true},
    code: {comments: raw.code?.comments ?? 'source'},
    mdx: {
      attributes: Array.isArray(raw.mdx?.attributes)
        ? raw.mdx.attributes.filter((name) => typeof name === 'string')
        : [...DEFAULT_MDX_ATTRIBUTES]
    },
    limits: {maxFileBytes: raw.limits?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES}
  }
  if (file) resolved.file = file
  if (outputs) resolved.outputs = outputs
  if (typeof provider.model === 'string') resolved.provider.model = provider.model
  if (typeof provider.concurrency === 'number') resolved.provider.concurrency = provider.concurrency
  if (typeof provider.timeoutMs === 'number') resolved.provider.timeoutMs = provider.timeoutMs
  if (typeof provider.maxReplyBytes === 'number') resolved.provider.maxReplyBytes = provider.maxReplyBytes
  if (typeof provider.baseURL === 'string') resolved.provider.baseURL = provider.baseURL
  if (typeof provider.name === 'string') resolved.provider.named = true
  return resolved
}

function resolveLocales(value: unknown, aliases: Record<string, string>, report: Report): LocalePair[] {
  if (!Array.isArray(value)) return []
  const pairs: LocalePair[] = []

  value.forEach((locale: unknown, index) => {
    if (typeof locale !== 'string') return
    const pair = pairFromAliases(aliases, locale)
    if (typeof pair === 'string') {
      report(`locales[${index}]: ${pair}; fix: use a tag like "es" or add an alias`)
      return
    }
    // Keep the user's spelling of a plain tag (`pt-br`) for paths: their folders already use it.
    const listed = Object.hasOwn(aliases, locale)
      ? pair
      : {tag: pair.tag, path: pair.path === pair.tag ? locale : pair.path}
    const twin = pairs.find((other) => other.tag === listed.tag)
    if (twin && twin.path === locale) return // an exact repeat: the schema's uniqueItems says so
    if (twin) {
      report(
        `locales[${index}]: ${show(locale)} is the same locale as ${show(twin.path)} (${listed.tag}); fix: list it once`
      )
      return
    }
    pairs.push(listed)
  })

  return pairs
}

function resolveSourceLocale(
  value: RawConfig['sourceLocale'],
  aliases: Record<string, string>,
  report: Report
): ResolvedConfig['sourceLocale'] {
  const raw = isRecord(value) ? value : {}
  let tag = DEFAULT_SOURCE_LOCALE

  if (typeof raw.default === 'string') {
    const pair = pairFromAliases(aliases, raw.default)
    if (typeof pair === 'string') report(`sourceLocale.default: ${pair}; fix: use a tag like "en"`)
    else tag = pair.tag
  }

  const result: ResolvedConfig['sourceLocale'] = {default: tag}
  const fromFrontmatter = raw.fromFrontmatter === undefined ? DEFAULT_LOCALE_KEY : raw.fromFrontmatter
  if (typeof fromFrontmatter === 'string') result.fromFrontmatter = fromFrontmatter
  const fromPattern = raw.fromPattern === undefined ? DEFAULT_LOCALE_KEY : raw.fromPattern
  if (typeof fromPattern === 'string') result.fromPattern = fromPattern
  return result
}

function resolveSources(
  value: RawConfig['sources'],
  outputs: Record<string, string> | undefined,
  report: Report
): ResolvedConfig['sources'] {
  const raw = isRecord(value) ? value : {}
  const include = Array.isArray(raw.include)
    ? raw.include.filter((glob) => typeof glob === 'string')
    : outputs
      ? Object.keys(outputs)
      : [...DEFAULT_INCLUDE]
  const exclude = Array.isArray(raw.exclude) ? raw.exclude.filter((glob) => typeof glob === 'string') : []

  for (const [key, globs] of [
    ['include', include],
    ['exclude', exclude]
  ] as const) {
    globs.forEach((glob, index) => {
      const reason = unsafePathReason(glob.replace(/\*+/g, 'x'))
      if (reason && glob !== '**')
        report(
          `sources.${key}[${index}]: received ${show(glob)}, which is refused because ${reason}; expected a glob inside the project such as "notes/**/*.md"; fix: change it`
        )
    })
  }

  const sources: ResolvedConfig['sources'] = {
    include,
    exclude,
    captures: isRecord(raw.captures) ? stringEntries(raw.captures) : {}
  }
  if (typeof raw.pattern === 'string') sources.pattern = raw.pattern
  return sources
}

/** Check `sources.pattern`; returns the capture names it defines. */
function resolvePattern(
  sources: ResolvedConfig['sources'],
  sourceLocale: ResolvedConfig['sourceLocale'],
  explicitFromPattern: unknown,
  aliases: string[],
  report: Report
): string[] {
  if (sources.pattern === undefined) {
    if (typeof explicitFromPattern === 'string')
      report(
        `sourceLocale.fromPattern: received ${show(explicitFromPattern)}, but there is no "sources.pattern" to capture it from; fix: add sources.pattern or remove this key`
      )
    for (const name of Object.keys(sources.captures))
      report(`sources.captures.${name}: there is no "sources.pattern"; fix: add the pattern or remove this key`)
    delete sourceLocale.fromPattern
    return []
  }

  const compiled = compileSourcePattern(sources.pattern, sources.captures, sourceLocale.fromPattern, aliases)
  if (typeof compiled === 'string') {
    report(`sources.pattern: received ${show(sources.pattern)}, but ${compiled}; fix: write parts as {name}`)
    return []
  }

  const reason = unsafePathReason(sources.pattern.replace(/\{[^}]*\}|\*+/g, 'x'))
  if (reason)
    report(
      `sources.pattern: received ${show(sources.pattern)}, which is refused because ${reason}; fix: write a path relative to the project root`
    )

  for (const name of compiled.names) {
    if (BUILTIN_PARTS.includes(name))
      report(
        `sources.pattern: capture {${name}} has the name of a built-in output part (${BUILTIN_PARTS.join(', ')}); fix: rename the capture, e.g. {${name === 'locale' ? 'lang' : `src_${name}`}}`
      )
  }

  for (const name of Object.keys(sources.captures)) {
    if (!compiled.names.includes(name))
      report(
        `sources.captures.${name}: the pattern has no {${name}}; fix: remove this key or add {${name}} to sources.pattern`
      )
  }

  if (sourceLocale.fromPattern !== undefined && !compiled.names.includes(sourceLocale.fromPattern)) {
    if (typeof explicitFromPattern === 'string')
      report(
        `sourceLocale.fromPattern: the pattern has no {${explicitFromPattern}}; fix: add it to sources.pattern or set fromPattern to false`
      )
    delete sourceLocale.fromPattern
  }

  return compiled.names
}

function checkOutputTemplate(output: string, captures: readonly string[], report: Report, key = 'output'): void {
  const pieces = parseTemplate(output)
  if (typeof pieces === 'string') {
    report(`${key}: received ${show(output)}, but ${pieces}; fix: write parts as {locale}, {path}, …`)
    return
  }

  const known = [...BUILTIN_PARTS, ...captures]
  const used = templateParts(pieces)

  for (const name of used) {
    if (known.includes(name)) continue
    const suggestion = didYouMean(name, known)
    report(
      `${key}: unknown part {${name}} in ${show(output)}; expected one of ${known.map((part) => `{${part}}`).join(', ')}${suggestion ? `; did you mean {${suggestion}}?` : ''}; fix: rename it${captures.length === 0 ? ' or capture it with sources.pattern' : ''}`
    )
  }

  if (!used.includes('locale') && !used.includes('tag')) {
    report(
      `${key}: ${show(output)} has no {locale}, so every locale would write the same file; fix: add {locale}, e.g. "locales/{locale}/{path}"`
    )
  }

  if (!used.some((name) => name === 'path' || name === 'name' || captures.includes(name))) {
    report(
      `${key}: ${show(output)} does not depend on the source file, so every note would write the same file; fix: add {path} or {name}`
    )
  }

  // Literal parts must be safe on their own; captured values are checked per note at resolve time.
  const sample = Object.fromEntries([...known, ...used].map((name) => [name, 'x']))
  const reason = unsafePathReason(renderTemplate(pieces, sample))
  if (reason)
    report(
      `${key}: received ${show(output)}, which is refused because ${reason}; expected a path inside the project; fix: make it relative, e.g. "locales/{locale}/{path}"`
    )
}

function resolveFrontmatter(
  value: unknown,
  aliases: Record<string, string>,
  report: Report
): ResolvedConfig['frontmatter'] {
  const raw = isRecord(value) ? value : {}
  const keys: Record<string, FieldPolicy> = {...DEFAULT_FRONTMATTER}
  const perLocale: Record<string, Record<string, FieldPolicy>> = {}

  for (const [key, policy] of Object.entries(raw)) {
    if (key === 'perLocale') continue
    if (key === '__proto__') {
      report('frontmatter["__proto__"]: this key name is refused; fix: remove it')
      continue
    }
    if (isPolicy(policy)) keys[key] = policy
  }

  for (const [locale, overrides] of Object.entries(isRecord(raw.perLocale) ? raw.perLocale : {})) {
    const pair = pairFromAliases(aliases, locale)
    if (typeof pair === 'string') {
      report(`${joinPath('frontmatter.perLocale', locale)}: ${pair}; fix: use a locale from "locales"`)
      continue
    }
    const entries: Record<string, FieldPolicy> = {}
    for (const [key, policy] of Object.entries(isRecord(overrides) ? overrides : {})) {
      if (key !== '__proto__' && isPolicy(policy)) entries[key] = policy
    }
    perLocale[pair.tag] = {...perLocale[pair.tag], ...entries}
  }

  const translateKeys = new Set<string>()
  for (const policies of [keys, ...Object.values(perLocale)]) {
    for (const [key, policy] of Object.entries(policies)) if (policy === 'translate') translateKeys.add(key)
  }

  return {translateKeys: [...translateKeys], keys, perLocale}
}

/** Adds one problem line (`<path>: …`) unless that path already has one. */
type Report = (line: string) => void

/** The JSON path a problem line starts with. */
function pathOfProblem(line: string): string {
  return line.slice(0, line.indexOf(': '))
}

function isPolicy(value: unknown): value is FieldPolicy {
  if (value === 'translate' || value === 'keep' || value === 'drop') return true
  if (!isRecord(value) || !Object.hasOwn(value, 'set')) return false
  const set = value.set
  return set === null || ['string', 'number', 'boolean'].includes(typeof set)
}

function stringEntries(value: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, item] of Object.entries(value))
    if (key !== '__proto__' && typeof item === 'string') result[key] = item
  return result
}
