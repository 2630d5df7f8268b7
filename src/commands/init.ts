/**
 * `notes-l10n init`: write a starting `notes-l10n.config.json` (and an example `glossary.json`
 * when there is none), shaped after the layout already on disk.
 *
 * Detection looks for a `notes/` folder (and whether its files are named
 * `<date>-<slug>-<lang>.md`), for locale folders under `_posts/` or `locales/`, and for the
 * `-<locale>` suffix of existing translations. JSON has no comments, so the explanation goes in
 * a `"$comment"` array that the schema allows and the loader ignores; `docs/config.md` has the rest.
 *
 * Returns what it wrote; never prints. Never overwrites without `force`.
 */

import {readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {UserError} from '../types.js'
import {CONFIG_FILE_NAME, DEFAULT_GLOSSARY, DEFAULT_INCLUDE, DEFAULT_OUTPUT} from '../config/defaults.js'
import {isLocaleTag} from '../config/locales.js'
import {lstatOrUndefined} from '../config/paths.js'
import {isErrno} from '../errno.js'
import {writeFileAtomic} from '../pipeline/write.js'

/** Folder names that are not BCP-47 tags but are common aliases. */
const KNOWN_ALIASES: Readonly<Record<string, string>> = {hant: 'zh-Hant', hans: 'zh-Hans'}

/** `<date>-<slug>-<lang>.md`, the blog layout's source names. */
const DATED_NAME = /^\d{4}-\d{2}-\d{2}-.+-([A-Za-z]{2,3}(?:-[A-Za-z\d]{2,8})*|hant|hans)\.md$/

/** What init found on disk. */
interface Layout {
  notes: boolean
  datedSources: boolean
  sourceLocales: string[]
  postsLocales: string[]
  postsSuffixed: boolean
  localesFolders: string[]
}

/**
 * Write the starting files.
 *
 * @returns
 *   Root-relative paths written, and a one-paragraph description of the detected layout.
 * @throws {UserError}
 *   When `notes-l10n.config.json` exists and `force` is not set.
 */
export async function initProject(root: string, options: {force?: boolean} = {}): Promise<{written: string[]; detected: string}> {
  const configFile = path.join(root, CONFIG_FILE_NAME)
  if (!options.force && (await exists(configFile))) {
    throw new UserError(`${configFile} already exists; expected none; fix: edit it, or run notes-l10n init --force to replace it`)
  }

  const layout = await detectLayout(root)
  const {config, detected} = startingConfig(layout)
  const written: string[] = []

  const text = JSON.stringify(config, null, 2) + '\n'
  // --force replaces the file atomically and never writes through a symlink planted at its name.
  if (options.force) await writeFileAtomic(configFile, text, {root})
  else await writeFile(configFile, text, {flag: 'wx'})
  written.push(CONFIG_FILE_NAME)

  const glossaryFile = path.join(root, DEFAULT_GLOSSARY)
  if (!(await exists(glossaryFile))) {
    await writeFile(glossaryFile, JSON.stringify(exampleGlossary, null, 2) + '\n', {flag: 'wx'})
    written.push(DEFAULT_GLOSSARY)
  }

  return {written, detected}
}

/**
 * An example glossary in the format of `schemas/glossary.schema.json`: one term kept as is, one
 * with per-locale renderings.
 */
const exampleGlossary = {
  $schema: './node_modules/notes-l10n/schemas/glossary.schema.json',
  version: 1,
  sourceLocale: 'en',
  entries: [
    {term: 'notes-l10n', keep: true, note: 'Product name: never translated.'},
    {
      term: 'Chief Technology Officer',
      variants: ['CTO'],
      note: 'Executive title.',
      translations: {es: 'director de tecnología', fr: 'directeur technique', de: 'Technischer Direktor', zh: '首席技术官', ja: '最高技術責任者'}
    }
  ]
}

/** Look at the folders that tell the layout apart. Reads names only, never file contents. */
async function detectLayout(root: string): Promise<Layout> {
  const notes = await listNames(path.join(root, 'notes'))
  const noteFiles = (notes?.files ?? []).filter((name) => name.endsWith('.md'))
  const dated = noteFiles.map((name) => DATED_NAME.exec(name)).filter((match) => match !== null)
  const sourceLocales = [...new Set(dated.map((match) => match[1]!))].sort()

  const posts = await listNames(path.join(root, '_posts'))
  const postsLocales = (posts?.folders ?? []).filter(isLocaleFolder).sort()
  let postsSuffixed = false
  for (const locale of postsLocales) {
    const files = (await listNames(path.join(root, '_posts', locale)))?.files ?? []
    if (files.some((name) => name.endsWith(`-${locale}.md`))) postsSuffixed = true
  }

  const localesFolders = ((await listNames(path.join(root, 'locales')))?.folders ?? []).filter(isLocaleFolder).sort()

  return {
    notes: notes !== undefined,
    // Most of the notes must follow the pattern, or the pattern would skip real notes.
    datedSources: noteFiles.length > 0 && dated.length * 2 > noteFiles.length,
    sourceLocales,
    postsLocales,
    postsSuffixed,
    localesFolders
  }
}

/** The config for a detected layout, and what to tell the user about it. */
function startingConfig(layout: Layout): {config: Record<string, unknown>; detected: string} {
  const blog = layout.notes && layout.postsLocales.length > 0
  const foundLocales = blog ? layout.postsLocales : layout.localesFolders
  const locales = [...new Set([...foundLocales, ...(blog ? layout.sourceLocales : [])])].filter(isLocaleFolder).sort()
  const aliases = Object.fromEntries(locales.filter((locale) => Object.hasOwn(KNOWN_ALIASES, locale)).map((locale) => [locale, KNOWN_ALIASES[locale]!]))

  const sentences: string[] = []
  const config: Record<string, unknown> = {
    $schema: './node_modules/notes-l10n/schemas/config.schema.json',
    $comment: [
      'notes-l10n configuration. Every key is optional; docs/config.md lists them all with their defaults.',
      'API keys never go here: set OPENAI_API_KEY in the environment (or an untracked .env).',
      'Output parts: {locale} {tag} {path} {dir} {name} {ext} and the captures of sources.pattern.'
    ]
  }

  const sources: Record<string, unknown> = {include: [...DEFAULT_INCLUDE], exclude: []}
  if (layout.datedSources) {
    sources['pattern'] = 'notes/{date}-{slug}-{lang}.md'
    sentences.push(`notes/ holds dated sources named <date>-<slug>-<lang>.md (languages: ${layout.sourceLocales.join(', ')}).`)
  } else if (layout.notes) {
    sentences.push('notes/ holds the sources.')
  } else {
    sentences.push('No notes/ folder yet: put source notes in notes/ (or change sources.include).')
  }
  config['sources'] = sources
  config['sourceLocale'] = {default: 'en', fromFrontmatter: 'lang', ...(layout.datedSources ? {fromPattern: 'lang'} : {})}

  if (blog) {
    config['output'] = layout.postsSuffixed && layout.datedSources ? '_posts/{locale}/{date}-{slug}-{locale}.md' : '_posts/{locale}/{path}'
    sentences.push(`Translations live in _posts/<locale>/ (${layout.postsLocales.join(', ')}), so output is ${String(config['output'])}.`)
  } else {
    config['output'] = DEFAULT_OUTPUT
    if (layout.localesFolders.length > 0) sentences.push(`Existing locale folders under locales/: ${layout.localesFolders.join(', ')}.`)
  }

  config['locales'] = locales.length > 0 ? locales : ['es']
  if (locales.length === 0) sentences.push('No locale folders found: starting with "es"; edit "locales".')
  if (Object.keys(aliases).length > 0) {
    config['localeAliases'] = aliases
    sentences.push(`Aliases: ${Object.entries(aliases).map(([alias, tag]) => `${alias} → ${tag}`).join(', ')}.`)
  }

  config['glossary'] = DEFAULT_GLOSSARY
  config['provider'] = {name: 'openai', model: 'gpt-4o-mini'}
  config['frontmatter'] = {title: 'translate', lang: {set: '{locale}'}, translated: {set: true}}
  config['links'] = {rebase: !blog}
  if (blog) sentences.push('Link rebasing is off: a site generator resolves links by URL, not by file folder.')

  return {config, detected: sentences.join(' ')}
}

function isLocaleFolder(name: string): boolean {
  return Object.hasOwn(KNOWN_ALIASES, name) || isLocaleTag(name)
}

async function listNames(folder: string): Promise<{files: string[]; folders: string[]} | undefined> {
  try {
    const entries = await readdir(folder, {withFileTypes: true})
    return {
      files: entries.filter((entry) => entry.isFile()).map((entry) => entry.name),
      folders: entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)
    }
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined
    throw error
  }
}

async function exists(file: string): Promise<boolean> {
  return (await lstatOrUndefined(file)) !== undefined
}
