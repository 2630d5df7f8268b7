/**
 * How a segment's tokens look in a target file, for reviewers' round trips: glossary keep-terms
 * take the target locale's rendering, and relative link destinations may have been rebased for
 * the output's folder. `sync` restores with the same renderings, so an imported unit is restored
 * exactly as a machine translation would be.
 *
 * Pure: no I/O.
 */

import {type Glossary, renderKeep} from '../glossary/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {rebaseHtmlUrls} from '../pipeline/html-urls.js'
import type {Segment, Token} from '../types.js'
import {type Reprotected, reprotect, type TokenForm} from './reprotect.js'

/**
 * The segment's tokens with keep-terms rendered for `locale`. Restore them with the segment's
 * placement (`note.layouts.get(id).placement`), so that what a reviewer or a model typed is
 * escaped where the segment lands.
 */
export function tokensForLocale(segment: Segment, locale: string, glossary: Glossary | undefined): Token[] {
  if (!glossary || !segment.tokens.some((token) => token.kind === 'term')) return segment.tokens
  return segment.tokens.map((token) =>
    token.kind === 'term' ? {...token, open: renderKeep(glossary, token.open, locale)} : token
  )
}

/** One way, or every way, a target may spell a source URL. */
export type UrlForms = ((url: string) => string) | ReadonlyArray<(url: string) => string>

/**
 * Every text a token may have in the target file: as restored for `locale`, as in the source,
 * and with its destination rebased by `rewriteUrl` (when links are rebased for the output).
 */
function targetForms(
  token: Token,
  locale: string,
  options: {glossary?: Glossary | undefined; rewriteUrl?: UrlForms | undefined}
): TokenForm[] {
  const forms: TokenForm[] = []
  if (token.kind === 'term' && options.glossary)
    forms.push({open: renderKeep(options.glossary, token.open, locale), close: token.close})
  forms.push({open: token.open, close: token.close})
  const url = token.url
  if (!options.rewriteUrl || (url === undefined && token.kind !== 'html')) return forms
  for (const rewrite of typeof options.rewriteUrl === 'function' ? [options.rewriteUrl] : options.rewriteUrl) {
    if (url === undefined) {
      // Raw HTML: the URLs of its attributes are rebased (`rewrite-destinations.ts`).
      const open = rebaseHtmlUrls(token.open, rewrite)
      const close = rebaseHtmlUrls(token.close, rewrite)
      if (open !== token.open || close !== token.close) forms.push({open, close})
      continue
    }
    const rebased = rewrite(url)
    if (rebased !== url)
      forms.push({open: token.open.split(url).join(rebased), close: token.close.split(url).join(rebased)})
  }
  return forms
}

/**
 * The tokens with the translations of the titles (and alt texts) nested in them spliced in: a
 * link title is a segment of its own, but its text sits inside the close token of the link in
 * its paragraph. A paragraph applied as a whole (an imported unit) must carry its titles'
 * translations, and an exported paragraph's target holds them.
 *
 * @param translationOf
 *   The translation (logical Markdown) of a nested segment by id; undefined keeps the source text.
 */
export function withNestedTranslations(
  segment: Segment,
  note: AnalysedNote,
  translationOf: (id: string) => string | undefined,
  tokens: Token[] = segment.tokens
): Token[] {
  const edits = new Map<number, Array<{offset: number; length: number; text: string}>>()
  for (const [id, layout] of note.layouts) {
    const within = layout.within
    if (!within || within.id !== segment.id) continue
    const text = translationOf(id)
    if (text === undefined) continue
    const list = edits.get(within.token.n) ?? []
    list.push({offset: within.offset, length: within.length, text})
    edits.set(within.token.n, list)
  }
  if (edits.size === 0) return tokens
  return tokens.map((token) => {
    const list = edits.get(token.n)
    if (!list) return token
    let close = token.close
    for (const edit of [...list].sort((a, b) => b.offset - a.offset)) {
      close = close.slice(0, edit.offset) + edit.text + close.slice(edit.offset + edit.length)
    }
    return {...token, close}
  })
}

export interface ReadBackOptions {
  locale: string
  glossary?: Glossary | undefined
  /** How links were rebased for the output's folder, when they were (every form a target may hold). */
  rewriteUrl?: UrlForms | undefined
  /** The current translation of a nested title or alt text, by segment id. */
  translationOf: (id: string) => string | undefined
}

/**
 * A translation as the target file holds it (logical Markdown) → protected text in the source
 * segment's placeholders: tokens are looked for as the target writes them (nested titles
 * translated, keep-terms rendered, links rebased), then as the source does.
 */
export function readBack(
  translation: string,
  segment: Segment,
  note: AnalysedNote,
  options: ReadBackOptions
): Reprotected {
  const nested = withNestedTranslations(segment, note, options.translationOf)
  const byNumber = new Map(nested.map((token) => [token.n, token]))
  const formOptions = {glossary: options.glossary, rewriteUrl: options.rewriteUrl}
  return reprotect(translation, segment.tokens, segment.text, {
    forms: (token) => [
      ...targetForms(byNumber.get(token.n) ?? token, options.locale, formOptions),
      ...targetForms(token, options.locale, formOptions)
    ]
  })
}
