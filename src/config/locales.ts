/**
 * Locale codes: the BCP-47 shape allowlist (S4: a locale code ends up in paths, so `../../etc`
 * must never get that far) and the two forms of every locale, tag and path form.
 */

import {UserError} from '../types.js'
import {didYouMean} from './did-you-mean.js'
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
 * the spelling of the `locales` list in paths, an unlisted tag keeps the spelling it was given
 * (`zh-cn`: the tag is `zh-CN`, the folder `zh-cn`), since sites name folders that way.
 *
 * A locale the config does not declare (in `locales` or `localeAliases`) must be a language
 * that CLDR knows ({@link knownLanguage}): `sp` is refused with "did you mean es?" rather than
 * translated, for money, into a language that does not exist.
 *
 * @param options.known
 *   The locale is already recorded (in the lock): skip the known-language check, so a project
 *   made before it keeps working.
 * @throws {UserError}
 *   When `locale` is neither an alias nor shaped like a BCP-47 tag, or is no known language.
 */
export function normaliseLocale(
  config: ResolvedConfig,
  locale: string,
  options?: {known?: boolean}
): {tag: string; path: string} {
  const where = config.file ? ` (${config.file})` : ''
  const pair = pairFromAliases(config.localeAliases, locale)
  if (typeof pair === 'string') {
    const suggestion = suggestLocale(locale)
    throw new UserError(
      `locale ${pair}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}; fix the --locale option or the config${where}`
    )
  }

  const listed = config.locales.find((entry) => entry.tag === pair.tag)
  if (listed) return {...listed}
  if (pair.path !== pair.tag) return pair

  if (!options?.known && !knownLanguage(pair.tag)) {
    const suggestion = suggestLocale(locale)
    throw new UserError(
      `locale ${JSON.stringify(locale)} is not a known language${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}; fix the --locale option, or declare it in "locales" or "localeAliases" of ${config.file ?? 'notes-l10n.config.json'} if it is meant`
    )
  }
  return {tag: pair.tag, path: locale}
}

/** One `Intl.DisplayNames` for every lookup: constructing one costs more than asking it. */
let languageNames: Intl.DisplayNames | undefined

function names(): Intl.DisplayNames {
  languageNames ??= new Intl.DisplayNames(['en'], {type: 'language', fallback: 'none'})
  return languageNames
}

/**
 * Whether CLDR (Node's ICU data) has a name for this tag: its language, and its script and
 * region if any, are real (`es`, `zh-Hant`, `pt-BR`, `es-419`; not `sp`, `xx`, `en-XX`).
 */
export function knownLanguage(tag: string): boolean {
  if (!isLocaleTag(tag)) return false
  try {
    return names().of(tag) !== undefined
  } catch {
    return false
  }
}

/**
 * Country codes and other spellings often written where a language code belongs: what was
 * probably meant. Name prefixes and edit distance cover the rest.
 */
const COMMON_MISTAKES: Readonly<Record<string, string>> = {
  sp: 'es',
  jp: 'ja',
  cn: 'zh',
  kr: 'ko',
  gr: 'el',
  dk: 'da',
  ua: 'uk',
  cz: 'cs',
  vn: 'vi',
  ir: 'fa',
  il: 'he',
  br: 'pt-BR',
  tw: 'zh-TW',
  hk: 'zh-HK',
  us: 'en',
  gb: 'en-GB'
}

/** Every two-letter language CLDR names, with its English name (lower case), built on first use. */
let twoLetter: Array<{code: string; name: string}> | undefined

function twoLetterLanguages(): Array<{code: string; name: string}> {
  if (!twoLetter) {
    twoLetter = []
    for (let a = 97; a <= 122; a++) {
      for (let b = 97; b <= 122; b++) {
        const code = String.fromCharCode(a, b)
        const name = names().of(code)
        if (name !== undefined) twoLetter.push({code, name: name.toLowerCase()})
      }
    }
  }
  return twoLetter
}

/**
 * The locale a mistyped code probably meant: `es_ES` → `es-ES`, `sp` → `es`, `spanish` → `es`,
 * `jp` → `ja`, `enn` → `en`; undefined when nothing is close.
 */
export function suggestLocale(input: string): string | undefined {
  const dashed = input.trim().replace(/_/g, '-')
  if (isLocaleTag(dashed) && knownLanguage(dashed) && dashed !== input) return canonicalTag(dashed)
  const lower = dashed.toLowerCase()
  if (Object.hasOwn(COMMON_MISTAKES, lower) && lower !== COMMON_MISTAKES[lower]) return COMMON_MISTAKES[lower]
  const languages = twoLetterLanguages()
  if (lower.length >= 2) {
    const byName =
      languages.find((language) => language.name === lower) ??
      languages.find((language) => language.name.startsWith(lower))
    if (byName) return byName.code
  }
  const [language = '', ...rest] = dashed.split('-')
  if (rest.length > 0 && knownLanguage(language)) return canonicalTag(language)
  return didYouMean(
    language,
    languages.map((entry) => entry.code)
  )
}
