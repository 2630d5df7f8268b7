/**
 * The site layouts `init` recognises, each from its own marker files and folders, and the
 * config that makes the first `sync` write where that site generator reads (docs/layouts.md).
 *
 * Detection reads folder listings and, for Hugo and Docusaurus, the site's config file as text
 * (never executed: `docusaurus.config.js` is JavaScript, read with patterns for its `i18n`
 * block). Every detector says why it matched, so `init` can print it, and `init` refuses to
 * choose when two detectors match.
 */

import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {parse as parseYaml} from 'yaml'
import {canonicalTag, isLocaleTag, knownLanguage} from '../config/locales.js'
import {isErrno} from '../io/errno.js'
import {isRecord} from '../values.js'

/** Names `--layout` accepts, in the order detectors run. */
export const LAYOUT_NAMES = ['jekyll', 'hugo', 'docusaurus', 'vitepress', 'pages', 'notes'] as const

export type LayoutName = (typeof LAYOUT_NAMES)[number]

/** A layout found on disk: its name, why, and the config keys that describe it. */
export interface DetectedLayout {
  name: LayoutName
  /** Human-readable title (`Jekyll blog, sources in notes/`). */
  title: string
  /** Why it matched and what the config does, one sentence each. */
  reasons: string[]
  /** Config keys for this layout (merged over init's common keys). */
  config: Record<string, unknown>
}

/** Where detection looked, for the "nothing found" message. */
export const LOOKED_FOR = [
  'notes/ (notes-l10n default)',
  '_config.yml with _posts/ (Jekyll)',
  'hugo.toml, hugo.yaml, config.toml or config.yaml with languages (Hugo)',
  'docusaurus.config.{js,mjs,cjs,ts} with i18n.locales (Docusaurus)',
  '.vitepress/ or .vuepress/ in docs/ or the root (VitePress, VuePress)',
  'pages/<locale>/ or apps/*/pages/<locale>/ (nodejs.org style)'
]

/**
 * Front-matter for site generators: `title` and `description` translated, `lang` and
 * `translated` kept as the source has them (the generator knows the page's language from its
 * folder or name, and may refuse keys it does not know).
 */
const SITE_FRONTMATTER = {title: 'translate', description: 'translate', lang: 'keep', translated: 'keep'}

/** Folder names that are not BCP-47 tags but are common aliases. */
const KNOWN_ALIASES: Readonly<Record<string, string>> = {hant: 'zh-Hant', hans: 'zh-Hans'}

/** `<date>-<slug>-<lang>.md`: the blog layout's file names. */
const DATED_NAME = /^\d{4}-\d{2}-\d{2}-.+-([A-Za-z]{2,3}(?:-[A-Za-z\d]{2,8})*|hant|hans)\.mdx?$/

const MARKDOWN = /\.mdx?$/

/** Every layout whose markers are present, in {@link LAYOUT_NAMES} order. */
export async function detectLayouts(root: string): Promise<DetectedLayout[]> {
  const found: DetectedLayout[] = []
  for (const detect of [jekyll, hugo, docusaurus, vitepress, pages]) {
    const layout = await detect(root)
    if (layout) found.push(layout)
  }
  if (found.length === 0) {
    const layout = await notes(root)
    if (layout) found.push(layout)
  }
  return found
}

/** Whether a folder name is a locale (a known language tag, or a common alias). */
export function isLocaleFolder(name: string): boolean {
  return Object.hasOwn(KNOWN_ALIASES, name) || (isLocaleTag(name) && knownLanguage(name))
}

/** Aliases for folder names that are not BCP-47 tags (`hant` → `zh-Hant`). */
function aliasesFor(
  locales: readonly string[],
  extra: Record<string, string> = {}
): Record<string, string> | undefined {
  const aliases: Record<string, string> = {...extra}
  for (const locale of locales) if (Object.hasOwn(KNOWN_ALIASES, locale)) aliases[locale] = KNOWN_ALIASES[locale]!
  return Object.keys(aliases).length > 0 ? aliases : undefined
}

