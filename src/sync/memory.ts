/**
 * The translation memory: a segment that some note of the project already has a current
 * translation of — same protected text and token contents (the segment id without its `~k`),
 * same glossary fingerprint, same locale, same kind of segment — takes that translation instead
 * of being sent, at no cost, and is reported `reused from notes/x.md` (docs/state.md,
 * "Translation memory").
 *
 * Nothing is stored for it: the memory is derived from what is committed — the lock's per-segment
 * ids and translation hashes, and the target files they describe — so it cannot go stale or
 * conflict. Per run and locale an index of segment ids is built from the lock as it was when the
 * run started (on the first lookup only); a target file is read and parsed only when one of its
 * segments is asked for, once per run.
 *
 * A translation is offered while the segment in the file hashes to what the lock says was written
 * for that source segment (a human edit the lock records counts; one it does not know yet does
 * not), whatever output config it was written under. The note itself may have changed since, or be
 * gone: a note deleted, or renamed and rewritten so much that it counts as new, still lends the
 * translations its target holds until the run removes that file — segment ids are content
 * addresses, so a record says what its text translates whatever became of the note. Output of the
 * offline `pseudo` provider is not offered to a run with a real provider. Human translations are
 * offered before machine ones; then notes in code-unit order of their path, then segments in
 * document order — so the choice is the same on every run and machine. Each offer passes the same
 * checks a model's answer does (placeholders, URLs, code, glossary: the job's `check`), or the next
 * one is tried. A human translation stays a human's where it lands (recorded `!`, not `=`).
 *
 * Segments inside another segment (a link title in its paragraph) and the paragraphs that hold
 * them are never taken from the memory: a paragraph read from a file already holds its titles'
 * translations.
 */

import {targetUrlForms} from '../config/load.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {restore} from '../pipeline/restore.js'
import {normaliseTranslation} from '../pipeline/validate.js'
import {analyse} from '../project/analyse.js'
import {type Project, readText} from '../project/project.js'
import {keysOf} from '../project/provenance.js'
import {readBack, tokensForLocale, type UrlForms} from '../review/target-tokens.js'
import type {Decision} from '../state/align.js'
import {type Lockfile, segmentTargetHash} from '../state/lock.js'
import type {Finding, Segment, SegmentKind, TranslateJob} from '../types.js'
import {compareCodeUnits} from '../values.js'
import {enclosing} from './plan.js'
import type {Target} from './types.js'

/** Parsed targets kept per run: enough for a duplicate-heavy run, bounded whatever the corpus. */
const KEPT_TARGETS = 256

/** Other human translations a chosen human one is compared with, to report one that differs. */
const HUMAN_COMPARED = 8

/** A segment's translation as one target file holds it. */
interface Held {
  markdown: string
  kind: SegmentKind
  human: boolean
  glossary: string | undefined
}

/** The usable translations of one target file, by segment position. */
interface TargetTranslations {
  held: Map<number, Held>
  /** How that file writes the source's URLs (rebased for its own folder). */
  forms: UrlForms
}

/** Where the lock says a segment's translation is: note index, position and whether it is human. */
interface Place {
  note: number
  position: number
  human: boolean
  /** Made by the offline pseudo provider (the lock's `*`): reused, it stays pseudo output. */
  pseudo: boolean
}

/** The lock's segments of one locale by id (without `~k`). */
interface LocaleIndex {
  notes: string[]
  byId: Map<string, Place[]>
}

export interface MemoryOptions {
  project: Project
  /** The lock as the run found it. */
  lock: Lockfile
  /** The run has a real provider: machine text of the offline pseudo provider is not offered. */
  real: boolean
  /** Where each note's translation into a locale is written now (links between notes point there). */
  outputOf(locale: string, note: string): string | undefined
}

/** One run's translation memory (see the module comment). */
export class TranslationMemory {
  readonly #options: MemoryOptions
  readonly #indexes = new Map<string, LocaleIndex>()
  readonly #targets = new Map<string, Promise<TargetTranslations | undefined>>()

  constructor(options: MemoryOptions) {
    this.#options = options
  }

  /** The run has a real provider (pseudo output is not offered). */
  get real(): boolean {
    return this.#options.real
  }

