/**
 * The repository's own Markdown fixtures (`test/fixtures`): notes with front-matter, CJK and
 * tables in `notes/`, and translations of three of them in `translations/<locale>/`, some with
 * deliberate faults for the review and validation tests. Written for this project.
 */

import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {repoRoot} from './repo.js'

export const FIXTURES = path.join(repoRoot, 'test/fixtures')

export interface MarkdownFile {
  /** The file name, e.g. `2026-01-12-sqlite-backup-en.md`. */
  name: string
  /** Absolute path. */
  file: string
  text: string
}

/** The `.md` files of `folder`, sorted by name. */
export function markdownFiles(folder: string): MarkdownFile[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => ({name, file: path.join(folder, name), text: readFileSync(path.join(folder, name), 'utf8')}))
}

/** The source notes of the fixtures. */
export function fixtureNotes(): MarkdownFile[] {
  return markdownFiles(path.join(FIXTURES, 'notes'))
}

/** Source/translation pairs under `root` (`notes/<name>-en.md`, `translations/<locale>/<name>-<locale>.md`). */
export function translationPairs(
  root: string = FIXTURES
): Array<{locale: string; file: string; source: string; target: string}> {
  return ['es', 'zh'].flatMap((locale) =>
    readdirSync(path.join(root, 'translations', locale))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((file) => ({
        locale,
        file,
        source: path.join(root, 'notes', file.replace(`-${locale}.md`, '-en.md')),
        target: path.join(root, 'translations', locale, file)
      }))
  )
}