function withAliases(
  config: Record<string, unknown>,
  locales: readonly string[],
  extra?: Record<string, string>
): Record<string, unknown> {
  const aliases = aliasesFor(locales, extra)
  return aliases ? {...config, localeAliases: aliases} : config
}

/* ------------------------------------------------------------------------------------------ */

/**
 * Jekyll: `_config.yml` with `_posts/`, or dated notes in `notes/` next to `_posts/` (the blog
 * that keeps its sources outside `_posts/`). Translations go to `_posts/<locale>/`, named with
 * the target locale where the source names carry one.
 */
async function jekyll(root: string): Promise<DetectedLayout | undefined> {
  const posts = await listNames(path.join(root, '_posts'))
  if (!posts) return undefined
  const hasConfig = (await listNames(root))?.files.includes('_config.yml') ?? false
  const postsLocales = posts.folders.filter(isLocaleFolder).sort()
  const notes = await listNames(path.join(root, 'notes'))
  const datedNotes = (notes?.files ?? []).filter((name) => MARKDOWN.test(name))
  const dated = datedNotes.map((name) => DATED_NAME.exec(name)).filter((match) => match !== null)
  const reasons: string[] = []
  const common = {links: {rebase: false}}

  // Most of the notes must follow the pattern, or the pattern would skip real notes.
  if (dated.length > 0 && dated.length * 2 > datedNotes.length) {
    const sourceLocales = [...new Set(dated.map((match) => match[1]!))].sort()
    const locales = [...new Set([...postsLocales, ...sourceLocales])].sort()
    reasons.push(
      `notes/ holds dated sources named <date>-<slug>-<lang>.md (languages: ${sourceLocales.join(', ')}) and _posts/ exists${postsLocales.length > 0 ? ` with locale folders ${postsLocales.join(', ')}` : ''}.`
    )
    reasons.push(
      "Each translation goes to _posts/<locale>/<date>-<slug>-<locale>.md: the language in the file name is the target's."
    )
    return {
      name: 'jekyll',
      title: 'Jekyll blog with sources in notes/',
      reasons,
      config: withAliases(
        {
          sources: {include: ['notes/*.md'], exclude: [], pattern: 'notes/{date}-{slug}-{lang}.md'},
          sourceLocale: {
            default: sourceLocales.includes('en') ? 'en' : sourceLocales[0]!,
            fromFrontmatter: 'lang',
            fromPattern: 'lang'
          },
          locales,
          output: '_posts/{locale}/{date}-{slug}-{locale}.md',
          ...common
        },
        locales
      )
    }
  }

  if (!hasConfig) return undefined
  const suffixed = posts.files.map((name) => DATED_NAME.exec(name)).filter((match) => match !== null)
  if (suffixed.length > 0) {
    const sourceLocales = [...new Set(suffixed.map((match) => match[1]!))].sort()
    // Not the sources' own languages: Jekyll publishes every file under _posts/, so a copy into
    // _posts/<own locale>/ would be the same post twice.
    const targets = postsLocales.filter((locale) => !sourceLocales.includes(locale))
    const locales = targets.length > 0 ? targets : ['es']
    reasons.push(
      `_config.yml and posts in _posts/ named <date>-<slug>-<lang>.md (languages: ${sourceLocales.join(', ')}).`
    )
    reasons.push(
      'Sources are the posts directly in _posts/ (_posts/*.md); translations go to _posts/<locale>/<date>-<slug>-<locale>.md, which that glob does not match.'
    )
    return {
      name: 'jekyll',
      title: 'Jekyll blog',
      reasons,
      config: withAliases(
        {
          sources: {include: ['_posts/*.md'], exclude: [], pattern: '_posts/{date}-{slug}-{lang}.md'},
          sourceLocale: {
            default: sourceLocales.includes('en') ? 'en' : sourceLocales[0]!,
            fromFrontmatter: 'lang',
            fromPattern: 'lang'
          },
          locales,
          output: '_posts/{locale}/{date}-{slug}-{locale}.md',
          ...common
        },
        locales
      )
    }
  }

  if (postsLocales.length > 0) {
    const source = await largestFolder(path.join(root, '_posts'), postsLocales)
    const targets = postsLocales.filter((locale) => locale !== source)
    const locales = targets.length > 0 ? targets : ['es']
    const files = (await listNames(path.join(root, '_posts', source)))?.files ?? []
    const named = files.some((name) => name.endsWith(`-${source}.md`))
    reasons.push(
      `_config.yml and one folder per language in _posts/ (${postsLocales.join(', ')}); _posts/${source}/ has the most posts, so it holds the sources.`
    )
    reasons.push(
      named
        ? `Posts are named <date>-<slug>-<lang>.md: each translation is _posts/<locale>/<date>-<slug>-<locale>.md.`
        : "Each translation keeps its source's name under _posts/<locale>/."
    )
    return {
      name: 'jekyll',
      title: 'Jekyll blog with a folder per language',
      reasons,
      config: withAliases(
        {
          sources: named
            ? {include: [`_posts/${source}/*.md`], exclude: [], pattern: `_posts/${source}/{date}-{slug}-{lang}.md`}
            : {include: [`_posts/${source}/**/*.md`], exclude: []},
          sourceLocale: {default: source, fromFrontmatter: 'lang', ...(named ? {fromPattern: 'lang'} : {})},
          locales,
          output: named ? '_posts/{locale}/{date}-{slug}-{locale}.md' : '_posts/{locale}/{path}',
          ...common
        },
        locales
      )
    }
  }
  return undefined
}

