/**
 * `sync --dry-run`, `status`, `check`, `diff` and `export` take their verdicts from one plan
 * (src/project/target-plan.ts), so they must agree: on seeded random small projects (the
 * simulation's operations: notes added, edited, renamed, deleted; translations edited by hand;
 * config and glossary edits; syncs), after every step, for every note and locale, what the dry
 * run would do is what the other four report.
 */
import {mkdtemp, readFile, rename, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import {random} from '../fuzz/mutate.js'
import {type Operation, OPERATIONS as SIMULATION_OPERATIONS, World} from '../simulation/world.js'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import {tempProject} from '../support/project.js'

/** The simulation's operations this test leaves out: they need a child process, a merge driver or git branches. */
const LEFT_OUT: ReadonlySet<Operation> = new Set([
  'switch-model',
  'answer-without-letters',
  'kill-sync',
  'branch-merge',
  'shards-merge',
  'force-sync'
])
/** Twice per seed: the commonest edit on each side (a source paragraph; a translation by hand). */
const TWICE: ReadonlySet<Operation> = new Set(['edit-paragraph', 'hand-edit-prose'])

/** The simulation's other operations, in its order (each seed shuffles them). */
const OPERATIONS: Operation[] = SIMULATION_OPERATIONS.filter((op) => !LEFT_OUT.has(op)).flatMap((op) =>
  TWICE.has(op) ? [op, op] : [op]
)

/**
 * Each seed runs every operation once, in an order the seed shuffles (so every kind is covered).
 * `AGREEMENT_SEEDS=1,2,3` runs other seeds; `AGREEMENT_KEEP=1` keeps each world's folder and prints it.
 */
const SEEDS = process.env.AGREEMENT_SEEDS?.split(',').map(Number) ?? [11, 12, 13]

let server: TestServer
let scratch: string
beforeAll(async () => {
  server = await startTestServer()
  scratch = await mkdtemp(path.join(tmpdir(), 'notes-l10n-agreement-'))
})
afterAll(async () => {
  await server?.close()
  await rm(scratch, {recursive: true, force: true})
})

async function cli(root: string, args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    cwd: root,
    env: {PATH: process.env.PATH, OPENAI_API_KEY: 'sk-test-agreement-0123456789', OPENAI_BASE_URL: server.url},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false
  })
  return {code, stdout, stderr}
}

/** Fisher–Yates with the seeded generator. */
function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const sorted = (values: Iterable<string>) => [...values].sort()
const key = (note: string, locale: string, line?: number) => `${note} ${locale}${line === undefined ? '' : ` ${line}`}`

/** What each command says about the project now, in comparable form. */
interface Views {
  /** `note locale` → verdict, by command. */
  verdicts: Record<'dryRun' | 'check', Record<string, string>>
  /** `note locale line` of segments to translate in targets that exist, by command. */
  pending: Record<'dryRun' | 'check' | 'diff', string[]>
  /** `note locale line` of human translations waiting for review, by command. */
  review: Record<'dryRun' | 'check' | 'diff' | 'export', string[]>
  /** `note locale line` of segments handed to translators (`export`: to translate or to review). */
  exported: Record<'dryRun' | 'export', string[]>
  /** Per locale: notes, missing, untracked, segments to translate, to review. */
  status: Record<'dryRun' | 'status', string[]>
  /** `note locale` of lock entries of deleted notes. */
  orphaned: Record<'dryRun' | 'check', string[]>
}

/** The verdicts that are about the target as a whole: no per-segment findings. */
const WHOLE = new Set(['missing', 'untracked', 'misaligned'])

