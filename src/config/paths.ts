/**
 * Safe output paths (docs/rules.md S4, S5).
 *
 * Every output path is checked twice: as text, when it is computed from the template (no `..`,
 * no absolute path, no NUL, no backslash, no `.git`), and against the disk right before writing
 * (the deepest existing parent must resolve inside the root; the target must not be a symlink).
 * Front-matter values never enter paths, so a `slug: ../../x` in a note cannot steer a write.
 */

import {lstat, realpath} from 'node:fs/promises'
import path from 'node:path'
import picomatch from 'picomatch'
import {isErrno} from '../io/errno.js'
import {UserError} from '../types.js'
import {normaliseLocale} from './locales.js'
import {parseTemplate, type TemplatePiece} from './template.js'
import type {LocalePair, ResolvedConfig} from './types.js'

/**
 * Relative, segments neither empty nor starting with a dot (so no `.`, `..`, `.git`, …), no
 * backslash or control character, no drive letter: safe unless a segment is `node_modules`.
 */
// eslint-disable-next-line no-control-regex
const PLAINLY_SAFE =
  /^(?![A-Za-z]:)[^/\\\u0000-\u001F\u007F.][^/\\\u0000-\u001F\u007F]*(?:\/[^/\\\u0000-\u001F\u007F.][^/\\\u0000-\u001F\u007F]*)*$/

/** Path segments we never write into, even inside the root. */
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['.git', '.github', '.notes-l10n', 'node_modules'])

/**
 * Why a root-relative POSIX path is unsafe, or `undefined` when it is fine.
 *
 * Backslashes are refused outright rather than interpreted: on Windows they are separators
 * (`..\\x`), on POSIX they are legal but never intended in a note's name.
 */
export function unsafePathReason(relative: string): string | undefined {
  // Discovery asks this of every source and output (100,000 paths for 10,000 notes × 9 locales):
  // the common, plainly safe path is settled by one pattern, the rest is explained below.
  if (PLAINLY_SAFE.test(relative) && !relative.includes('node_modules')) return undefined
  if (relative === '') return 'it is empty'
  if (relative.includes('\0')) return 'it contains a NUL byte'
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001F\u007F]/.test(relative)) return 'it contains a control character'
  if (relative.includes('\\')) return 'it contains a backslash'
  if (relative.startsWith('/') || /^[A-Za-z]:/.test(relative)) return 'it is absolute'
  for (const segment of relative.split('/')) {
    if (segment === '..') return 'it climbs out with ".."'
    if (segment === '.' || segment === '') return 'it has an empty or "." path segment'
    if (FORBIDDEN_SEGMENTS.has(segment)) return `it writes into "${segment}/"`
  }
  return undefined
}

/** Whether absolute `child` is `parent` or inside it. */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
}

/** Compiled pieces of the output template and include matchers, per config object. */
interface Include {
  match: (path: string) => boolean
  base: string
  /** The output template of sources under this glob. */
  output: TemplatePiece[]
}

const compiled = new WeakMap<ResolvedConfig, {includes: Include[]; output: TemplatePiece[]}>()

function compile(config: ResolvedConfig) {
  let entry = compiled.get(config)
  if (!entry) {
    const output = pieces(config.output)
    entry = {
      output,
      includes: config.sources.include.map((glob) => ({
        match: picomatch(glob, {dot: false}),
        base: sourceBaseOf(glob),
        output: config.outputs && Object.hasOwn(config.outputs, glob) ? pieces(config.outputs[glob]!) : output
      }))
    }
    compiled.set(config, entry)
  }
  return entry
}

function pieces(template: string): TemplatePiece[] {
  const parsed = parseTemplate(template)
  // `resolveConfig` has already refused a broken template; this guards hand-made configs.
  if (typeof parsed === 'string') throw new UserError(`"output" template ${JSON.stringify(template)}: ${parsed}`)
  return parsed
}

/** The first include glob matching a source path, if any. */
function includeOf(config: ResolvedConfig, source: string): Include | undefined {
  return compile(config).includes.find((include) => include.match(source))
}

/** Every output template of the config, as written. */
export function outputTemplates(config: ResolvedConfig): string[] {
  return config.outputs ? [...new Set(Object.values(config.outputs))] : [config.output]
}

/** The static folder prefix of a glob, `notes` for `notes/**\/*.md`, `''` for `**\/*.md`. */
export function sourceBaseOf(glob: string): string {
  const scan = picomatch.scan(glob)
  if (scan.isGlob) return scan.base
  // A literal file: its folder is the base, so `{path}` is the file name.
  const folder = path.posix.dirname(glob)
  return folder === '.' ? '' : folder
}

/**
 * The source base of a source path: the static prefix of the first include glob matching it.
 */
export function sourceBase(config: ResolvedConfig, source: string): string {
  return includeOf(config, source)?.base ?? ''
}

