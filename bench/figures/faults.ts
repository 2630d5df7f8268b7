/**
 * Figure 6: the corpus through the test server with 30% of requests given a content fault
 * (dropped placeholder, altered URL, altered code, commentary, truncation): corrupted files
 * written, and extra requests spent per fault.
 *
 * A fault-free sync gives the reference targets and request count. A file written under faults
 * is corrupted when it differs from its reference: a note whose segments could not all be
 * translated must not be written at all (DESIGN decision 7), so there is no third, "partly
 * translated" outcome to allow for.
 */
import type {Dirent} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {TOKEN_PATTERN} from '../../src/types.js'
import {readCorpus} from '../corpus.js'
import type {Figure} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {seededRandom} from '../generate.js'
import {
  chatRequests,
  type Fault,
  type FaultPicker,
  requestSegments,
  startServer,
  syncThroughServer,
  targetsOf
} from '../server.js'
import {summarise} from '../stats.js'
import {corpusProject, resetRunState} from '../tree.js'

const FAULT_RATE = 0.3

/** The five content faults of the issue, in the order they are dealt. */
const FAULT_KINDS = ['dropped placeholder', 'altered URL', 'altered code', 'commentary', 'truncation'] as const
type FaultKind = (typeof FAULT_KINDS)[number]

export const faults: Figure = {
  id: 6,
  title: 'Fidelity under faults',
  goal: `0 corrupted files written with ${FAULT_RATE * 100}% of requests faulty; extra requests per fault reported`,
  async run(context) {
    const corpus = await readCorpus(context.corpusRoot)
    const root = path.join(context.workRoot, 'corpus')
    await corpusProject(root, corpus)

    const referenceServer = await startServer({})
    let reference: Map<string, string>
    let referenceRequests: number
    try {
      const result = await syncThroughServer(context.repoRoot, root, referenceServer)
      if (result.code !== 0)
        throw new NotMeasured(`the fault-free reference sync exited ${result.code}: ${result.stderr.slice(0, 300)}`)
      referenceRequests = chatRequests(referenceServer).length
      reference = await readTargets(targetsOf(root))
    } finally {
      await referenceServer.close()
    }
    if (reference.size === 0) throw new NotMeasured('the fault-free reference sync wrote no targets')

    const corrupted: number[] = []
    const extraPerFault: number[] = []
    const written: number[] = []
    const injected: number[] = []
    const corruptedNames = new Set<string>()
    const byKind = new Map<FaultKind, number>(FAULT_KINDS.map((kind) => [kind, 0]))
    for (let run = 0; run < context.runs; run++) {
      await resetRunState(root)
      const schedule = faultSchedule(run + 1)
      const server = await startServer({fault: schedule.picker})
      try {
        await syncThroughServer(context.repoRoot, root, server)
        const targets = await readTargets(targetsOf(root))
        let bad = 0
        for (const [name, text] of targets) {
          if (reference.get(name) !== text) {
            bad++
            corruptedNames.add(name)
          }
        }
        corrupted.push(bad)
        written.push(targets.size)
        injected.push(schedule.count())
        for (const [kind, count] of schedule.byKind()) byKind.set(kind, byKind.get(kind)! + count)
        extraPerFault.push(
          schedule.count() === 0 ? 0 : (chatRequests(server).length - referenceRequests) / schedule.count()
        )
      } finally {
        await server.close()
      }
      context.log(
        `run ${run + 1}/${context.runs}: ${injected.at(-1)} faults, ${written.at(-1)}/${reference.size} files written, ${corrupted.at(-1)} corrupted, ${extraPerFault.at(-1)!.toFixed(2)} extra requests per fault`
      )
    }

    const corruptedStats = summarise(corrupted)
    return {
      runs: context.runs,
      headlines: [
        {
          label: 'corrupted files written (per run)',
          value: corruptedStats,
          goal: '0 in every run',
          met: corruptedStats.max === 0,
          digits: 0
        }
      ],
      rows: [
        {label: 'fault-free reference', value: `${reference.size} files written, ${referenceRequests} requests`},
        {label: 'faults injected per run', value: summarise(injected), digits: 0},
        {
          label: 'faults by kind (all runs)',
          value: FAULT_KINDS.map((kind) => `${kind} ${byKind.get(kind)}`).join(', ')
        },
        {label: 'files written per run (the others failed closed: not written)', value: summarise(written), digits: 0},
        {label: 'corrupted files written per run', value: corruptedStats, digits: 0},
        {label: 'extra requests per fault', value: summarise(extraPerFault)},
        ...(corruptedNames.size > 0 ? [{label: 'corrupted files', value: [...corruptedNames].sort().join(', ')}] : [])
      ],
      notes: [
        `Each translation request (retries included) is faulty with probability ${FAULT_RATE}, from a seeded generator (seed = run number; which request gets which draw still depends on the order requests arrive in at --concurrency 8); the kinds are dealt in turn. Placeholder faults hit a segment that has a placeholder; a request without one gets commentary instead.`,
        'Altered URL / altered code: a placeholder is replaced by a link with another URL / by a different code span, as a model rewriting protected markup would.'
      ]
    }
  }
}

interface Schedule {
  picker: FaultPicker
  count(): number
  byKind(): Map<FaultKind, number>
}

/** A seeded fault schedule over translation requests. */
function faultSchedule(seed: number): Schedule {
  const random = seededRandom(seed)
  const counts = new Map<FaultKind, number>(FAULT_KINDS.map((kind) => [kind, 0]))
  let dealt = 0
  const picker: FaultPicker = (request) => {
    const segments = requestSegments(request)
    const ids = Object.keys(segments)
    if (ids.length === 0 || random() >= FAULT_RATE) return undefined
    const withToken = ids.find((id) => new RegExp(TOKEN_PATTERN.source).test(segments[id]!))
    let kind: FaultKind = FAULT_KINDS[dealt++ % FAULT_KINDS.length]!
    const needsToken = kind === 'dropped placeholder' || kind === 'altered URL' || kind === 'altered code'
    if (needsToken && withToken === undefined) kind = 'commentary'
    counts.set(kind, counts.get(kind)! + 1)
    const anyId = ids[Math.floor(random() * ids.length)]!
    const faults: Record<FaultKind, Fault> = {
      'dropped placeholder': {kind: 'drop-placeholder', id: withToken ?? anyId},
      'altered URL': {
        kind: 'placeholder-to-text',
        text: '[enlace](https://example.invalid/altered)',
        id: withToken ?? anyId
      },
      'altered code': {kind: 'placeholder-to-text', text: '`rm -rf /`', id: withToken ?? anyId},
      commentary: {kind: 'commentary', text: 'Here is the translation: ', id: anyId},
      truncation: {kind: 'truncate'}
    }
    return faults[kind]
  }
  return {
    picker,
    count: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byKind: () => counts
  }
}

/** Target files by path relative to `folder`; empty when nothing was written. */
async function readTargets(folder: string): Promise<Map<string, string>> {
  const targets = new Map<string, string>()
  let entries: Dirent[]
  try {
    entries = await readdir(folder, {recursive: true, withFileTypes: true})
  } catch {
    return targets
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.md')) continue
    const file = path.join(entry.parentPath, entry.name)
    targets.set(path.relative(folder, file), await readFile(file, 'utf8'))
  }
  return targets
}
