/**
 * One note of a run: prove its targets current from hashes, or parse it and plan (plan.ts),
 * translate (translate.ts) and commit (commit.ts) each target.
 */
import {setImmediate as nextTurn} from 'node:timers/promises'
import {frontmatterEdit, type NotePlan, targetUrlForms} from '../config/load.js'
import {segmentFingerprint} from '../glossary/load.js'
import {contentHash} from '../io/hash.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import type {NoteText} from '../pipeline/read.js'
import {reassemble} from '../pipeline/reassemble.js'
import {analyse} from '../project/analyse.js'
import {glossaryVersion, readText} from '../project/project.js'
import {configInputs, keysOf, recordedInputs} from '../project/provenance.js'
import {planTarget, provenByHashes} from '../project/target-plan.js'
import {ProviderFatalError} from '../providers/errors.js'
import {estimateJob} from '../providers/estimate.js'
import {countTokens} from '../providers/tokens.js'
import {align} from '../state/align.js'
import {type LockEntry, segmentTargetHash} from '../state/lock.js'
import {type Segment, UserError} from '../types.js'
import {commitTranslation, write} from './commit.js'
import {buildJob} from './job.js'
import {reuseFromMemory} from './memory.js'
import {WorkerFailed} from './note-pool.js'
import {claimRename} from './orphans.js'
import {
  describeDecisions,
  emptyResult,
  frontmatterData,
  messageOf,
  planSegments,
  withBom,
  withNestedPending,
  withOverrides
} from './plan.js'
import {translateRemote} from './translate.js'
import type {NoteResult, Run, Target, TargetRead} from './types.js'

export async function syncNote(run: Run, plan: NotePlan): Promise<void> {
  if (run.options.signal?.aborted || run.result.stopped) return
  const {project} = run
  let text: NoteText
  try {
    const read = await readText(project.root, plan.source, project.config.limits.maxFileBytes)
    if (!read) throw new UserError(`${plan.source}: the source disappeared during the run`)
    text = read
  } catch (error) {
    run.result.problems.push({file: plan.source, message: messageOf(error, plan.source)})
    return
  }
  const sourceHash = contentHash(withBom(text))
  // Parsing is the expensive step: only when some target is not proven current by its hashes.
  let note: AnalysedNote | undefined

  for (const target of plan.targets) {
    if (run.options.signal?.aborted || run.result.stopped) return
    try {
      const proof = await provenCurrent(run, plan, target, sourceHash)
      let outcome = proof.result
      if (!outcome) {
        if (!note) {
          // On a worker thread when the run has them (`note-pool.ts`), else here.
          const pooled = run.notePool?.analyse(plan.source, plan.source, text)
          if (!pooled) {
            // Parsing holds the thread for a while: let replies that arrived and requests that
            // are ready go first, so the provider never waits behind other notes' parses.
            await nextTurn()
            if (run.options.signal?.aborted || run.result.stopped) return
          }
          try {
            note = pooled ? await pooled : analyse(project, plan.source, text)
          } catch (error) {
            run.result.problems.push({file: plan.source, message: messageOf(error, plan.source)})
            return
          }
        }
        outcome = target.copy
          ? await copyNote(run, plan, note, target, sourceHash, proof.read)
          : await translateNote(run, plan, note, target, sourceHash, proof.read)
      }
      run.result.notes.push(outcome)
      run.options.onNote?.(outcome)
      run.options.onEvent?.({
        type: 'note-finished',
        note: outcome.note,
        locale: outcome.locale,
        output: outcome.output,
        status: outcome.status,
        counts: {...outcome.counts}
      })
      if (run.options.keepDetails === false) {
        outcome.segments = []
        outcome.findings = []
      }
    } catch (error) {
      if (error instanceof ProviderFatalError) {
        // No later request can succeed: say it once, not once per remaining note.
        run.result.stopped ??= {message: error.message, exitCode: error.exitCode}
        return
      }
      if (error instanceof UserError) {
        run.result.problems.push({file: target.output, message: messageOf(error, target.output)})
        continue
      }
      // Interrupted (Ctrl-C): a provider gave up on its request with the signal's own reason; the
      // note is left as it was and the run ends with 130, not as our bug.
      if (run.options.signal?.aborted && error === run.options.signal.reason) return
      throw error
    }
  }
}

/** Reads the target, unless an earlier read of this run already did (`read`). */
async function targetText(run: Run, target: Target, read: TargetRead | undefined): Promise<NoteText | undefined> {
  return read ? read.text : await readText(run.project.root, target.output, Number.MAX_SAFE_INTEGER)
}

