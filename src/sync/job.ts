/**
 * The translate step's request: the pending segments of one note and locale, with their
 * neighbours as context, the glossary terms they must use, the check a reply must pass, and the
 * journal record of every accepted translation (so a crash never loses a paid answer).
 */

import type {NotePlan} from '../config/load.js'
import {onlyTerms, requiredTerms, segmentFingerprint, verifyTerms, visibleText} from '../glossary/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {restore} from '../pipeline/restore.js'
import {normaliseTranslation, validateTranslation} from '../pipeline/validate.js'
import {containsSecret} from '../redact.js'
import {tokensForLocale} from '../review/target-tokens.js'
import type {Decision} from '../state/align.js'
import type {Provider, RequiredTerm, Segment, TranslateJob} from '../types.js'
import {activityOf} from './budget.js'
import {isPooled, WorkerFailed} from './note-pool.js'
import {restoreTranslation} from './restore-translation.js'
import type {Run} from './types.js'

export function buildJob(
  run: Run,
  /** Who will translate (named in the journal); undefined for estimates and batch queues. */
  provider: Provider | undefined,
  plan: NotePlan,
  note: AnalysedNote,
  locale: string,
  pending: readonly Segment[],
  decisions: readonly Decision[],
  /** Filled with the Markdown of every accepted reply, for the commit step (restored once). */
  restored?: Restored
): TranslateJob {
  const glossary = run.project.glossary
  const byId = new Map(note.segments.map((segment, index) => [segment.id, {segment, index}]))
  const context = new Map<
    string,
    {before?: {text: string; translation?: string}; after?: {text: string; translation?: string}}
  >()
  const terms = new Map<string, RequiredTerm[]>()
  for (const segment of pending) {
    const index = byId.get(segment.id)!.index
    const neighbour = (at: number) => {
      const other = note.segments[at]
      if (!other || other.kind === 'frontmatter') return undefined
      const decision = decisions[at]!
      return {text: other.text, ...(decision.state !== 'pending' ? {translation: decision.markdown} : {})}
    }
    const before = neighbour(index - 1)
    const after = neighbour(index + 1)
    context.set(segment.id, {...(before ? {before} : {}), ...(after ? {after} : {})})
    if (glossary) {
      const required = requiredTerms(glossary, segment.markdown, locale)
      if (required.length > 0) terms.set(segment.id, required)
    }
  }
  const title = note.segments.find((segment) => segment.kind === 'frontmatter' && segment.key === 'title')

  return {
    note: plan.source,
    sourceLocale: plan.sourceLocale,
    targetLocale: locale,
    segments: pending.map((segment) => ({id: segment.id, text: segment.text})),
    ...(title ? {title: title.markdown} : {}),
    context,
    terms,
    check(id, translation) {
      const segment = byId.get(id)?.segment
      if (!segment)
        return [{rule: 'L7', severity: 'error', message: `unknown segment id "${id}" in the reply`, segment: id}]
      const normalised = normaliseTranslation(segment, translation)
      const findings = validateTranslation(segment, normalised, {
        sourceLocale: plan.sourceLocale,
        targetLocale: locale,
        containsSecret
      }).filter(
        // Q12 exempts segments made only of glossary terms: their translation may be the source.
        (finding) => !(finding.rule === 'Q12' && glossary && onlyTerms(glossary, visibleText(segment.markdown)))
      )
      if (glossary && !findings.some((finding) => finding.severity === 'error')) {
        const restored = restore(
          normalised,
          tokensForLocale(segment, locale, run.project.glossary),
          note.layouts.get(id)?.placement
        )
        findings.push(
          ...verifyTerms(glossary, segment.markdown, restored, locale, {strict: run.options.strictGlossary}).map(
            (finding) => ({
              ...finding,
              segment: id,
              line: segment.line
            })
          )
        )
      }
      return findings
    },
    onAccepted: run.journal
      ? async (accepted) => {
          const markdown = await restoreAccepted(run, note, locale, accepted)
          const records = [...accepted].map(([id, translation]) => {
            const segment = byId.get(id)!.segment
            const fingerprint = glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
            restored?.set(id, {translation, markdown: markdown.get(id)!})
            return {
              note: plan.source,
              locale,
              id,
              markdown: markdown.get(id)!,
              ...(fingerprint ? {glossary: fingerprint} : {}),
              provider: provider?.name ?? run.result.provider,
              model: provider?.model ?? run.result.model
            }
          })
          await run.journal!.append(records)
          run.options.onEvent?.({
            type: 'segment-batch',
            note: plan.source,
            locale,
            accepted: accepted.size,
            ...activityOf(provider),
            priced: run.result.priced
          })
        }
      : undefined
  }
}

/** Segment id → the reply accepted for it and the Markdown it was restored to. */
export type Restored = Map<string, {translation: string; markdown: string}>

/** {@link restoreTranslation} of every accepted reply: on the worker holding the note, when one does. */
async function restoreAccepted(
  run: Run,
  note: AnalysedNote,
  locale: string,
  accepted: ReadonlyMap<string, string>
): Promise<Map<string, string>> {
  if (run.notePool && isPooled(note)) {
    try {
      return await run.notePool.restore(note, locale, accepted)
    } catch (error) {
      // The worker holding the note died (another note may have killed it): this thread has all it needs.
      if (!(error instanceof WorkerFailed)) throw error
    }
  }
  const byId = new Map(note.segments.map((segment) => [segment.id, segment]))
  const markdown = new Map<string, string>()
  for (const [id, translation] of accepted)
    markdown.set(
      id,
      restoreTranslation(byId.get(id)!, translation, locale, run.project.glossary, note.layouts.get(id)?.placement)
    )
  return markdown
}
