/**
 * Locale keys of `translations` and the fallback from a target locale to a key.
 *
 * Fallback drops subtags only while the *script* stays the same: `es-MX` uses `es`, `zh-Hant-TW`
 * uses `zh-Hant`, `zh-TW` (Traditional by default) uses `zh-Hant` — but `zh-Hant` and `zh-TW` never
 * use `zh`, because `zh` renderings are Simplified Chinese and a Simplified term in a Traditional
 * text is wrong, not approximately right. `*` comes last.
 */

import type {GlossaryEntry, Rendering} from './types.js'

/** The key that applies to every locale without a key of its own. */
export const anyLocale = '*'

/**
 * The canonical form of a BCP-47 tag (`zh-hant` → `zh-Hant`), or `undefined` when it is not
 * well-formed.
 */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0]
  } catch {
    return undefined
  }
}

/** The likely script of a tag (`zh` → `Hans`, `zh-TW` → `Hant`, `es` → `Latn`). */
function likelyScript(tag: string): string | undefined {
  try {
    return new Intl.Locale(tag).maximize().script
  } catch {
    return undefined
  }
}

const chains = new Map<string, readonly string[]>()

/**
 * The keys tried, in order, to find the rendering for `locale`.
 *
 * @param locale
 *   Target locale as given on the command line or in config.
 * @returns
 *   E.g. `es-MX` → `es-MX, es, es-Latn, *`; `zh-TW` → `zh-TW, zh-Hant, *`.
 */
export function localeChain(locale: string): readonly string[] {
  const cached = chains.get(locale)
  if (cached) return cached

  const tag = canonicalLocale(locale) ?? locale
  const script = likelyScript(tag)
  const subtags = tag.split('-')
  const chain = [tag]
  for (let length = subtags.length - 1; length >= 1; length--) {
    const parent = subtags.slice(0, length).join('-')
    if (likelyScript(parent) === script) chain.push(parent)
  }
  if (script && subtags[0]) chain.push(`${subtags[0]}-${script}`)
  chain.push(anyLocale)

  const unique = [...new Set(chain)]
  chains.set(locale, unique)
  return unique
}

/**
 * The rendering of `entry` in `locale`, following `localeChain`; `undefined` when none applies
 * (a keep term then stays as it is; a translate-as term is not enforced in that locale).
 */
export function resolveRendering(entry: GlossaryEntry, locale: string): Rendering | undefined {
  for (const key of localeChain(locale)) {
    const rendering = entry.translations.get(key)
    if (rendering) return rendering
  }
  return undefined
}
