/**
 * Temp projects for config tests: a folder with the given files, removed after the suite.
 */

import {mkdir, mkdtemp, realpath, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll} from 'vitest'

const created: string[] = []

afterAll(async () => {
  await Promise.all(created.map((folder) => rm(folder, {recursive: true, force: true})))
})

/** A fresh folder holding `files` (path → content); returns its real path. */
export async function makeProject(files: Record<string, string> = {}): Promise<string> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'notes-l10n-config-')))
  created.push(root)
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), {recursive: true})
    await writeFile(path.join(root, file), content)
  }
  return root
}

/** A note with front-matter. */
export function note(frontmatter: Record<string, string>, body = 'Hello.\n'): string {
  const lines = Object.entries(frontmatter).map(([key, value]) => `${key}: ${value}`)
  return `---\n${lines.join('\n')}\n---\n\n${body}`
}

/** The blog layout of issue 7: dated sources in three languages, nine locales, `hant` alias. */
export const blogConfig = {
  $schema: './node_modules/notes-l10n/schemas/config.schema.json',
  sources: {include: ['notes/**/*.md'], pattern: 'notes/{date}-{slug}-{lang}.md'},
  sourceLocale: {default: 'en', fromPattern: 'lang'},
  locales: ['en', 'zh', 'ja', 'es', 'fr', 'de', 'ar', 'hi', 'hant'],
  localeAliases: {hant: 'zh-Hant'},
  output: '_posts/{locale}/{date}-{slug}-{locale}.md',
  frontmatter: {title: 'translate', lang: {set: '{locale}'}, translated: {set: true}, audio: {set: false}},
  links: {rebase: false}
}
