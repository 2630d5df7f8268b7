/**
 * `notes-l10n sync`: bring every target file up to date with its source, paying only for new or
 * changed segments and never overwriting a human edit.
 *
 * Returns what it did; the CLI prints it. Effects are confined to the modules it calls: reading
 * notes, the provider, atomic writes, the lock and the journal.
 */
import path from 'node:path'
import pLimit from 'p-limit'
import {assertWritable, frontmatterEdit, rebaseUrl, type NotePlan} from '../config/load.js'
import {renderKeep, requiredTerms, segmentFingerprint, verifyTerms} from '../glossary/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {mapTokens, restore} from '../pipeline/protect.js'
import {reassemble} from '../pipeline/reassemble.js'
import {normaliseTranslation, validateTranslation} from '../pipeline/validate.js'
import {writeFileAtomic} from '../pipeline/write.js'
import {selectProvider, type ProviderSettings} from '../providers/select.js'
import {align, type Decision} from '../state/align.js'
import {contentHash} from '../state/hash.js'
import {Journal} from '../state/journal.js'
import {Lockfile, segmentTargetHash, type LockEntry} from '../state/lock.js'
import {acquireRunLock} from '../state/mutex.js'
import type {Finding, Provider, RequiredTerm, Segment, Token, TranslateJob, Usage} from '../types.js'
import {UserError} from '../types.js'
import {analyse, errnoMessage, openProject, readText, type Problem, type Project, type ProjectOptions} from './project.js'

export interface SyncOptions extends ProjectOptions {
  /** Provider settings from flags; merged over the config's. */
  provider?: Partial<ProviderSettings>
  dryRun?: boolean
  /** Re-translate human edits whose source changed (needs review) and unalignable targets. */
  force?: boolean
  /** Re-translate everything the tool wrote, e.g. after changing model. Human edits are kept. */
  retranslate?: boolean
  /** Glossary violations block the segment instead of being reported. */
  strictGlossary?: boolean
  env: Readonly<Record<string, string | undefined>>
  signal?: AbortSignal
  /** Called once per note and locale as soon as it is finished. */
  onNote?: (result: NoteResult) => void
  /** For tests: use this provider instead of the configured one. */
  providerOverride?: Provider
  /**
   * Human translations to apply (e.g. from an imported XLIFF/PO file), as logical Markdown by
   * note, locale and segment id. They are written and locked as human work.
   */
  overrides?: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, string>>>
  /**
   * `false`: call no provider (import-only runs). A note that still has untranslated segments
   * is then not written.
   */
  translate?: boolean
}

export type NoteStatus =
  /** Written (created or updated). */
  | 'written'
  /** Already up to date: nothing written. */
  | 'unchanged'
  /** The target locale is the source's own: copied with front-matter set. */
  | 'copied'
  /** Would be written (dry run). */
  | 'pending'
  /** Left untouched: the target could not be aligned with its source (edited structurally). */
  | 'untouched'
  /** Not written: some segments could not be translated; the previous target is unchanged. */
  | 'failed'

export interface SegmentOutcome {
  id: string
  line: number
  state: 'translated' | 'reused' | 'human' | 'needs-review' | 'failed' | 'pending'
  reason?: string
}

export interface NoteResult {
  note: string
  locale: string
  output: string
  status: NoteStatus
  /** Counts of segment outcomes. */
  counts: Record<SegmentOutcome['state'], number>
  segments: SegmentOutcome[]
  findings: Finding[]
  /** Why the note was untouched or failed, in one line. */
  message?: string
  /** Estimated source tokens still to translate (dry run). */
  pendingTokens?: number
}

export interface SyncResult {
  notes: NoteResult[]
  problems: Problem[]
  usage: Usage
  provider: string
  model: string
  dryRun: boolean
  interrupted: boolean
}

const noUsage = (): Usage => ({requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0})

