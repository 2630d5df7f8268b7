/**
 * What every command needs before it starts: the config, the glossary, the notes to work on and
 * the locales, plus reading a note. Parsing lives in `analyse.ts`, so that a command which finds
 * nothing to parse (`check` on current targets) never loads the Markdown parser.
 */
import {constants, existsSync} from 'node:fs'
import {open} from 'node:fs/promises'
import path from 'node:path'
import {CONFIG_FILE_NAME} from '../config/defaults.js'
import {
  discoverNotes,
  frontmatterValueOfBytes,
  loadConfig,
  type NotePlan,
  normaliseLocale,
  type ResolvedConfig
} from '../config/load.js'
import {type Glossary, glossaryFingerprint, loadGlossary} from '../glossary/load.js'
import {errnoMessage, isErrno} from '../io/errno.js'
import {decodeNote, type NoteText} from '../pipeline/read.js'
import {LOCK_FILE, Lockfile} from '../state/lock.js'
import {StatCache} from '../state/stat-cache.js'
import {UserError} from '../types.js'

export interface ProjectOptions {
  cwd: string
  configPath?: string
  paths?: string[]
  /** Target locales from the command line (comma lists already split). */
  locales?: string[]
  /**
   * Check every file the stat cache knows on worker threads while the notes are discovered (for
   * commands that hash them all: `check`, `status`, `diff`).
   */
  verifyCache?: boolean
}

/**
 * A project as {@link openProjectWithoutLock} opens it: `lock` is there once {@link loadLock} has
 * read it. `check` answers most targets from its stat cache and needs the lock (15 MB at 10,000
 * notes × 9 locales) only for the others, so it reads it only then, and says so in the code.
 */
export interface ProjectBase {
  config: ResolvedConfig
  root: string
  glossary?: Glossary
  /** The committed lock, once read (by {@link loadLock}, or by discovery when it needed the locales). */
  lock?: Lockfile
  /** File hashes (and source locales) by stat, like git's index; commands that read many files save it. */
  statCache: StatCache
  plans: NotePlan[]
  /** Every note's plan when `plans` holds only some (`sync --shard`): renames are judged over all. */
  everyPlan?: NotePlan[]
  /** Files that were skipped, with the reason (they make the run exit non-zero). */
  problems: Array<{file: string; message: string}>
}

/** A project with its committed lock read (what {@link openProject} returns). */
export interface Project extends ProjectBase {
  lock: Lockfile
}

/** A file the command could not use, reported with the run's other results. */
export interface Problem {
  file: string
  message: string
}

/** Opens the project and reads its lock. */
export async function openProject(options: ProjectOptions): Promise<Project> {
  return loadLock(await openProjectWithoutLock(options))
}

/**
 * Reads the project's lock, once: the project is returned with it (and keeps it, so a command
 * that inspected first and then needs the lock reads it once).
 */
export async function loadLock(project: ProjectBase): Promise<Project> {
  return Object.assign(project, {lock: project.lock ?? (await Lockfile.load(project.root))})
}

/**
 * Opens the project without reading the lock, unless discovery needs it (to learn the locales
 * when neither the command line nor the config names any); {@link loadLock} reads it.
 */
export async function openProjectWithoutLock(options: ProjectOptions): Promise<ProjectBase> {
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  const statCache = await StatCache.load(config.root)
  // Worker threads check the cached stats while this thread finds the notes.
  const verified = options.verifyCache ? statCache.verify() : undefined
  // Discovery needs the lock only to learn the locales when neither the command line nor the
  // config names any.
  const lock = !options.locales?.length && config.locales.length === 0 ? await Lockfile.load(config.root) : undefined
  const glossary = await loadGlossary(path.resolve(config.root, config.glossary))
  if (!glossary && config.glossaryRequired) {
    throw new UserError(
      `${config.glossary}: the glossary named in ${config.file ?? 'the config'} does not exist (create it — see docs/glossary.md — or remove "glossary" from the config)`
    )
  }
  const {plans, problems} = await discoverNotes(config, {
    paths: options.paths,
    locales: targetLocales(config, lock, options.locales),
    recordedLocales: !options.locales?.length && config.locales.length === 0,
    // A source's locale is remembered with its hash: an unchanged note is stat'ed, not opened.
    frontmatterValue: (file, key) =>
      statCache.derived(file, {name: `front-matter ${key}`, derive: (bytes) => frontmatterValueOfBytes(bytes, key)})
  })
  await verified
  if (
    plans.length === 0 &&
    problems.length === 0 &&
    !options.paths?.length &&
    !existsSync(path.join(config.root, LOCK_FILE))
  ) {
    throw new UserError(nothingFound(config) + (config.file ? '' : await siteHint(config)))
  }
  return {config, root: config.root, glossary, statCache, plans, problems, ...(lock ? {lock} : {})}
}

