/**
 * `notes-l10n init`: write a starting `notes-l10n.config.json` (and an example `glossary.json`
 * when there is none), shaped after the layout already on disk (`layouts.ts` recognises them;
 * docs/layouts.md shows each). Two matching layouts are an error, not a guess: `--layout`
 * chooses. JSON has no comments, so the explanation goes in a `"$comment"` array that the schema
 * allows and the loader ignores; `docs/config.md` has the rest.
 *
 * Returns what it wrote; never prints. Never overwrites without `force`.
 */

import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {CONFIG_FILE_NAME, DEFAULT_GLOSSARY, DEFAULT_INCLUDE, DEFAULT_OUTPUT} from '../config/defaults.js'
import {lstatOrUndefined} from '../config/paths.js'
import {writeFileAtomic} from '../io/write.js'
import {type DetectedLayout, detectLayouts, LAYOUT_NAMES, type LayoutName, LOOKED_FOR} from '../project/layouts.js'
import {UserError} from '../types.js'

/** What `init` found and wrote. */
export interface InitResult {
  written: string[]
  /** The layout used, or undefined when none was found (the default layout is written). */
  layout?: LayoutName
  /** What was found and why, one line each. */
  detected: string
}

/**
 * Write the starting files.
 *
 * @param options.layout
 *   Use this layout (it must be detected): how the user settles two matching layouts.
 * @throws {UserError}
 *   When `notes-l10n.config.json` exists and `force` is not set; when two layouts match and
 *   `layout` does not choose; when `layout` names one that is not there.
 */
export async function initProject(root: string, options: {force?: boolean; layout?: string} = {}): Promise<InitResult> {
  const configFile = path.join(root, CONFIG_FILE_NAME)
  if (!options.force && (await exists(configFile))) {
    throw new UserError(
      `${configFile} already exists; expected none; fix: edit it, or run notes-l10n init --force to replace it`
    )
  }
  if (options.layout !== undefined && !(LAYOUT_NAMES as readonly string[]).includes(options.layout)) {
    throw new UserError(`--layout ${JSON.stringify(options.layout)}: expected one of ${LAYOUT_NAMES.join(', ')}`)
  }

  const layout = chooseLayout(await detectLayouts(root), options.layout)
  const {config, detected} = startingConfig(layout)
  const written: string[] = []

  const text = `${JSON.stringify(config, null, 2)}\n`
  // --force replaces the file atomically and never writes through a symlink planted at its name.
  if (options.force) await writeFileAtomic(configFile, text, {root})
  else await writeFile(configFile, text, {flag: 'wx'})
  written.push(CONFIG_FILE_NAME)

  const glossaryFile = path.join(root, DEFAULT_GLOSSARY)
  if (!(await exists(glossaryFile))) {
    await writeFile(glossaryFile, `${JSON.stringify(exampleGlossary, null, 2)}\n`, {flag: 'wx'})
    written.push(DEFAULT_GLOSSARY)
  }

  return {written, detected, ...(layout ? {layout: layout.name} : {})}
}

/** The one layout to use; refuses to guess between several. */
function chooseLayout(found: readonly DetectedLayout[], requested: string | undefined): DetectedLayout | undefined {
  if (requested !== undefined) {
    const chosen = found.find((layout) => layout.name === requested)
    if (!chosen) {
      throw new UserError(
        `--layout ${requested}: its marker files were not found here; found ${found.length > 0 ? found.map((layout) => layout.name).join(', ') : 'none'}; fix: run init in the site's root, or without --layout`
      )
    }
    return chosen
  }
  if (found.length > 1) {
    const list = found.map((layout) => `  - ${layout.name}: ${layout.title}. ${layout.reasons[0]}`).join('\n')
    throw new UserError(
      `${found.length} layouts match here and init will not guess between them:\n${list}\nfix: run notes-l10n init --layout <${found.map((layout) => layout.name).join('|')}>`
    )
  }
  return found[0]
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
      translations: {
        es: 'director de tecnología',
        fr: 'directeur technique',
        de: 'Technischer Direktor',
        zh: '首席技术官',
        ja: '最高技術責任者'
      }
    }
  ]
}

/** The config for a detected layout (or the default one), and what to tell the user about it. */
function startingConfig(layout: DetectedLayout | undefined): {config: Record<string, unknown>; detected: string} {
  const config: Record<string, unknown> = {
    $schema: './node_modules/notes-l10n/schemas/config.schema.json',
    $comment: [
      `notes-l10n configuration${layout ? ` for a ${layout.title} (see docs/layouts.md)` : ''}. Every key is optional; docs/config.md lists them all with their defaults.`,
      'API keys never go here: set OPENAI_API_KEY in the environment (or an untracked .env).',
      'Output parts: {locale} {tag} {path} {dir} {name} {ext} and the captures of sources.pattern.'
    ]
  }
  const found: Record<string, unknown> = layout?.config ?? {
    sources: {include: [...DEFAULT_INCLUDE], exclude: []},
    sourceLocale: {default: 'en', fromFrontmatter: 'lang'},
    locales: ['es'],
    output: DEFAULT_OUTPUT
  }
  for (const key of ['sources', 'sourceLocale', 'locales', 'localeAliases', 'output']) {
    if (found[key] !== undefined) config[key] = found[key]
  }
  config.glossary = DEFAULT_GLOSSARY
  config.provider = {name: 'openai', model: 'gpt-4o-mini'}
  config.frontmatter = found.frontmatter ?? {title: 'translate', lang: {set: '{locale}'}, translated: {set: true}}
  config.links = found.links ?? {rebase: true}

  const lines = layout
    ? [`Found a ${layout.title} (layout "${layout.name}"):`, ...layout.reasons.map((reason) => `  ${reason}`)]
    : [
        'No known layout found. Looked for:',
        ...LOOKED_FOR.map((place) => `  - ${place}`),
        'Writing the default layout: put source notes in notes/ (or change sources.include); translations go to locales/<locale>/.'
      ]
  const locales = config.locales as string[]
  lines.push(`Target locales: ${locales.join(', ')}${layout ? '' : ' (edit "locales")'}.`)
  if (config.localeAliases)
    lines.push(
      `Aliases: ${Object.entries(config.localeAliases as Record<string, string>)
        .map(([alias, tag]) => `${alias} → ${tag}`)
        .join(', ')}.`
    )
  if (config.links && (config.links as {rebase: boolean}).rebase === false)
    lines.push('Link rebasing is off: a site generator resolves links by URL, not by file folder.')
  return {config, detected: lines.join('\n')}
}

async function exists(file: string): Promise<boolean> {
  return (await lstatOrUndefined(file)) !== undefined
}