async function views(root: string, step: number): Promise<Views> {
  const dry = await cli(root, ['sync', '--dry-run', '--json'])
  const summary = JSON.parse(dry.stdout.trim().split('\n').at(-1)!) as {
    type: string
    notes: Array<{note: string; locale: string; verdict?: string; segments: Array<{line: number; state: string}>}>
    warnings: string[]
  }
  expect(summary.type, dry.stderr).toBe('summary')
  const targets = summary.notes.map((n) => ({...n, verdict: n.verdict ?? `(none: ${JSON.stringify(n)})`}))
  const segmentsIn = (state: string, n: (typeof targets)[number]) =>
    n.segments.filter((s) => s.state === state).map((s) => key(n.note, n.locale, s.line))

  const check = await cli(root, ['check', '--format', 'json'])
  const findings = (
    JSON.parse(check.stdout) as {
      findings: Array<{rule: string; note?: string; locale?: string; file: string; line: number}>
    }
  ).findings
  const checkVerdict = (note: string, locale: string) => {
    const rules = new Set(findings.filter((f) => f.note === note && f.locale === locale).map((f) => f.rule))
    return ['missing', 'untracked', 'misaligned', 'stale', 'needs-review'].find((rule) => rules.has(rule)) ?? 'current'
  }
  // Findings about a target sync --dry-run does not know of would be a disagreement too.
  const known = new Set(targets.map((n) => key(n.note, n.locale)))
  const checkTargets = new Set(
    findings.filter((f) => f.note && f.locale && f.rule !== 'orphaned').map((f) => key(f.note!, f.locale!))
  )

  const status = JSON.parse((await cli(root, ['status', '--json'])).stdout) as Array<{
    locale: string
    notes: number
    missing: number
    untracked: number
    segments: {stale: number; needsReview: number}
  }>

  const diff = JSON.parse((await cli(root, ['diff', '--format', 'json'])).stdout) as {
    entries: Array<{note: string; locale: string; line: number; state: string}>
  }

  const xliff = path.join(scratch, `step-${step}.xlf`)
  const exporting = await cli(root, ['export', '--locale', 'es', '--format', 'xliff', '-o', xliff])
  expect(exporting.code, exporting.stderr).toBeLessThan(2)
  const units = [
    ...(await readFile(xliff, 'utf8')).matchAll(
      /<note category="location">([^<]+):(\d+)<\/note>[\s\S]*?<segment state="\w+"(?: subState="([^"]+)")?/g
    )
  ].map((m) => ({at: key(m[1]!, 'es', Number(m[2])), review: m[3] === 'notes-l10n:needs-review'}))

  const existing = targets.filter((n) => !WHOLE.has(n.verdict))
  const locales = [...new Set(targets.map((n) => n.locale))].sort()
  const orphan = /^(.+) no longer exists: sync would remove its (\S+) lock entry/
  return {
    verdicts: {
      dryRun: Object.fromEntries(targets.map((n) => [key(n.note, n.locale), n.verdict])),
      check: Object.fromEntries(
        [...new Set([...known, ...checkTargets])].map((at) => {
          const [note, locale] = at.split(' ') as [string, string]
          return [at, checkVerdict(note, locale)]
        })
      )
    },
    pending: {
      dryRun: sorted(existing.flatMap((n) => segmentsIn('pending', n))),
      check: sorted(
        findings
          .filter((f) => f.rule === 'stale' && f.line > 1 && f.note && f.locale)
          .map((f) => key(f.note!, f.locale!, f.line))
      ),
      diff: sorted(
        diff.entries
          .filter((e) => e.state === 'new' || e.state === 'changed' || e.state === 'glossary')
          .filter((e) => e.line > 1)
          .map((e) => key(e.note, e.locale, e.line))
      )
    },
    review: {
      dryRun: sorted(existing.flatMap((n) => segmentsIn('needs-review', n))),
      check: sorted(findings.filter((f) => f.rule === 'needs-review').map((f) => key(f.note!, f.locale!, f.line))),
      diff: sorted(diff.entries.filter((e) => e.state === 'needs-review').map((e) => key(e.note, e.locale, e.line))),
      export: sorted(units.filter((u) => u.review).map((u) => u.at))
    },
    exported: {
      dryRun: sorted(
        targets
          .filter((n) => n.locale === 'es' && n.verdict !== 'untracked' && n.verdict !== 'misaligned')
          .flatMap((n) => [...segmentsIn('pending', n), ...segmentsIn('needs-review', n)])
      ),
      export: sorted(units.map((u) => u.at))
    },
    status: {
      dryRun: locales.map((locale) => {
        const of = targets.filter((n) => n.locale === locale)
        const mine = existing.filter((n) => n.locale === locale)
        return [
          locale,
          of.length,
          of.filter((n) => n.verdict === 'missing' || n.verdict === 'misaligned').length,
          of.filter((n) => n.verdict === 'untracked').length,
          mine.flatMap((n) => segmentsIn('pending', n)).length,
          mine.flatMap((n) => segmentsIn('needs-review', n)).length
        ].join(' ')
      }),
      status: status.map((row) =>
        [row.locale, row.notes, row.missing, row.untracked, row.segments.stale, row.segments.needsReview].join(' ')
      )
    },
    orphaned: {
      dryRun: sorted(
        summary.warnings.flatMap((warning) => {
          const m = orphan.exec(warning)
          return m ? [key(m[1]!, m[2]!)] : []
        })
      ),
      check: sorted(findings.filter((f) => f.rule === 'orphaned').map((f) => key(f.note!, f.locale!)))
    }
  }
}