export async function sync(options: SyncOptions): Promise<SyncResult> {
  const project = await openProject(options)
  const settings: ProviderSettings = {...project.config.provider, ...definedOnly(options.provider ?? {})}
  const offline = options.dryRun || options.translate === false
  const provider = options.providerOverride ?? (offline ? undefined : selectProvider(settings, options.env))
  const result: SyncResult = {
    notes: [],
    problems: [...project.problems],
    usage: noUsage(),
    provider: provider?.name ?? (options.translate === false ? 'none' : settings.name),
    model: provider?.model ?? (options.translate === false ? '' : settings.model ?? ''),
    dryRun: Boolean(options.dryRun),
    interrupted: false
  }

  const release = options.dryRun ? undefined : await acquireRunLock(project.root)
  try {
    const lock = project.lock
    const journal = options.dryRun ? undefined : await Journal.open(project.root)
    const written: Array<{note: string; locale: string}> = []
    const run: Run = {project, options, provider, lock, journal, result, written}

    // Notes in flight are bounded (memory); the provider bounds requests in flight on its own.
    const limit = pLimit(Math.max(2, (settings.concurrency ?? 8) * 2))
    await Promise.all(project.plans.map((plan) => limit(() => syncNote(run, plan))))

    result.interrupted = Boolean(options.signal?.aborted)
    if (!options.dryRun) {
      await lock.save(project.root)
      // Journal records are only dropped once the lock that supersedes them is on disk.
      for (const {note, locale} of written) await journal!.settle(note, locale)
      await journal!.close()
    }
  } finally {
    await release?.()
  }

  result.notes.sort((a, b) => a.note.localeCompare(b.note) || a.locale.localeCompare(b.locale))
  return result
}

interface Run {
  project: Project
  options: SyncOptions
  provider: Provider | undefined
  lock: Lockfile
  journal: Journal | undefined
  result: SyncResult
  written: Array<{note: string; locale: string}>
}

async function syncNote(run: Run, plan: NotePlan): Promise<void> {
  if (run.options.signal?.aborted) return
  const {project} = run
  let note: AnalysedNote
  try {
    const text = await readText(project.root, plan.source, project.config.limits.maxFileBytes)
    if (!text) throw new UserError(`${plan.source}: the source disappeared during the run`)
    note = analyse(project, plan.source, text)
  } catch (error) {
    run.result.problems.push({file: plan.source, message: messageOf(error, plan.source)})
    return
  }

  for (const target of plan.targets) {
    if (run.options.signal?.aborted) return
    try {
      const outcome = target.copy
        ? await copyNote(run, plan, note, target)
        : await translateNote(run, plan, note, target)
      run.result.notes.push(outcome)
      run.options.onNote?.(outcome)
    } catch (error) {
      if (error instanceof UserError) {
        run.result.problems.push({file: target.output, message: messageOf(error, target.output)})
        continue
      }
      throw error
    }
  }
}

type Target = NotePlan['targets'][number]

async function copyNote(run: Run, plan: NotePlan, note: AnalysedNote, target: Target): Promise<NoteResult> {
  const edit = frontmatterEdit(run.project.config, {tag: target.locale, path: target.localeForPath}, frontmatterData(note))
  const {text} = reassemble(note, new Map(), {frontmatter: {set: edit.set, drop: edit.drop}})
  const result = emptyResult(plan, target)
  const existing = await readText(run.project.root, target.output, Number.MAX_SAFE_INTEGER).catch(() => undefined)
  const current = existing !== undefined && withBom(existing) === text
  const entry: LockEntry = {source: contentHash(withBom(note.source)), target: contentHash(text), provider: 'copy', model: 'copy', segments: []}
  if (run.options.dryRun) {
    result.status = current ? 'unchanged' : 'pending'
    return result
  }
  if (!current) await write(run, target.output, text)
  run.lock.set(plan.source, target.locale, entry)
  result.status = current ? 'unchanged' : 'copied'
  return result
}

