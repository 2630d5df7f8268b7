/**
 * Figure 2: `sync --provider pseudo` on 1k, 5k and 10k generated notes, one locale: wall time and
 * peak RSS of the CLI process. The ratio 10k/1k is taken within each run.
 */
import path from 'node:path'
import {runCliOk} from '../child.js'
import {readCorpus} from '../corpus.js'
import type {Figure} from '../figure.js'
import {NotMeasured, runsWithin} from '../figure.js'
import {proseBlocks, writeNoteTree} from '../generate.js'
import {ratios, summarise} from '../stats.js'
import {freshFolder, resetRunState} from '../tree.js'

const MiB = 2 ** 20
/** Small notes (title + 3 real prose blocks): the figure is about per-note cost and memory growth. */
export const BLOCKS_PER_NOTE = 3
const RATIO_GOAL = 11
const RSS_GOAL_MB = 400
/**
 * This figure's share of the bench's ten minutes: the largest, since one run is 16,000 note syncs
 * (~55 s on a 2-core machine at load 2), and the others together take ~270 s.
 */
const BUDGET_SECONDS = 300

/** The {@link BenchContext.handoff} key of the synced tree of `notes` notes left for figure 3. */
export const syncedTreeKey = (notes: number) => `synced-tree-${notes}`

export const scale: Figure = {
  id: 2,
  title: 'Scale of sync (pseudo provider)',
  goal: `time(10k notes) ÷ time(1k notes) ≤ ${RATIO_GOAL}×, peak RSS at 10k ≤ ${RSS_GOAL_MB} MB`,
  async run(context) {
    const sizes = context.quick ? [100, 500, 1000] : [1000, 5000, 10000]
    const blocks = proseBlocks(await readCorpus(context.corpusRoot))
    if (blocks.length < 20)
      throw new NotMeasured(`the corpus gave only ${blocks.length} prose blocks to build notes from`)

    const trees: Array<{size: number; root: string; bytes: number}> = []
    for (const size of sizes) {
      const root = path.join(context.workRoot, `notes-${size}`)
      await freshFolder(root)
      trees.push({size, root, bytes: await writeNoteTree(root, blocks, {notes: size, blocksPerNote: BLOCKS_PER_NOTE})})
    }

    const seconds = new Map<number, number[]>(sizes.map((size) => [size, []]))
    const rss = new Map<number, number[]>(sizes.map((size) => [size, []]))
    const failed = new Map<number, number>(sizes.map((size) => [size, 0]))
    let runs = context.runs
    for (let run = 0; run < runs; run++) {
      const runStarted = performance.now()
      // Rotate the order: the machine's slow spells must not always fall on the same size.
      for (let step = 0; step < trees.length; step++) {
        const tree = trees[(run + step) % trees.length]!
        await resetRunState(tree.root)
        // Exit 1 (some notes failed) still measures the run; the failures are reported beside it.
        const result = await runCliOk(
          context.repoRoot,
          ['sync', '--locale', 'es', '--provider', 'pseudo'],
          {cwd: tree.root},
          [0, 1]
        )
        failed.set(tree.size, failed.get(tree.size)! + failedNotes(result.stdout + result.stderr, result.code))
        seconds.get(tree.size)!.push(result.wallMs / 1000)
        rss.get(tree.size)!.push(result.maxRssBytes / MiB)
      }
      if (run === 0) runs = runsWithin(context, (performance.now() - runStarted) / 1000, BUDGET_SECONDS)
      context.log(
        `run ${run + 1}/${runs}: ${sizes.map((size) => `${size} notes ${seconds.get(size)!.at(-1)!.toFixed(1)} s / ${rss.get(size)!.at(-1)!.toFixed(0)} MB`).join(', ')}`
      )
    }

    // Every tree is left synced; the largest is what figure 3 needs.
    context.handoff.set(syncedTreeKey(sizes.at(-1)!), trees.at(-1)!.root)

    const small = sizes[0]!
    const large = sizes.at(-1)!
    const ratio = summarise(ratios(seconds.get(large)!, seconds.get(small)!))
    const peak = summarise(rss.get(large)!)
    const expected = large / small
    return {
      runs,
      headlines: [
        {
          label: `time ${large} ÷ ${small} notes`,
          value: ratio,
          goal: `≤ ${RATIO_GOAL}× (linear: ${expected}×)`,
          met: ratio.median <= RATIO_GOAL,
          digits: 2
        },
        {
          label: `peak RSS at ${large} notes (MB)`,
          value: peak,
          goal: `≤ ${RSS_GOAL_MB} MB`,
          met: peak.median <= RSS_GOAL_MB,
          digits: 0
        }
      ],
      rows: trees.flatMap((tree) => [
        {
          label: `${tree.size} notes (${(tree.bytes / 1e6).toFixed(1)} MB of source): wall time`,
          value: summarise(seconds.get(tree.size)!),
          unit: 's',
          digits: 2
        },
        {
          label: `${tree.size} notes: notes per second`,
          value: summarise(seconds.get(tree.size)!.map((value) => tree.size / value)),
          digits: 0
        },
        {label: `${tree.size} notes: peak RSS`, value: summarise(rss.get(tree.size)!), unit: 'MB', digits: 0},
        ...(failed.get(tree.size)! > 0
          ? [
              {
                label: `${tree.size} notes: notes that failed to sync (all runs; should be 0)`,
                value: failed.get(tree.size)!
              }
            ]
          : [])
      ]),
      notes: [
        `Generated notes: front-matter title + ${BLOCKS_PER_NOTE} prose blocks (headings, paragraphs, lists) drawn from the corpus with a seeded generator, 100 notes per folder.`,
        `Runs: ${runs} of ${context.runs} requested${runs < context.runs ? ` — one run of the three sizes took longer than ${BUDGET_SECONDS} s ÷ ${context.runs}, so fewer runs fit this figure's share of the 10-minute budget (node bench/run.js --only 2 --no-budget does all ${context.runs})` : ''}.`,
        "Each run starts from sources only (locales/, the lock and .notes-l10n/ removed); wall time is the whole CLI process, Node start-up included; peak RSS is the child's own getrusage maxRSS."
      ]
    }
  }
}

/**
 * Failed notes from sync's closing line (`sync: 98 written, 0 up to date, 2 failed, …`); when the
 * line is missing, any exit 1 counts as one failure so that it is never silently dropped.
 */
function failedNotes(output: string, code: number): number {
  const match = /(\d+) failed/.exec(output.split('\n').findLast((line) => line.startsWith('sync:')) ?? '')
  return match ? Number(match[1]) : code === 0 ? 0 : 1
}
