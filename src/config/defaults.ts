/**
 * The zero-config defaults (README.md, "Zero-config layout"; docs/config.md): what a project without
 * `notes-l10n.config.json` gets, and what every key of a config file falls back to.
 */

import type {FieldPolicy} from './types.js'

export const CONFIG_FILE_NAME = 'notes-l10n.config.json'

export const DEFAULT_INCLUDE: readonly string[] = ['notes/**/*.{md,mdx}']

export const DEFAULT_OUTPUT = 'locales/{locale}/{path}'

export const DEFAULT_GLOSSARY = 'glossary.json'

export const DEFAULT_SOURCE_LOCALE = 'en'

export const DEFAULT_LOCALE_KEY = 'lang'

export const DEFAULT_MAX_FILE_BYTES = 1_048_576

/** JSX attributes of `.mdx` sources that hold prose (`<Callout title="…">`, `<img alt="…" />`). */
export const DEFAULT_MDX_ATTRIBUTES: readonly string[] = ['alt', 'title']

/**
 * Folders never searched for sources: version control, dependencies and our own journal.
 * Matched as whole path segments anywhere in the tree.
 */
export const ALWAYS_IGNORED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.notes-l10n'])

/**
 * Front-matter policy every project starts from; config keys are merged over it.
 * `lang` and `translated` make a target self-describing (the seed note has both).
 */
export const DEFAULT_FRONTMATTER: Readonly<Record<string, FieldPolicy>> = {
  title: 'translate',
  lang: {set: '{locale}'},
  translated: {set: true}
}
