/**
 * The URLs inside raw HTML (`<img src>`, `<a href>`, `srcset` candidates…), and how a rebased one
 * is written back. One definition for the three places that must agree on it: rebasing a written
 * note (`rewrite-destinations.ts`), mapping a target's text back into the source's URL space
 * (`project/url-space.ts`) and the forms a target may write a token in (`review/target-tokens.ts`).
 * A raw-HTML attribute is taken as written: character references are rare in URLs, and `&amp;`
 * is kept as is.
 */

import type {Token} from '../types.js'
import type {Range} from './parse.js'

/** Raw-HTML attributes that hold one URL, and `srcset`, which holds a list of them. */
const URL_ATTRIBUTE =
  /(?<=[\s"'])(src|href|poster|data|action|cite|background|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi

/** The URL ranges of `html` (offsets into it), in order. */
export function htmlUrlRanges(html: string): Range[] {
  const ranges: Range[] = []
  for (const match of html.matchAll(URL_ATTRIBUTE)) {
    const value = match[2] ?? match[3] ?? match[4] ?? ''
    const quote = match[2] !== undefined || match[3] !== undefined ? 1 : 0
    const valueStart = match.index + match[0].length - value.length - quote
    if (match[1]!.toLowerCase() !== 'srcset') {
      if (value.trim() !== '') ranges.push({start: valueStart, end: valueStart + value.length})
      continue
    }
    // `srcset="a.png 1x, b.png 2x"`: each candidate's URL, up to its descriptor.
    for (const candidate of value.matchAll(/[^\s,][^\s]*?(?=,?(?:\s|$))/g)) {
      if (/^\d+(?:\.\d+)?[wx]$/.test(candidate[0])) continue
      const url = candidate[0].replace(/,$/, '')
      ranges.push({start: valueStart + candidate.index, end: valueStart + candidate.index + url.length})
    }
  }
  return ranges
}

/** `url` rewritten, as an attribute value can hold it (no quote, space or angle bracket). */
export function htmlUrlValue(url: string): string {
  return url.replace(/["'\s<>`]/g, encodeURIComponent)
}

/** `html` with every URL in it rewritten by `rewrite`. */
export function rebaseHtmlUrls(html: string, rewrite: (url: string) => string): string {
  let result = ''
  let cursor = 0
  for (const range of htmlUrlRanges(html)) {
    const url = html.slice(range.start, range.end)
    const next = rewrite(url)
    if (next === url) continue
    result += html.slice(cursor, range.start) + htmlUrlValue(next)
    cursor = range.end
  }
  return cursor === 0 ? html : result + html.slice(cursor)
}

/**
 * The URLs a segment's token carries: a link's or image's destination, or each URL attribute of
 * raw HTML (`html`: rebased in an attribute's form, {@link htmlUrlValue}).
 */
export function tokenUrls(token: Token): Array<{url: string; html: boolean}> {
  const urls: Array<{url: string; html: boolean}> = []
  if (token.url !== undefined) urls.push({url: token.url, html: false})
  if (token.kind === 'html')
    for (const part of [token.open, token.close])
      for (const range of htmlUrlRanges(part)) urls.push({url: part.slice(range.start, range.end), html: true})
  return urls
}
