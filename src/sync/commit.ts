/**
 * The commit step: reassemble a note's translation, read it back, refuse what would change a
 * file outside its prose, build the lock entry and write atomically (journal first). Also the
 * run's file removals and temp-file clean-up.
 */

import {unlink} from 'node:fs/promises'
import path from 'node:path'
import {assertWritable, frontmatterEdit, type NotePlan} from '../config/load.js'
import {errnoCode, errnoMessage} from '../io/errno.js'
import {contentHash} from '../io/hash.js'
import {removeStaleTemps, writeFileAtomic} from '../io/write.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {keepTranslatedComments} from '../pipeline/code-comments.js'
import {addedLines} from '../pipeline/frontmatter.js'
import {type ParsedMarkdown, parseMarkdown} from '../pipeline/parse.js'
import type {NoteText} from '../pipeline/read.js'
import {type Reassembled, reassemble} from '../pipeline/reassemble.js'
import {analyse} from '../project/analyse.js'
import {glossaryVersion, type Project} from '../project/project.js'
import {recordedInputs} from '../project/provenance.js'
import type {Orphan} from '../project/renames.js'
import {writtenSegmentFindings} from '../project/segment-findings.js'
import type {Decision} from '../state/align.js'
import {JOURNAL_FILE} from '../state/journal.js'
import type {LockEntry} from '../state/lock.js'
import type {Provider} from '../types.js'
import {UserError} from '../types.js'
import {isPooled, linkRewriter, type PooledReassembly, WorkerFailed} from './note-pool.js'
import {removeIfMachineMade, removeMoved} from './orphans.js'
import {bodyDifferences, describeDecisions, frontmatterData, lockEntryFor, stripBom, withBom} from './plan.js'
import type {NoteResult, Run, Target} from './types.js'

/** A note's translation ready to be committed: every segment decided, translated or failed. */
export interface Translated {
  plan: NotePlan
  note: AnalysedNote
  target: Target
  sourceHash: string
  provider: Provider | undefined
  decisions: readonly Decision[]
  fingerprints: ReadonlyArray<string | undefined>
  markdown: ReadonlyMap<string, string>
  failures: Map<string, string>
  /** Segment id → the note its translation was reused from this run (reported). */
  reusedFrom: ReadonlyMap<string, string>
  /** Ids of the segments that were sent to the provider. */
  sent: ReadonlySet<string>
  /** Segments whose translation came from the translation memory (`memory.ts`). */
  fromMemory: ReadonlySet<string>
  /** Of those, the ones the offline pseudo provider made (recorded pseudo again). */
  pseudoFromMemory: ReadonlySet<string>
  /** And the ones a human wrote: recorded human (`!`) here too, never overwritten as machine text. */
  humanFromMemory: ReadonlySet<string>
  /**
   * Sends segments whose memory translation reassembly rejected, filling `markdown` and `failures`.
   */
  resend?: (ids: string[]) => Promise<void>
  entry: LockEntry | undefined
  renamed: Orphan | undefined
  existing: AnalysedNote | undefined
  existingText: NoteText | undefined
  movedFrom: string | undefined
  /** Links rebased for the target (`links.rebase`): see {@link linkRewriter}. */
  rebase: {source: string; output: string; locale: string} | undefined
}

