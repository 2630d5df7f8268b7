/**
 * What `check` finds in one segment a target holds (a machine translation found current, or a
 * human's): the deterministic comparison with its source segment, inline markup a human left out,
 * and the glossary. `sync` asks the same of the human segments it keeps, so that whatever `check`
 * will call an error in them, the sync that kept them has reported first (docs/state.md,
 * "Verdicts").
 *
 * Pure: segments in, findings out.
 */
import {type Glossary, renderKeep, verifyTerms} from '../glossary/load.js'
import {compareSegments, humanMarkupFinding, missingMarkup} from '../pipeline/validate.js'
import {containsSecret} from '../redact.js'
import type {Finding, Segment, Token} from '../types.js'
import {type Rewrites, segmentInSourceSpace} from './url-space.js'

export interface WrittenSegment {
  /** The source segment. */
  source: Segment
  /** The segment as the target file holds it (its own token numbering, URLs as written there). */
  written: Segment
  /** A human wrote it: markup left out is a `human-markup` warning, additions are the human's. */
  human: boolean
  sourceFile: string
  output: string
  sourceLocale: string
  locale: string
  glossary: Glossary | undefined
  /** How the target's links were rebased (`links.rebase`), to compare in the source's URL space. */
  rewriteUrl: Rewrites | undefined
  strictGlossary?: boolean
}

export function writtenSegmentFindings(input: WrittenSegment): Finding[] {
  const {source, written, glossary, locale} = input
  const inSourceSpace = segmentInSourceSpace(written, source, input.rewriteUrl)
  const comparable = glossary ? withRenderedTerms(inSourceSpace, source, locale, glossary) : inSourceSpace
  const context = {sourceLocale: input.sourceLocale, targetLocale: locale, containsSecret}
  const findings = compareSegments(source, comparable, input.human ? {...context, humanTarget: true} : context)
  if (input.human) {
    // Human edits win: inline markup a translator left out (bold written as plain text, a
    // dropped link) is theirs to choose — one warning with where to restore it, never an error
    // that stays red. A changed command or URL is still an error (fix the file).
    const missing = missingMarkup(source.tokens, written.tokens)
    if (missing.length > 0)
      findings.push(humanMarkupFinding(source, written.line, input.output, input.sourceFile, missing))
  }
  if (glossary)
    findings.push(...verifyTerms(glossary, source.markdown, written.markdown, locale, {strict: input.strictGlossary}))
  return findings
}

/**
 * The target segment with a term token for each locale rendering of a source keep-term it
 * contains (周靖人 for Jingren Zhou in Chinese): `sync` restores keep-terms with their rendering,
 * so a rendering is the term, not a missing one. Without this a check that has to look inside a
 * note (after any hand edit) called every correct rendering a Q18 error.
 */
function withRenderedTerms(target: Segment, source: Segment, locale: string, glossary: Glossary): Segment {
  // Each rendering stands for at most as many terms as the source has: the same words written
  // literally in the source (`"Tongyi Qianwen" (通义千问)`) are text in both, not extra terms.
  const renderings = new Map<string, Token[]>()
  for (const token of source.tokens) {
    if (token.kind !== 'term') continue
    const rendered = renderKeep(glossary, token.open, locale)
    if (rendered === token.open || rendered === '') continue
    const tokens = renderings.get(rendered) ?? []
    tokens.push(token)
    renderings.set(rendered, tokens)
  }
  if (renderings.size === 0) return target
  const added: Token[] = []
  let n = Math.max(0, ...target.tokens.map((token) => token.n)) + 1
  // Longest first, each occurrence counted once.
  let text = target.markdown
  for (const [rendered, tokens] of [...renderings].sort((a, b) => b[0].length - a[0].length)) {
    const parts = text.split(rendered)
    const count = Math.min(parts.length - 1, tokens.length)
    for (let index = 0; index < count; index++) added.push({...tokens[index]!, n: n++})
    text = parts.join('\0')
  }
  return added.length === 0 ? target : {...target, tokens: [...target.tokens, ...added]}
}
