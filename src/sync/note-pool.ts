/**
 * The run's worker threads (docs/architecture.md, "Worker threads"): a small pool, started once per
 * run and only when a run has enough notes to parse, that does a note's pure CPU work — parse,
 * segment and protect its source (`analyseNote`), reassemble its translation with the safety
 * net's re-parse, and read the result back — while the main thread keeps I/O, the journal, the
 * lock and the provider queue.
 *
 * An analysed note holds its parse tree and its front-matter as a `yaml` Document, which cannot
 * cross threads; so the worker keeps the note it analysed, under a handle, and sends back plain
 * data (segments, layouts). Reassembly of that note is sent to the same worker, which still holds
 * it; the handle is released when the note is done. On the main thread the note is an
 * {@link AnalysedNote} whose tree, shape and front-matter are made from its text only if some
 * rarer path asks for them (the same functions of the same text: the same values).
 *
 * Every result is what the main thread would have computed itself: the worker runs the same pure
 * functions on the same data. An error a note's content causes (a `UserError`) comes back as the
 * same error; a worker that dies fails the notes it held (reported, exit 1), and the run goes on.
 */
import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {Root} from 'mdast'
import {rebaseLink} from '../config/rebase.js'
import type {Glossary} from '../glossary/types.js'
import type {AnalysedNote, SegmentLayout} from '../pipeline/analyse.js'
import {type Frontmatter, parseFrontmatter} from '../pipeline/frontmatter.js'
import {parseMarkdown} from '../pipeline/parse.js'
import type {NoteText} from '../pipeline/read.js'
import type {FrontmatterEdit, Reassembled} from '../pipeline/reassemble.js'
import {type Shape, treeShape} from '../pipeline/shape.js'
import {type Segment, UserError} from '../types.js'

/** What every worker is started with: what `project/analyse.ts` takes from the project. */
export interface PoolSetup {
  /** `config.frontmatter.translateKeys`: the keys a source (and a target read back) translates. */
  frontmatterKeys: readonly string[]
  /** `config.mdx.attributes`. */
  jsxAttributes: readonly string[]
  /** The project's glossary (plain data and RegExps: it survives structured clone), for its shield. */
  glossary: Glossary | undefined
  /** The run's `locale\0note → output` table, for rebasing links between notes. */
  outputs: ReadonlyMap<string, string>
}

/** A note analysed on a worker, as plain data. */
export interface PortableNote {
  segments: Segment[]
  layouts: Array<[string, SegmentLayout]>
  proseAttributes: readonly string[]
  /** The front-matter node's offsets in the text, when the note has one. */
  frontmatter?: [start: number, end: number]
}

/** Reassembly of a held note: `reassemble`'s arguments as data. */
export interface AssembleRequest {
  translations: ReadonlyMap<string, string>
  frontmatter: FrontmatterEdit
  human: ReadonlySet<string>
  /** Links rebased for `output` (`links.rebase`), from `source`, in `locale`'s outputs. */
  rebase?: {source: string; output: string; locale: string}
  /**
   * Read the result back (analyse it as `file`, with the safety net's parse) when nothing was
   * rejected: the segments the next run will find in the written file.
   */
  readBack?: string
}

export type Request =
  | {type: 'analyse'; id: number; handle: number; file: string; text: NoteText; frontmatterKeys?: readonly string[]}
  | ({type: 'assemble'; id: number; handle: number} & AssembleRequest)
  | {type: 'restore'; id: number; handle: number; locale: string; translations: ReadonlyMap<string, string>}
  | {type: 'release'; handles: number[]}

/** An error thrown on a worker, as data: a `UserError` is re-thrown as one, anything else as our bug. */
export type ThrownThere = {user: true; message: string; exitCode: 1 | 2} | {user: false; message: string; stack: string}

export interface AssembledThere {
  text: string
  rejected: Map<string, string>
  /** The result read back (`readBack`), or what reading it back threw. */
  written?: {segments: Segment[]} | {error: ThrownThere}
}

export type Reply =
  | {type: 'analysed'; id: number; note: PortableNote}
  | {type: 'assembled'; id: number; result: AssembledThere}
  | {type: 'restored'; id: number; markdown: Map<string, string>}
  | {type: 'failed'; id: number; error: ThrownThere}

/** A reassembly made on a worker: `Reassembled` (without the parse, which stays there) and the read-back. */
export interface PooledReassembly extends Reassembled {
  /** The segments of `text` read back; throws what the read-back threw. Absent: read it back here. */
  written?: () => Segment[]
}

/** A worker died or could not be started while it held a note: that note fails, the run goes on. */
export class WorkerFailed extends UserError {
  constructor(file: string, reason: string) {
    super(
      `${file}: the worker thread analysing it failed (${reason}); the note was not written — rerun with --workers 0 to do all the work on the main thread, and please report it`,
      1
    )
  }
}