/* ------------------------------------------------------------------------------------------ */

interface HugoLanguage {
  key: string
  contentDir?: string
}

/**
 * Hugo: a site config with `[languages.<lang>]`. Either each language has its own `contentDir`
 * (translations mirror the default language's tree), or translations sit beside their source
 * as `name.<lang>.md`.
 */
async function hugo(root: string): Promise<DetectedLayout | undefined> {
  const files = (await listNames(root))?.files ?? []
  const configFile = ['hugo.toml', 'hugo.yaml', 'hugo.yml', 'config.toml', 'config.yaml', 'config.yml'].find((name) =>
    files.includes(name)
  )
  if (!configFile) return undefined
  const text = await readFile(path.join(root, configFile), 'utf8')
  const site = configFile.endsWith('.toml') ? hugoToml(text) : hugoYaml(text)
  if (!site || site.languages.length === 0) return undefined
  const defaultKey =
    site.defaultLanguage ?? (site.languages.some((language) => language.key === 'en') ? 'en' : site.languages[0]!.key)
  const defaultLanguage = site.languages.find((language) => language.key === defaultKey) ?? site.languages[0]!
  const others = site.languages.filter((language) => language !== defaultLanguage)
  const reasons = [
    `${configFile} lists languages ${site.languages.map((language) => language.key).join(', ')} (default ${defaultLanguage.key}).`
  ]

  if (defaultLanguage.contentDir && others.every((language) => language.contentDir)) {
    const dirs = site.languages.map((language) => language.contentDir!.replace(/\/+$/, ''))
    const parents = new Set(dirs.map((dir) => path.posix.dirname(dir)))
    const sourceDir = defaultLanguage.contentDir.replace(/\/+$/, '')
    if (parents.size === 1) {
      const parent = [...parents][0]!
      const prefix = parent === '.' ? '' : `${parent}/`
      // The folder name is the path form; the language key is the tag when the folder is not one.
      const aliases: Record<string, string> = {}
      const folders = others.map((language) => {
        const folder = path.posix.basename(language.contentDir!.replace(/\/+$/, ''))
        if (!isLocaleFolder(folder) && isLocaleTag(language.key)) aliases[folder] = canonicalTag(language.key)
        return folder
      })
      const locales = folders.length > 0 ? folders : ['es']
      reasons.push(
        `Every language has a contentDir under ${prefix || './'}: sources are ${sourceDir}/, translations ${prefix}<locale>/ with the same paths.`
      )
      return {
        name: 'hugo',
        title: 'Hugo site, a content folder per language',
        reasons,
        config: withAliases(
          {
            sources: {include: [`${sourceDir}/**/*.md`], exclude: []},
            sourceLocale: {default: defaultLanguage.key, fromFrontmatter: false},
            locales,
            output: `${prefix}{locale}/{path}`,
            links: {rebase: false},
            frontmatter: {...SITE_FRONTMATTER, linkTitle: 'translate'}
          },
          locales,
          aliases
        )
      }
    }
  }

  const contentDir = (defaultLanguage.contentDir ?? 'content').replace(/\/+$/, '')
  const locales = others.length > 0 ? others.map((language) => language.key) : ['es']
  reasons.push(
    `Translations sit beside their source in ${contentDir}/ as <name>.<lang>.md; ${contentDir}/**/*.{locale}.md in sources.exclude keeps them out of the sources.`
  )
  return {
    name: 'hugo',
    title: 'Hugo site, translations by file name',
    reasons,
    config: withAliases(
      {
        sources: {include: [`${contentDir}/**/*.md`], exclude: [`${contentDir}/**/*.{locale}.md`]},
        sourceLocale: {default: defaultLanguage.key, fromFrontmatter: false},
        locales,
        output: `${contentDir}/{dir}/{name}.{locale}.md`,
        links: {rebase: false},
        frontmatter: {...SITE_FRONTMATTER, linkTitle: 'translate'}
      },
      locales
    )
  }
}