async function translateNote(run: Run, plan: NotePlan, note: AnalysedNote, target: Target): Promise<NoteResult> {
  const {project, options} = run
  const locale = target.locale
  const result = emptyResult(plan, target)
  const glossary = project.glossary

  const existingText = await readText(project.root, target.output, Number.MAX_SAFE_INTEGER)
  let existing: AnalysedNote | undefined
  if (existingText) {
    try {
      existing = analyse(project, target.output, existingText)
    } catch (error) {
      if (!options.force) {
        result.status = 'untouched'
        result.message = `${messageOf(error, target.output)} — fix the file, or run with --force to translate it afresh`
        return result
      }
    }
  }

  const fingerprints = note.segments.map((segment) =>
    glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
  )
  const entry = run.journal?.written(plan.source, locale) ?? run.lock.get(plan.source, locale)
  const alignment = align({
    source: note.segments,
    fingerprints,
    entry,
    target: existing?.segments,
    journal: run.journal ? (id) => run.journal!.lookup(plan.source, locale, id) : undefined,
    retranslate: options.retranslate,
    force: options.force
  })
  if (!alignment.aligned) {
    result.status = 'untouched'
    result.message = `${target.output}: ${alignment.reason}`
    return result
  }

  const overrides = options.overrides?.get(plan.source)?.get(locale)
  const decisions = overrides
    ? alignment.decisions.map((decision, index): Decision => {
        const markdown = overrides.get(note.segments[index]!.id)
        return markdown === undefined ? decision : {state: 'human', markdown}
      })
    : alignment.decisions
  const pending = note.segments.filter((_, index) => decisions[index]!.state === 'pending')
  const markdown = new Map<string, string>()
  const fromTarget = new Set<number>()
  note.segments.forEach((segment, index) => {
    const decision = decisions[index]!
    if (decision.state === 'pending') return
    markdown.set(segment.id, decision.markdown)
    if (decision.state !== 'journaled') fromTarget.add(index)
  })
  // A link title or image alt sits inside its paragraph. Text taken from the target file already
  // holds its nested segments' translations; splicing them in again would fail.
  for (const [child, parent] of enclosing(note.segments)) {
    if (fromTarget.has(parent)) markdown.delete(note.segments[child]!.id)
  }

  if (options.dryRun) {
    describeDecisions(result, note.segments, decisions, {dryRun: true})
    result.status = pending.length > 0 || !existingText ? 'pending' : 'unchanged'
    result.pendingTokens = pending.reduce((sum, segment) => sum + approximateTokens(segment.text), 0)
    return result
  }

  const failures = new Map<string, string>()
  if (pending.length > 0 && !run.provider) {
    for (const segment of pending) failures.set(segment.id, 'not translated yet (this run calls no provider): run notes-l10n sync')
  } else if (pending.length > 0) {
    const outcome = await run.provider!.translate(buildJob(run, plan, note, locale, pending, decisions), {signal: options.signal})
    addUsage(run.result.usage, outcome.usage)
    result.findings.push(...outcome.findings)
    const byId = new Map(note.segments.map((segment) => [segment.id, segment]))
    for (const [id, translation] of outcome.translations) {
      const segment = byId.get(id)!
      markdown.set(id, restore(normaliseTranslation(segment, translation), tokensFor(run, segment, locale)))
    }
    for (const [id, reason] of outcome.failures) failures.set(id, reason)
    for (const segment of pending) {
      if (!markdown.has(segment.id) && !failures.has(segment.id)) failures.set(segment.id, 'the provider returned no translation')
    }
  }

  const edit = frontmatterEdit(project.config, {tag: locale, path: target.localeForPath}, frontmatterData(note))
  const rewriteUrl = project.config.links.rebase
    ? (url: string) => rebaseUrl(url, plan.source, target.output)
    : undefined
  const assembled = reassemble(note, markdown, {frontmatter: {set: edit.set, drop: edit.drop}, rewriteUrl})
  for (const [id, reason] of assembled.rejected) failures.set(id, reason)

  describeDecisions(result, note.segments, decisions, {dryRun: false, failures})
  if (failures.size > 0) {
    result.status = 'failed'
    result.message = `${failures.size} segment${failures.size === 1 ? '' : 's'} could not be translated; ${target.output} was left as it was`
    // A translation the reassembler rejected would be rejected again: do not reuse it from the journal.
    if (assembled.rejected.size > 0) await run.journal!.settle(plan.source, locale)
    return result
  }

  // Hash what the target's segments will look like when read back (escaping may have changed them),
  // so the next run recognises its own work and tells it from a human edit.
  const written = analyse(run.project, target.output, {...note.source, text: stripBom(assembled.text, note.source.bom)})
  if (written.segments.length !== note.segments.length) {
    throw new Error(`${target.output}: reassembled note has ${written.segments.length} segments, source has ${note.segments.length}`)
  }
  const reviewPending = decisions.some((decision) => decision.state === 'needs-review')
  const newEntry: LockEntry = {
    // With a translation still waiting for review the target is not current: keep the old source
    // hash so `check` looks inside the note instead of trusting the hashes.
    source: reviewPending && entry ? entry.source : contentHash(withBom(note.source)),
    target: contentHash(assembled.text),
    // Who made the translations: this run's provider when it translated, else whoever made them before.
    provider: (pending.length > 0 || !entry) && run.provider ? run.provider.name : (entry?.provider ?? 'human'),
    model: (pending.length > 0 || !entry) && run.provider ? run.provider.model : (entry?.model ?? 'human'),
    segments: note.segments.map((segment, index) => {
      const decision = decisions[index]!
      const human = decision.state === 'human' || decision.state === 'needs-review'
      return {
        // A kept translation of an older source stays recorded against that source until reviewed.
        id: decision.state === 'needs-review' ? decision.previousId : segment.id,
        target: segmentTargetHash(written.segments[index]!.markdown),
        ...(fingerprints[index] ? {glossary: fingerprints[index]} : {}),
        ...(human ? {human: true} : {})
      }
    })
  }

  const unchanged = existingText !== undefined && withBom(existingText) === assembled.text
  if (!unchanged) {
    await write(run, target.output, assembled.text)
    // Write-ahead: until the lock is saved, the journal says what this file was made from, so a
    // crash here cannot make the next run mistake the tool's own output for a human edit.
    await run.journal!.recordWritten(plan.source, locale, newEntry)
  }
  run.lock.set(plan.source, locale, newEntry)
  run.written.push({note: plan.source, locale})
  result.status = unchanged ? 'unchanged' : 'written'
  return result
}

