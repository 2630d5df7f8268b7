/**
 * The deterministic simulation of a repository's life (issue "Trust over a repository's life"):
 * a temp git repository, a model of what should be true, and seeded random sequences of
 * operations — notes added, edited, moved, renamed, deleted; translations edited by hand (prose
 * and front-matter); config and glossary edits; provider and model switches; test-server answers
 * that fail validation or have no letters; SIGKILL of a real `sync` process; two branches merged
 * with git; shards and `lock merge`; adoption of an existing translation.
 *
 * After every step the invariants are checked:
 * - I1 `check`'s verdict per note equals the model's (clean, or at least one error);
 * - I2 one `sync` reaches a clean `check`, or reports exactly the notes a human must look at;
 * - I3 no accepted segment is ever sent twice (to the paid provider, the test server);
 * - I4 no human byte is lost and no machine text is recorded as human (`!` in the lock exactly
 *   where a human wrote);
 * - I5 every finding `check` reports is cleared by a documented command (`sync`, `sync --force`);
 * - I6 every run exits 0/1/2/130 and leaves a lock that parses.
 *
 * The CLI runs in-process (fast) except where a real process is the point (SIGKILL).
 */
import {execFile} from 'node:child_process'
import {existsSync, type FSWatcher, watch} from 'node:fs'
import {cp, mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {main} from '../../src/cli/main.js'
import {Lockfile} from '../../src/state/lock.js'
import {random} from '../fuzz/mutate.js'
import {runCli} from '../reliability/support/built-cli.js'
import {type Fault, segmentTexts, type TestServer} from '../support/openai-server.js'

const exec = promisify(execFile)

/** Text a human wrote: every human edit carries it, so the lock's `!` can be checked against the files. */
export const HUMAN = 'Hecho a mano'
/** How a link title a human wrote starts. */
const HUMAN_TITLE = 'Guía'

/**
 * Renames keep translations, config is in the proof of "current", human front-matter lines are
 * kept, orphans are cleared by sync: checked unless `SIM_STRICT=0` (for bisecting with an older
 * notes-l10n that did not do these).
 */
const STRICT = process.env.SIM_STRICT !== '0'

export const OPERATIONS = [
  'add-note',
  'edit-paragraph',
  'add-paragraph',
  'delete-paragraph',
  'edit-title',
  'move-note',
  'rename-note',
  'delete-note',
  'hand-edit-prose',
  'hand-edit-frontmatter',
  'review-hand-edit',
  'edit-config',
  'edit-glossary',
  'sync-pseudo',
  'sync-server',
  'switch-model',
  'answer-fails-validation',
  'answer-without-letters',
  'kill-sync',
  'branch-merge',
  'shards-merge',
  'adopt-translation',
  'force-sync',
  'commit'
] as const
export type Operation = (typeof OPERATIONS)[number]

export interface Step {
  op: Operation
  /** The step's own random numbers (so a step replays the same without the steps before it). */
  seed: number
}

interface Paragraph {
  pid: number
  text: string
}

interface ModelNote {
  title: string
  paragraphs: Paragraph[]
  /** Human edits of the `es` translation, by paragraph id: the text written and the source it was written against. */
  human: Map<number, {text: string; source: string; flagged?: boolean}>
  /** Front-matter lines a human added to the translation. */
  humanFrontmatter: string[]
  /** The note changed since its last successful sync (its check must report an error). */
  dirty: boolean
  /** The source text at the last successful sync (an edit back to it is no change). */
  synced?: string
  /** Dirty for a reason besides the source's text (moved, config edited, a faulted answer pending). */
  dirtyElse?: boolean
  /** A paragraph was deleted since the last sync (with an edit, alignment must guess: #ambiguousEdits). */
  deletedSinceSync?: boolean
  /** Paragraphs edited since the last sync. */
  editedSinceSync?: number[]
  /** The check verdict cannot be predicted (after a kill, a failed run, a lifecycle-owned change). */
  unknown: boolean
  /**
   * A run reported an error on the translation it wrote (a glossary term the test server's ROT13
   * changed): check keeps reporting it until the note is translated again.
   */
  flagged?: boolean
  /** A sync has recorded the note in the lock (an adopted translation is judged differently before). */
  locked?: boolean
  /**
   * Moved or renamed since the last sync of the whole project (shards-merge stops following its
   * human edits; a sync that does not claim the rename leaves them in the old file: #unclaimedMoves).
   */
  moved?: boolean
  /** Where the note was at its last sync, while `moved`. */
  movedFrom?: string
  /** Paragraphs of the note when its translation was adopted, until a sync records it. */
  adopted?: number
}

export interface Figures {
  steps: number
  kills: number
  /** Kills that hit a running process (the others found it finished). */
  killedMidRun: number
  syncs: number
  merges: number
  /** Per-note check verdicts compared with the model's (I1). */
  verdicts: number
}

export class Violation extends Error {
  override readonly name = 'Violation'
}

export interface WorldOptions {
  server: TestServer
  bin: string
}

export class World {
  readonly root: string
  readonly figures: Figures = {steps: 0, kills: 0, killedMidRun: 0, syncs: 0, merges: 0, verdicts: 0}
  readonly #server: TestServer
  readonly #bin: string
  readonly #notes = new Map<string, ModelNote>()
  /** Server-sent source segment texts that were accepted, keyed by text and model epoch. */
  readonly #accepted = new Set<string>()
  #counter = 0
  #glossaryTerms: string[] = []
  #rebase = false
  /** Written as a front-matter `set` value: every config edit is a new config (a toggle alone could undo the last one). */
  #edition = 0
  #faultText: string | undefined
  #fault: Fault | undefined
  #faultedRequests = new Set<number>()
  #log: string[] = []
  /** `check`'s findings on the files as they are, when the step's last action was a sync that ran it. */
  #checked: Findings | undefined

  private constructor(root: string, options: WorldOptions) {
    this.root = root
    this.#server = options.server
    this.#bin = options.bin
  }

  static async create(options: WorldOptions): Promise<World> {
    const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-sim-'))
    const world = new World(root, options)
    await world.#setup()
    return world
  }

  async remove(): Promise<void> {
    await rm(this.root, {recursive: true, force: true})
  }

  log(): string[] {
    return this.#log
  }

  async #setup(): Promise<void> {
    await this.#git('init', '-q', '-b', 'main')
    await this.#writeConfig()
    await this.#writeGlossary()
    for (let i = 0; i < 3; i++) await this.#addNote(random(i + 1))
    const installed = await this.#cli(['lock', 'install-merge-driver', '--command', `${process.execPath} ${this.#bin}`])
    if (installed.code !== 0) throw new Error(`install-merge-driver: ${installed.stderr}`)
    await this.#sync(['--provider', 'pseudo'], 'setup')
    await this.#commit('setup')
  }

  // ── operations ──────────────────────────────────────────────────────────────────────────────

  async step(step: Step): Promise<void> {
    this.#checked = undefined
    await this.#step(step)
    // A sync that ends its step already ran `check` on the files as they are now (I2): I1 reads that.
    if (!ENDS_WITH_SYNC.has(step.op)) this.#checked = undefined
  }

  async #step(step: Step): Promise<void> {
    const rng = random(step.seed)
    this.figures.steps++
    this.#log.push(step.op)
    switch (step.op) {
      case 'add-note':
        return void (await this.#addNote(rng))
      case 'edit-paragraph':
        return this.#onNote(rng, async (file, note) => {
          const paragraph = pick(rng, note.paragraphs)
          if (!paragraph) return
          paragraph.text = this.#sentence(rng)
          note.editedSinceSync = [...(note.editedSinceSync ?? []), paragraph.pid]
          note.dirty = this.#differsFromSynced(note)
          await this.#writeSource(file)
        })
      case 'add-paragraph':
        return this.#onNote(rng, async (file, note) => {
          note.paragraphs.splice(Math.floor(rng() * (note.paragraphs.length + 1)), 0, {
            pid: ++this.#counter,
            text: this.#sentence(rng)
          })
          note.dirty = this.#differsFromSynced(note)
          await this.#writeSource(file)
        })
      case 'delete-paragraph':
        return this.#onNote(rng, async (file, note) => {
          if (note.paragraphs.length < 2) return
          const [removed] = note.paragraphs.splice(Math.floor(rng() * note.paragraphs.length), 1)
          note.human.delete(removed!.pid)
          note.deletedSinceSync = true
          note.dirty = this.#differsFromSynced(note)
          await this.#writeSource(file)
        })
      case 'edit-title':
        return this.#onNote(rng, async (file, note) => {
          note.title = `Title ${++this.#counter} of a note`
          note.dirty = this.#differsFromSynced(note)
          await this.#writeSource(file)
        })
      case 'move-note':
      case 'rename-note':
        return this.#onNote(rng, async (file, note) => {
          const name = path.posix.basename(file, '.md')
          const to =
            step.op === 'move-note'
              ? `notes/${rng() < 0.5 ? 'archive' : 'drafts'}/${name}.md`
              : `notes/${name}-r${++this.#counter}.md`
          if (this.#notes.has(to)) return
          // A translation the lock has no record of (adopted, not synced yet) cannot follow a
          // rename: renames are found through lock entries (docs/state.md, "Renames, moves and
          // deletes"). It stays where it is, and the renamed note is translated afresh.
          const lockFile = path.join(this.root, 'notes-l10n.lock')
          const lock = existsSync(lockFile) ? Lockfile.parse(await readFile(lockFile, 'utf8'), 'lock') : undefined
          if (!lock?.get(file, 'es')) {
            note.human.clear()
            note.humanFrontmatter = []
          }
          await mkdir(path.dirname(path.join(this.root, to)), {recursive: true})
          await rename(path.join(this.root, file), path.join(this.root, to))
          this.#notes.delete(file)
          this.#notes.set(to, note)
          // The old translation stays on disk until sync removes it (or reports it).
          note.dirty = note.dirtyElse = true
          note.moved = true
          note.movedFrom ??= file
          if (!STRICT) {
            // A moved note keeps its translations only once renames are detected (lifecycle).
            note.human.clear()
            note.humanFrontmatter = []
            note.unknown = true
            for (const paragraph of note.paragraphs) this.#forget(paragraph.text)
            this.#forget(note.title)
          }
        })
      case 'delete-note':
        return this.#onNote(rng, async (file) => {
          if (this.#notes.size < 2) return
          await unlink(path.join(this.root, file))
          this.#notes.delete(file)
        })
      case 'hand-edit-prose':
        return this.#onTranslation(rng, async (_file, note, target) => {
          const paragraph = pick(rng, note.paragraphs)
          if (!paragraph) return
          const text = await this.#read(target)
          const blocks = text.split('\n\n')
          const index = 1 + note.paragraphs.indexOf(paragraph)
          if (blocks.length !== note.paragraphs.length + 1) return
          // The model follows the human's prose; the link after it is the translation's (rebased or not).
          const human = `${HUMAN} ${++this.#counter}, párrafo revisado${this.#termsIn(paragraph.text)}${boldOf(paragraph.text, rng)}`
          blocks[index] = `${human}${linkOf(blocks[index] ?? '', rng)}.${index === blocks.length - 1 ? '\n' : ''}`
          await writeFile(path.join(this.root, target), blocks.join('\n\n'))
          // In a note changed since its last sync the tool cannot tell whether this paragraph's source
          // changed under the edit (the lock knows the synced source only): it may ask for review.
          note.human.set(paragraph.pid, {text: human, source: note.dirty || note.unknown ? '' : paragraph.text})
        })
      case 'hand-edit-frontmatter':
        return this.#onTranslation(rng, async (_file, note, target) => {
          const text = await this.#read(target)
          if (!text.startsWith('---\n')) return
          const line = `reviewed_by_${++this.#counter}: maria`
          await writeFile(path.join(this.root, target), text.replace(/\n---\n/, `\n${line}\n---\n`))
          note.humanFrontmatter.push(line)
          if (!STRICT) note.unknown = true
        })
      case 'review-hand-edit':
        return this.#onTranslation(rng, async (_file, note, target) => {
          // A reviewer answers "needs review" by editing the human translation again.
          const stale = note.paragraphs.find((paragraph) => {
            const human = note.human.get(paragraph.pid)
            return human && human.source !== paragraph.text
          })
          if (!stale) return
          const old = note.human.get(stale.pid)!
          const text = await this.#read(target)
          if (!text.includes(old.text)) return
          const human = `${HUMAN} ${++this.#counter}, revisado otra vez${this.#termsIn(stale.text)}${boldOf(stale.text, rng)}.`
          await writeFile(path.join(this.root, target), text.replace(old.text, human))
          // Only an edit after a sync flagged the segment is a review (docs/state.md, "Human edits
          // and review"); before that it is one more edit of a translation still to review.
          note.human.set(stale.pid, old.flagged ? {text: human, source: stale.text} : {...old, text: human})
        })
      case 'edit-config':
        this.#rebase = !this.#rebase
        this.#edition++
        await this.#writeConfig()
        // The config that shapes the output is in the proof of "current": every note is re-assembled.
        for (const note of this.#notes.values()) {
          if (STRICT) note.dirty = note.dirtyElse = true
          else note.unknown = true
        }
        return
      case 'edit-glossary': {
        const term = `Term${++this.#counter}`
        this.#glossaryTerms.push(term)
        await this.#writeGlossary()
        // New segments may carry it; existing ones do not contain it: nothing changes.
        return
      }
      case 'sync-pseudo':
        return void (await this.#sync(['--provider', 'pseudo'], step.op))
      case 'sync-server':
        return void (await this.#sync(['--provider', 'openai'], step.op))
      case 'switch-model':
        // A model change alone does not re-translate: what was accepted is not sent again.
        return void (await this.#sync(
          ['--provider', 'openai', '--model', rng() < 0.5 ? 'gpt-4o' : 'gpt-4o-mini'],
          step.op
        ))
      case 'answer-fails-validation':
      case 'answer-without-letters':
        return this.#onNote(rng, async (file, note) => {
          const paragraph = {pid: ++this.#counter, text: `${this.#sentence(rng)} It costs \`${this.#counter} units\`.`}
          note.paragraphs.push(paragraph)
          await this.#writeSource(file)
          this.#faultText = paragraph.text.slice(0, 20)
          this.#fault =
            step.op === 'answer-fails-validation'
              ? {kind: 'drop-placeholder'}
              : {kind: 'placeholder-to-text', text: '2024-01-01'}
          note.dirty = note.dirtyElse = true
          try {
            await this.#sync(['--provider', 'openai'], step.op)
          } finally {
            this.#faultText = undefined
            this.#fault = undefined
          }
        })
      case 'kill-sync':
        return this.#killSync(rng)
      case 'branch-merge':
        return this.#branchMerge(rng)
      case 'shards-merge':
        return this.#shardsMerge()
      case 'adopt-translation':
        return this.#adopt(rng)
      case 'force-sync':
        return this.#clearAll()
      case 'commit':
        return this.#commit('commit')
    }
  }

  async #addNote(rng: () => number): Promise<string> {
    const date = `2026-${String(1 + Math.floor(rng() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rng() * 28)).padStart(2, '0')}`
    const file = `notes/${date}-n${++this.#counter}.md`
    const paragraphs = Array.from({length: 2 + Math.floor(rng() * 3)}, () => ({
      pid: ++this.#counter,
      text: this.#sentence(rng)
    }))
    this.#notes.set(file, {
      title: `Title ${++this.#counter} of a note`,
      paragraphs,
      human: new Map(),
      humanFrontmatter: [],
      dirty: true,
      unknown: false
    })
    await this.#writeSource(file)
    return file
  }

  #sentence(rng: () => number): string {
    const words = [
      'river',
      'lamp',
      'garden',
      'market',
      'window',
      'signal',
      'harbour',
      'letter',
      'winter',
      'engine',
      'orchard',
      'tower'
    ]
    const pickWord = () => words[Math.floor(rng() * words.length)]!
    const term = this.#glossaryTerms.length > 0 && rng() < 0.3 ? ` near ${pick(rng, this.#glossaryTerms)}` : ''
    const bold = rng() < 0.3 ? ` with **${pickWord()}**` : ''
    // Relative links and images, which `links.rebase` (toggled by edit-config) rewrites in targets.
    // A link title is a segment of its own, and unique like the sentence: titles inside another
    // segment are not taken from the translation memory across runs (src/sync/memory.ts), so a
    // title shared by paragraphs synced in different runs is sent again, which I3 would count.
    const title = rng() < 0.5 ? ` "Guide ${++this.#counter}"` : ''
    const link =
      rng() < 0.25
        ? ` (see [the ${pickWord()} guide](../guides/${pickWord()}.md${title}))`
        : rng() < 0.1
          ? ` <img src="img/${pickWord()}.png" alt="">`
          : ''
    return `Sentence ${++this.#counter} about the ${pickWord()} and the ${pickWord()}${term}${bold}${link}.`
  }

  async #onNote(rng: () => number, work: (file: string, note: ModelNote) => Promise<void>): Promise<void> {
    const files = [...this.#notes.keys()].sort()
    const file = pick(rng, files)
    if (file) await work(file, this.#notes.get(file)!)
  }

  /** A note whose translation exists, with the translation's path. */
  async #onTranslation(
    rng: () => number,
    work: (file: string, note: ModelNote, target: string) => Promise<void>
  ): Promise<void> {
    const files = [...this.#notes.keys()].sort().filter((file) => existsSync(path.join(this.root, targetOf(file))))
    const file = pick(rng, files)
    if (file) await work(file, this.#notes.get(file)!, targetOf(file))
  }

  /**
   * After an edit of the source: dirty unless the note is back to the text of its last sync (a
   * paragraph added and deleted again) and nothing else changed since.
   */
  #differsFromSynced(note: ModelNote): boolean {
    return note.dirtyElse === true || sourceText(note) !== note.synced
  }

  async #writeSource(file: string): Promise<void> {
    const note = this.#notes.get(file)!
    const text = sourceText(note)
    await mkdir(path.dirname(path.join(this.root, file)), {recursive: true})
    await writeFile(path.join(this.root, file), text)
  }

  async #writeConfig(): Promise<void> {
    await writeFile(
      path.join(this.root, 'notes-l10n.config.json'),
      `${JSON.stringify(
        {
          locales: ['es'],
          provider: {name: 'pseudo'},
          links: {rebase: this.#rebase},
          frontmatter: {edition: {set: `e${this.#edition}`}}
        },
        null,
        2
      )}\n`
    )
  }

  async #writeGlossary(): Promise<void> {
    const entries = this.#glossaryTerms.map((term) => ({term, keep: true}))
    await writeFile(
      path.join(this.root, 'glossary.json'),
      `${JSON.stringify({version: 1, sourceLocale: 'en', entries}, null, 2)}\n`
    )
  }

  async #read(file: string): Promise<string> {
    return await readFile(path.join(this.root, file), 'utf8')
  }

  /** A translator keeps the do-not-translate terms of the source: ` (Term1, Term2)`, or nothing. */
  #termsIn(source: string): string {
    const terms = this.#glossaryTerms.filter((term) => source.includes(term))
    return terms.length > 0 ? ` (${terms.join(', ')})` : ''
  }

  #forget(text: string): void {
    for (const key of [...this.#accepted]) if (key.includes(text.slice(0, 20))) this.#accepted.delete(key)
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────

  async #cli(args: string[], cwd = this.root): Promise<{code: number; stdout: string; stderr: string}> {
    let stdout = ''
    let stderr = ''
    const code = await main(args, {
      cwd,
      env: {
        PATH: process.env.PATH,
        OPENAI_API_KEY: 'sk-test-simulation-0123456789',
        OPENAI_BASE_URL: this.#server.url
      },
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      isTTY: false
    })
    if (![0, 1, 2, 130].includes(code))
      throw new Violation(`I6: notes-l10n ${args.join(' ')} exited ${code}: ${stderr.trim()}`)
    return {code, stdout, stderr}
  }

  /** One sync: I3 (nothing accepted is sent again), I4, I6, then the model learns what it did. */
  async #sync(args: string[], label: string): Promise<void> {
    this.figures.syncs++
    const first = this.#server.requests.length
    this.#server.setFault((request) => {
      if (!this.#fault || !this.#faultText) return undefined
      if (!segmentTexts(request).some((text) => text.startsWith(this.#faultText!))) return undefined
      this.#faultedRequests.add(request.index)
      return this.#fault
    })
    const result = await this.#cli(['sync', '--json', ...args])
    if (process.env.SIM_DEBUG)
      console.log(
        label,
        result.code,
        result.stdout
          .split('\n')
          .filter((line) => line.includes('summary'))
          .join('\n')
          .slice(0, 3000)
      )
    await this.#lockParses(`sync (${label})`)
    const sent = this.#server.requests.slice(first).filter((request) => request.path === '/v1/chat/completions')
    for (const request of sent) {
      for (const text of segmentTexts(request)) {
        if (this.#accepted.has(text)) throw new Violation(`I3: "${text}" was accepted before and sent again (${label})`)
      }
    }
    for (const request of sent) {
      if (this.#faultedRequests.has(request.index) || request.answer?.status !== 200) continue
      for (const text of segmentTexts(request)) this.#accepted.add(text)
    }
    const summary = summaryOf(result.stdout)
    await this.#unclaimedMoves(summary)
    await this.#ambiguousEdits()
    const attention = new Set<string>()
    for (const note of summary?.notes ?? []) {
      // A glossary finding the run reported on a written note is for a human too (the test
      // server's ROT13 does not keep do-not-translate terms; sync warns, check errs).
      const reported = note.findings.some(needsAttention)
      if (note.status === 'failed' || note.status === 'untouched' || (note.counts['needs-review'] ?? 0) > 0 || reported)
        attention.add(note.note)
    }
    for (const problem of summary?.problems ?? []) attention.add(problem.file)
    const results = new Map((summary?.notes ?? []).map((note) => [note.note, note]))
    for (const [file, note] of this.#notes) {
      const written = results.get(file)
      // A human translation whose source changed is flagged for review by a sync that saw it.
      if (written && written.status !== 'failed')
        for (const paragraph of note.paragraphs) {
          const human = note.human.get(paragraph.pid)
          if (human && human.source !== paragraph.text) human.flagged = true
        }
      if (written?.status === 'written') note.flagged = written.findings.some(needsAttention)
      if (attention.has(file)) {
        note.unknown = true
        continue
      }
      note.dirty = false
      note.dirtyElse = false
      note.deletedSinceSync = false
      note.editedSinceSync = []
      note.synced = sourceText(note)
      note.locked = true
      note.moved = false
      note.movedFrom = undefined
      note.unknown = this.#reviewPending(note) || Boolean(note.flagged)
    }
    await this.#humanWins(label)
    // I2: one sync reaches a clean check, except for what it reported.
    const findings = await this.#findings()
    this.#checked = findings
    for (const finding of findings) {
      if (finding.severity !== 'error') continue
      const note = finding.note ?? finding.file
      if (attention.has(note) || this.#notes.get(note)?.unknown) continue
      if (finding.rule === 'orphaned' || finding.rule === 'untracked') {
        if (!STRICT) continue
      }
      throw new Violation(
        `I2: after sync (${label}, exit ${result.code}) check reports ${finding.rule} for ${note}, which the sync did not report: ${finding.message}`
      )
    }
  }

  /**
   * A note moved and also changed so much that fewer than half of its segments are the ones it had
   * (like git, docs/state.md "Renames, moves and deletes") is a new note: the sync translates it and
   * its old translation, with the human edits, is kept where it was and reported. I4 there, then the
   * model stops following those edits.
   */
  async #unclaimedMoves(summary: Summary | undefined): Promise<void> {
    for (const result of summary?.notes ?? []) {
      const note = this.#notes.get(result.note)
      if (!note?.moved || !note.movedFrom) continue
      if (result.message?.includes('renamed from')) {
        // Claimed: the translation moved with the note (whatever else the run reported on it).
        note.moved = false
        note.movedFrom = undefined
        continue
      }
      if (result.status !== 'written') continue
      const old = targetOf(note.movedFrom)
      const now = targetOf(result.note)
      const oldText = existsSync(path.join(this.root, old)) ? await this.#read(old) : ''
      const newText = existsSync(path.join(this.root, now)) ? await this.#read(now) : ''
      const lost = (text: string) => {
        throw new Violation(
          `I4: ${result.note} was translated as a new note and neither ${now} nor ${old} holds the human text "${text}"`
        )
      }
      for (const [pid, human] of note.human) {
        if (newText.includes(human.text)) continue
        if (!oldText.includes(human.text)) lost(human.text)
        note.human.delete(pid)
      }
      // A front-matter line a human added to the old translation stays with it while that file
      // holds human prose; a file of the tool's prose only is removed with it, as for a deleted
      // note: the lock does not record which front-matter lines a human added (docs/state.md,
      // "Renames, moves and deletes").
      const humanProse = [...note.human.values()].some((human) => oldText.includes(human.text))
      note.humanFrontmatter = note.humanFrontmatter.filter((line) => {
        if (newText.includes(line)) return true
        if (humanProse && !oldText.includes(line)) lost(line)
        return false
      })
    }
  }

  /**
   * A paragraph deleted and another edited since the last sync: the lock's ids cannot tell which
   * old translation became the edited paragraph's, and of several human ones only the first stays
   * (docs/state.md, "Segment identity"). The model stops following an edited paragraph's human
   * text that the sync did not keep.
   */
  async #ambiguousEdits(): Promise<void> {
    for (const [file, note] of this.#notes) {
      if (!note.deletedSinceSync || !note.editedSinceSync?.length) continue
      const target = targetOf(file)
      const text = existsSync(path.join(this.root, target)) ? await this.#read(target) : ''
      for (const pid of note.editedSinceSync) {
        const human = note.human.get(pid)
        if (human && !text.includes(human.text)) note.human.delete(pid)
      }
    }
  }

  #reviewPending(note: ModelNote): boolean {
    return note.paragraphs.some((paragraph) => {
      const human = note.human.get(paragraph.pid)
      return human !== undefined && human.source !== paragraph.text
    })
  }

  async #lockParses(label: string): Promise<void> {
    const file = path.join(this.root, 'notes-l10n.lock')
    if (!existsSync(file)) return
    try {
      Lockfile.parse(await readFile(file, 'utf8'), 'notes-l10n.lock')
    } catch (error) {
      throw new Violation(`I6: after ${label} the lock does not parse: ${(error as Error).message}`)
    }
  }

  /**
   * I4: every human text the model knows is in its translation, and the lock marks as human (`!`)
   * exactly as many segments of each translation as hold a human's text.
   */
  async #humanWins(label: string): Promise<void> {
    const lockFile = path.join(this.root, 'notes-l10n.lock')
    const lock = existsSync(lockFile) ? Lockfile.parse(await readFile(lockFile, 'utf8'), 'lock') : new Lockfile()
    for (const [file, note] of this.#notes) {
      const target = targetOf(file)
      if (!existsSync(path.join(this.root, target))) continue
      const text = await this.#read(target)
      for (const [, human] of note.human) {
        if (!text.includes(human.text))
          throw new Violation(`I4: ${target} lost the human text "${human.text}" (${label})`)
      }
      if (STRICT) {
        for (const line of note.humanFrontmatter)
          if (!text.includes(line))
            throw new Violation(`I4: ${target} lost the human front-matter line "${line}" (${label})`)
      }
      const entry = lock.get(file, 'es')
      if (!entry) continue
      const marked = entry.segments.filter((segment) => segment.human).length
      // A human's paragraph, and the title of a link in it (a segment of its own, `linkOf`).
      const written = text
        .split('\n')
        .reduce((sum, line) => sum + Number(line.includes(HUMAN)) + line.split(`"${HUMAN_TITLE} `).length - 1, 0)
      if (marked > written)
        throw new Violation(
          `I4: the lock marks ${marked} segments of ${target} as human, but only ${written} hold a human's text: machine text recorded as human (${label})`
        )
      if (marked < written && !note.unknown)
        throw new Violation(`I4: ${target} holds ${written} human texts, the lock marks ${marked} (${label})`)
    }
  }

  async #findings(): Promise<Findings> {
    const result = await this.#cli(['check', '--format', 'json'])
    try {
      const parsed = JSON.parse(result.stdout) as {
        findings?: Findings
      }
      return parsed.findings ?? []
    } catch {
      throw new Violation(
        `I6: check --format json printed no JSON (exit ${result.code}): ${result.stdout.slice(0, 200)} ${result.stderr.slice(0, 200)}`
      )
    }
  }

  /** I1: check's verdict per note equals the model's. */
  async checkInvariants(): Promise<void> {
    const findings = this.#checked ?? (await this.#findings())
    this.#checked = undefined
    const errors = new Map<string, string[]>()
    for (const finding of findings) {
      if (finding.severity !== 'error') continue
      const note = finding.note ?? finding.file
      errors.set(note, [...(errors.get(note) ?? []), `${finding.rule}: ${finding.message}`])
    }
    for (const [file, note] of this.#notes) {
      if (note.unknown) continue
      this.figures.verdicts++
      const found = errors.get(file) ?? []
      if (note.dirty && found.length === 0)
        throw new Violation(`I1: ${file} changed since its last sync, but check reports it current`)
      if (!note.dirty && found.length > 0)
        throw new Violation(`I1: ${file} is current in the model, check reports ${found.join('; ')}`)
    }
  }

  /** SIGKILL a real `sync` process at a random moment; the next sync must recover (I3, I4). */
  async #killSync(rng: () => number): Promise<void> {
    // Give the run something to do: a new note, and an edit in every note, so that it writes many targets.
    await this.#addNote(rng)
    for (const [file, note] of this.#notes) {
      const paragraph = pick(rng, note.paragraphs)
      if (!paragraph) continue
      paragraph.text = this.#sentence(rng)
      await this.#writeSource(file)
    }
    this.figures.kills++
    const child = runCli(this.#bin, ['sync', '--provider', 'openai', '--concurrency', '2'], this.root, {
      OPENAI_API_KEY: 'sk-test-simulation-0123456789',
      OPENAI_BASE_URL: this.#server.url
    })
    // Half the kills at a random time; half right after the k-th change under locales/ or the
    // journal — the moments where write order matters (a kill a few microseconds after a target
    // is renamed into place lands between the write and whatever the run does next).
    let watcher: FSWatcher | undefined
    let timer: NodeJS.Timeout | undefined
    if (rng() < 0.5) {
      timer = setTimeout(() => child.kill('SIGKILL'), 300 + Math.floor(rng() * 1500))
    } else {
      let left = 1 + Math.floor(rng() * 4)
      const folder = rng() < 0.7 ? 'locales' : '.notes-l10n'
      await mkdir(path.join(this.root, folder), {recursive: true})
      watcher = watch(path.join(this.root, folder), {recursive: true}, () => {
        if (--left === 0) child.kill('SIGKILL')
      })
      timer = setTimeout(() => child.kill('SIGKILL'), 8000)
    }
    const exit = await child.exited
    clearTimeout(timer)
    watcher?.close()
    if (exit.signal === 'SIGKILL') this.figures.killedMidRun++
    if (exit.signal !== 'SIGKILL' && ![0, 1, 2, 130].includes(exit.code ?? -1))
      throw new Violation(`I6: a sync exited ${exit.code}: ${exit.stderr.trim()}`)
    // What a killed run accepted may or may not be journaled: only the recovery run is checked.
    // A translation it wrote with a changed glossary term was reported by nobody (the report
    // died with it): check reports it until the note is translated again.
    for (const note of this.#notes.values()) {
      note.unknown = true
      if (this.#glossaryTerms.some((term) => note.paragraphs.some((paragraph) => paragraph.text.includes(term))))
        note.flagged = true
    }
    await this.#lockParses('kill')
    await this.#humanWins('kill')
  }

  /** Two branches change different notes; git merges them (with the lock's merge driver). */
  async #branchMerge(rng: () => number): Promise<void> {
    await this.#sync(['--provider', 'pseudo'], 'before branch')
    await this.#commit('before branch')
    const branch = `b${++this.#counter}`
    await this.#git('checkout', '-q', '-b', branch)
    const theirs = await this.#addNote(rng)
    await this.#sync(['--provider', 'pseudo'], 'on branch')
    await this.#commit(`add ${theirs}`)
    await this.#git('checkout', '-q', 'main')
    const ours = await this.#addNote(rng)
    await this.#sync(['--provider', 'pseudo'], 'on main')
    await this.#commit(`add ${ours}`)
    const merged = await this.#git('merge', '-q', '--no-edit', branch)
    this.figures.merges++
    if (merged.code !== 0)
      throw new Violation(
        `lock merge: git merge of two branches that add different notes failed: ${merged.stdout}${merged.stderr}`
      )
    await this.#lockParses('git merge')
    for (const [file, note] of this.#notes) {
      if (file !== theirs && file !== ours) continue
      note.dirty = note.dirtyElse = false
      note.synced = sourceText(note)
    }
  }

  /** Two shards sync in copies of the project; `lock merge` combines their locks. */
  async #shardsMerge(): Promise<void> {
    const copies: string[] = []
    try {
      for (let index = 1; index <= 2; index++) {
        const copy = await mkdtemp(path.join(tmpdir(), 'notes-l10n-sim-shard-'))
        copies.push(copy)
        await cp(this.root, copy, {recursive: true})
        const result = await this.#cli(['sync', '--provider', 'pseudo', '--shard', `${index}/2`], copy)
        if (result.code === 2) throw new Violation(`shard ${index}/2 failed: ${result.stderr}`)
      }
      // What each shard wrote comes back (README, "CI sharding": the artifacts hold the files a
      // shard changed); a shard's copy of another shard's note is the old one.
      const before = await this.#files('locales')
      for (const copy of copies) {
        for (const [file, text] of await this.#files('locales', copy)) {
          if (before.get(file) === text) continue
          await mkdir(path.dirname(path.join(this.root, file)), {recursive: true})
          await writeFile(path.join(this.root, file), text)
        }
      }
      // A moved note its shard does not claim (fewer than half of its segments kept, like git) is
      // translated afresh there by the pseudo provider, and a later real run translates it again;
      // a claimed one keeps its human edits, but the shards' output is not read, so the model
      // stops following the human edits of moved notes either way.
      for (const note of this.#notes.values()) {
        if (!note.moved) continue
        note.human.clear()
        note.humanFrontmatter = []
        for (const paragraph of note.paragraphs) this.#forget(paragraph.text)
        this.#forget(note.title)
      }
      const merged = await this.#cli(['lock', 'merge', ...copies.map((copy) => path.join(copy, 'notes-l10n.lock'))])
      if (merged.code !== 0) throw new Violation(`I6: lock merge exited ${merged.code}: ${merged.stderr}`)
      await this.#lockParses('lock merge')
      // The shards started from this tree: whatever they reported is unknown here, so trust a sync.
      for (const note of this.#notes.values()) note.unknown = true
    } finally {
      for (const copy of copies) await rm(copy, {recursive: true, force: true})
    }
  }

  /** Every file under `folder` of `root` (project-relative, `/`-separated) with its text. */
  async #files(folder: string, root = this.root): Promise<Map<string, string>> {
    const files = new Map<string, string>()
    if (!existsSync(path.join(root, folder))) return files
    for (const entry of await readdir(path.join(root, folder), {recursive: true, withFileTypes: true})) {
      if (!entry.isFile()) continue
      const file = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
      files.set(file, await readFile(path.join(root, file), 'utf8'))
    }
    return files
  }

  /** A translation made before notes-l10n: a new note arrives with its `es` file; sync adopts it as human work. */
  async #adopt(rng: () => number): Promise<void> {
    const file = await this.#addNote(rng)
    const note = this.#notes.get(file)!
    const paragraphs = note.paragraphs.map((paragraph) => {
      const text = `${HUMAN} ${++this.#counter}, traducción previa${this.#termsIn(paragraph.text)}${boldOf(paragraph.text, rng)}`
      note.human.set(paragraph.pid, {text, source: paragraph.text})
      // Copied with the source's URL, which `links.rebase` would have written otherwise: a
      // difference outside the prose, which `sync --force` takes from the source.
      return `${text}${linkOf(paragraph.text, rng)}.`
    })
    const title = `${HUMAN} ${++this.#counter}, título`
    await mkdir(path.dirname(path.join(this.root, targetOf(file))), {recursive: true})
    await writeFile(path.join(this.root, targetOf(file)), `---\ntitle: ${title}\n---\n\n${paragraphs.join('\n\n')}\n`)
    note.unknown = true
    note.adopted = note.paragraphs.length
  }

  /** I5: every finding check reports is cleared by `sync`, then `sync --force` (the documented commands). */
  async #clearAll(): Promise<void> {
    await this.#sync(['--provider', 'pseudo'], 'force-sync: sync')
    let findings = (await this.#findings()).filter((finding) => finding.severity === 'error')
    if (findings.length > 0) {
      // --force re-translates human edits whose source changed: those are gone by the user's choice.
      for (const note of this.#notes.values()) {
        for (const paragraph of note.paragraphs) {
          const human = note.human.get(paragraph.pid)
          if (human && human.source !== paragraph.text) note.human.delete(paragraph.pid)
        }
        // An adopted translation that no longer lines up with its source (paragraphs added or
        // removed before its first sync) is translated afresh by --force (docs/state.md, "Adoption").
        if (!note.locked && note.adopted !== undefined && note.adopted !== note.paragraphs.length) note.human.clear()
      }
      await this.#sync(['--provider', 'pseudo', '--force'], 'force-sync: sync --force')
      findings = (await this.#findings()).filter((finding) => finding.severity === 'error')
    }
    // What is left in a human's own text (a do-not-translate term an adopted translation lacks) is
    // theirs to fix, and --force keeps it: docs/rules.md says "edit the translation". The model
    // does that, as a translator would, and syncs.
    if (findings.length > 0 && (await this.#fixHumanTexts(findings))) {
      await this.#sync(['--provider', 'pseudo'], 'force-sync: sync after hand fixes')
      findings = (await this.#findings()).filter((finding) => finding.severity === 'error')
    }
    const left = findings.filter((finding) => STRICT || (finding.rule !== 'orphaned' && finding.rule !== 'untracked'))
    if (left.length > 0)
      throw new Violation(
        `I5: after sync and sync --force, check still reports ${left.map((finding) => `${finding.rule} (${finding.note ?? finding.file}): ${finding.message}`).join('; ')}`
      )
  }

  /**
   * Rewrites each human paragraph an error of a content rule points at so that it has its
   * source's terms and bold (found by position: the model may have stopped following the text, as
   * for an adopted translation moved before its first sync).
   */
  async #fixHumanTexts(findings: Findings): Promise<boolean> {
    let fixed = false
    for (const finding of findings) {
      if (!/^Q\d+$/.test(finding.rule) || finding.line === undefined || finding.note === undefined) continue
      const note = this.#notes.get(finding.note)
      if (!note || finding.file !== targetOf(finding.note)) continue
      const text = await this.#read(finding.file)
      const line = text.split('\n')[finding.line - 1] ?? ''
      const blocks = text
        .slice(text.indexOf('\n---\n', 3) + 5)
        .trim()
        .split('\n\n')
      const paragraph = blocks.length === note.paragraphs.length ? note.paragraphs[blocks.indexOf(line)] : undefined
      if (!line.startsWith(HUMAN) || !paragraph) continue
      const corrected = `${HUMAN} ${++this.#counter}, corregido${this.#termsIn(paragraph.text)}${paragraph.text.includes('**') ? ' con **negrita**' : ''}.`
      await writeFile(path.join(this.root, finding.file), text.replace(line, corrected))
      note.human.set(paragraph.pid, {text: corrected, source: paragraph.text})
      fixed = true
    }
    return fixed
  }

  async #commit(message: string): Promise<void> {
    await this.#git('add', '-A')
    await this.#git('commit', '-q', '--allow-empty', '-m', message)
  }

  async #git(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
    try {
      const {stdout, stderr} = await exec('git', args, {cwd: this.root, env: GIT_ENV})
      return {code: 0, stdout, stderr}
    } catch (error) {
      const failure = error as {code?: number; stdout?: string; stderr?: string}
      return {
        code: typeof failure.code === 'number' ? failure.code : -1,
        stdout: failure.stdout ?? '',
        stderr: failure.stderr ?? ''
      }
    }
  }
}