/** The `languages` of a Hugo TOML config: `[languages.xx]` tables and their `contentDir`. */
function hugoToml(text: string): {languages: HugoLanguage[]; defaultLanguage?: string} {
  const languages: HugoLanguage[] = []
  let current: HugoLanguage | undefined
  let defaultLanguage: string | undefined
  let topLevel = true
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim()
    const table = /^\[\s*languages\.(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*\]$/.exec(line)
    if (table) {
      current = {key: table[1] ?? table[2] ?? table[3]!}
      languages.push(current)
      topLevel = false
      continue
    }
    if (line.startsWith('[')) {
      current = undefined
      topLevel = false
      continue
    }
    const entry = /^([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(line)
    if (!entry) continue
    const value = entry[2] ?? entry[3] ?? ''
    if (current && entry[1] === 'contentDir') current.contentDir = value
    if (topLevel && entry[1] === 'defaultContentLanguage') defaultLanguage = value
  }
  return defaultLanguage ? {languages, defaultLanguage} : {languages}
}

function hugoYaml(text: string): {languages: HugoLanguage[]; defaultLanguage?: string} | undefined {
  let site: unknown
  try {
    site = parseYaml(text)
  } catch {
    return undefined
  }
  if (!isRecord(site) || !isRecord(site.languages)) return undefined
  const languages = Object.entries(site.languages).map(([key, value]) => {
    const language: HugoLanguage = {key}
    if (isRecord(value) && typeof value.contentDir === 'string') language.contentDir = value.contentDir
    return language
  })
  const defaultLanguage = site.defaultContentLanguage
  return typeof defaultLanguage === 'string' ? {languages, defaultLanguage} : {languages}
}

/* ------------------------------------------------------------------------------------------ */

/** Docusaurus plugin content folders: source folder → translation folder under `i18n/<locale>/`. */
const DOCUSAURUS_CONTENT: ReadonlyArray<{source: string; target: string}> = [
  {source: 'docs', target: 'docusaurus-plugin-content-docs/current'},
  {source: 'blog', target: 'docusaurus-plugin-content-blog'},
  {source: 'src/pages', target: 'docusaurus-plugin-content-pages'}
]

/** Docusaurus: `docusaurus.config.*` with `i18n: {defaultLocale, locales}`. */
async function docusaurus(root: string): Promise<DetectedLayout | undefined> {
  const files = (await listNames(root))?.files ?? []
  const configFile = [
    'docusaurus.config.js',
    'docusaurus.config.mjs',
    'docusaurus.config.cjs',
    'docusaurus.config.ts',
    'docusaurus.config.mts'
  ].find((name) => files.includes(name))
  if (!configFile) return undefined
  const text = await readFile(path.join(root, configFile), 'utf8')
  const i18n = /\bi18n\s*:\s*\{([\s\S]*?)\}/.exec(text)?.[1] ?? ''
  const defaultLocale = /\bdefaultLocale\s*:\s*['"]([^'"]+)['"]/.exec(i18n)?.[1] ?? 'en'
  const listed = /\blocales\s*:\s*\[([^\]]*)\]/.exec(i18n)?.[1] ?? ''
  const all = [...listed.matchAll(/['"]([^'"]+)['"]/g)].map((match) => match[1]!)
  const locales = all.filter((locale) => locale !== defaultLocale)
  const outputs: Record<string, string> = {}
  const present: string[] = []
  for (const content of DOCUSAURUS_CONTENT) {
    if (!(await listNames(path.join(root, content.source)))) continue
    outputs[`${content.source}/**/*.{md,mdx}`] = `i18n/{locale}/${content.target}/{path}`
    present.push(`${content.source}/ → i18n/<locale>/${content.target}/`)
  }
  if (present.length === 0) return undefined
  return {
    name: 'docusaurus',
    title: 'Docusaurus site',
    reasons: [
      `${configFile} sets i18n.defaultLocale ${defaultLocale} and locales ${all.join(', ') || '(none)'}.`,
      `Translations go where Docusaurus reads them: ${present.join('; ')}.`
    ],
    config: withAliases(
      {
        output: outputs,
        sourceLocale: {default: defaultLocale, fromFrontmatter: false},
        locales,
        links: {rebase: false},
        frontmatter: {...SITE_FRONTMATTER, sidebar_label: 'translate'}
      },
      locales
    )
  }
}

/* ------------------------------------------------------------------------------------------ */

/**
 * VitePress and VuePress: a `.vitepress/` or `.vuepress/` folder; the root locale's pages are
 * the docs folder itself, each other locale a subfolder (`docs/es/`), left out of the sources.
 */
async function vitepress(root: string): Promise<DetectedLayout | undefined> {
  for (const base of ['docs', '']) {
    const listing = await listNames(path.join(root, base))
    if (!listing) continue
    const tool = listing.folders.includes('.vitepress')
      ? 'VitePress'
      : listing.folders.includes('.vuepress')
        ? 'VuePress'
        : undefined
    if (!tool) continue
    const prefix = base ? `${base}/` : ''
    const found = listing.folders.filter(isLocaleFolder).sort()
    const locales = found.length > 0 ? found : ['es']
    return {
      name: 'vitepress',
      title: `${tool} site`,
      reasons: [
        `${prefix}.${tool.toLowerCase()}/ exists: ${prefix || 'the root'} holds the root locale's pages${found.length > 0 ? `, and ${found.map((locale) => `${prefix}${locale}/`).join(', ')} the others` : ' (no locale folders yet: starting with es)'}.`,
        `Translations go to ${prefix}<locale>/ with the same paths; ${prefix}{locale}/** in sources.exclude keeps every locale's folder out of the sources.`
      ],
      config: withAliases(
        {
          sources: {include: [`${prefix}**/*.md`], exclude: [`${prefix}{locale}/**`]},
          sourceLocale: {default: 'en', fromFrontmatter: false},
          locales,
          output: `${prefix}{locale}/{path}`,
          links: {rebase: false},
          frontmatter: SITE_FRONTMATTER
        },
        locales
      )
    }
  }
  return undefined
}

/* ------------------------------------------------------------------------------------------ */

/** A `pages/<locale>/` tree, as nodejs.org keeps its site (`apps/site/pages/en/…`). */
async function pages(root: string): Promise<DetectedLayout | undefined> {
  const candidates = ['pages']
  for (const app of (await listNames(path.join(root, 'apps')))?.folders ?? []) candidates.push(`apps/${app}/pages`)
  for (const base of candidates) {
    const folders = ((await listNames(path.join(root, base)))?.folders ?? []).filter(isLocaleFolder).sort()
    if (folders.length === 0) continue
    const source = folders.includes('en') ? 'en' : await largestFolder(path.join(root, base), folders)
    const locales = folders.filter((folder) => folder !== source)
    return {
      name: 'pages',
      title: 'pages/<locale>/ tree (nodejs.org style)',
      reasons: [
        `${base}/ has one folder per locale (${folders.join(', ')}); ${base}/${source}/ holds the sources.`,
        `Translations go to ${base}/<locale>/ with the same paths, spelled as the folders are (${locales.join(', ') || 'none yet'}).`
      ],
      config: withAliases(
        {
          sources: {include: [`${base}/${source}/**/*.{md,mdx}`], exclude: []},
          sourceLocale: {default: source, fromFrontmatter: false},
          locales: locales.length > 0 ? locales : ['es'],
          output: `${base}/{locale}/{path}`,
          links: {rebase: false},
          frontmatter: SITE_FRONTMATTER
        },
        folders
      )
    }
  }
  return undefined
}

/* ------------------------------------------------------------------------------------------ */

/** notes-l10n's own default: `notes/` → `locales/<locale>/`. */
async function notes(root: string): Promise<DetectedLayout | undefined> {
  const listing = await listNames(path.join(root, 'notes'))
  if (!listing) return undefined
  const localesFolders = ((await listNames(path.join(root, 'locales')))?.folders ?? []).filter(isLocaleFolder).sort()
  const files = listing.files.filter((name) => MARKDOWN.test(name))
  const dated = files.map((name) => DATED_NAME.exec(name)).filter((match) => match !== null)
  const isDated = dated.length > 0 && dated.length * 2 > files.length
  const reasons = ['notes/ holds the sources; translations go to locales/<locale>/.']
  if (localesFolders.length > 0) reasons.push(`Existing locale folders under locales/: ${localesFolders.join(', ')}.`)
  if (isDated) reasons.push('Sources are named <date>-<slug>-<lang>.md: each translation is named with its own locale.')
  return {
    name: 'notes',
    title: 'notes-l10n default layout',
    reasons,
    config: withAliases(
      {
        sources: isDated
          ? {include: ['notes/*.md'], exclude: [], pattern: 'notes/{date}-{slug}-{lang}.md'}
          : {include: ['notes/**/*.{md,mdx}'], exclude: []},
        sourceLocale: {default: 'en', fromFrontmatter: 'lang', ...(isDated ? {fromPattern: 'lang'} : {})},
        locales: localesFolders.length > 0 ? localesFolders : ['es'],
        output: isDated ? 'locales/{locale}/{date}-{slug}-{locale}.md' : 'locales/{locale}/{path}'
      },
      localesFolders
    )
  }
}

/* ------------------------------------------------------------------------------------------ */

/** The folder (of `names`, inside `folder`) holding the most Markdown files, recursively; ties by name. */
async function largestFolder(folder: string, names: readonly string[]): Promise<string> {
  let best = names[0]!
  let bestCount = -1
  for (const name of names) {
    const count = await countMarkdown(path.join(folder, name), 4)
    if (count > bestCount) {
      best = name
      bestCount = count
    }
  }
  return best
}

async function countMarkdown(folder: string, depth: number): Promise<number> {
  const listing = await listNames(folder)
  if (!listing) return 0
  let count = listing.files.filter((name) => MARKDOWN.test(name)).length
  if (depth > 0) for (const child of listing.folders) count += await countMarkdown(path.join(folder, child), depth - 1)
  return count
}

/** Files and folders directly in `folder` (hidden ones included), or undefined when it does not exist. */
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