/** Pairs of (segment index, index of the innermost segment whose range contains it). */
function enclosing(segments: readonly Segment[]): Array<[number, number]> {
  const order = segments
    .map((segment, index) => ({segment, index}))
    .filter(({segment}) => segment.kind !== 'frontmatter')
    .sort((a, b) => a.segment.start - b.segment.start || b.segment.end - a.segment.end)
  const pairs: Array<[number, number]> = []
  const open: Array<{segment: Segment; index: number}> = []
  for (const item of order) {
    while (open.length > 0 && open[open.length - 1]!.segment.end <= item.segment.start) open.pop()
    const parent = open[open.length - 1]
    if (parent && item.segment.end <= parent.segment.end) pairs.push([item.index, parent.index])
    open.push(item)
  }
  return pairs
}

function buildJob(
  run: Run,
  plan: NotePlan,
  note: AnalysedNote,
  locale: string,
  pending: readonly Segment[],
  decisions: readonly Decision[]
): TranslateJob {
  const glossary = run.project.glossary
  const byId = new Map(note.segments.map((segment, index) => [segment.id, {segment, index}]))
  const context = new Map<string, {before?: {text: string; translation?: string}; after?: {text: string; translation?: string}}>()
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
      if (!segment) return [{rule: 'L7', severity: 'error', message: `unknown segment id "${id}" in the reply`, segment: id}]
      const normalised = normaliseTranslation(segment, translation)
      const findings = validateTranslation(segment, normalised, {sourceLocale: plan.sourceLocale, targetLocale: locale})
      if (glossary && !findings.some((finding) => finding.severity === 'error')) {
        const restored = restore(normalised, tokensFor(run, segment, locale))
        findings.push(
          ...verifyTerms(glossary, segment.markdown, restored, locale, {strict: run.options.strictGlossary}).map((finding) => ({
            ...finding,
            segment: id,
            line: segment.line
          }))
        )
      }
      return findings
    },
    onAccepted: run.journal
      ? async (accepted) => {
          const records = [...accepted].map(([id, translation]) => {
            const segment = byId.get(id)!.segment
            const fingerprint = glossary ? segmentFingerprint(glossary, segment.markdown, locale) : undefined
            return {
              note: plan.source,
              locale,
              id,
              markdown: restore(normaliseTranslation(segment, translation), tokensFor(run, segment, locale)),
              ...(fingerprint ? {glossary: fingerprint} : {}),
              provider: run.provider!.name,
              model: run.provider!.model
            }
          })
          await run.journal!.append(records)
        }
      : undefined
  }
}