/** Fewer notes than this in a run: no workers (starting them costs more than they save). */
export const POOL_MIN_NOTES = 8

/** The environment variable that sets the number of worker threads when `--workers` is not given. */
export const WORKERS_ENV = 'NOTES_L10N_WORKERS'

/**
 * The default: one worker per core beyond the main thread's, at most four; none on two cores or
 * fewer. The main thread keeps a core busy with I/O, validation and the provider, and on the
 * 2-core machine of bench/limits.md (section 7) two workers gave the same wall
 * time as none (59.6 s against 62.0 s for 6.8 MB of READMEs; 5.9–6.8 s against 5.4–7.2 s for the
 * shared corpus) for 27 % more CPU time and 85–90 MB more peak memory, and one worker was slower.
 */
export function defaultWorkers(cores = availableParallelism()): number {
  return cores <= 2 ? 0 : Math.min(cores - 1, 4)
}

/**
 * The number of worker threads a run asked for: `--workers`, else `NOTES_L10N_WORKERS`, else
 * {@link defaultWorkers}. 0 does all the work on the main thread.
 *
 * @throws {UserError} when the variable is not a whole number.
 */
export function workersWanted(flag: number | undefined, env: Readonly<Record<string, string | undefined>>): number {
  if (flag !== undefined) return flag
  const value = env[WORKERS_ENV]
  if (value === undefined || value === '') return defaultWorkers()
  if (!/^\d{1,3}$/.test(value.trim()))
    throw new UserError(`${WORKERS_ENV}=${value} is not a number of worker threads — set it to 0 (none) or more`)
  return Number(value.trim())
}

/** The compiled worker (`dist/sync/note-worker.js`); absent when the sources run as TypeScript (vitest). */
const WORKER_SCRIPT = fileURLToPath(new URL('./note-worker.js', import.meta.url))

/** A note held by a worker of the pool: where, and under which handle. */
interface Held {
  slot: Slot
  handle: number
  owner: string
}

interface Pending {
  file: string
  resolve(reply: Reply): void
  reject(error: Error): void
}

interface Waiting {
  owner: string
  file: string
  text: NoteText
  frontmatterKeys?: readonly string[]
  resolve(note: AnalysedNote): void
  reject(error: Error): void
}

/**
 * Analyses sent to one worker and not answered, at most: a note's restore or reassembly, sent at
 * once to the worker that holds the note, then waits behind one parse at most — finishing notes
 * (which frees them and keeps replies flowing) goes before starting new ones.
 */
const ANALYSES_AHEAD = 2

interface Slot {
  worker: Worker
  /** Requests sent and not answered, by id. */
  pending: Map<number, Pending>
  /** Of those, analyses. */
  analyses: number
  /** Handles this worker holds. */
  handles: Set<number>
  dead?: string
}

/** The link rewriter of `reassemble` for a target: the same on both threads. */
export function linkRewriter(
  outputs: ReadonlyMap<string, string>,
  rebase: {source: string; output: string; locale: string}
): (url: string) => string {
  const translationOf = (other: string): string | undefined => outputs.get(`${rebase.locale}\0${other}`)
  return (url) => rebaseLink(url, rebase.source, rebase.output, translationOf)
}

/** An error from a worker, thrown again here. */
export function rethrown(error: ThrownThere): Error {
  if (error.user) return new UserError(error.message, error.exitCode)
  const bug = new Error(error.message)
  bug.stack = error.stack
  return bug
}

/** An error as data for {@link rethrown}. */
export function thrownThere(error: unknown): ThrownThere {
  if (error instanceof UserError) return {user: true, message: error.message, exitCode: error.exitCode}
  const bug = error instanceof Error ? error : new Error(String(error))
  return {user: false, message: bug.message, stack: bug.stack ?? bug.message}
}

/** Plain data of an analysed note (on the worker). */
export function portable(note: AnalysedNote): PortableNote {
  const yaml = note.tree.children[0]
  const start = yaml?.type === 'yaml' ? yaml.position?.start.offset : undefined
  const end = yaml?.type === 'yaml' ? yaml.position?.end.offset : undefined
  return {
    segments: note.segments,
    layouts: [...note.layouts],
    proseAttributes: note.proseAttributes,
    ...(note.frontmatter && start !== undefined && end !== undefined
      ? {frontmatter: [start, end] as [number, number]}
      : {})
  }
}

/**
 * A note analysed on a worker, on this thread: its segments and layouts as the worker made them;
 * its tree, shape and front-matter made here from the same text if something asks for them.
 */
