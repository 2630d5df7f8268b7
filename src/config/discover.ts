/**
 * Source discovery: which notes exist (the walk is `walk.ts`), what language each is in (its
 * front-matter head is read by `frontmatter-head.ts`), and where each of its targets goes.
 *
 * Discovery walks only the static bases of the include globs, never follows a symlink out of
 * the project (S5), and reads no more of a note than its front-matter head, so ten thousand
 * notes stay cheap. Problems with single files are collected, not thrown: one odd file must not
 * stop the run.
 */

import {readdirSync} from 'node:fs'
import path from 'node:path'
import {isErrno} from '../io/errno.js'
import {UserError} from '../types.js'
import {compareCodeUnits} from '../values.js'
import {readFrontmatterValue} from './frontmatter-head.js'
import {canonicalTag, isLocaleTag, normaliseLocale, pairFromAliases} from './locales.js'
import {isInside, outputTemplates, pathParts, renderOutputPath} from './paths.js'
import {compileSourcePattern, matchSourcePattern} from './pattern.js'
import {parseTemplate} from './template.js'
import type {LocalePair, ResolvedConfig} from './types.js'
import {type DiscoveryProblem, walkSources} from './walk.js'

export type {DiscoveryProblem} from './walk.js'

/** One source note and its targets. */
export interface NotePlan {
  /** Relative to the root, POSIX separators. */
  source: string
  /** BCP-47 tag of the note's own language. */
  sourceLocale: string
  /** Captures of `sources.pattern` (empty without a pattern). */
  captures: Record<string, string>
  targets: Array<{
    /** BCP-47 tag. */
    locale: string
    /** Path form (`hant`). */
    localeForPath: string
    /** Relative to the root, POSIX separators. */
    output: string
    /** The target locale is the source's own: copy the note and apply the front-matter `set`, no translation. */
    copy: boolean
  }>
}

/** Reads the value of a top-level front-matter key of a root-relative note (undefined: not there). */
export type FrontmatterReader = (file: string, key: string) => Promise<string | undefined> | string | undefined

/** Front-matter reads in flight at once. */
const HEAD_READ_CONCURRENCY = 32

/**
 * Find the source notes and plan their targets.
 *
 * Several sources may map to one output (`foo-en.md` and `foo-zh.md` both give
 * `_posts/es/…-foo-es.md`). Each output gets exactly one source: a copy (the source in that
 * very locale) wins, then a source in `sourceLocale.default`, then the first path in sort
 * order — the last case is reported, because nothing in the layout says which was meant.
 *
 * @param options.paths
 *   Restrict to these files or folders: absolute, or relative to `config.cwd` (the working
 *   directory `loadConfig` was called with), else to the root.
 * @param options.locales
 *   Target locales (either form); default: the config's `locales`.
 * @param options.recordedLocales
 *   `locales` come from the lock: they are not checked against CLDR again.
 * @param options.frontmatterValue
 *   Reads `key` from the front-matter of a root-relative note; default {@link readFrontmatterValue}.
 *   Commands pass one backed by the stat cache, so unchanged notes are not opened at all.
 * @throws {UserError}
 *   When there are no target locales, a locale is malformed or not configured, or a path
 *   filter lies outside the root.
 */
export async function discoverNotes(
  config: ResolvedConfig,
  options: {paths?: string[]; locales?: string[]; recordedLocales?: boolean; frontmatterValue?: FrontmatterReader} = {}
): Promise<{plans: NotePlan[]; problems: DiscoveryProblem[]}> {
  const locales = targetLocales(config, options.locales, options.recordedLocales === true)
  const filters = (options.paths ?? []).map((filter) => pathFilter(config, filter))
  const problems: DiscoveryProblem[] = []
  const files = walkSources(config, problems, locales)
  const sources = new Set(files)

  const read = options.frontmatterValue ?? ((file, key) => readFrontmatterValue(path.join(config.root, file), key))
  let plans: NotePlan[] = []
  // A few reads in flight at once; in chunks rather than through a queue, which cost more than the
  // reads themselves once the stat cache answers them.
  for (let start = 0; start < files.length; start += HEAD_READ_CONCURRENCY) {
    const chunk = files.slice(start, start + HEAD_READ_CONCURRENCY)
    for (const plan of await Promise.all(chunk.map((file) => planNote(config, file, locales, problems, read))))
      if (plan) plans.push(plan)
  }

  for (const plan of plans) {
    plan.targets = plan.targets.filter((target) => {
      if (!sources.has(target.output)) return true
      problems.push({
        file: plan.source,
        message: `output ${target.output} (locale ${target.localeForPath}) is itself a source note; refusing to overwrite it; fix: leave the outputs out of the sources (add "${excludeHint(target.output, target.localeForPath)}" to sources.exclude, or narrow sources.include; docs/layouts.md shows each site layout's globs)`
      })
      return false
    })
  }

  assignOutputs(config, plans, problems)

  if (filters.length > 0) {
    for (const filter of filters) {
      if (!files.some((file) => matchesFilter(file, filter))) {
        problems.push({
          file: filter || '.',
          message:
            'not a source note: it matches no file of sources.include (or it was left out above); check the path or sources.include'
        })
      }
    }
    plans = plans.filter((plan) => filters.some((filter) => matchesFilter(plan.source, filter)))
  }

  problems.sort((a, b) => compareCodeUnits(a.file, b.file))
  return {plans, problems}
}