export async function commitTranslation(run: Run, input: Translated, result: NoteResult): Promise<NoteResult> {
  const {project, options} = run
  const {plan, note, target, entry, existingText, failures, renamed, movedFrom, decisions} = input
  const locale = target.locale
  const edit = frontmatterEdit(project.config, {tag: locale, path: target.localeForPath}, frontmatterData(note))
  // Keys a human added to the translation's front-matter (`reviewed_by: maria`) are kept; keys
  // the policy sets or drops are the tool's.
  const append = addedLines(
    note.frontmatter,
    input.existing?.frontmatter,
    new Set([...Object.keys(edit.set), ...edit.drop])
  )
  // Human edits win: the inline markup a translator left out of a segment (bold written as plain
  // text, a dropped link) is theirs to choose; it is reported as a warning, never a failure.
  const human = new Set(
    note.segments
      .filter((_, index) => decisions[index]!.state === 'human' || decisions[index]!.state === 'needs-review')
      .map((segment) => segment.id)
  )
  const frontmatter = {set: edit.set, drop: edit.drop, append}
  const pool = run.notePool
  // With `code.comments: "keep"` the text written may differ from the reassembly: read back here.
  const readBack = project.config.code.comments === 'keep' && !options.force ? undefined : target.output
  const assemble = async (): Promise<PooledReassembly> => {
    if (pool && isPooled(note)) {
      // On the worker thread that analysed the note (`note-pool.ts`): the same result.
      try {
        return await pool.assemble(note, {
          translations: new Map(input.markdown),
          frontmatter,
          human,
          ...(input.rebase ? {rebase: input.rebase} : {}),
          ...(failures.size === 0 && readBack !== undefined ? {readBack} : {})
        })
      } catch (error) {
        // That worker died (another note may have killed it): the note has all it needs here.
        if (!(error instanceof WorkerFailed)) throw error
      }
    }
    return reassemble(note, new Map(input.markdown), {
      frontmatter,
      rewriteUrl: input.rebase ? linkRewriter(run.outputs, input.rebase) : undefined,
      human
    })
  }
  let assembled = await assemble()
  const sent = new Set(input.sent)
  // Another note's translation can fit its own place and not this one (the safety net sees the
  // whole note): those segments are sent instead, so the memory never fails a note for good.
  const retry = [...assembled.rejected.keys()].filter((id) => input.fromMemory.has(id))
  if (retry.length > 0 && input.resend) {
    await input.resend(retry)
    for (const id of retry) sent.add(id)
    assembled = await assemble()
  }
  for (const [id, reason] of assembled.rejected) failures.set(id, reason)

  describeDecisions(result, note.segments, decisions, {dryRun: false, failures, reusedFrom: input.reusedFrom})
  if (failures.size > 0) {
    result.status = 'failed'
    result.message = `${failures.size} segment${failures.size === 1 ? '' : 's'} could not be translated; ${target.output} was left as it was`
    // A translation the reassembler rejected would be rejected again: do not reuse it from the
    // journal. Only those: the note's other accepted (paid) translations stay for the next run.
    if (assembled.rejected.size > 0) await run.journal!.reject(plan.source, locale, [...assembled.rejected.keys()])
    return result
  }

  const {text: output, parsed} = withKeptComments(run, input, assembled)
  // Hash what the target's segments will look like when read back (escaping may have changed them),
  // so the next run recognises its own work and tells it from a human edit. Reassembly's safety
  // net already parsed this text (and carried that parse over rebased links): reading it back costs
  // no third parse.
  const written = {
    segments:
      assembled.written && output === assembled.text
        ? assembled.written()
        : analyse(project, target.output, {...note.source, text: stripBom(output, note.source.bom)}, parsed).segments
  }
  if (written.segments.length !== note.segments.length) {
    // Whatever a model or a translator wrote, segments survive reassembly one for one; if they
    // did not, this note fails (reported, exit 1) and the run goes on — never exit 3 for a
    // note's content, and the lock is still saved for every other note.
    result.status = 'failed'
    result.message = `${target.output}: the translation would have ${written.segments.length} segments where the source has ${note.segments.length}, so it was not written — edit the translated segments that change the note's structure, or run with --force to translate it afresh`
    return result
  }
  if (!entry && existingText && !options.force) {
    // Adopting a translation made before notes-l10n: its prose is kept as human work, but
    // anything else the tool would rewrite (code, URLs, markup) is the user's call, never silent.
    const lines = bodyDifferences(withBom(existingText), output)
    if (lines.length > 0) {
      result.status = 'untouched'
      result.message = `${target.output}: adopting this existing translation would change it outside its prose at ${lines
        .slice(0, 5)
        .map((line) => `${target.output}:${line}`)
        .join(
          ', '
        )}${lines.length > 5 ? ` and ${lines.length - 5} more lines` : ''} (code, URLs or markup differ from the source) — left as it is; make those parts match ${plan.source}${
        project.config.code.comments !== 'keep' && keptComments(input, assembled) !== undefined
          ? ', set "code": {"comments": "keep"} in the config to keep translated code comments'
          : ''
      }, or run sync --force to take them from the source`
      return result
    }
  }
  // Human segments are kept as written (human edits win), and the run reports what `check` will
  // say of them: a lacking bold, link or code (a warning with where to restore it) and every error
  // (a changed URL, a do-not-translate term the translation lacks), so that no check is red over
  // something the sync that kept it never said. The lock marks those segments (`!?`) so that
  // `check` keeps looking inside instead of trusting the hashes this run records.
  const reported = new Set<string>()
  note.segments.forEach((segment, index) => {
    if (!human.has(segment.id)) return
    const findings = writtenSegmentFindings({
      source: segment,
      written: written.segments[index]!,
      human: true,
      sourceFile: plan.source,
      output: target.output,
      sourceLocale: plan.sourceLocale,
      locale,
      glossary: project.glossary,
      rewriteUrl: input.rebase ? linkRewriter(run.outputs, input.rebase) : undefined,
      strictGlossary: options.strictGlossary
    })
    for (const finding of findings) {
      if (finding.rule === 'human-markup') {
        reported.add(segment.id)
        result.findings.push(finding)
      } else if (finding.severity === 'error') {
        reported.add(segment.id)
        // Reported at the source line like the run's other findings; the message says where to fix.
        const where = `${target.output}:${written.segments[index]!.line}`
        result.findings.push({
          ...finding,
          segment: segment.id,
          line: segment.line,
          message: `${where}: ${finding.message}`
        })
      }
    }
  })
  const newEntry = lockEntryFor({
    segments: note.segments,
    decisions,
    fingerprints: input.fingerprints,
    written: written.segments.map((segment) => segment.markdown),
    previous: entry,
    sourceHash: input.sourceHash,
    targetHash: contentHash(output),
    provider: input.provider,
    // Translations from the memory are this run's too: a pseudo run that reuses marks them pseudo
    // (when the pseudo provider made them), as one that sends does.
    madeNow: sent.size > 0 || input.fromMemory.size > 0 || !entry || (run.real && entry.provider === 'pseudo'),
    translated: sent,
    reported,
    reused: new Set(input.reusedFrom.keys()),
    reusedPseudo: input.pseudoFromMemory,
    reusedHuman: input.humanFromMemory,
    glossary: project.glossary ? glossaryVersion(project, locale) : undefined,
    inputs: recordedInputs(project.config, target)
  })

  const unchanged = movedFrom === undefined && existingText !== undefined && withBom(existingText) === output
  if (!unchanged) {
    // Write-ahead: the journal says what this file is about to be made from before it is written,
    // and keeps saying it until the lock is saved, so a crash at any point cannot make the next
    // run mistake the tool's own output for a human edit (see madeFrom in note.ts).
    await run.journal!.recordWritten(plan.source, locale, newEntry)
    await write(run, target.output, output)
    run.journal!.wrote(plan.source, locale)
  }
  project.lock.set(plan.source, locale, newEntry)
  run.written.push({note: plan.source, locale})
  result.status = unchanged ? 'unchanged' : 'written'
  if (renamed) {
    // A shard leaves the old entry (and file) for a run over every note to remove: it cannot
    // tell whether another shard's note writes at the old path (docs/state.md, "Renames").
    if (!options.shard) project.lock.delete(renamed.note, locale)
    result.message = `renamed from ${renamed.note}: its translation was kept`
  }
  if (movedFrom) await removeMoved(run, movedFrom)
  else if (renamed?.output && renamed.output !== target.output)
    await removeIfMachineMade(run, renamed.output, renamed.entry)
  return result
}

