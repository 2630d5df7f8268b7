/**
 * Which files are sources: a walk of the include globs' static bases, matched against the include
 * and exclude globs, never out of the project through a symlink (S5), never reading a FIFO,
 * socket or device (each is reported). Discovery (`discover.ts`) plans the files found.
 */

import {type Dirent, readdirSync, realpathSync, statSync} from 'node:fs'
import path from 'node:path'
import picomatch from 'picomatch'
import {isErrno} from '../io/errno.js'
import {compareCodeUnits} from '../values.js'
import {ALWAYS_IGNORED_DIRS} from './defaults.js'
import {isInside, sourceBaseOf, unsafePathReason} from './paths.js'
import type {LocalePair, ResolvedConfig} from './types.js'

/** A file left out, with the reason. */
export interface DiscoveryProblem {
  file: string
  message: string
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

/**
 * Every file under the include bases that matches an include glob and no exclude glob,
 * root-relative, sorted. Symlinks are followed only while they stay inside the root.
 *
 * Synchronous: one folder after another, the event loop has nothing else to do meanwhile, and an
 * async `readdir` per folder only added a thread-pool round trip each.
 */
export function walkSources(
  config: ResolvedConfig,
  problems: DiscoveryProblem[],
  locales: readonly LocalePair[]
): string[] {
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

/** The real path of `file`, or undefined when it (or a folder on the way) does not exist or loops. */
export function realpathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file)
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined
    throw error
  }
}