  /** Places of segment id `base` (no `~k`) in `locale`: human first, then by note path and position. */
  places(
    locale: string,
    base: string,
    target: Target
  ): Array<{note: string; human: boolean; pseudo: boolean; load(): Promise<Held | undefined>}> {
    const index = this.#index(locale)
    const places = index.byId.get(base) ?? []
    return [...places]
      .sort((a, b) => Number(b.human) - Number(a.human) || a.note - b.note || a.position - b.position)
      .map((place) => {
        const note = index.notes[place.note]!
        return {
          note,
          human: place.human,
          pseudo: place.pseudo,
          load: async () => (await this.#target(note, target))?.held.get(place.position)
        }
      })
  }

  /** How `note`'s target file writes the source's URLs (after {@link places} loaded it). */
  async formsOf(note: string, target: Target): Promise<UrlForms | undefined> {
    return (await this.#target(note, target))?.forms
  }

  #index(locale: string): LocaleIndex {
    let index = this.#indexes.get(locale)
    if (index) return index
    index = {notes: [], byId: new Map()}
    const {lock, real} = this.#options
    for (const note of lock.notes()) {
      const entry = lock.peek(note, locale)
      // An entry from before the inputs were recorded cannot say where its target is.
      if (!entry || entry.inputs === undefined || entry.output === undefined) continue
      const at = index.notes.push(note) - 1
      entry.segments.forEach((record, position) => {
        const human = Boolean(record.human)
        const pseudo = !human && Boolean(record.pseudo)
        if (real && pseudo) return
        const base = baseId(record.id)
        const list = index!.byId.get(base)
        const place = {note: at, position, human, pseudo}
        if (list) list.push(place)
        else index!.byId.set(base, [place])
      })
    }
    this.#indexes.set(locale, index)
    return index
  }

  /** The current translations `note`'s target holds, read once per run (and while kept). */
  #target(note: string, target: Target): Promise<TargetTranslations | undefined> {
    const key = `${target.locale}\0${note}`
    let found = this.#targets.get(key)
    if (found) {
      // Most recently used last: the oldest is dropped first.
      this.#targets.delete(key)
      this.#targets.set(key, found)
      return found
    }
    found = this.#read(note, target).catch(() => undefined)
    this.#targets.set(key, found)
    if (this.#targets.size > KEPT_TARGETS) this.#targets.delete(this.#targets.keys().next().value!)
    return found
  }

  async #read(note: string, target: Target): Promise<TargetTranslations | undefined> {
    const {project, lock, outputOf} = this.#options
    const locale = target.locale
    const entry = lock.peek(note, locale)
    if (!entry?.output || entry.inputs === undefined) return undefined
    // An entry made under an older output config (links rebased or not, other front-matter keys)
    // still lends: the file is read with the keys it was written with, its URLs are read back in
    // every form it may hold them, and each offer passes the job's checks in its new place.
    const text = await readText(project.root, entry.output, project.config.limits.maxFileBytes)
    if (!text) return undefined
    const parsed = analyse(project, entry.output, text, undefined, keysOf(project.config, entry))
    if (parsed.segments.length !== entry.segments.length) return undefined
    const held = new Map<number, Held>()
    parsed.segments.forEach((segment, position) => {
      const record = entry.segments[position]!
      // What the lock says was written there, and nothing else: an edit it does not know yet
      // (or a file this run is rewriting) is not offered.
      if (segmentTargetHash(segment.markdown) !== record.target) return
      held.set(position, {
        markdown: segment.markdown,
        kind: segment.kind,
        human: Boolean(record.human),
        glossary: record.glossary
      })
    })
    const forms = targetUrlForms(
      note,
      entry.output,
      (other) => outputOf(locale, other),
      (other) => lock.head(other, locale)?.output
    )
    return {held, forms}
  }
}

/** A segment id without the `~k` of its k-th occurrence in a note. */
function baseId(id: string): string {
  return id.replace(/~\d+$/, '')
}

/** What the memory gave a note: translations (logical Markdown) and where each came from. */
export interface Reused {
  /** Segment id → restored Markdown in the source's URL space, as a model's answer would be. */
  markdown: Map<string, string>
  /** Segment id → `notes/x.md`, with `(human translation…)` when it was a human's. */
  from: Map<string, string>
  /** Segments whose reused translation the offline pseudo provider made (recorded `*` again). */
  pseudo: Set<string>
  /** Segments whose reused translation is a human's: recorded human (`!`) where it lands too. */
  human: Set<string>
  /** Warnings of the checks the reused translations passed (glossary). */
  findings: Finding[]
}

/** One candidate translation for a segment, in the order they are tried. */
interface Offer {
  note: string
  human: boolean
  pseudo: boolean
  load(): Promise<{markdown: string; forms: UrlForms | undefined} | undefined>
}