type Findings = Array<{rule: string; severity: string; note?: string; file: string; line?: number; message: string}>

/** Operations whose last action is a sync (nothing on disk changes after it). */
const ENDS_WITH_SYNC = new Set<Operation>([
  'sync-pseudo',
  'sync-server',
  'switch-model',
  'answer-fails-validation',
  'answer-without-letters'
])

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'sim',
  GIT_AUTHOR_EMAIL: 'sim@example.com',
  GIT_COMMITTER_NAME: 'sim',
  GIT_COMMITTER_EMAIL: 'sim@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: '/nonexistent'
}

/** Where the `es` translation of a source note goes (the default output layout). */
export function targetOf(file: string): string {
  return `locales/es/${file.slice('notes/'.length)}`
}

/**
 * The source's bold, as a translator writes it: kept, or (half the time) written as plain text —
 * human edits win, so that is kept as written and only warned about (`human-markup`).
 */
function sourceText(note: ModelNote): string {
  return `---\ntitle: ${note.title}\n---\n\n${note.paragraphs.map((paragraph) => paragraph.text).join('\n\n')}\n`
}

function boldOf(source: string, rng: () => number): string {
  if (!source.includes('**')) return ''
  return rng() < 0.5 ? ' con **negrita**' : ' con negrita'
}

