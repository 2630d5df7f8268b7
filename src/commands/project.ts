/**
 * What every command needs before it starts: the config, the glossary, the notes to work on and
 * the locales, plus reading and analysing a note once.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {discoverNotes, loadConfig, normaliseLocale, type NotePlan, type ResolvedConfig} from '../config/load.js'
import {glossaryFingerprint, loadGlossary, shield, type Glossary} from '../glossary/load.js'
import {analyseNote, type AnalysedNote} from '../pipeline/analyse.js'
import type {ParsedMarkdown} from '../pipeline/parse.js'
import {decodeNote, type NoteText} from '../pipeline/read.js'
import {errnoCode} from '../pipeline/write.js'
import {Lockfile} from '../state/lock.js'
import {UserError} from '../types.js'

export interface ProjectOptions {
  cwd: string
  configPath?: string
  paths?: string[]
  /** Target locales from the command line (comma lists already split). */
  locales?: string[]
}

export interface Project {
  config: ResolvedConfig
  root: string
  glossary?: Glossary
  /** The committed lock, loaded once per run. */
  lock: Lockfile
  plans: NotePlan[]
  /** Files that were skipped, with the reason (they make the run exit non-zero). */
  problems: Array<{file: string; message: string}>
}

/** A file the command could not use, reported with the run's other results. */
export interface Problem {
  file: string
  message: string
}

export async function openProject(options: ProjectOptions): Promise<Project> {
  const config = await loadConfig({cwd: options.cwd, configPath: options.configPath})
  const lock = await Lockfile.load(config.root)
  const glossary = await loadGlossary(path.resolve(config.root, config.glossary))
  if (!glossary && config.glossaryRequired) {
    throw new UserError(`${config.glossary}: the glossary named in ${config.file ?? 'the config'} does not exist (create it — see docs/glossary.md — or remove "glossary" from the config)`)
  }
  const {plans, problems} = await discoverNotes(config, {paths: options.paths, locales: targetLocales(config, lock, options.locales)})
  return {config, root: config.root, glossary, lock, plans, problems}
}

/**
 * Locales from the command line; else the config's; else, with neither, the locales the lock
 * already records, so `check`, `status` and a bare `sync` cover every existing translation.
 */
function targetLocales(config: ResolvedConfig, lock: Lockfile, cli: string[] | undefined): string[] | undefined {
  if (cli?.length) return cli.map((locale) => normaliseLocale(config, locale).tag)
  if (config.locales.length > 0) return undefined
  const recorded = new Set<string>()
  for (const [, locale] of lock.entries()) recorded.add(locale)
  return recorded.size > 0 ? [...recorded].sort() : undefined
}

/** Reads a note (source or target) relative to the project root; undefined when it does not exist. */
export async function readText(root: string, file: string, maxBytes: number): Promise<NoteText | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path.join(root, file))
  } catch (error) {
    // ENOTDIR: a folder on the way is a file; the write path explains that when it gets there.
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined
    if (isErrno(error, 'EISDIR')) throw new UserError(`${file}: is a directory, expected a Markdown file`)
    throw new UserError(`${file}: cannot be read (${errnoMessage(error)})`)
  }
  return decodeNote(bytes, file, {maxBytes})
}

/**
 * Parses a note once, shielding the glossary's keep-terms so they survive by construction.
 * `parsed` reuses a parse already made of exactly this text (reassembly's safety net).
 */
export function analyse(project: Project, file: string, text: NoteText, parsed?: ParsedMarkdown): AnalysedNote {
  return analyseNote(file, text, {
    frontmatterKeys: project.config.frontmatter.translateKeys,
    shield: project.glossary ? shield(project.glossary) : undefined,
    ...(parsed ? {parsed} : {})
  })
}

/** The glossary's fingerprint for a locale, as lock entries record it; undefined without a glossary. */
export function glossaryVersion(project: Project, locale: string): string | undefined {
  return project.glossary ? glossaryFingerprint(project.glossary, locale) : undefined
}

/** A problem as one line: its message, prefixed with its file unless the message already names it. */
export function describeProblem(problem: Problem): string {
  return problem.message.includes(problem.file) ? problem.message : `${problem.file}: ${problem.message}`
}

export function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code
}

export function errnoMessage(error: unknown): string {
  return errnoCode(error) ?? (error instanceof Error ? error.message : String(error))
}