/** The built-in template parts that come from the source path. */
export interface PathParts {
  path: string
  dir: string
  name: string
  ext: string
}

/**
 * The built-in template parts of a source path: `{path}`, `{dir}`, `{name}`, `{ext}`.
 * `{ext}` includes its dot (`.md`), so `{dir}/{name}{ext}` is `{path}`.
 */
export function pathParts(config: ResolvedConfig, source: string): PathParts {
  const base = sourceBase(config, source)
  const relative = base && source.startsWith(`${base}/`) ? source.slice(base.length + 1) : source
  const dir = path.posix.dirname(relative)
  const ext = path.posix.extname(relative)
  return {path: relative, dir: dir === '.' ? '' : dir, name: path.posix.basename(relative, ext), ext}
}

/**
 * Render the output template for one source and one locale.
 *
 * A part that renders empty swallows the `/` after it when it starts the path or follows a `/`,
 * so `{dir}/{name}{ext}` for a file at the source base gives `name.md`, not `/name.md`.
 *
 * @param locale
 *   Target locale, either form (`hant` or `zh-Hant`).
 * @returns
 *   The output path relative to the root, POSIX separators.
 * @throws {UserError}
 *   When the locale is malformed or the path would escape the root or is otherwise unsafe.
 */
export function resolveOutputPath(
  config: ResolvedConfig,
  plan: {source: string; captures: Record<string, string>},
  locale: string
): string {
  return renderOutputPath(
    config,
    plan.source,
    plan.captures,
    normaliseLocale(config, locale),
    pathParts(config, plan.source)
  )
}

/**
 * `resolveOutputPath` with the locale pair and path parts already known, so that discovery
 * computes a note's parts once for all its locales.
 */
export function renderOutputPath(
  config: ResolvedConfig,
  source: string,
  captures: Readonly<Record<string, string>>,
  pair: LocalePair,
  parts: PathParts
): string {
  let result = ''
  let swallowSlash = false

  for (const piece of includeOf(config, source)?.output ?? compile(config).output) {
    if (piece.type === 'part') {
      const value = partValue(piece.name, captures, pair, parts)
      swallowSlash = value === '' && (result === '' || result.endsWith('/'))
      result += value
      continue
    }

    result += swallowSlash && piece.value.startsWith('/') ? piece.value.slice(1) : piece.value
    swallowSlash = false
  }

  const reason = unsafePathReason(result)
  if (reason) {
    throw new UserError(
      `output path ${JSON.stringify(result)} for ${JSON.stringify(source)} (locale ${pair.path}) is refused because ${reason}; expected a path inside the project; fix the "output" template${config.file ? ` in ${config.file}` : ''} or rename the source`
    )
  }

  return result
}

function partValue(
  name: string,
  captures: Readonly<Record<string, string>>,
  pair: LocalePair,
  parts: PathParts
): string {
  switch (name) {
    case 'locale':
      return pair.path
    case 'tag':
      return pair.tag
    case 'path':
    case 'dir':
    case 'name':
    case 'ext':
      return parts[name]
    default:
      return Object.hasOwn(captures, name) ? captures[name]! : ''
  }
}

/**
 * Check, right before writing, that `relativeOutput` lands inside `root` on disk: the deepest
 * existing parent must resolve (realpath) inside the root's realpath, and the target itself must
 * not be a symlink or a folder (S5). Writing code must still refuse symlinks at open time; this
 * check exists so that a bad layout fails before any provider call is paid for.
 *
 * @throws {UserError}
 */
export async function assertWritable(root: string, relativeOutput: string): Promise<void> {
  const reason = unsafePathReason(relativeOutput)
  if (reason)
    throw new UserError(
      `output path ${JSON.stringify(relativeOutput)} is refused because ${reason}; expected a path inside ${root}`
    )

  const realRoot = await realpath(root)
  const target = path.resolve(root, relativeOutput)
  const stats = await lstatOrUndefined(target)

  if (stats?.isSymbolicLink()) {
    throw new UserError(
      `output ${relativeOutput} is a symlink; refusing to write through it (remove the link or change the "output" template)`
    )
  }

  if (stats && !stats.isFile()) {
    throw new UserError(
      `output ${relativeOutput} exists and is not a regular file; move it away or change the "output" template`
    )
  }

  let parent = path.dirname(target)
  while (!(await lstatOrUndefined(parent))) {
    const next = path.dirname(parent)
    if (next === parent) break
    parent = next
  }

  const realParent = await realpath(parent)
  if (!isInside(realRoot, realParent)) {
    throw new UserError(
      `output ${relativeOutput} would be written outside the project: ${path.relative(root, parent) || '.'} resolves to ${realParent}; remove the symlink or change the "output" template`
    )
  }
}

/** The file's lstat, or undefined when it (or a folder on its way) does not exist. */
export async function lstatOrUndefined(file: string) {
  try {
    return await lstat(file)
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined
    throw error
  }
}
