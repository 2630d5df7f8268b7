/**
 * Requests packed across notes, and a run-wide translation memory of exact duplicates.
 *
 * `sync` hands the provider one job per note and locale. Sent as they come, 20 one-paragraph
 * edits in 20 notes cost 20 requests, each paying the instructions again, and a sentence that
 * occurs in many notes (release-note boilerplate, `id~2` within one note) is paid once per
 * occurrence. This wrapper gathers the jobs that arrive close together (`sync` keeps many notes in
 * flight), sends the pending segments of all of them as one job to the wrapped provider (whose
 * batching cuts it into requests by the token budget), and splits the outcome back per job.
 *
 * - **Context stays per segment**: neighbours, terms and the note's title travel with each segment
 *   (`docs/architecture.md`, "Requests packed across notes"); `check` and `onAccepted` are the
 *   job's own, so every validation and the journal work exactly as for an unpacked job.
 * - **Exact duplicates are sent once**: same protected text, same token contents (the segment id
 *   without its `~k`), same required terms (the glossary's say), same language pair. Every other
 *   occurrence gets the accepted translation after passing its own job's `check`, and is reported
 *   as reused from the note that paid for it. One that fails its own check is sent on its own.
 *
 * Only jobs of one language pair share a request; one packer wraps one provider, i.e. one model.
 */

import type {Finding, Provider, RequiredTerm, TranslateJob, TranslateOutcome} from '../types.js'
import {compareCodeUnits} from '../values.js'
import {addUsage, emptyUsage} from './prices.js'
import {DEFAULT_MAX_BATCH_SEGMENTS, DEFAULT_MAX_BATCH_TOKENS} from './requests.js'
import {countTokens} from './tokens.js'
import {wireText} from './wire.js'

export interface PackerOptions {
  /** Segment-text tokens of one request (the wrapped provider's batch budget). */
  maxBatchTokens?: number
  /** Segments of one request. */
  maxBatchSegments?: number
  /**
   * Send what is gathered once no job has arrived for this long. Notes reach the provider a parse
   * apart (milliseconds); a quiet period this long means the run has handed over what it had.
   */
  quietMs?: number
  /** Never hold a gathered segment longer than this, however steadily jobs keep arriving. */
  maxWaitMs?: number
  /** Pack only when true (Qwen-MT sends one segment a request, so packing saves nothing there). */
  pack?: boolean
  /**
   * The run's notes in flight: when given, what is gathered is sent as soon as every note in
   * flight is waiting on a provider (nothing more can arrive), instead of after a quiet period.
   */
  gate?: NoteGate
}

/**
 * Which notes of a run are in flight and which of them wait on a provider: the signal that the
 * run has handed over everything it can for now. One gate serves every provider of a run (a
 * locale may have a model of its own), so a note waiting on one provider counts for all.
 */
export class NoteGate {
  private active = 0
  private waiting = 0
  private readonly listeners = new Set<() => void>()

  /** Run `work` (one note) as in flight. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    this.active++
    try {
      return await work()
    } finally {
      this.active--
      this.changed()
    }
  }

  /** Count the caller as waiting on a provider until `promise` settles. */
  wait<T>(promise: Promise<T>): Promise<T> {
    this.waiting++
    this.changed()
    return promise.finally(() => {
      this.waiting--
    })
  }

  /** Every note in flight waits on a provider (or none is in flight). */
  get idle(): boolean {
    return this.active <= this.waiting
  }

  /** Call `listener` whenever the gate turns idle. */
  onIdle(listener: () => void): void {
    this.listeners.add(listener)
  }

  private changed(): void {
    if (this.idle) for (const listener of this.listeners) listener()
  }
}

/** What a packing provider adds to the wrapped one: counts for reports and the bench. */
export interface PackingStats {
  /** Distinct segments handed to the wrapped provider. */
  sent: number
  /** Segments that got a translation sent for another occurrence, without a request. */
  reused: number
}

