/**
 * Parsing a note of the project: the one place commands call the pipeline's analysis, with the
 * project's front-matter keys and glossary shield.
 */
import {shield} from '../glossary/load.js'
import {type AnalysedNote, analyseNote} from '../pipeline/analyse.js'
import type {ParsedMarkdown} from '../pipeline/parse.js'
import type {NoteText} from '../pipeline/read.js'
import {type ProjectBase, readText} from './project.js'

/**
 * Parses a note once, shielding the glossary's keep-terms so they survive by construction.
 * `parsed` reuses a parse already made of exactly this text (reassembly's safety net).
 */
export function analyse(
  project: ProjectBase,
  file: string,
  text: NoteText,
  parsed?: ParsedMarkdown,
  frontmatterKeys?: readonly string[]
): AnalysedNote {
  return analyseNote(file, text, {
    // A target is read with the keys its lock entry was written with (they may have changed since).
    frontmatterKeys: frontmatterKeys ?? project.config.frontmatter.translateKeys,
    shield: project.glossary ? shield(project.glossary) : undefined,
    jsxAttributes: project.config.mdx.attributes,
    ...(parsed ? {parsed} : {})
  })
}

/** Reads and parses a note of the project; undefined when the file does not exist. */
export async function readNote(
  project: ProjectBase,
  file: string,
  frontmatterKeys?: readonly string[]
): Promise<AnalysedNote | undefined> {
  const text = await readText(project.root, file, project.config.limits.maxFileBytes)
  return text ? analyse(project, file, text, undefined, frontmatterKeys) : undefined
}
