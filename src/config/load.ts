/**
 * Load the project configuration: find `notes-l10n.config.json` (in the working directory or a
 * parent, or given with `--config`), read and parse it, and resolve it. Also the entry point of
 * the config layer: commands import everything config-related from here.
 */

import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {isErrno} from '../io/errno.js'
import {UserError} from '../types.js'
import {CONFIG_FILE_NAME} from './defaults.js'
import {resolveConfig} from './resolve.js'
import type {ResolvedConfig} from './types.js'

export {
  type DiscoveryProblem,
  discoverNotes,
  type FrontmatterReader,
  type NotePlan,
  plannedOutput
} from './discover.js'
export {frontmatterValueOfBytes} from './frontmatter-head.js'
export {type FrontmatterEdit, frontmatterEdit} from './frontmatter-policy.js'
export {normaliseLocale} from './locales.js'
export {assertWritable, resolveOutputPath} from './paths.js'
export {rebaseLink, rebaseUrl, targetUrlForms} from './rebase.js'
export {resolveConfig} from './resolve.js'
export type {FieldPolicy, LocalePair, ResolvedConfig} from './types.js'

/** Config files larger than this are not config files. */
const MAX_CONFIG_BYTES = 1_048_576

/**
 * Load the configuration for a run.
 *
 * @param options.cwd
 *   Where the command runs; the search for a config file starts here.
 * @param options.configPath
 *   An explicit config file (`--config`), relative to `cwd`; it must exist. Its folder is the root.
 * @returns
 *   The resolved config; without a config file, the zero-config defaults rooted at `cwd`.
 * @throws {UserError}
 *   When the file is missing (explicit path), unreadable, not JSON, or invalid.
 */
export async function loadConfig(options: {cwd: string; configPath?: string}): Promise<ResolvedConfig> {
  const cwd = path.resolve(options.cwd)

  if (options.configPath !== undefined) {
    const file = path.resolve(cwd, options.configPath)
    if (!(await isFile(file))) {
      throw new UserError(
        `--config ${options.configPath}: no such file (looked for ${file}); expected a notes-l10n.config.json; fix the path or run notes-l10n init`
      )
    }
    return {...resolveConfig(await readJson(file), path.dirname(file), file), cwd}
  }

  const file = await findConfigFile(cwd)
  if (!file) {
    // Zero-config: the project root is the nearest folder holding a lock (like git finds its
    // root from a subfolder), else the working directory (docs/state.md, "Finding the project").
    const lock = await findUpward(cwd, LOCK_FILE_NAME)
    return {...resolveConfig({}, lock ? path.dirname(lock) : cwd), cwd}
  }
  return {...resolveConfig(await readJson(file), path.dirname(file), file), cwd}
}

/**
 * The nearest `notes-l10n.config.json` in `from` or its parents.
 *
 * The search stops at the first folder holding a `.git` entry, so a config in a home folder does
 * not capture every repository below it.
 */
export async function findConfigFile(from: string): Promise<string | undefined> {
  return findUpward(from, CONFIG_FILE_NAME)
}

/** The lock's file name (owned by `src/state/lock.ts`; repeated here to keep config free of state). */
const LOCK_FILE_NAME = 'notes-l10n.lock'

/** The nearest file `name` in `from` or its parents, stopping at the first folder holding `.git`. */
async function findUpward(from: string, name: string): Promise<string | undefined> {
  let folder = path.resolve(from)
  for (;;) {
    const candidate = path.join(folder, name)
    if (await isFile(candidate)) return candidate
    if (await exists(path.join(folder, '.git'))) return undefined
    const parent = path.dirname(folder)
    if (parent === folder) return undefined
    folder = parent
  }
}

async function readJson(file: string): Promise<unknown> {
  const stats = await stat(file)
  if (stats.size > MAX_CONFIG_BYTES) {
    throw new UserError(
      `${file}: received ${stats.size} bytes, expected a config file under ${MAX_CONFIG_BYTES} bytes; fix: point --config at the right file`
    )
  }

  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new UserError(
      `${file}: not valid JSON (${detail}); expected a JSON object (comments are not allowed: use a "$comment" key); fix the syntax`
    )
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return false
    throw error
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}