/** One job being served: its outcome fills in as its segments settle. */
interface Slot {
  readonly job: TranslateJob
  readonly signal: AbortSignal | undefined
  readonly outcome: TranslateOutcome
  remaining: number
  settled: boolean
  resolve(outcome: TranslateOutcome): void
  reject(reason: unknown): void
}

/** One occurrence of a segment in a job. */
interface Member {
  readonly slot: Slot
  readonly id: string
}

/** A distinct segment to send: its first occurrence represents every other one. */
interface Entry {
  readonly memory: string | undefined
  readonly text: string
  readonly tokens: number
  readonly members: Member[]
  /** Sent again on its own note's request after a shared request failed as a whole. */
  readonly alone?: boolean
}

/** Jobs of one language pair. */
interface Lane {
  readonly sourceLocale: string
  readonly targetLocale: string
  pending: Entry[]
  pendingTokens: number
  timer: ReturnType<typeof setTimeout> | undefined
  firstPendingAt: number
}

/**
 * Wrap `inner` so that jobs arriving close together share requests and exact duplicates are sent
 * once. Every other member of `inner` (usage, activity, priced…) is still reachable on the result.
 */
export function createPackingProvider<P extends Provider>(
  inner: P,
  options: PackerOptions = {}
): P & {packing(): PackingStats} {
  const maxTokens = options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS
  const maxSegments = options.maxBatchSegments ?? DEFAULT_MAX_BATCH_SEGMENTS
  const quietMs = options.quietMs ?? 25
  const maxWaitMs = options.maxWaitMs ?? 250
  const pack = options.pack ?? true
  const gate = options.gate
  const lanes = new Map<string, Lane>()
  /** Distinct segments pending or in flight, by memory key. */
  const open = new Map<string, Entry>()
  /** Accepted translations of this run by memory key, and the note that paid for each. */
  const memory = new Map<string, {translation: string; note: string}>()
  const stats: PackingStats = {sent: 0, reused: 0}
  let keys = 0

  const settle = (member: Member, translation: string | undefined, failure: string | undefined): void => {
    const {slot, id} = member
    if (slot.settled) return
    if (translation !== undefined) slot.outcome.translations.set(id, translation)
    else slot.outcome.failures.set(id, failure ?? 'not translated')
    slot.remaining--
    if (slot.remaining === 0) {
      slot.settled = true
      slot.resolve(slot.outcome)
    }
  }

  const fail = (slot: Slot, reason: unknown): void => {
    if (slot.settled) return
    slot.settled = true
    slot.reject(reason)
  }

  /** Give a duplicate the translation accepted for another occurrence, if its own check passes. */
  const reuse = async (member: Member, translation: string, from: string): Promise<boolean> => {
    const findings = member.slot.job.check(member.id, translation)
    if (findings.some((finding) => finding.severity === 'error')) return false
    member.slot.outcome.findings.push(...findings)
    member.slot.outcome.reused ??= new Map()
    member.slot.outcome.reused.set(member.id, from)
    stats.reused++
    await member.slot.job.onAccepted?.(new Map([[member.id, translation]]))
    settle(member, translation, undefined)
    return true
  }

  const enqueue = (lane: Lane, entry: Entry): void => {
    lane.pending.push(entry)
    lane.pendingTokens += entry.tokens
    if (lane.pending.length === 1) lane.firstPendingAt = Date.now()
  }

  const schedule = (lane: Lane): void => {
    // Full requests go at once: holding them would only leave the provider idle.
    while (
      lane.pending.length > 0 &&
      (lane.pendingTokens >= maxTokens || lane.pending.length >= maxSegments || !pack)
    ) {
      let tokens = 0
      let count = 0
      while (count < lane.pending.length && count < maxSegments) {
        const next = lane.pending[count]!.tokens
        if (count > 0 && tokens + next > maxTokens) break
        tokens += next
        count++
      }
      send(lane, lane.pending.splice(0, count))
      lane.pendingTokens = lane.pending.reduce((sum, entry) => sum + entry.tokens, 0)
      lane.firstPendingAt = Date.now()
    }
    if (lane.timer) clearTimeout(lane.timer)
    lane.timer = undefined
    if (lane.pending.length === 0) return
    if (gate) {
      if (gate.idle) flush(lane)
      return
    }
    const wait = Math.max(0, Math.min(quietMs, lane.firstPendingAt + maxWaitMs - Date.now()))
    lane.timer = setTimeout(() => {
      lane.timer = undefined
      flush(lane)
    }, wait)
  }

  const flush = (lane: Lane): void => {
    const entries = lane.pending
    lane.pending = []
    lane.pendingTokens = 0
    send(lane, entries)
  }

  const send = (lane: Lane, entries: Entry[]): void => {
    if (entries.length === 0) return
    // Entries whose every occurrence belongs to a job that already failed are not paid for.
    const live = entries.filter((entry) => entry.members.some(({slot}) => !slot.settled))
    for (const entry of entries) if (!live.includes(entry) && entry.memory) open.delete(entry.memory)
    if (live.length === 0) return
    // The occurrence that pays is the one in the note first in path order, not the one whose job
    // happened to arrive first: identical runs then write identical locks (which copy is `=`),
    // and an online run records what a batch run does (`batch-results.ts` answers in plan order).
    for (const entry of live) entry.members.sort((a, b) => compareCodeUnits(a.slot.job.note, b.slot.job.note))
    stats.sent += live.length
    const byKey = new Map<string, Entry>()
    for (const entry of live) byKey.set(String(++keys), entry)
    const representative = (key: string): Member => byKey.get(key)!.members[0]!
    const context = new Map<string, NonNullable<ReturnType<NonNullable<TranslateJob['context']>['get']>>>()
    const terms = new Map<string, readonly RequiredTerm[]>()
    for (const [key, entry] of byKey) {
      const {slot, id} = entry.members[0]!
      const around = slot.job.context?.get(id) ?? {}
      const title = around.title ?? slot.job.title
      context.set(key, {...around, ...(title !== undefined ? {title} : {})})
      const required = slot.job.terms?.get(id)
      if (required && required.length > 0) terms.set(key, required)
    }
    /** Findings of a representative's check carry the wire key, so they can be routed back. */
    const check = (key: string, translation: string): Finding[] => {
      const {slot, id} = representative(key)
      return slot.job.check(id, translation).map((finding) => ({...finding, segment: key}))
    }
    const reused: Array<Promise<unknown>> = []
    const packed: TranslateJob = {
      note: [...new Set(live.map((entry) => entry.members[0]!.slot.job.note))].join(', '),
      sourceLocale: lane.sourceLocale,
      targetLocale: lane.targetLocale,
      segments: [...byKey].map(([key, entry]) => ({id: key, text: entry.text})),
      context,
      terms,
      check,
      async onAccepted(accepted) {
        const byJob = new Map<Slot, Map<string, string>>()
        for (const [key, translation] of accepted) {
          const entry = byKey.get(key)
          if (!entry) continue
          const first = entry.members[0]!
          let batch = byJob.get(first.slot)
          if (!batch) {
            batch = new Map()
            byJob.set(first.slot, batch)
          }
          batch.set(first.id, translation)
          if (entry.memory) memory.set(entry.memory, {translation, note: first.slot.job.note})
        }
        for (const [slot, batch] of byJob) await slot.job.onAccepted?.(batch)
      }
    }
    const signal = live.map((entry) => entry.members[0]!.slot.signal).find((candidate) => candidate !== undefined)

    void inner
      .translate(packed, signal ? {signal} : undefined)
      .then(
        async (outcome) => {
          // Usage is counted once, in the first job of the request (the run adds the jobs' usage up).
          const payer = representative(byKey.keys().next().value!).slot
          addUsage(payer.outcome.usage, outcome.usage)
          for (const finding of outcome.findings) {
            const entry = finding.segment !== undefined ? byKey.get(finding.segment) : undefined
            const target = entry?.members[0] ?? {slot: payer, id: undefined}
            target.slot.outcome.findings.push({...finding, ...(target.id !== undefined ? {segment: target.id} : {})})
          }
          // A request shared by several notes that came back with nothing (a malformed or hostile
          // reply, a deadline, after the SDK's own retries) fails only its own notes: each note's
          // segments are sent once more on a request of their own, so one poisoned note cannot take
          // the others down with it (docs/providers.md, "One bounded request").
          const notes = new Set(live.map((entry) => entry.members[0]!.slot))
          // Segments the validators rejected carry findings of their own: those were answered, and
          // are not sent again.
          const answered = outcome.findings.some(
            (finding) => finding.segment !== undefined && byKey.has(finding.segment)
          )
          if (notes.size > 1 && outcome.translations.size === 0 && !answered && !live.some((entry) => entry.alone)) {
            for (const slot of notes) {
              send(
                lane,
                live.filter((entry) => entry.members[0]!.slot === slot).map((entry) => ({...entry, alone: true}))
              )
            }
            return
          }
          const retry: Entry[] = []
          for (const [key, entry] of byKey) {
            if (entry.memory) open.delete(entry.memory)
            const translation = outcome.translations.get(key)
            const [first, ...others] = entry.members
            if (translation === undefined) {
              const failure = outcome.failures.get(key) ?? 'not translated'
              for (const member of entry.members) settle(member, undefined, failure)
              continue
            }
            settle(first!, translation, undefined)
            for (const member of others) {
              if (member.slot.settled) continue
              reused.push(
                reuse(member, translation, first!.slot.job.note).then((ok) => {
                  // A duplicate its own note rejects (another kind of block) is sent on its own.
                  if (!ok) retry.push({memory: undefined, text: entry.text, tokens: entry.tokens, members: [member]})
                })
              )
            }
          }
          await Promise.all(reused)
          for (const entry of retry) enqueue(lane, entry)
          if (retry.length > 0) schedule(lane)
        },
        (reason: unknown) => {
          for (const entry of live) {
            if (entry.memory) open.delete(entry.memory)
            for (const {slot} of entry.members) fail(slot, reason)
          }
        }
      )
      .catch((reason: unknown) => {
        for (const entry of live) for (const {slot} of entry.members) fail(slot, reason)
      })
  }

  const translate = (job: TranslateJob, translateOptions?: {signal?: AbortSignal}): Promise<TranslateOutcome> =>
    new Promise<TranslateOutcome>((resolve, reject) => {
      const slot: Slot = {
        job,
        signal: translateOptions?.signal,
        outcome: {translations: new Map(), failures: new Map(), findings: [], usage: emptyUsage()},
        remaining: job.segments.length,
        settled: false,
        resolve,
        reject
      }
      if (slot.remaining === 0) {
        slot.settled = true
        resolve(slot.outcome)
        return
      }
      const laneKey = `${job.sourceLocale}\0${job.targetLocale}`
      let lane = lanes.get(laneKey)
      if (!lane) {
        lane = {
          sourceLocale: job.sourceLocale,
          targetLocale: job.targetLocale,
          pending: [],
          pendingTokens: 0,
          timer: undefined,
          firstPendingAt: 0
        }
        lanes.set(laneKey, lane)
      }
      const remembered: Array<Promise<void>> = []
      for (const {id, text} of job.segments) {
        const member: Member = {slot, id}
        const key = memoryKey(laneKey, id, text, job.terms?.get(id))
        const done = memory.get(key)
        if (done) {
          const target = lane
          remembered.push(
            reuse(member, done.translation, done.note).then((ok) => {
              if (!ok) {
                enqueue(target, {memory: undefined, text, tokens: countTokens(wireText(text)), members: [member]})
                schedule(target)
              }
            })
          )
          continue
        }
        const entry = open.get(key)
        if (entry) {
          entry.members.push(member)
          continue
        }
        const created: Entry = {memory: key, text, tokens: countTokens(wireText(text)), members: [member]}
        open.set(key, created)
        enqueue(lane, created)
      }
      schedule(lane)
      void Promise.all(remembered).catch((reason: unknown) => fail(slot, reason))
    })

  if (gate)
    gate.onIdle(() => {
      for (const lane of lanes.values()) if (lane.pending.length > 0) flush(lane)
    })

  return Object.assign(Object.create(inner) as P, {
    translate: (job: TranslateJob, translateOptions?: {signal?: AbortSignal}) =>
      gate ? gate.wait(translate(job, translateOptions)) : translate(job, translateOptions),
    packing: () => ({...stats})
  })
}