/** An exclude glob covering every output of a locale, from one output path: `docs/es/**`. */
function excludeHint(output: string, locale: string): string {
  const segments = output.split('/')
  const at = segments.indexOf(locale)
  return at >= 0 && at < segments.length - 1 ? [...segments.slice(0, at), '{locale}', '**'].join('/') : output
}

/** The target locales of a run. */
function targetLocales(
  config: ResolvedConfig,
  requested: readonly string[] | undefined,
  recorded: boolean
): LocalePair[] {
  if (!requested || requested.length === 0) {
    if (config.locales.length === 0) {
      throw new UserError(
        `no target locales: received none; expected --locale (e.g. --locale es,zh) or "locales" in ${config.file ?? 'notes-l10n.config.json'}`
      )
    }
    return config.locales
  }

  const pairs: LocalePair[] = []
  for (const locale of requested) {
    const pair = spelledOnDisk(config, normaliseLocale(config, locale, {known: recorded}))
    if (config.locales.length > 0 && !config.locales.some((listed) => listed.tag === pair.tag)) {
      throw new UserError(
        `locale ${JSON.stringify(locale)} is not configured: expected one of ${config.locales.map((listed) => listed.path).join(', ')}; fix --locale or add it to "locales" in ${config.file ?? 'the config'}`
      )
    }
    if (!pairs.some((other) => other.tag === pair.tag)) pairs.push(pair)
  }
  return pairs
}

/**
 * An unlisted locale as the repository already spells it: when the output template starts with
 * a folder per locale (`locales/{locale}/…`, `i18n/{locale}/…`) and that folder exists under
 * another spelling of the same tag (`zh-cn` for `zh-CN`), its spelling is used, so existing
 * translations are found and no twin folder is created. A configured locale or alias is
 * spelled as configured.
 */
function spelledOnDisk(config: ResolvedConfig, pair: LocalePair): LocalePair {
  if (pair.path !== pair.tag && canonicalTag(pair.path) !== pair.tag) return pair
  if (config.locales.some((listed) => listed.tag === pair.tag)) return pair
  for (const template of outputTemplates(config)) {
    const existing = spellingUnder(config, template, pair)
    if (existing) return {tag: pair.tag, path: existing}
  }
  return pair
}

/** The spelling of `pair`'s folder under the static prefix of `template`, when one exists. */
function spellingUnder(config: ResolvedConfig, template: string, pair: LocalePair): string | undefined {
  const pieces = parseTemplate(template)
  if (typeof pieces === 'string') return undefined
  const index = pieces.findIndex((piece) => piece.type === 'part')
  const part = pieces[index]
  const before = index === 0 ? '' : pieces[index - 1]
  const after = pieces[index + 1]
  if (part?.type !== 'part' || part.name !== 'locale') return undefined
  if (before !== '' && (before?.type !== 'literal' || !before.value.endsWith('/'))) return undefined
  if (after?.type !== 'literal' || !after.value.startsWith('/')) return undefined
  const folder = path.join(config.root, before === '' ? '' : before.value)
  let names: string[]
  try {
    names = readdirSync(folder, {withFileTypes: true})
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined
    throw error
  }
  if (names.includes(pair.path)) return pair.path
  return names.find((name) => isLocaleTag(name) && canonicalTag(name) === pair.tag)
}

/** A path filter as a root-relative POSIX path (`''` for the root itself). */
function pathFilter(config: ResolvedConfig, filter: string): string {
  if (filter.includes('\0'))
    throw new UserError(`path filter contains a NUL byte; expected a file or folder inside ${config.root}`)
  const absolute = path.resolve(config.cwd ?? config.root, filter)
  if (!isInside(config.root, absolute)) {
    throw new UserError(
      `path ${JSON.stringify(filter)} is outside the project root ${config.root}; expected a note or folder inside it`
    )
  }
  return path.relative(config.root, absolute).split(path.sep).join('/')
}

function matchesFilter(file: string, filter: string): boolean {
  return filter === '' || file === filter || file.startsWith(`${filter}/`)
}

