/**
 * The extra suite's one input: the shared corpus of real notes and READMEs that sits beside the
 * repository on the project's development machines (`../shared/corpus` from the repository root,
 * or the folder `NOTES_L10N_CORPUS` names, e.g. from a git worktree one level deeper).
 * `npm run test:corpus` runs this suite; `npm test` never does. Without the corpus the suite fails
 * with this message — never a silent skip.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {type MarkdownFile, markdownFiles} from '../support/notes.js'
import {repoRoot} from '../support/repo.js'

export const corpusRoot = path.resolve(repoRoot, process.env.NOTES_L10N_CORPUS ?? '../shared/corpus')

/** The corpus root, or a clear error when it is not there. */
export function sharedCorpus(): string {
  const missing = ['notes', 'readmes', 'translations'].filter((folder) => !existsSync(path.join(corpusRoot, folder)))
  if (missing.length > 0) {
    throw new Error(
      `npm run test:corpus needs the shared corpus beside the repository: ${missing.map((folder) => path.join(corpusRoot, folder)).join(', ')} not found. ` +
        'Put it at ../shared/corpus (or set NOTES_L10N_CORPUS to its folder), or run npm test, which needs nothing beside the repository.'
    )
  }
  return corpusRoot
}

/** The `.md` files of one corpus folder (`notes`, `readmes`), sorted by name. */
export function corpusFiles(folder: 'notes' | 'readmes'): MarkdownFile[] {
  return markdownFiles(path.join(sharedCorpus(), folder))
}