/**
 * What makes two segments the same translation unit: language pair, id without the `~k` of a
 * repeat (the hash of normalised text and token contents), the exact text (whitespace included,
 * since it is sent as is) and the required terms (what the glossary asks of it).
 */
function memoryKey(lane: string, id: string, text: string, terms: readonly RequiredTerm[] | undefined): string {
  const base = id.replace(/~\d+$/, '')
  return [lane, base, text, terms && terms.length > 0 ? JSON.stringify(terms) : ''].join('\0')
}

/**
 * The jobs of one language pair as the packer would send them when they all arrive together: one
 * job, exact duplicates once, each segment with its own note's context and title. Pure: what
 * `sync --dry-run` estimates (`estimate.ts`), so an estimate counts the requests a run makes.
 */
export function packJobs<
  J extends Pick<TranslateJob, 'sourceLocale' | 'targetLocale' | 'title' | 'context' | 'terms' | 'segments'>
>(jobs: readonly J[]): Pick<TranslateJob, 'sourceLocale' | 'targetLocale' | 'context' | 'terms' | 'segments'> {
  const first = jobs[0]
  const seen = new Set<string>()
  const segments: Array<{id: string; text: string}> = []
  const context = new Map<string, NonNullable<ReturnType<NonNullable<TranslateJob['context']>['get']>>>()
  const terms = new Map<string, readonly RequiredTerm[]>()
  for (const job of jobs) {
    const lane = `${job.sourceLocale}\0${job.targetLocale}`
    for (const {id, text} of job.segments) {
      const key = memoryKey(lane, id, text, job.terms?.get(id))
      if (seen.has(key)) continue
      seen.add(key)
      const wire = String(segments.length + 1)
      segments.push({id: wire, text})
      const around = job.context?.get(id) ?? {}
      const title = around.title ?? job.title
      context.set(wire, {...around, ...(title !== undefined ? {title} : {})})
      const required = job.terms?.get(id)
      if (required && required.length > 0) terms.set(wire, required)
    }
  }
  return {sourceLocale: first?.sourceLocale ?? '', targetLocale: first?.targetLocale ?? '', segments, context, terms}
}

