/**
 * Figure 9 (issue 19): duplicate segments, within a run and across runs (`src/sync/memory.ts`).
 * A duplicate-heavy project synced in two runs: within the first the packer sends each distinct
 * segment once; in the second the duplicates arrive later, as release notes do, and only the
 * memory keeps them from being paid again. Also the "fix a typo everywhere" edit: the same paragraph edited the
 * same way in 20 notes. Material: prose paragraphs of the READMEs under `node_modules`.
 */
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {Figure, Headline, Row} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {chatRequests, requestSegments, startServer, syncThroughServer} from '../server.js'
import {summarise} from '../stats.js'
import {paragraphs, readmeCorpus, writeTree} from './scale-memory.js'

/** The blocks of a generated note, as the segments it will have (headings without `# `). */
const blocks = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((block) => block.trim().replace(/^# /, ''))
    .filter(Boolean)

export const translationMemory: Figure = {
  id: 9,
  title: 'Translation memory: duplicates across runs, one typo fixed in 20 notes',
  goal: 'segments sent ÷ distinct segments = 1 over all runs; the same edit in 20 notes sends 1 segment',
  corpusFree: true,
  async run(context) {
    const pool = paragraphs(readmeCorpus(context.repoRoot)).slice(0, 30)
    if (pool.length < 10) throw new NotMeasured(`only ${pool.length} prose paragraphs found in the READMEs`)
    const headlines: Headline[] = []
    const rows: Row[] = []
    const one = (value: number) => summarise([value])
    const sentBy = (requests: ReturnType<typeof chatRequests>) =>
      requests.flatMap((request) => Object.values(requestSegments(request))).length

    // 1. Release notes arriving in two runs: 20 notes, then 20 more, 7 paragraphs each from a pool of 30.
    const root = path.join(context.workRoot, 'duplicates-across-runs')
    const note = (n: number) => ({
      name: `release-${n + 1}.md`,
      text:
        `# Release ${n + 1}\n\n` +
        Array.from({length: 6}, (_, p) => pool[(n * 7 + p * 11) % pool.length]!).join('\n\n') +
        `\n\n${pool[n % pool.length]!}\n`
    })
    const first = Array.from({length: 20}, (_, n) => note(n))
    const second = Array.from({length: 20}, (_, n) => note(n + 20))
    await writeTree(root, first)
    let server = await startServer({})
    try {
      await syncThroughServer(context.repoRoot, root, server)
      const sentFirst = sentBy(chatRequests(server))
      for (const file of second) await writeFile(path.join(root, 'notes', file.name), file.text)
      const before = chatRequests(server).length
      await syncThroughServer(context.repoRoot, root, server)
      const sentSecond = sentBy(chatRequests(server).slice(before))
      const seen = new Set(first.flatMap((file) => blocks(file.text)))
      const secondBlocks = second.flatMap((file) => blocks(file.text))
      const newDistinct = new Set(secondBlocks.filter((block) => !seen.has(block))).size
      const distinct = new Set([...seen, ...secondBlocks]).size
      rows.push({
        label: 'first run (20 notes): segment occurrences / distinct / sent',
        value: `${first.flatMap((file) => blocks(file.text)).length} / ${seen.size} / ${sentFirst}`
      })
      rows.push({
        label:
          'second run (20 more notes): occurrences / distinct (what it sends without the memory) / new distinct / sent',
        value: `${secondBlocks.length} / ${new Set(secondBlocks).size} / ${newDistinct} / ${sentSecond}`
      })
      const ratio = (sentFirst + sentSecond) / distinct
      headlines.push({
        label: `duplicates across two runs: segments sent ÷ distinct segments (${sentFirst + sentSecond} ÷ ${distinct})`,
        value: one(ratio),
        goal: '= 1',
        met: ratio <= 1
      })
    } finally {
      await server.close()
    }

    // 2. One typo fixed everywhere: a boilerplate paragraph in 20 notes, edited the same way in each.
    const editRoot = path.join(context.workRoot, 'typo-everywhere')
    const boilerplate = pool[0]!
    const edited = `${boilerplate.slice(0, -1)}, as before.`
    const editFiles = Array.from({length: 20}, (_, n) => ({
      name: `note-${n + 1}.md`,
      text: `# Note ${n + 1}\n\n${pool[(n % (pool.length - 1)) + 1]!}\n\n${boilerplate}\n`
    }))
    await writeTree(editRoot, editFiles)
    server = await startServer({})
    try {
      await syncThroughServer(context.repoRoot, editRoot, server)
      const before = chatRequests(server).length
      for (const file of editFiles) {
        const target = path.join(editRoot, 'notes', file.name)
        await writeFile(target, (await readFile(target, 'utf8')).replace(boilerplate, edited))
      }
      await syncThroughServer(context.repoRoot, editRoot, server)
      const requests = chatRequests(server).slice(before)
      const sent = sentBy(requests)
      rows.push({label: 'the same edit in 20 notes: requests / segments sent', value: `${requests.length} / ${sent}`})
      headlines.push({
        label: 'the same one-paragraph edit in 20 notes: segments sent',
        value: one(sent),
        goal: '= 1',
        met: sent <= 1,
        digits: 0
      })
    } finally {
      await server.close()
    }

    return {
      runs: 1,
      headlines,
      rows,
      notes: [
        'Each quantity is measured once: counts of segments and requests do not vary between runs.',
        'Without the translation memory the second run sends each of its distinct segments, the ones translated in the first run again (measured with the memory switched off on 2026-12-07: 100 ÷ 70 = 1.43); 20 one-paragraph edits in different notes are packed into few requests (figure 7).'
      ]
    }
  }
}
