/**
 * Rebase relative URLs (docs/rules.md Q25): a link written in `notes/a.md` as `img/x.png` must
 * still point at `notes/img/x.png` when the note is written to `locales/es/a.md`.
 *
 * Only plain relative references move. Left alone: scheme URLs (`https:`, `mailto:`), absolute
 * paths (`/x`), protocol-relative URLs (`//host/x`), same-document references (`#anchor`,
 * `?query`) and the empty URL. The query and fragment of a rebased URL are kept as written.
 */

import path from 'node:path'

/** `scheme:` per RFC 3986. */
const SCHEME = /^[A-Za-z][A-Za-z\d+.-]*:/

/**
 * Rewrite `url`, written in `fromFile`, so that it resolves to the same place from `toFile`.
 *
 * @param url
 *   The link or image destination as written (not decoded).
 * @param fromFile
 *   Source path relative to the root, POSIX separators.
 * @param toFile
 *   Output path relative to the root, POSIX separators.
 */
export function rebaseUrl(url: string, fromFile: string, toFile: string): string {
  if (!isRebasable(url)) return url

  const fromDir = path.posix.dirname(fromFile)
  const toDir = path.posix.dirname(toFile)
  if (fromDir === toDir) return url

  const split = url.search(/[?#]/)
  const pathPart = split === -1 ? url : url.slice(0, split)
  const suffix = split === -1 ? '' : url.slice(split)
  if (pathPart === '') return url

  const target = resolveSegments(segmentsOf(fromDir), pathPart)
  const base = segmentsOf(toDir)
  let common = 0
  while (common < base.length && common < target.length && base[common] === target[common]) common++

  const parts = [...base.slice(common).map(() => '..'), ...target.slice(common)]
  let result = parts.join('/')
  // A reference to a folder keeps its trailing slash; a reference to `toDir` itself becomes `./`.
  if (pathPart.endsWith('/') || /(^|\/)\.\.?$/.test(pathPart)) result = result === '' ? './' : `${result}/`
  if (result === '') result = './'
  return result + suffix
}

/** Whether `url` is a plain relative reference. */
export function isRebasable(url: string): boolean {
  return (
    url !== '' &&
    !SCHEME.test(url) &&
    !url.startsWith('/') &&
    !url.startsWith('#') &&
    !url.startsWith('?') &&
    !url.startsWith('\\')
  )
}

function segmentsOf(dir: string): string[] {
  return dir === '.' || dir === '' ? [] : dir.split('/')
}

/**
 * Resolve `relative` against the folder `base` (segments). Climbing above the root is kept as
 * leading `..` segments rather than clamped, so the relation between the two files stays exact.
 */
function resolveSegments(base: readonly string[], relative: string): string[] {
  const result = [...base]
  relative.split('/').forEach((part) => {
    if (part === '.' || part === '') return
    if (part === '..') {
      if (result.length > 0 && result.at(-1) !== '..') result.pop()
      else result.push('..')
      return
    }
    result.push(part)
  })
  return result
}

/**
 * Rebase `url` from `fromFile` to `toFile`, except that a link to another note with a
 * translation in the same locale (`translationOf(note)`, root-relative) points at that
 * translation: a reader of the Spanish page follows links to Spanish pages. Anything else —
 * images, other files, notes without a translation — is rebased to the original.
 */
export function rebaseLink(
  url: string,
  fromFile: string,
  toFile: string,
  translationOf: (note: string) => string | undefined
): string {
  if (!isRebasable(url)) return url
  const split = url.search(/[?#]/)
  const pathPart = split === -1 ? url : url.slice(0, split)
  const suffix = split === -1 ? '' : url.slice(split)
  if (pathPart === '' || pathPart.endsWith('/')) return rebaseUrl(url, fromFile, toFile)
  let decoded = pathPart
  try {
    decoded = decodeURI(pathPart)
  } catch {
    // A malformed escape: compare the path as written.
  }
  const resolved = resolveSegments(segmentsOf(path.posix.dirname(fromFile)), decoded)
  if (resolved[0] === '..') return rebaseUrl(url, fromFile, toFile)
  const translation = translationOf(resolved.join('/'))
  if (translation === undefined) return rebaseUrl(url, fromFile, toFile)
  const relative = path.posix.relative(path.posix.dirname(toFile), translation)
  return encodeURI(relative === '' ? path.posix.basename(translation) : relative) + suffix
}

/**
 * Every way a target written at `output` may spell the source's relative URLs, for reading a
 * target back into the source's URL space: a link to another note as that note's translation
 * (`translationOf`, and `olderTranslationOf` where an older config wrote it elsewhere), and any
 * URL rebased for `output` (which is also how a note link was written before links between notes
 * pointed at translations).
 */
export function targetUrlForms(
  source: string,
  output: string,
  translationOf: (note: string) => string | undefined,
  olderTranslationOf?: (note: string) => string | undefined
): Array<(url: string) => string> {
  const forms = [(url: string) => rebaseLink(url, source, output, translationOf)]
  if (olderTranslationOf) forms.push((url: string) => rebaseLink(url, source, output, olderTranslationOf))
  forms.push((url: string) => rebaseUrl(url, source, output))
  return forms
}