/**
 * The reassembled text, with `code.comments: "keep"` the existing translation's code blocks that
 * differ from the source's only in whole-line comments (docs/config.md), and its parse when
 * reassembly made one of exactly that text.
 */
function withKeptComments(
  run: Run,
  input: Translated,
  assembled: Reassembled
): {text: string; parsed: ParsedMarkdown | undefined} {
  if (run.project.config.code.comments !== 'keep' || run.options.force)
    return {text: assembled.text, parsed: assembled.parsed}
  const kept = keptComments(input, assembled)
  if (!kept) return {text: assembled.text, parsed: assembled.parsed}
  return {text: (input.note.source.bom ? '\uFEFF' : '') + kept, parsed: undefined}
}

/** The reassembled text (BOM removed) with the existing translation's comment-only code blocks; undefined when none. */
function keptComments(input: Translated, assembled: Reassembled): string | undefined {
  const {existing, note} = input
  if (!existing) return undefined
  const body = stripBom(assembled.text, note.source.bom)
  const tree = (assembled.parsed ?? parseMarkdown(body, {mdx: note.source.mdx})).tree
  const kept = keepTranslatedComments({text: body, tree}, {text: existing.source.text, tree: existing.tree})
  return kept.lines.length > 0 ? kept.text : undefined
}

export async function write(run: Run, file: string, text: string): Promise<void> {
  await assertWritable(run.project.root, file)
  await writeFileAtomic(path.join(run.project.root, file), text, {
    root: run.project.root,
    verified: run.verifiedFolders
  })
}

/**
 * Temp files a killed run left beside the targets, the lock and the journal, removed;
 * one line per file.
 */
export async function removeTemps(project: Project): Promise<string[]> {
  const folders = new Set([project.root, path.join(project.root, path.dirname(JOURNAL_FILE))])
  for (const plan of project.plans)
    for (const target of plan.targets) folders.add(path.dirname(path.join(project.root, target.output)))
  const removed: string[] = []
  for (const folder of folders) {
    for (const name of await removeStaleTemps(folder)) {
      removed.push(
        `removed ${path.relative(project.root, path.join(folder, name))}, a temp file left by an interrupted run`
      )
    }
  }
  return removed
}

export async function removeFile(run: Run, file: string): Promise<void> {
  await assertWritable(run.project.root, file)
  try {
    await unlink(path.join(run.project.root, file))
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT')
      throw new UserError(`cannot remove ${file}: ${errnoMessage(error)} — remove it by hand`)
  }
}
