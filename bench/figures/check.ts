/**
 * Figure 3: `check` cold (stat cache dropped) and warm (second run) on 10,000 notes × 9 locales,
 * next to `sha256sum` of the same files in the same run.
 *
 * The tree is built once: the sources, one `sync --provider pseudo` to `es`, then the `es` targets
 * and lock entries copied to the eight other locales with the project's own lock code, each with
 * its own locale's recorded config fingerprint and output path (a real
 * nine-locale sync would spend minutes of the bench's ten re-doing the same work). `check` sees
 * ten thousand sources, ninety thousand targets and a lock of ninety thousand entries, as it
 * would after a real sync.
 */
import {mkdir, readdir, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {runCli, runCliOk, runProgram} from '../child.js'
import {readCorpus} from '../corpus.js'
import type {Figure} from '../figure.js'
import {NotMeasured, runsWithin} from '../figure.js'
import {proseBlocks, writeConfig, writeNoteTree} from '../generate.js'
import {loadLock, recordedFor} from '../lock.js'
import {ratios, summarise} from '../stats.js'
import {copyFolder, freshFolder} from '../tree.js'
import {BLOCKS_PER_NOTE, syncedTreeKey} from './scale.js'

const LOCALES = ['es', 'de', 'fr', 'it', 'ja', 'ko', 'pt', 'ru', 'zh'] as const
/** This figure's share of the bench's ten minutes. */
const BUDGET_SECONDS = 110

export const checkSpeed: Figure = {
  id: 3,
  title: 'check, cold and warm',
  goal: 'warm < sha256sum of the same files; cold ≤ 2× sha256sum',
  async run(context) {
    const notes = context.quick ? 1000 : 10000
    const root = path.join(context.workRoot, 'tree')
    const setupStarted = performance.now()
    const handed = context.handoff.get(syncedTreeKey(notes))
    if (handed) {
      // Figure 2 ended with this very tree synced to es: take it instead of syncing it again.
      await rm(root, {recursive: true, force: true})
      await mkdir(path.dirname(root), {recursive: true})
      await rename(handed, root)
      context.handoff.delete(syncedTreeKey(notes))
    } else {
      await freshFolder(root)
      const blocks = proseBlocks(await readCorpus(context.corpusRoot))
      await writeNoteTree(root, blocks, {notes, blocksPerNote: BLOCKS_PER_NOTE, locales: ['es']})
      await runCliOk(context.repoRoot, ['sync', '--locale', 'es', '--provider', 'pseudo'], {cwd: root})
    }
    const lock = await loadLock(context.repoRoot, root)
    const notesInLock = [...lock.entries()].map(([note]) => note)
    if (notesInLock.length !== notes)
      throw new NotMeasured(`after sync the lock holds ${notesInLock.length} entries for ${notes} notes`)
    await writeConfig(root, LOCALES)
    const recorded = await recordedFor(context.repoRoot, root, 'es')
    for (const locale of LOCALES.slice(1)) {
      await copyFolder(path.join(root, 'locales/es'), path.join(root, 'locales', locale))
      for (const note of notesInLock) {
        const entry = lock.get(note, 'es') as {output?: string}
        lock.set(note, locale, {...entry, ...recorded(locale, entry)})
      }
    }
    await lock.save(root)
    const files = [...(await listFiles(root, 'notes')), ...(await listFiles(root, 'locales'))]
    context.log(
      `tree: ${notes} notes × ${LOCALES.length} locales (${files.length} files) built in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`
    )

    const checkArgs = ['check', '--format', 'json']
    const first = await runCli(context.repoRoot, checkArgs, {cwd: root})
    if (first.code !== 0)
      throw new NotMeasured(
        `check on the generated tree exited ${first.code} (expected 0, all current): ${first.stdout.slice(0, 300)}${first.stderr.slice(0, 300)}`
      )

    const cold: number[] = []
    const warm: number[] = []
    const hashing: number[] = []
    const fileList = files.join('\0')
    let runs = context.runs
    for (let run = 0; run < runs; run++) {
      const runStarted = performance.now()
      const hash = async () => {
        const result = await runProgram('xargs', ['-0', 'sha256sum'], root, fileList)
        if (result.code !== 0)
          throw new NotMeasured(`sha256sum failed (exit ${result.code}): ${result.stderr.slice(0, 200)}`)
        hashing.push(result.wallMs / 1000)
      }
      if (run % 2 === 0) await hash()
      await freshFolder(path.join(root, '.notes-l10n'))
      cold.push((await runCliOk(context.repoRoot, checkArgs, {cwd: root})).wallMs / 1000)
      warm.push((await runCliOk(context.repoRoot, checkArgs, {cwd: root})).wallMs / 1000)
      if (run % 2 === 1) await hash()
      if (run === 0) runs = runsWithin(context, (performance.now() - runStarted) / 1000, BUDGET_SECONDS)
      context.log(
        `run ${run + 1}/${runs}: sha256sum ${hashing.at(-1)!.toFixed(2)} s, cold ${cold.at(-1)!.toFixed(2)} s, warm ${warm.at(-1)!.toFixed(2)} s`
      )
    }

    const warmRatio = summarise(ratios(warm, hashing))
    const coldRatio = summarise(ratios(cold, hashing))
    return {
      runs,
      headlines: [
        {label: 'warm check ÷ sha256sum', value: warmRatio, goal: '< 1×', met: warmRatio.median < 1},
        {label: 'cold check ÷ sha256sum', value: coldRatio, goal: '≤ 2×', met: coldRatio.median <= 2}
      ],
      rows: [
        {label: 'files', value: `${files.length} (${notes} sources + ${notes} × ${LOCALES.length} targets)`},
        {label: 'sha256sum (xargs -0 sha256sum, same files)', value: summarise(hashing), unit: 's'},
        {label: 'check, cold (.notes-l10n/ removed)', value: summarise(cold), unit: 's'},
        {label: 'check, warm (second run)', value: summarise(warm), unit: 's'}
      ],
      notes: [
        `Tree: ${notes} generated notes synced to es with --provider pseudo (${handed ? "figure 2's last 10k tree, taken over as it was left" : 'synced here'}); the es targets and their lock entries copied to ${LOCALES.slice(1).join(', ')} with the project's Lockfile, each with its own locale's config fingerprint and output path (so every target is current and check takes its no-parse path).`,
        `Runs: ${runs} of ${context.runs} requested${runs < context.runs ? ` — one run (sha256sum + cold + warm) took longer than ${BUDGET_SECONDS} s ÷ ${context.runs}, so fewer runs fit this figure's share of the 10-minute budget` : ''}.`,
        'check runs as a CLI process (Node start-up included) with --format json; sha256sum gets the file list on stdin through xargs. Both read from a warm page cache.'
      ]
    }
  }
}

/** Files under `root/folder`, relative to `root`, sorted. */
async function listFiles(root: string, folder: string): Promise<string[]> {
  const entries = await readdir(path.join(root, folder), {recursive: true, withFileTypes: true})
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort()
}