/**
 * The result for a target that needs no work, when its lock entry proves it current without a
 * parse: the source and the target are byte-for-byte what the entry was made from and wrote, and
 * the glossary does exactly what it did then. `result` is undefined when that cannot be proven;
 * `read` is the target as read on the way, when it was read without error.
 */
async function provenCurrent(
  run: Run,
  plan: NotePlan,
  target: Target,
  sourceHash: string
): Promise<{result?: NoteResult; read?: TargetRead}> {
  const {options, project} = run
  if (options.force || options.retranslate || options.overrides?.get(plan.source)?.has(target.locale)) return {}
  const mark = run.journal?.written(plan.source, target.locale)
  const locked = run.project.lock.head(plan.source, target.locale)
  if (!mark && (!locked || locked.source !== sourceHash)) return {}
  let read: TargetRead
  try {
    read = {text: await readText(project.root, target.output, Number.MAX_SAFE_INTEGER)}
  } catch {
    // Whoever reads it next reports the error.
    return {}
  }
  const existing = read.text
  const hash = existing ? contentHash(withBom(existing)) : undefined
  const entry = madeFrom(run, plan, target.locale, hash)
  if (!entry) return {read}
  const hashes = {
    source: sourceHash,
    target: hash,
    glossary: target.copy ? undefined : glossaryVersion(project, target.locale),
    copy: Boolean(target.copy)
  }
  // An entry from before the inputs were recorded is looked at once (for free) to record them.
  if (entry.inputs === undefined || !provenByHashes(entry, hashes, configInputs(project.config, target, run.real)))
    return {read}

  const result = emptyResult(plan, target)
  result.status = 'unchanged'
  if (options.dryRun) result.verdict = 'current'
  for (const record of entry.segments) result.counts[record.human ? 'human' : 'reused']++
  return {result, read}
}

/**
 * The lock entry that describes the target on disk (hash `hash`, segments `segments` when parsed).
 *
 * A run writes a target only after its write-ahead mark is durable in the journal, and drops the
 * mark only after the lock is saved; so after a crash the file is either what the lock says or
 * what the mark says. The file's hash decides; a file a human edited since matches neither, and
 * then the entry more of whose segment hashes it matches wins (so the tool's own text is never
 * taken for a human edit). A mark that describes the file is adopted into the lock now, whatever
 * happens to the note later in this run (a failure, a rejection).
 */
function madeFrom(
  run: Run,
  plan: NotePlan,
  locale: string,
  hash: string | undefined,
  segments?: readonly Segment[]
): LockEntry | undefined {
  const locked = run.project.lock.get(plan.source, locale)
  const mark = run.journal?.written(plan.source, locale)
  if (!mark || hash === undefined) return locked
  let chosen: LockEntry | undefined
  if (hash === mark.target) chosen = mark
  else if (locked && hash === locked.target) chosen = locked
  else if (!locked) chosen = mark
  else if (segments) chosen = segmentMatches(mark, segments) > segmentMatches(locked, segments) ? mark : locked
  if (chosen !== mark) return locked
  if (!run.options.dryRun) {
    run.project.lock.set(plan.source, locale, mark)
    run.written.push({note: plan.source, locale})
  }
  return mark
}

/** How many of `segments` (a target file's) hash to what `entry` records at the same place. */
function segmentMatches(entry: LockEntry, segments: readonly Segment[]): number {
  if (entry.segments.length !== segments.length) return -1
  return entry.segments.filter((record, index) => segmentTargetHash(segments[index]!.markdown) === record.target).length
}

async function copyNote(
  run: Run,
  plan: NotePlan,
  note: AnalysedNote,
  target: Target,
  sourceHash: string,
  read: TargetRead | undefined
): Promise<NoteResult> {
  const edit = frontmatterEdit(
    run.project.config,
    {tag: target.locale, path: target.localeForPath},
    frontmatterData(note)
  )
  const {text} = reassemble(note, new Map(), {frontmatter: {set: edit.set, drop: edit.drop}})
  const result = emptyResult(plan, target)
  const existing = await targetText(run, target, read).catch(() => undefined)
  const current = existing !== undefined && withBom(existing) === text
  const entry: LockEntry = {
    source: sourceHash,
    target: contentHash(text),
    provider: 'copy',
    model: 'copy',
    ...recordedInputs(run.project.config, target),
    segments: []
  }
  if (run.options.dryRun) {
    result.status = current ? 'unchanged' : 'pending'
    result.verdict = current ? 'current' : existing === undefined ? 'missing' : 'stale'
    return result
  }
  if (!current) await write(run, target.output, text)
  run.project.lock.set(plan.source, target.locale, entry)
  result.status = current ? 'unchanged' : 'copied'
  return result
}

