/**
 * Locale codes: the BCP-47 shape allowlist (S4: a locale code ends up in paths, so `../../etc`
 * must never get that far) and the two forms of every locale, tag and path form.
 */

import {UserError} from '../types.js'
import type {LocalePair, ResolvedConfig} from './types.js'

/**
 * The subset of BCP-47 we accept: language (2–3 letters), optional script (4 letters), optional
 * region (2 letters or 3 digits), variants (5–8 alphanumerics or a digit and 3 alphanumerics).
 * Registered 5–8 letter languages, private-use and extension subtags are refused on purpose:
 * nobody names a locale folder with them, they make ordinary words (`assets`) look like locales,
 * and every extra shape is one more thing to keep out of paths.
 */
const BCP47 = /^[a-z]{2,3}(-[a-z]{4})?(-(?:[a-z]{2}|\d{3}))?(-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*$/i

/** Whether `value` has the shape of a BCP-47 tag we accept. */
export function isLocaleTag(value: string): boolean {
  return BCP47.test(value)
}

/**
 * Canonical case of a tag (`ZH-hant-tw` → `zh-Hant-TW`), so tags compare with `===`.
 *
 * Deliberately not `Intl.getCanonicalLocales`: that also replaces deprecated subtags (`iw` → `he`),
 * which would silently move a user's files to another folder.
 */
export function canonicalTag(tag: string): string {
  const [language = '', ...rest] = tag.split('-')
  const subtags = rest.map((subtag, index) => {
    if (index === 0 && /^[a-z]{4}$/i.test(subtag)) return subtag[0]!.toUpperCase() + subtag.slice(1).toLowerCase()
    if (/^[a-z]{2}$/i.test(subtag)) return subtag.toUpperCase()
    return subtag.toLowerCase()
  })
  return [language.toLowerCase(), ...subtags].join('-')
}

/**
 * Both forms of a locale, given either form, from the aliases alone (used while resolving the
 * config, before a `ResolvedConfig` exists). Returns a problem message instead of throwing.
 *
 * @param aliases
 *   Path form → BCP-47 tag.
 * @param locale
 *   An alias, or a BCP-47 tag (any case).
 */
export function pairFromAliases(aliases: Readonly<Record<string, string>>, locale: string): LocalePair | string {
  if (Object.hasOwn(aliases, locale)) {
    const tag = aliases[locale]!
    if (!isLocaleTag(tag)) return `alias "${locale}" maps to ${JSON.stringify(tag)}, which is not a BCP-47 tag`
    return {tag: canonicalTag(tag), path: locale}
  }

  if (!isLocaleTag(locale)) {
    return `${JSON.stringify(locale)} is not a BCP-47 language tag (expected e.g. "es", "zh-Hant", "pt-BR") nor an alias from "localeAliases"`
  }

  const tag = canonicalTag(locale)
  for (const [alias, aliasTag] of Object.entries(aliases)) {
    if (isLocaleTag(aliasTag) && canonicalTag(aliasTag) === tag) return {tag, path: alias}
  }

  return {tag, path: tag}
}

/**
 * Both forms of a locale given on the command line, in config or in front-matter.
 *
 * `hant` (an alias) and `zh-Hant`/`zh-hant` (its tag) give the same pair; a listed locale keeps
 * the spelling of the `locales` list in paths.
 *
 * @throws {UserError}
 *   When `locale` is neither an alias nor shaped like a BCP-47 tag.
 */
export function normaliseLocale(config: ResolvedConfig, locale: string): {tag: string; path: string} {
  const pair = pairFromAliases(config.localeAliases, locale)
  if (typeof pair === 'string') {
    throw new UserError(`locale ${pair}; fix the --locale option or the config${config.file ? ` (${config.file})` : ''}`)
  }

  const listed = config.locales.find((entry) => entry.tag === pair.tag)
  return listed ? {...listed} : pair
}