class PooledNote implements AnalysedNote {
  readonly segments: Segment[]
  readonly layouts: ReadonlyMap<string, SegmentLayout>
  readonly proseAttributes: readonly string[]
  #tree: Root | undefined
  #shape: Shape | undefined
  #frontmatter: Frontmatter | undefined
  /** The front-matter node's offsets, when the note has one. */
  readonly #range: [number, number] | undefined

  constructor(
    readonly file: string,
    readonly source: NoteText,
    data: PortableNote,
    readonly held: Held
  ) {
    this.segments = data.segments
    this.layouts = new Map(data.layouts)
    this.proseAttributes = data.proseAttributes
    this.#range = data.frontmatter
  }

  get tree(): Root {
    this.#tree ??= parseMarkdown(this.source.text, {mdx: this.source.mdx}).tree
    return this.#tree
  }

  get shape(): Shape {
    this.#shape ??= treeShape(this.tree, {proseAttributes: this.proseAttributes})
    return this.#shape
  }

  get frontmatter(): Frontmatter | undefined {
    if (!this.#range) return undefined
    this.#frontmatter ??= parseFrontmatter(this.source.text, this.#range[0], this.#range[1], this.file)
    return this.#frontmatter
  }
}

/** Whether `note` was analysed on a worker of a pool (and is held there). */
export function isPooled(note: AnalysedNote): note is PooledNote {
  return note instanceof PooledNote
}

export class NotePool {
  readonly #slots: Slot[] = []
  readonly #byOwner = new Map<string, Held[]>()
  /** Analyses not sent to a worker yet (see {@link ANALYSES_AHEAD}). */
  readonly #waiting: Waiting[] = []
  #next = 1
  #closed = false
  /** Workers started so far: a pool whose workers keep dying stops replacing them. */
  #started = 0

  private constructor(
    private readonly size: number,
    private readonly setup: PoolSetup
  ) {}

  /**
   * A pool of `size` workers for a run over `notes` notes, or undefined when the work stays on
   * the main thread: `size` 0, a run too small to pay for starting workers, or no compiled worker
   * script (the sources running under vitest). No worker starts before the first note to analyse.
   */
  static create(size: number, notes: number, setup: PoolSetup): NotePool | undefined {
    if (size < 1 || notes < POOL_MIN_NOTES || !existsSync(WORKER_SCRIPT)) return undefined
    return new NotePool(size, setup)
  }

