/**
 * Translations on disk carry URLs rebased for their own location (`links.rebase`), while the
 * pipeline splices and compares in the source's URL space. Text read back from a target is mapped
 * into the source's space before it is reused or compared; reassembly rebases every URL once.
 *
 * The mapping uses only the source segment's own URLs, so it cannot invent a destination.
 */
import {htmlUrlValue, tokenUrls} from '../pipeline/html-urls.js'
import type {UrlForms} from '../review/target-tokens.js'
import type {Segment} from '../types.js'

export type Rewrite = (url: string) => string

/**
 * How a target may have written the source's URLs: one rewrite, or several when more than one form
 * can be on disk (`targetUrlForms` in src/config/rebase.ts).
 */
export type Rewrites = UrlForms

/** Pairs (rebased form → source form) for the relative URLs of a source segment. */
function rebasedUrls(source: Segment, rewrites: Rewrites): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const rewrite of typeof rewrites === 'function' ? [rewrites] : rewrites) {
    const add = (rebased: string, url: string): void => {
      if (rebased !== url && !pairs.some(([known]) => known === rebased)) pairs.push([rebased, url])
    }
    // Raw HTML (`<img src="img/a.png">`) is rebased too (`rewrite-destinations.ts`).
    for (const token of source.tokens)
      for (const {url, html} of tokenUrls(token)) if (url) add(html ? htmlUrlValue(rewrite(url)) : rewrite(url), url)
  }
  // Longest first, so a URL that is a prefix of another is not replaced inside it.
  return pairs.sort((a, b) => b[0].length - a[0].length)
}

function replaceAll(text: string, pairs: ReadonlyArray<[string, string]>): string {
  let result = text
  for (const [rebased, original] of pairs) result = result.split(rebased).join(original)
  return result
}

/** Target Markdown of `source`'s translation, with its destinations as the source writes them. */
export function markdownInSourceSpace(markdown: string, source: Segment, rewrite: Rewrites | undefined): string {
  if (!rewrite) return markdown
  const pairs = rebasedUrls(source, rewrite)
  return pairs.length === 0 ? markdown : replaceAll(markdown, pairs)
}

/** A target segment with its destinations (in text, markdown and tokens) as the source writes them. */
export function segmentInSourceSpace(target: Segment, source: Segment, rewrite: Rewrites | undefined): Segment {
  if (!rewrite) return target
  const pairs = rebasedUrls(source, rewrite)
  if (pairs.length === 0) return target
  return {
    ...target,
    markdown: replaceAll(target.markdown, pairs),
    text: replaceAll(target.text, pairs),
    tokens: target.tokens.map((token) => ({
      ...token,
      open: replaceAll(token.open, pairs),
      close: replaceAll(token.close, pairs),
      ...(token.url === undefined ? {} : {url: replaceAll(token.url, pairs)})
    }))
  }
}
