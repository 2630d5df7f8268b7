/**
 * The shared corpus of real notes and READMEs (`../shared/corpus` from the repository root).
 */
import {existsSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export const corpusRoot = path.resolve(repoRoot, '../shared/corpus')

/** Absolute paths of the corpus files in `folder` (`notes`, `readmes`). */
export function corpusFiles(folder: 'notes' | 'readmes'): string[] {
  const directory = path.join(corpusRoot, folder)
  if (!existsSync(directory)) throw new Error(`the shared corpus is missing: expected ${directory} (it sits beside the repository as ../shared/corpus)`)
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(directory, name))
}