/** An occurrence left out of its job: the first occurrence `of` (same language pair) carries it. */
export interface Duplicate {
  note: string
  /** The job's target locale. */
  locale: string
  id: string
  of: {note: string; id: string}
}

/**
 * The jobs with every exact duplicate (the packer's key: language pair, id without `~k`, text,
 * required terms) left to its first occurrence, in the order given; jobs left empty are dropped.
 * Pure: what `sync --batch` submits, each distinct segment once — a batch has no later moment at
 * which the packer could answer the other occurrences, so they are recorded and answered from the
 * first one's result when the batch is collected (`batch-results.ts`).
 */
export function withoutDuplicates<
  J extends Pick<TranslateJob, 'note' | 'sourceLocale' | 'targetLocale' | 'terms' | 'segments'>
>(jobs: readonly J[]): {jobs: J[]; duplicates: Duplicate[]} {
  const first = new Map<string, {note: string; id: string}>()
  const kept: J[] = []
  const duplicates: Duplicate[] = []
  for (const job of jobs) {
    const lane = `${job.sourceLocale}\0${job.targetLocale}`
    const segments = job.segments.filter(({id, text}) => {
      const key = memoryKey(lane, id, text, job.terms?.get(id))
      const of = first.get(key)
      if (of) duplicates.push({note: job.note, locale: job.targetLocale, id, of})
      else first.set(key, {note: job.note, id})
      return !of
    })
    if (segments.length === job.segments.length) kept.push(job)
    else if (segments.length > 0) kept.push({...job, segments})
  }
  return {jobs: kept, duplicates}
}
