/**
 * Source discovery: which notes exist, what language each is in, and where each of its targets
 * goes.
 *
 * Discovery walks only the static bases of the include globs, never follows a symlink out of
 * the project (S5), and reads no more of a note than its front-matter head, so ten thousand
 * notes stay cheap. Problems with single files are collected, not thrown: one odd file must not
 * stop the run.
 */

import {constants, type Dirent, readdirSync, realpathSync, statSync} from 'node:fs'
import {open} from 'node:fs/promises'
import path from 'node:path'
import picomatch from 'picomatch'
import {isErrno} from '../io/errno.js'
import {UserError} from '../types.js'
import {compareCodeUnits} from '../values.js'
import {ALWAYS_IGNORED_DIRS} from './defaults.js'
import {canonicalTag, isLocaleTag, normaliseLocale, pairFromAliases} from './locales.js'
import {isInside, outputTemplates, pathParts, renderOutputPath, sourceBaseOf, unsafePathReason} from './paths.js'
import {compileSourcePattern, matchSourcePattern} from './pattern.js'
import {parseTemplate} from './template.js'
import type {LocalePair, ResolvedConfig} from './types.js'

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

/** A file left out, with the reason. */
export interface DiscoveryProblem {
  file: string
  message: string
}

/** How much of a note is read first to find its front-matter locale: most front-matter fits. */
const HEAD_BYTES = 4096

/** How far a long front-matter is followed before giving up. */
const MAX_HEAD_BYTES = 65_536

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

/**
 * Exclude globs with `{locale}` (path form) and `{tag}` expanded to every locale of the run and
 * of the config: `docs/{locale}/**` keeps every translation folder out of the sources, including
 * one for a locale added later, so outputs beside or under the sources are never read back as
 * sources. Locale forms are letters, digits, `-` and `_` (checked at load), safe inside braces.
 */
