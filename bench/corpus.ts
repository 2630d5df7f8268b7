/**
 * The shared corpus of real notes (`../shared/corpus` from the repo root): what every figure feeds
 * through the tool, so the numbers are about text nobody here wrote.
 */
import {existsSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {NotMeasured} from './figure.js'

/** One corpus file, as bytes (the pipeline's input) with its corpus-relative name. */
export interface CorpusFile {
  /** `notes/2025-02-20-curl-en.md`, `readmes/unified-11.0.5.md`. */
  name: string
  bytes: Uint8Array
}

/** The folders of the corpus that hold source notes (`translations/` holds targets, not sources). */
export const SOURCE_FOLDERS = ['notes', 'readmes'] as const

/**
 * `../shared/corpus` resolved from the repo root, or the folder `NOTES_L10N_CORPUS` names (as for
 * `npm run test:corpus`, e.g. from a git worktree one level deeper).
 *
 * @throws {NotMeasured} when it is absent, saying where it was looked for.
 */
export function locateCorpus(repoRoot: string): string {
  const corpusRoot = path.resolve(repoRoot, process.env.NOTES_L10N_CORPUS ?? '../shared/corpus')
  const missing = SOURCE_FOLDERS.filter((folder) => !existsSync(path.join(corpusRoot, folder)))
  if (missing.length > 0) {
    throw new NotMeasured(
      `the shared corpus was not found: expected ${missing.map((folder) => path.join(corpusRoot, folder)).join(' and ')} — check out the shared folder beside the repo (../shared/corpus) or set NOTES_L10N_CORPUS to it`
    )
  }
  return corpusRoot
}

/** Every `.md` of `notes/` and `readmes/`, sorted by name (a stable order makes runs comparable). */
export async function readCorpus(corpusRoot: string): Promise<CorpusFile[]> {
  const files: CorpusFile[] = []
  for (const folder of SOURCE_FOLDERS) {
    const names = (await readdir(path.join(corpusRoot, folder))).filter((name) => name.endsWith('.md')).sort()
    for (const name of names)
      files.push({name: `${folder}/${name}`, bytes: await readFile(path.join(corpusRoot, folder, name))})
  }
  if (files.length === 0)
    throw new NotMeasured(`the shared corpus at ${corpusRoot} has no .md files in ${SOURCE_FOLDERS.join(' or ')}`)
  return files
}

/** Total bytes of `files`. */
export function byteLength(files: readonly CorpusFile[]): number {
  return files.reduce((sum, file) => sum + file.bytes.byteLength, 0)
}