describe('one plan for sync --dry-run, status, check, diff and export', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: after each random change every command reports the same verdict per note`, async () => {
      const world = await World.create({server, bin: 'notes-l10n'})
      const rng = random(seed)
      const seen = new Set<string>()
      try {
        for (const [step, op] of shuffled(OPERATIONS, rng).entries()) {
          await world.step({op, seed: Math.floor(rng() * 2 ** 31)})
          const view = await views(world.root, step)
          const at = `seed ${seed}, step ${step} (${world.log().join(' → ')})`
          expect(view.verdicts.check, `${at}: check`).toEqual(view.verdicts.dryRun)
          expect(view.pending.check, `${at}: check`).toEqual(view.pending.dryRun)
          expect(view.pending.diff, `${at}: diff`).toEqual(view.pending.dryRun)
          expect(view.review.check, `${at}: check`).toEqual(view.review.dryRun)
          expect(view.review.diff, `${at}: diff`).toEqual(view.review.dryRun)
          expect(view.review.export, `${at}: export`).toEqual(view.review.dryRun)
          expect(view.exported.export, `${at}: export`).toEqual(view.exported.dryRun)
          expect(view.status.status, `${at}: status`).toEqual(view.status.dryRun)
          expect(view.orphaned.check, `${at}: check`).toEqual(view.orphaned.dryRun)
          for (const verdict of Object.values(view.verdicts.dryRun)) seen.add(verdict)
          if (view.orphaned.dryRun.length > 0) seen.add('orphaned')
        }
      } finally {
        if (process.env.AGREEMENT_KEEP) console.log('kept', world.root, world.log().join(' → '))
        else await world.remove()
      }
      // The walk is not vacuous: it passed through work to do, not only current notes.
      expect([...seen].sort()).toEqual(expect.arrayContaining(['current', 'stale']))
    }, 180_000)
  }
})

/** The last line of `sync --json`: the run's summary. */
function summaryOf(stdout: string): {
  notes: Array<{note: string; status: string; verdict?: string; counts: {pending: number}}>
} {
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

describe('disagreements the one plan fixed', () => {
  const note = '---\ntitle: A note\n---\n\nFirst paragraph.\n\nSecond paragraph.\n'
  const config = (extra: object = {}) => JSON.stringify({locales: ['es'], provider: {name: 'pseudo'}, ...extra})

  it('a config change alone: check said stale, sync --dry-run said unchanged (sync re-assembles it)', async () => {
    const project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': config()})
    try {
      expect((await project.run(['sync'])).code).toBe(0)
      await project.write('notes-l10n.config.json', config({links: {rebase: false}}))
      expect((await project.run(['check'])).code).toBe(1)
      const dry = summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout)
      expect(dry.notes).toEqual([
        expect.objectContaining({note: 'notes/a.md', status: 'pending', counts: expect.objectContaining({pending: 0})})
      ])
      expect((await project.run(['sync'])).code).toBe(0)
      expect(summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout).notes[0]!.status).toBe('unchanged')
      expect((await project.run(['check'])).code).toBe(0)
    } finally {
      await project.remove()
    }
  })

  /** `check --format json`'s errors as `rule note` (a hand edit is a warning). */
  const findings = async (project: Awaited<ReturnType<typeof tempProject>>) =>
    (
      JSON.parse((await project.run(['check', '--format', 'json'])).stdout) as {
        findings: Array<{rule: string; note: string; severity: string}>
      }
    ).findings
      .filter((finding) => finding.severity === 'error')
      .map((finding) => `${finding.rule} ${finding.note}`)
      .sort()

  it('a renamed note: check said missing and orphaned, sync --dry-run moves its translation', async () => {
    const project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': config()})
    try {
      expect((await project.run(['sync'])).code).toBe(0)
      await rename(path.join(project.root, 'notes/a.md'), path.join(project.root, 'notes/b.md'))
      expect(await findings(project)).toEqual(['stale notes/b.md'])
      expect((await project.run(['check'])).stdout).toMatch(/renamed from notes\/a\.md/)
      const dry = summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout)
      expect(dry.notes).toEqual([
        expect.objectContaining({note: 'notes/b.md', verdict: 'stale', counts: expect.objectContaining({pending: 0})})
      ])
      expect((await project.run(['sync'])).code).toBe(0)
      expect(await findings(project)).toEqual([])
    } finally {
      await project.remove()
    }
  })

  it('a note moved with its translation (git mv of both): check said untracked, sync reads it against the old entry', async () => {
    const project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': config()})
    try {
      expect((await project.run(['sync'])).code).toBe(0)
      const translation = await project.read('locales/es/a.md')
      await project.write('locales/es/b.md', translation.replace(/\n\n[^\n]*\n$/, '\n\nHecho a mano.\n'))
      await rm(path.join(project.root, 'locales/es/a.md'))
      await rename(path.join(project.root, 'notes/a.md'), path.join(project.root, 'notes/b.md'))
      expect(await findings(project)).toEqual(['stale notes/b.md'])
      const dry = summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout)
      expect(dry.notes).toEqual([expect.objectContaining({note: 'notes/b.md', verdict: 'stale'})])
      expect((await project.run(['sync'])).code).toBe(0)
      expect(await findings(project)).toEqual([])
      expect(await project.read('locales/es/b.md')).toContain('Hecho a mano.')
    } finally {
      await project.remove()
    }
  })

  it('a removed paragraph: check said stale, sync --dry-run said unchanged (sync takes its translation out)', async () => {
    const project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': config()})
    try {
      expect((await project.run(['sync'])).code).toBe(0)
      await project.write('notes/a.md', note.replace('Second paragraph.\n', ''))
      expect((await project.run(['check'])).stdout).toMatch(/whose source was removed/)
      expect(summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout).notes[0]!.status).toBe('pending')
    } finally {
      await project.remove()
    }
  })
})