/**
 * Translations from the memory for `remote` (a note's segments that would otherwise be sent):
 * other occurrences in the same note (decided current, human or journaled) and current
 * translations of other notes. Each is checked with the note's own `job.check`.
 */
export async function reuseFromMemory(
  memory: TranslationMemory,
  input: {
    source: string
    note: AnalysedNote
    target: Target
    remote: readonly Segment[]
    decisions: readonly Decision[]
    fingerprints: ReadonlyArray<string | undefined>
    /** Translations this note already has (source URL space), by segment id. */
    known: ReadonlyMap<string, string>
    job: Pick<TranslateJob, 'check'>
    glossary: Project['glossary']
  }
): Promise<Reused> {
  const {note, target, decisions, fingerprints} = input
  const reused: Reused = {markdown: new Map(), from: new Map(), pseudo: new Set(), human: new Set(), findings: []}
  const nested = new Set(enclosing(note.segments).flat())
  const indexOf = new Map(note.segments.map((segment, index) => [segment.id, index]))

  for (const segment of input.remote) {
    const index = indexOf.get(segment.id)!
    if (nested.has(index)) continue
    const base = baseId(segment.id)
    const fingerprint = fingerprints[index]
    const offers: Offer[] = []
    // Other occurrences in this note (its own lock entry may be stale: the alignment decided these).
    note.segments.forEach((other, at) => {
      if (at === index || nested.has(at) || baseId(other.id) !== base || other.kind !== segment.kind) return
      const decision = decisions[at]!
      const markdown = input.known.get(other.id)
      if (markdown === undefined || fingerprints[at] !== fingerprint) return
      if (decision.state !== 'current' && decision.state !== 'human' && decision.state !== 'journaled') return
      const pseudo = decision.state !== 'human' && decision.pseudo === true
      if (pseudo && memory.real) return
      offers.push({
        note: input.source,
        human: decision.state === 'human',
        pseudo,
        load: async () => ({markdown, forms: undefined})
      })
    })
    for (const place of memory.places(target.locale, base, target)) {
      if (place.note === input.source) continue
      offers.push({
        note: place.note,
        human: place.human,
        pseudo: place.pseudo,
        load: async () => {
          const held = await place.load()
          if (!held || held.kind !== segment.kind || held.glossary !== fingerprint) return undefined
          return {markdown: held.markdown, forms: await memory.formsOf(place.note, target)}
        }
      })
    }
    // Human first, then by note path; within this note, in document order (places keep theirs).
    const order = offers
      .map((offer, at) => ({offer, at}))
      .sort(
        (a, b) =>
          Number(b.offer.human) - Number(a.offer.human) || compareCodeUnits(a.offer.note, b.offer.note) || a.at - b.at
      )
      .map(({offer}) => offer)

    let chosen: {offer: Offer; text: string; findings: Finding[]} | undefined
    let other: string | undefined
    let compared = 0
    for (const offer of order) {
      // After a human translation, only other human ones are looked at (a few), to name one that differs.
      if (chosen && (!chosen.offer.human || !offer.human || ++compared > HUMAN_COMPARED)) break
      const loaded = await offer.load()
      if (!loaded) continue
      const protectedText = readBack(loaded.markdown, segment, note, {
        locale: target.locale,
        glossary: input.glossary,
        rewriteUrl: loaded.forms,
        translationOf: () => undefined
      })
      if (!protectedText.ok) continue
      const findings = input.job.check(segment.id, protectedText.text)
      if (findings.some((finding) => finding.severity === 'error')) continue
      if (!chosen) {
        chosen = {offer, text: protectedText.text, findings}
        continue
      }
      // Two human translations of the same text: the first in path order is used, the other named.
      if (protectedText.text !== chosen.text && offer.note !== chosen.offer.note) {
        other = offer.note
        break
      }
    }
    if (!chosen) continue
    reused.markdown.set(
      segment.id,
      restore(
        normaliseTranslation(segment, chosen.text),
        tokensForLocale(segment, target.locale, input.glossary),
        note.layouts.get(segment.id)?.placement
      )
    )
    if (chosen.offer.pseudo) reused.pseudo.add(segment.id)
    if (chosen.offer.human) reused.human.add(segment.id)
    reused.from.set(
      segment.id,
      chosen.offer.human
        ? `${chosen.offer.note} (human translation${other ? `; ${other} has a different one` : ''})`
        : chosen.offer.note
    )
    reused.findings.push(...chosen.findings)
  }
  return reused
}
