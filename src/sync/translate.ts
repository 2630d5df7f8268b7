/**
 * The translate step: hand a note's remote segments to the provider (whose job journals every
 * accepted answer) and restore the replies into logical Markdown. Returns the segments that could
 * not be translated, with the reason.
 */
import type {NotePlan} from '../config/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {addUsage} from '../providers/prices.js'
import type {Decision} from '../state/align.js'
import type {Provider, Segment} from '../types.js'
import {buildJob, type Restored} from './job.js'
import {restoreTranslation} from './restore-translation.js'
import type {NoteResult, Run, Target} from './types.js'

export async function translateRemote(
  run: Run,
  step: {
    provider: Provider | undefined
    plan: NotePlan
    note: AnalysedNote
    target: Target
    remote: readonly Segment[]
    decisions: readonly Decision[]
    /** Receives the translations, by segment id. */
    markdown: Map<string, string>
    /** Receives the provider's findings. */
    result: NoteResult
    /** Receives, by segment id, the note a translation was reused from (an exact duplicate sent once this run). */
    reusedFrom: Map<string, string>
  }
): Promise<Map<string, string>> {
  const {provider, plan, note, target, remote, markdown, result} = step
  const {options} = run
  const locale = target.locale
  const failures = new Map<string, string>()
  if (remote.length === 0) return failures
  if (!provider) {
    for (const segment of remote)
      failures.set(segment.id, 'not translated yet (this run calls no provider): run notes-l10n sync')
    return failures
  }
  options.onEvent?.({type: 'note-started', note: plan.source, locale, output: target.output, segments: remote.length})
  // What the journal restored of each accepted reply (on a worker, when the note is held by one).
  const restored: Restored = new Map()
  const outcome = await provider.translate(
    buildJob(run, provider, plan, note, locale, remote, step.decisions, restored),
    {signal: options.signal}
  )
  addUsage(run.result.usage, outcome.usage)
  result.findings.push(...outcome.findings)
  const byId = new Map(note.segments.map((segment) => [segment.id, segment]))
  for (const [id, translation] of outcome.translations) {
    const done = restored.get(id)
    markdown.set(
      id,
      done?.translation === translation
        ? done.markdown
        : restoreTranslation(byId.get(id)!, translation, locale, run.project.glossary, note.layouts.get(id)?.placement)
    )
  }
  for (const [id, reason] of outcome.failures) failures.set(id, reason)
  for (const [id, from] of outcome.reused ?? []) step.reusedFrom.set(id, from)
  for (const segment of remote) {
    if (!markdown.has(segment.id) && !failures.has(segment.id))
      failures.set(segment.id, 'the provider returned no translation')
  }
  return failures
}