  /**
   * `analyseNote` of `text` on a worker, held there for `owner` (the source note: released with
   * {@link release}); undefined when the pool has no worker (it could not start one), and the
   * caller analyses it on its own thread.
   *
   * @throws {UserError} what analysing the note throws (its content), or {@link WorkerFailed}.
   */
  analyse(
    owner: string,
    file: string,
    text: NoteText,
    frontmatterKeys?: readonly string[]
  ): Promise<AnalysedNote> | undefined {
    if (this.#closed) return undefined
    this.#grow()
    if (this.#slots.length === 0) return undefined
    // Once a run has workers, every note waits for one (while they start, too): the main thread
    // stays free for I/O and the provider.
    return new Promise((resolve, reject) => {
      this.#waiting.push({owner, file, text, ...(frontmatterKeys ? {frontmatterKeys} : {}), resolve, reject})
      this.#pump()
    })
  }

  /**
   * `reassemble` of a note this pool analysed, on the worker that holds it.
   *
   * @throws {WorkerFailed} when that worker died; a bug of ours as it was thrown there.
   */
  async assemble(note: PooledNote, request: AssembleRequest): Promise<PooledReassembly> {
    const {slot, handle} = note.held
    const reply = await this.#ask(slot, note.file, {type: 'assemble', id: this.#next++, handle, ...request})
    if (reply.type !== 'assembled') throw new Error(`the note worker answered ${reply.type} to assemble`)
    const {text, rejected, written} = reply.result
    return {
      text,
      rejected,
      ...(written
        ? {
            written: () => {
              if ('error' in written) throw rethrown(written.error)
              return written.segments
            }
          }
        : {})
    }
  }

  /**
   * `restoreTranslation` of each of `translations` (segment id → reply) of a note this pool
   * analysed, on the worker that holds it: segment id → Markdown.
   *
   * @throws {WorkerFailed} when that worker died; a bug of ours as it was thrown there.
   */
  async restore(
    note: PooledNote,
    locale: string,
    translations: ReadonlyMap<string, string>
  ): Promise<Map<string, string>> {
    const {slot, handle} = note.held
    const reply = await this.#ask(slot, note.file, {type: 'restore', id: this.#next++, handle, locale, translations})
    if (reply.type !== 'restored') throw new Error(`the note worker answered ${reply.type} to restore`)
    return reply.markdown
  }

  /** Frees what the workers hold for `owner`'s notes. */
  release(owner: string): void {
    const list = this.#byOwner.get(owner)
    if (!list) return
    this.#byOwner.delete(owner)
    for (const slot of new Set(list.map((held) => held.slot))) {
      const handles = list.filter((held) => held.slot === slot).map((held) => held.handle)
      for (const handle of handles) slot.handles.delete(handle)
      if (!slot.dead) slot.worker.postMessage({type: 'release', handles} satisfies Request)
    }
  }

  /** Stops every worker (a request still waiting fails its note). */
  async close(): Promise<void> {
    this.#closed = true
    const slots = this.#slots.splice(0)
    await Promise.all(
      slots.map((slot) => {
        slot.dead ??= 'the run ended'
        return slot.worker.terminate()
      })
    )
  }

  /** Starts the workers not started yet (all on the first call; a dead one is replaced). */
  #grow(): void {
    while (this.#slots.length < this.size && this.#started < this.size + 2) {
      this.#started++
      let worker: Worker
      // A heap limit under 2 GB makes V8 grow the worker's heap by ~1.3–2× its live size instead
      // of 4×: peak RSS of a 4.5 MB pseudo sync 432 MB instead of 603 (bench/limits.md, "Memory").
      // 1 GB is ~3× what the longest note sync accepts needs; a worker that still runs out dies
      // alone, as any crashed worker does, not the process.
      try {
        worker = new Worker(WORKER_SCRIPT, {workerData: this.setup, resourceLimits: {maxOldGenerationSizeMb: 1024}})
      } catch {
        // No threads here: the main thread does everything.
        this.#closed = true
        return
      }
      const slot: Slot = {worker, pending: new Map(), analyses: 0, handles: new Set()}
      this.#slots.push(slot)
      // Idle workers do not keep the process alive; one with a request in flight does.
      worker.unref()
      worker.on('message', (reply: Reply) => this.#answer(slot, reply))
      worker.on('error', (error) => this.#died(slot, error.message))
      worker.on('exit', (code) => this.#died(slot, `it exited with code ${code}`))
    }
  }

  /** Sends waiting analyses to the least busy workers, {@link ANALYSES_AHEAD} at most each. */
  #pump(): void {
    while (this.#waiting.length > 0) {
      let slot: Slot | undefined
      for (const candidate of this.#slots)
        if (candidate.analyses < ANALYSES_AHEAD && (!slot || candidate.analyses < slot.analyses)) slot = candidate
      if (!slot) break
      const waiting = this.#waiting.shift()!
      const {owner, file, text, frontmatterKeys} = waiting
      const handle = this.#next++
      const held: Held = {slot, handle, owner}
      slot.handles.add(handle)
      const list = this.#byOwner.get(owner) ?? []
      list.push(held)
      this.#byOwner.set(owner, list)
      slot.analyses++
      const chosen = slot
      this.#ask(slot, file, {
        type: 'analyse',
        id: this.#next++,
        handle,
        file,
        text,
        ...(frontmatterKeys ? {frontmatterKeys} : {})
      })
        .finally(() => {
          chosen.analyses--
          this.#pump()
        })
        .then((reply) => {
          if (reply.type !== 'analysed') throw new Error(`the note worker answered ${reply.type} to analyse`)
          return new PooledNote(file, text, reply.note, held)
        })
        .then(waiting.resolve, waiting.reject)
    }
    if (this.#slots.length === 0) {
      // Every worker died and none may replace them: the notes still waiting fail (reported).
      for (const waiting of this.#waiting.splice(0))
        waiting.reject(new WorkerFailed(waiting.file, 'no worker thread is left'))
    }
  }

  #ask(slot: Slot, file: string, request: Request & {id: number}): Promise<Reply> {
    if (slot.dead) return Promise.reject(new WorkerFailed(file, slot.dead))
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref()
      slot.pending.set(request.id, {file, resolve, reject})
      slot.worker.postMessage(request)
    })
  }

  #answer(slot: Slot, reply: Reply): void {
    const pending = slot.pending.get(reply.id)
    if (!pending) return
    slot.pending.delete(reply.id)
    if (slot.pending.size === 0) slot.worker.unref()
    if (reply.type === 'failed') pending.reject(rethrown(reply.error))
    else pending.resolve(reply)
  }

  #died(slot: Slot, reason: string): void {
    if (slot.dead) return
    slot.dead = reason
    const index = this.#slots.indexOf(slot)
    if (index !== -1) this.#slots.splice(index, 1)
    for (const pending of slot.pending.values()) pending.reject(new WorkerFailed(pending.file, reason))
    slot.pending.clear()
    if (this.#closed) return
    this.#grow()
    this.#pump()
  }
}