async function translateNote(
  run: Run,
  plan: NotePlan,
  note: AnalysedNote,
  target: Target,
  sourceHash: string,
  read: TargetRead | undefined
): Promise<NoteResult> {
  const {project, options} = run
  const locale = target.locale
  const provider = run.providerFor(locale)
  const result = emptyResult(plan, target)
  const glossary = project.glossary

  const locked = project.lock.get(plan.source, locale)
  const recorded = run.journal?.written(plan.source, locale) ?? locked
  // A note renamed or moved (its lock entry is under its old path) keeps its translations — also
  // when a killed run left a write-ahead mark for the new path (`recorded`) but its lock, with
  // the rename, was never saved: the orphan still holds the old path and what is written there.
  const renamed = locked ? undefined : claimRename(run, plan, locale, sourceHash, note)
  let entry = recorded ?? renamed?.entry
  let existingText = await targetText(run, target, read)
  // The translation is where the entry says it was written when it is not (yet) at its new path:
  // an output template changed, or the note was renamed.
  let movedFrom: string | undefined
  const previousOutput = renamed?.output ?? entry?.output
  if (!existingText && previousOutput !== undefined && previousOutput !== target.output) {
    existingText = await readText(project.root, previousOutput, Number.MAX_SAFE_INTEGER).catch(() => undefined)
    if (existingText) movedFrom = previousOutput
    // The file at the old path is what the orphan's entry describes, not the mark for the new one.
    if (existingText && renamed) entry = renamed.entry
  }
  if (!renamed) entry = madeFrom(run, plan, locale, existingText ? contentHash(withBom(existingText)) : undefined)
  let existing: AnalysedNote | undefined
  if (existingText) {
    try {
      const file = movedFrom ?? target.output
      const keys = entry ? keysOf(project.config, entry) : undefined
      existing = await (run.notePool?.analyse(plan.source, file, existingText, keys) ??
        analyse(project, file, existingText, undefined, keys))
    } catch (error) {
      if (error instanceof WorkerFailed) throw error
      if (!options.force) {
        result.status = 'untouched'
        if (options.dryRun) result.verdict = 'misaligned'
        result.message = `${messageOf(error, target.output)} — fix the file, or run with --force to translate it afresh`
        return result
      }
    }
  }

  const fingerprints = note.segments.map((segment) =>
    glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
  )
  // After a crash the journal's write-ahead mark or the lock describes the target: the file decides (madeFrom).
  if (!renamed && existing && existingText)
    entry = madeFrom(run, plan, locale, contentHash(withBom(existingText)), existing.segments)
  const journal = run.journal
  const alignment = align({
    source: note.segments,
    fingerprints,
    entry,
    target: existing?.segments,
    journal: journal
      ? (id) => {
          const record = journal.lookup(plan.source, locale, id)
          // Pseudo output waiting in the journal is not a translation for a real provider.
          return record && run.real && record.provider === 'pseudo' ? undefined : record
        }
      : undefined,
    retranslate: options.retranslate,
    force: options.force,
    replaceMachine: run.real && entry?.provider === 'pseudo'
  })
  if (!alignment.aligned) {
    result.status = 'untouched'
    if (options.dryRun) result.verdict = 'misaligned'
    result.message = `${target.output}: ${alignment.reason}`
    return result
  }

  const decisions = withNestedPending(
    note.segments,
    withOverrides(note.segments, alignment.decisions, options.overrides?.get(plan.source)?.get(locale))
  )
  const translationOf = (other: string): string | undefined => run.outputs.get(`${locale}\0${other}`)
  const rebase = project.config.links.rebase ? {source: plan.source, output: target.output, locale} : undefined
  // Text read from a target is in the URL space it was written in: rebased for the file it was
  // read from (a link to another note pointing at that note's translation, or at the source when
  // it had none then), or not at all if rebasing was off then. Mapping rebased forms back is
  // harmless when there are none, so it is done whatever the config says now (which may have changed).
  const readFrom = movedFrom ?? target.output
  // A target read from where an older config wrote it links to the other notes' translations
  // where that config wrote them (their lock entries say where).
  const olderTranslationOf = (other: string) => project.lock.head(other, locale)?.output
  // A renamed note's target was written for the source where it was then: its relative URLs were
  // rebased from that folder, and are the source's URLs all the same.
  const readForms = [
    ...targetUrlForms(plan.source, readFrom, translationOf, olderTranslationOf),
    ...(renamed && renamed.note !== plan.source
      ? targetUrlForms(renamed.note, readFrom, translationOf, olderTranslationOf)
      : [])
  ]
  const planned = planSegments(note, decisions, {
    locale,
    glossary,
    rewriteRead: readForms
  })
  const {markdown} = planned
  let remote = planned.remote
  result.findings.push(...planned.findings)

  // Segment id → the note its translation was reused from: the memory's now, the packer's later.
  const reusedFrom = new Map<string, string>()
  /** Segments translated from the memory (sent after all if reassembly rejects them). */
  const fromMemory = new Set<string>()
  /** Of those, the ones the offline pseudo provider made. */
  const pseudoFromMemory = new Set<string>()
  /** And the ones a human wrote (recorded human here too). */
  const humanFromMemory = new Set<string>()
  if (run.memory && remote.length > 0) {
    const reused = await reuseFromMemory(run.memory, {
      source: plan.source,
      note,
      target,
      remote,
      decisions,
      fingerprints,
      known: markdown,
      job: buildJob(run, provider, plan, note, locale, remote, decisions),
      glossary
    })
    for (const [id, text] of reused.markdown) {
      markdown.set(id, text)
      fromMemory.add(id)
    }
    for (const [id, from] of reused.from) reusedFrom.set(id, from)
    for (const id of reused.pseudo) pseudoFromMemory.add(id)
    for (const id of reused.human) humanFromMemory.add(id)
    result.findings.push(...reused.findings)
    remote = remote.filter((segment) => !fromMemory.has(segment.id))
  }

  if (options.dryRun) {
    // `sync --batch --dry-run`: what would be submitted, sent nowhere.
    if (options.queue && remote.length > 0)
      options.queue(buildJob(run, provider, plan, note, locale, remote, decisions))
    describeDecisions(result, note.segments, decisions, {dryRun: true, reusedFrom})
    // The verdict every command reports (check, status, diff, export): the one plan.
    const {verdict} = planTarget({
      segments: note.segments,
      alignment: existingText ? {aligned: true, decisions} : undefined,
      entry,
      config: configInputs(project.config, target, run.real),
      ...(renamed ? {renamedFrom: renamed.note} : {})
    })
    result.verdict = verdict
    result.status = verdict === 'current' || verdict === 'needs-review' ? 'unchanged' : 'pending'
    result.pendingTokens = remote.reduce((sum, segment) => sum + countTokens(segment.text), 0)
    if (run.estimate && remote.length > 0) {
      const job = buildJob(run, provider, plan, note, locale, remote, decisions)
      result.estimate = estimateJob(run.estimate.settings, job, run.estimate.price)
      // Plain data only: the job's closures hold the parsed note.
      const {sourceLocale, targetLocale, title, context, terms, segments} = job
      run.estimate.jobs.push({
        note: plan.source,
        sourceLocale,
        targetLocale,
        ...(title !== undefined ? {title} : {}),
        context,
        terms,
        segments
      })
    }
    return result
  }

  if (options.queue && remote.length > 0) {
    options.queue(buildJob(run, provider, plan, note, locale, remote, decisions))
    describeDecisions(result, note.segments, decisions, {dryRun: true, reusedFrom})
    result.status = 'queued'
    return result
  }

  const failures = await translateRemote(run, {
    provider,
    plan,
    note,
    target,
    remote,
    decisions,
    markdown,
    result,
    reusedFrom
  })
  return commitTranslation(
    run,
    {
      plan,
      note,
      target,
      sourceHash,
      provider,
      decisions,
      fingerprints,
      markdown,
      failures,
      reusedFrom,
      sent: new Set(remote.map((segment) => segment.id)),
      fromMemory,
      pseudoFromMemory,
      humanFromMemory,
      // A translation from the memory that reassembly rejects here is sent instead (once).
      async resend(ids) {
        const again = note.segments.filter((segment) => ids.includes(segment.id))
        for (const id of ids) {
          markdown.delete(id)
          reusedFrom.delete(id)
          fromMemory.delete(id)
          pseudoFromMemory.delete(id)
          humanFromMemory.delete(id)
        }
        const more = await translateRemote(run, {
          provider,
          plan,
          note,
          target,
          remote: again,
          decisions,
          markdown,
          result,
          reusedFrom
        })
        for (const [id, reason] of more) failures.set(id, reason)
      },
      entry,
      renamed,
      existing,
      existingText,
      movedFrom,
      rebase
    },
    result
  )
}