/**
 * The link of a paragraph as a translator rewrites it: with its URL as `text` writes it (rebased or
 * not) and, when it has a title, always with a title of the translator's own — a translation that
 * drops a titled link (or an image) can no longer be matched to its source (docs/state.md,
 * "Renames, moves and deletes", known limits). An untitled link is kept half the time.
 */
function linkOf(text: string, rng: () => number): string {
  const link = /\[[^\]]*\]\(([^)\s]+)( "[^"]*")?\)/.exec(text)
  if (!link) return ''
  if (link[2]) return ` ([la guía](${link[1]} "${HUMAN_TITLE} ${Math.floor(rng() * 1e9)}"))`
  return rng() < 0.5 ? ` ([la guía](${link[1]}))` : ''
}

function pick<T>(rng: () => number, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng() * items.length)]
}

interface Finding {
  rule: string
  severity: string
}

/**
 * A finding a human must look at. `human-markup` is not one: a hand edit without the source's
 * bold is kept as written and warned about on every run, by design.
 */
function needsAttention(finding: Finding): boolean {
  return finding.rule !== 'human-markup'
}

interface Summary {
  notes: Array<{
    note: string
    status: string
    message?: string
    counts: Record<string, number>
    findings: Finding[]
  }>
  problems: Array<{file: string}>
}

function summaryOf(stdout: string): Summary | undefined {
  for (const line of stdout.trim().split('\n').reverse()) {
    if (!line.startsWith('{')) continue
    try {
      const value = JSON.parse(line) as {type?: string} & Summary
      if (value.type === 'summary') return value
    } catch {
      // not a JSON line
    }
  }
  return undefined
}
