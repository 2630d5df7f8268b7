/**
 * What a translation is made from besides its source and glossary, as the lock records it
 * (docs/state.md, "Provenance"): the config that shapes a target's output, the front-matter keys
 * that were segments, the target path, and which kind of provider made the machine text.
 * Pure: commands compare these with a lock entry to decide whether a target is current.
 */
import type {NotePlan, ResolvedConfig} from '../config/load.js'
import {contentHash} from '../io/hash.js'
import {SEGMENTATION_VERSION} from '../pipeline/analyse.js'
import type {EntryHead} from '../state/lock.js'
import {type ConfigInputs, staleAgainst} from './target-plan.js'

type Target = NotePlan['targets'][number]

/** The front-matter keys segmented when `keys` is absent from an entry. */
const DEFAULT_KEYS = 'title'

/**
 * Fingerprint of everything in the config that shapes one locale's output, plus the version of
 * the segmentation rules: front-matter policy (keys, per-locale overrides, `set` values), the
 * locale's path form (it is written as `lang`), link rebasing. The output path is recorded on
 * its own (`output`), so a template change can find the old file.
 */
export function inputsFingerprint(config: ResolvedConfig, target: Pick<Target, 'locale' | 'localeForPath'>): string {
  const byLocale = fingerprints.get(config) ?? new Map<string, string>()
  fingerprints.set(config, byLocale)
  const key = `${target.locale}\0${target.localeForPath}`
  const known = byLocale.get(key)
  if (known !== undefined) return known
  const fingerprint = computeFingerprint(config, target)
  byLocale.set(key, fingerprint)
  return fingerprint
}

/**
 * Fingerprints by config and locale. `check` asks twice for each of its targets (90,000 in bench
 * figure 3), and hashing the same few values each time was 15 % of a warm `check`; a resolved
 * config is never changed after it is loaded, so the answer is the same for every note of a locale.
 */
const fingerprints = new WeakMap<ResolvedConfig, Map<string, string>>()

function computeFingerprint(config: ResolvedConfig, target: Pick<Target, 'locale' | 'localeForPath'>): string {
  return contentHash(
    JSON.stringify([
      SEGMENTATION_VERSION,
      config.frontmatter.translateKeys,
      sortedObject(config.frontmatter.keys),
      sortedObject(config.frontmatter.perLocale[target.locale] ?? {}),
      target.localeForPath,
      config.links.rebase
    ]),
    8
  )
}

/** The recorded fields of a new entry for this target. */
export function recordedInputs(
  config: ResolvedConfig,
  target: Target
): {inputs: string; output: string; keys?: string} {
  const keys = config.frontmatter.translateKeys.join(' ')
  return {inputs: inputsFingerprint(config, target), output: target.output, ...(keys === DEFAULT_KEYS ? {} : {keys})}
}

/** The front-matter keys that were segments when the entry was written (the current ones for entries that predate the record). */
export function keysOf(config: ResolvedConfig, entry: Pick<EntryHead, 'inputs' | 'keys'>): string[] {
  if (entry.inputs === undefined) return config.frontmatter.translateKeys
  return (entry.keys ?? DEFAULT_KEYS).split(' ').filter((key) => key !== '')
}

/**
 * Why an entry's target is not current for the config and provider of this run, beyond its
 * source and glossary; undefined when nothing but those matters (`staleAgainst` in target-plan.ts).
 */
export function staleInputs(
  config: ResolvedConfig,
  target: Target,
  entry: Pick<EntryHead, 'provider' | 'inputs' | 'output'>,
  realProvider: boolean
): string | undefined {
  return staleAgainst(entry, configInputs(config, target, realProvider))
}

/** The inputs a target's entry is compared with: the config's fingerprint, the output path, the provider kind. */
export function configInputs(config: ResolvedConfig, target: Target, realProvider: boolean): ConfigInputs {
  return {fingerprint: inputsFingerprint(config, target), output: target.output, realProvider}
}

function sortedObject(value: Readonly<Record<string, unknown>>): Array<[string, unknown]> {
  return Object.keys(value)
    .sort()
    .map((key) => [key, value[key]])
}