export function expandLocaleParts(globs: readonly string[], locales: readonly LocalePair[]): string[] {
  const alternation = (values: string[]) => {
    const unique = [...new Set(values)]
    return unique.length === 1 ? unique[0]! : `{${unique.join(',')}}`
  }
  return globs.flatMap((glob) => {
    if (!glob.includes('{locale}') && !glob.includes('{tag}')) return [glob]
    // With no locale at all there is nothing to keep out.
    if (locales.length === 0) return []
    return [
      glob
        .replaceAll('{locale}', alternation(locales.map((locale) => locale.path)))
        .replaceAll('{tag}', alternation(locales.map((locale) => locale.tag)))
    ]
  })
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

/**
 * Every file under the include bases that matches an include glob and no exclude glob,
 * root-relative, sorted. Symlinks are followed only while they stay inside the root.
 *
 * Synchronous: one folder after another, the event loop has nothing else to do meanwhile, and an
 * async `readdir` per folder only added a thread-pool round trip each.
 */
function walkSources(config: ResolvedConfig, problems: DiscoveryProblem[], locales: readonly LocalePair[]): string[] {
  const include = picomatch(config.sources.include)
  const excludes = expandLocaleParts(config.sources.exclude, [...locales, ...config.locales])
  const exclude = excludes.length > 0 ? picomatch(excludes) : () => false
  const realRoot = realpathSync(config.root)
  const found = new Set<string>()
  const visited = new Set<string>()

  // Walk each base once; a base inside another base is covered by the outer walk.
  const bases = [...new Set(config.sources.include.map(sourceBaseOf))].sort((a, b) => a.length - b.length)
  const walked: string[] = []

  for (const base of bases) {
    if (walked.some((outer) => outer === '' || base === outer || base.startsWith(`${outer}/`))) continue
    walked.push(base)
    walkFolder(base)
  }

  return [...found].sort(compareCodeUnits)

  function walkFolder(relative: string): void {
    const absolute = path.join(config.root, relative)
    const real = realpathOrUndefined(absolute)
    if (!real) return
    if (!isInside(realRoot, real)) {
      problems.push({
        file: relative || '.',
        message: `symlinked folder resolves to ${real}, outside the project; skipped (a source tree must not reach outside the root)`
      })
      return
    }
    if (visited.has(real)) return
    visited.add(real)

    let entries: Dirent[]
    try {
      entries = readdirSync(absolute, {withFileTypes: true})
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return
      throw error
    }

    entries.sort((a, b) => compareCodeUnits(a.name, b.name))

    for (const entry of entries) {
      if (ALWAYS_IGNORED_DIRS.has(entry.name)) continue
      const child = relative ? `${relative}/${entry.name}` : entry.name

      if (entry.isDirectory()) {
        walkFolder(child)
        continue
      }

      if (entry.isSymbolicLink()) {
        const target = realpathOrUndefined(path.join(config.root, child))
        if (!target) {
          if (include(child)) problems.push({file: child, message: 'broken symlink; skipped'})
          continue
        }
        const targetStats = statSync(target)
        if (!isInside(realRoot, target)) {
          if (targetStats.isDirectory() || include(child)) {
            problems.push({
              file: child,
              message: `symlink resolves to ${target}, outside the project; skipped (sources must live inside the root)`
            })
          }
          continue
        }
        if (targetStats.isDirectory()) {
          walkFolder(child)
          continue
        }
        if (!targetStats.isFile()) {
          if (include(child) && !exclude(child))
            problems.push({file: child, message: notRegular(targetStats, 'a symlink to ')})
          continue
        }
      } else if (!entry.isFile()) {
        // A FIFO, socket or device that matches the sources is reported, never read (a FIFO would
        // block) and never skipped silently (docs/state.md).
        if (include(child) && !exclude(child)) problems.push({file: child, message: notRegular(entry, '')})
        continue
      }

      if (!include(child) || exclude(child)) continue
      const reason = unsafePathReason(child)
      if (reason) {
        problems.push({file: child, message: `file name refused because ${reason}; rename the file`})
        continue
      }
      found.add(child)
    }
  }
}

/** Why a source that is not a regular file is skipped, naming what it is. */
function notRegular(
  kind: {isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean},
  prefix: string
): string {
  const what = kind.isFIFO()
    ? 'a named pipe (FIFO)'
    : kind.isSocket()
      ? 'a socket'
      : kind.isCharacterDevice() || kind.isBlockDevice()
        ? 'a device'
        : 'not a file'
  return `is ${prefix}${what}, not a regular file; skipped — a source note must be a regular file: remove it, or leave it out with sources.exclude`
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

/**
 * The value of a top-level scalar key in a note's YAML front-matter, reading only its head.
 *
 * Handles `key: value`, quoted values and trailing comments; anything fancier (block scalars,
 * flow collections) is not a locale anyway and yields undefined.
 */
export async function readFrontmatterValue(file: string, key: string): Promise<string | undefined> {
  // O_NONBLOCK: a FIFO among the sources opens at once (and reads as empty) instead of blocking.
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    let size = HEAD_BYTES
    for (;;) {
      const buffer = Buffer.allocUnsafe(size)
      const {bytesRead} = await handle.read(buffer, 0, size, 0)
      const text = buffer.toString('utf8', 0, bytesRead)
      // A full buffer may end mid-line (or mid-character): only whole lines are looked at.
      const head = bytesRead < size ? text : text.slice(0, text.lastIndexOf('\n') + 1)
      const found = frontmatterValue(head, key)
      // Read further only when the front-matter is still open at the end of what was read.
      if (found !== undefined || bytesRead < size || size >= MAX_HEAD_BYTES || !frontmatterOpen(head)) return found
      size *= 4
    }
  } finally {
    await handle.close()
  }
}

/**
 * {@link readFrontmatterValue} of a note's bytes already read: the same answer, from the same
 * head of at most {@link MAX_HEAD_BYTES}.
 */
export function frontmatterValueOfBytes(bytes: Uint8Array, key: string): string | undefined {
  const cut = bytes.length > MAX_HEAD_BYTES
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_HEAD_BYTES)).toString('utf8')
  return frontmatterValue(cut ? text.slice(0, text.lastIndexOf('\n') + 1) : text, key)
}

/** Whether `head` starts a front-matter block that it does not close. */
function frontmatterOpen(head: string): boolean {
  return /^\uFEFF?---\r?\n/.test(head) && !/\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.test(head)
}

/** The pure half of `readFrontmatterValue`: find `key` in the front-matter at the start of `head`. */
export function frontmatterValue(head: string, key: string): string | undefined {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (lines[0]?.trimEnd() !== '---') return undefined

  for (const line of lines.slice(1)) {
    const trimmed = line.trimEnd()
    if (trimmed === '---' || trimmed === '...') return undefined
    if (!line.startsWith(key) || !/^\s*:/.test(line.slice(key.length))) continue
    const raw = line.slice(line.indexOf(':', key.length) + 1).trim()
    const quoted = /^(["'])(.*)\1(?:\s+#.*)?$/.exec(raw)
    const value = quoted ? quoted[2]! : raw.replace(/\s+#.*$/, '').trim()
    return value === '' ? undefined : value
  }

  return undefined
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

function realpathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file)
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined
    throw error
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