/** The plan of one source, or undefined (with a problem) when it cannot be planned. */
async function planNote(
  config: ResolvedConfig,
  source: string,
  locales: readonly LocalePair[],
  problems: DiscoveryProblem[],
  read: FrontmatterReader
): Promise<NotePlan | undefined> {
  let captures: Record<string, string> = {}

  if (config.sources.pattern !== undefined) {
    const compiled = compiledPattern(config)
    const match = matchSourcePattern(compiled, source)
    if (!match) {
      problems.push({
        file: source,
        message: `file name does not match sources.pattern ${JSON.stringify(config.sources.pattern)}; skipped (rename it, or exclude it with sources.exclude)`
      })
      return undefined
    }
    captures = match
  }

  const sourceLocale = await findSourceLocale(config, source, captures, read)
  if (typeof sourceLocale === 'object') {
    problems.push({file: source, message: sourceLocale.problem})
    return undefined
  }

  const plan: NotePlan = {source, sourceLocale, captures, targets: []}
  const parts = pathParts(config, source)

  for (const locale of locales) {
    try {
      plan.targets.push({
        locale: locale.tag,
        localeForPath: locale.path,
        output: renderOutputPath(config, source, captures, locale, parts),
        copy: locale.tag === sourceLocale
      })
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      problems.push({file: source, message: error.message})
    }
  }

  return plan
}

const patterns = new WeakMap<ResolvedConfig, ReturnType<typeof compileSourcePattern>>()

function compiledPattern(config: ResolvedConfig) {
  let compiled = patterns.get(config)
  if (!compiled) {
    compiled = compileSourcePattern(
      config.sources.pattern ?? '',
      config.sources.captures,
      config.sourceLocale.fromPattern,
      Object.keys(config.localeAliases)
    )
    patterns.set(config, compiled)
  }
  if (typeof compiled === 'string')
    throw new UserError(`sources.pattern ${JSON.stringify(config.sources.pattern)}: ${compiled}`)
  return compiled
}

/**
 * The source locale of one note: pattern capture, else front-matter, else the default. When
 * both the file name and the front-matter name a locale and they disagree, the note is skipped:
 * translating from the wrong language is worse than not translating.
 */
async function findSourceLocale(
  config: ResolvedConfig,
  source: string,
  captures: Record<string, string>,
  read: FrontmatterReader
): Promise<string | {problem: string}> {
  const {fromPattern, fromFrontmatter} = config.sourceLocale
  let fromName: string | undefined

  if (fromPattern !== undefined && captures[fromPattern]) {
    const pair = pairFromAliases(config.localeAliases, captures[fromPattern])
    if (typeof pair === 'string') return {problem: `source locale from the file name: ${pair}; skipped`}
    fromName = pair.tag
  }

  if (fromFrontmatter !== undefined) {
    const value = await read(source, fromFrontmatter)
    if (value !== undefined) {
      const pair = pairFromAliases(config.localeAliases, value)
      if (typeof pair === 'string')
        return {problem: `front-matter "${fromFrontmatter}": ${pair}; skipped (fix the value)`}
      if (fromName !== undefined && fromName !== pair.tag) {
        return {
          problem: `the file name says ${fromName} but front-matter "${fromFrontmatter}" says ${pair.tag}; skipped (make them agree)`
        }
      }
      return pair.tag
    }
  }

  return fromName ?? config.sourceLocale.default
}

/** Give every output exactly one source (see `discoverNotes`). */
function assignOutputs(config: ResolvedConfig, plans: NotePlan[], problems: DiscoveryProblem[]): void {
  // Collisions are rare: remember the first claim per output and collect the rest separately.
  const first = new Map<string, NotePlan>()
  const contested = new Map<string, NotePlan[]>()

  for (const plan of plans) {
    for (const target of plan.targets) {
      const owner = first.get(target.output)
      if (!owner) first.set(target.output, plan)
      else contested.set(target.output, [...(contested.get(target.output) ?? [owner]), plan])
    }
  }

  const isCopy = (plan: NotePlan, output: string) =>
    plan.targets.some((target) => target.output === output && target.copy)

  for (const [output, claimants] of contested) {
    const winner =
      claimants.find((plan) => isCopy(plan, output)) ??
      claimants.find((plan) => plan.sourceLocale === config.sourceLocale.default) ??
      claimants[0]!
    const settled = isCopy(winner, output) || winner.sourceLocale === config.sourceLocale.default

    for (const plan of claimants) {
      if (plan === winner) continue
      plan.targets = plan.targets.filter((target) => target.output !== output)
      if (!settled) {
        problems.push({
          file: plan.source,
          message: `output ${output} is also the output of ${winner.source}; it is made from that note (first in order); fix the "output" template so each note has its own output`
        })
      }
    }
  }
}

/**
 * Where the current config puts the `locale` translation of `source` (a note that may no longer
 * exist); undefined when its name does not fit the layout. For lock entries that predate the
 * recorded output path.
 */
export function plannedOutput(config: ResolvedConfig, source: string, locale: string): string | undefined {
  try {
    let captures: Record<string, string> = {}
    if (config.sources.pattern !== undefined) {
      const match = matchSourcePattern(compiledPattern(config), source)
      if (!match) return undefined
      captures = match
    }
    const alias = Object.entries(config.localeAliases).find(([, tag]) => tag === locale)?.[0]
    const pair = config.locales.find((listed) => listed.tag === locale) ?? {tag: locale, path: alias ?? locale}
    return renderOutputPath(config, source, captures, pair, pathParts(config, source))
  } catch (error) {
    if (error instanceof UserError) return undefined
    throw error
  }
}