/**
 * Why a run found no notes, and where it looked: a command run in the wrong folder must not
 * report "all current".
 */
function nothingFound(config: ResolvedConfig): string {
  const where = config.file
    ? `as configured in ${config.file}`
    : `no ${CONFIG_FILE_NAME} or ${LOCK_FILE} in ${config.cwd ?? config.root} or its parent folders, so the zero-config layout applies`
  return `no source notes found: looked for ${config.sources.include.join(', ')} under ${config.root} (${where}) — run the command in the project's folder, pass --config, or run notes-l10n init`
}

/**
 * Without a config, a folder that is plainly some site generator's (`_config.yml` with
 * `_posts/`, `hugo.toml`, …) is named, so the fix is obvious: `init` writes its config
 * (docs/layouts.md).
 */
async function siteHint(config: ResolvedConfig): Promise<string> {
  const {detectLayouts} = await import('./layouts.js')
  const found = (await detectLayouts(config.root)).filter((layout) => layout.name !== 'notes')
  if (found.length === 0) return ''
  return `; this looks like a ${found.map((layout) => `${layout.title} (${layout.reasons[0]})`).join(' or a ')}: notes-l10n init writes a config for it`
}

/**
 * Locales from the command line; else the config's; else, with neither, the locales the lock
 * already records, so `check`, `status` and a bare `sync` cover every existing translation.
 */
function targetLocales(
  config: ResolvedConfig,
  lock: Lockfile | undefined,
  cli: string[] | undefined
): string[] | undefined {
  // Validated here (a typo stops the run before anything is read), passed on as typed: an
  // unlisted tag keeps the user's spelling for paths (`zh-cn`).
  if (cli?.length) {
    for (const locale of cli) normaliseLocale(config, locale)
    return [...cli]
  }
  if (config.locales.length > 0 || !lock) return undefined
  const recorded = new Set<string>()
  for (const [, locale] of lock.keys()) recorded.add(locale)
  return recorded.size > 0 ? [...recorded].sort() : undefined
}

/** Reads a note (source or target) relative to the project root; undefined when it does not exist. */
export async function readText(root: string, file: string, maxBytes: number): Promise<NoteText | undefined> {
  let bytes: Uint8Array
  try {
    // O_NONBLOCK and the fstat: a FIFO planted as a note or a target is refused, never waited on.
    const handle = await open(path.join(root, file), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
    try {
      const stats = await handle.stat()
      if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      if (!stats.isFile())
        throw new UserError(
          `${file}: is ${stats.isFIFO() ? 'a named pipe (FIFO)' : 'a socket or device'}, expected a Markdown file — remove it and re-run`
        )
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    // ENOTDIR: a folder on the way is a file; the write path explains that when it gets there.
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined
    if (isErrno(error, 'EISDIR')) throw new UserError(`${file}: is a directory, expected a Markdown file`)
    throw new UserError(`${file}: cannot be read (${errnoMessage(error)})`)
  }
  return noteText(bytes, file, maxBytes)
}

/**
 * A note's bytes (from the disk or a git revision) as text, with the MDX parser loaded when the
 * note is `.mdx`, so that parsing it stays synchronous (`loadMdxParser` in pipeline/parse.ts).
 */
export async function noteText(bytes: Uint8Array, file: string, maxBytes: number): Promise<NoteText> {
  const note = decodeNote(bytes, file, {maxBytes})
  // Dynamic: `check` loads the Markdown parser only for a note it must parse (bench/limits.md, 3).
  if (note.mdx) await (await import('../pipeline/parse.js')).loadMdxParser()
  return note
}

/** The glossary's fingerprint for a locale, as lock entries record it; undefined without a glossary. */
export function glossaryVersion(project: ProjectBase, locale: string): string | undefined {
  return project.glossary ? glossaryFingerprint(project.glossary, locale) : undefined
}

/** A problem as one line: its message, prefixed with its file unless the message already names it. */
export function describeProblem(problem: Problem): string {
  return problem.message.includes(problem.file) ? problem.message : `${problem.file}: ${problem.message}`
}

/**
 * Where each note's translation into `locale` is written (links between notes point there: see
 * `rebaseLink`). The table is built on the first lookup: most targets (and most review units) have
 * no relative link to another note, and callers ask once per target or unit.
 */
export function translationsIn(project: ProjectBase, locale: string): (note: string) => string | undefined {
  let outputs: Map<string, string> | undefined
  return (note) => {
    if (!outputs) {
      outputs = new Map()
      for (const plan of project.plans) {
        const target = plan.targets.find((each) => each.locale === locale)
        if (target) outputs.set(plan.source, target.output)
      }
    }
    return outputs.get(note)
  }
}