/** Tokens to restore for a locale: glossary keep-terms take the locale's rendering where one exists. */
function tokensFor(run: Run, segment: Segment, locale: string): Token[] {
  const glossary = run.project.glossary
  if (!glossary || !segment.tokens.some((token) => token.kind === 'term')) return segment.tokens
  return mapTokens(segment.tokens, (token) => (token.kind === 'term' ? {...token, open: renderKeep(glossary, token.open, locale)} : token))
}

function describeDecisions(
  result: NoteResult,
  segments: readonly Segment[],
  decisions: readonly Decision[],
  options: {dryRun: boolean; failures?: ReadonlyMap<string, string>}
): void {
  segments.forEach((segment, index) => {
    const decision = decisions[index]!
    const failure = options.failures?.get(segment.id)
    const base = {id: segment.id, line: segment.line}
    const outcome: SegmentOutcome =
      failure !== undefined
        ? {...base, state: 'failed', reason: failure}
        : decision.state === 'pending'
          ? {...base, state: options.dryRun ? 'pending' : 'translated', reason: decision.reason}
          : decision.state === 'current' || decision.state === 'journaled'
            ? {...base, state: 'reused'}
            : {...base, state: decision.state}
    result.segments.push(outcome)
    result.counts[outcome.state]++
  })
}

function emptyResult(plan: NotePlan, target: Target): NoteResult {
  return {
    note: plan.source,
    locale: target.locale,
    output: target.output,
    status: 'pending',
    counts: {translated: 0, reused: 0, human: 0, 'needs-review': 0, failed: 0, pending: 0},
    segments: [],
    findings: []
  }
}

async function write(run: Run, file: string, text: string): Promise<void> {
  await assertWritable(run.project.root, file)
  await writeFileAtomic(path.join(run.project.root, file), text, {root: run.project.root})
}

function addUsage(total: Usage, add: Usage): void {
  total.requests += add.requests
  total.promptTokens += add.promptTokens
  total.completionTokens += add.completionTokens
  total.cachedTokens += add.cachedTokens
  total.costUsd += add.costUsd
}

/** A rough token count for dry runs: about four characters a token for Latin text, one a token for CJK. */
function approximateTokens(text: string): number {
  let cjk = 0
  for (const char of text) if (/[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/u.test(char)) cjk++
  return Math.ceil((text.length - cjk) / 4) + cjk
}

/** The source's front-matter as plain data, for the front-matter policy (`{}` when there is none). */
function frontmatterData(note: AnalysedNote): Record<string, unknown> {
  const data: unknown = note.frontmatter?.document.toJS({maxAliasCount: 0})
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {}
}

function withBom(text: {text: string; bom: boolean}): string {
  return (text.bom ? '\uFEFF' : '') + text.text
}

function stripBom(text: string, bom: boolean): string {
  return bom && text.startsWith('\uFEFF') ? text.slice(1) : text
}

function messageOf(error: unknown, file: string): string {
  if (error instanceof UserError) return error.message
  return `${file}: ${errnoMessage(error)}`
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
