/**
 * Front-matter policy: what a target file does with each front-matter key of its source.
 *
 * `translate` sends the value to the translator, `keep` copies it (the default for any key not
 * named), `drop` removes it, `{set: value}` writes a fixed scalar. Per-locale overrides win over
 * the project-wide policy. The pipeline's front-matter module applies the edit (patching in
 * place); this module only decides it.
 */

import type {FieldPolicy, LocalePair, ResolvedConfig} from './types.js'

/** The edit for one target, ready to apply. */
export interface FrontmatterEdit {
  /** Keys present in the source whose values are translated, in source order. */
  translateKeys: string[]
  /** Keys to write (added when missing, replaced when present), `{locale}`/`{tag}` substituted. */
  set: Record<string, string | number | boolean | null>
  /** Keys present in the source to remove from the target. */
  drop: string[]
}

/**
 * Decide the front-matter edit of one target.
 *
 * @param locale
 *   The target locale; `{locale}` in a `set` string becomes `locale.path` (`hant`), `{tag}`
 *   becomes `locale.tag` (`zh-Hant`).
 * @param sourceFrontmatter
 *   The source's parsed front-matter (only its keys are read).
 */
export function frontmatterEdit(
  config: ResolvedConfig,
  locale: LocalePair,
  sourceFrontmatter: Record<string, unknown>
): FrontmatterEdit {
  const policies: Record<string, FieldPolicy> = {
    ...config.frontmatter.keys,
    ...config.frontmatter.perLocale[locale.tag]
  }
  const present = Object.keys(sourceFrontmatter)
  const edit: FrontmatterEdit = {translateKeys: [], set: {}, drop: []}

  for (const key of present) {
    const policy = Object.hasOwn(policies, key) ? policies[key] : undefined
    if (policy === 'translate') edit.translateKeys.push(key)
    else if (policy === 'drop') edit.drop.push(key)
  }

  for (const [key, policy] of Object.entries(policies)) {
    if (typeof policy !== 'object') continue
    edit.set[key] = typeof policy.set === 'string' ? substituteLocale(policy.set, locale) : policy.set
  }

  return edit
}

/** Replace `{locale}` and `{tag}`; other braces are left alone (they may be meant literally). */
function substituteLocale(value: string, locale: LocalePair): string {
  return value.replace(/\{(locale|tag)\}/g, (_, part: string) => (part === 'locale' ? locale.path : locale.tag))
}
