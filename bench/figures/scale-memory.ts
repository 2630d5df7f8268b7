/**
 * Figure 7 (issue 19): the whole CLI against a bare parse, peak RSS against corpus size, requests
 * packed across notes, and provider-bound wall time — on Markdown nobody here wrote that ships
 * with the repo's dependencies (`node_modules/*\/README.md`), so it runs without `../shared`.
 * Duplicates sent once, within a run and across runs, are figure 9 (`memory.ts`).
 *
 * Each quantity is measured once (the machine is shared and the bench must stay short); every
 * figure is a ratio against a baseline of the same run.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import remarkFrontmatter from 'remark-frontmatter'
import remarkGfm from 'remark-gfm'
import remarkMath from 'remark-math'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import {runCliOk} from '../child.js'
import type {Figure, Headline, Row} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {chatRequests, startServer, syncThroughServer} from '../server.js'
import {summarise} from '../stats.js'
import {freshFolder} from '../tree.js'

const LATENCY_MS = 300
const CONCURRENCY = 8
const MB = 1024 * 1024

/** A Markdown file of a corpus built from `node_modules`: its name there, and its text. */
export interface SourceFile {
  name: string
  text: string
}

/**
 * The repository's `node_modules`, where the corpora of figures 7, 9 and 10 come from.
 *
 * @throws {NotMeasured} when it is missing.
 */
export function nodeModulesOf(repoRoot: string): string {
  const modules = path.join(repoRoot, 'node_modules')
  if (!existsSync(modules)) throw new NotMeasured('node_modules is missing: run npm ci')
  return modules
}

/** Every `node_modules/<pkg>/README.md` (and scoped packages), sorted, as a corpus. */
export function readmeCorpus(repoRoot: string): SourceFile[] {
  const modules = nodeModulesOf(repoRoot)
  const files: SourceFile[] = []
  const add = (folder: string, name: string) => {
    const file = path.join(modules, folder, 'README.md')
    if (existsSync(file)) files.push({name: `${name}.md`, text: readFileSync(file, 'utf8')})
  }
  for (const entry of readdirSync(modules).sort()) {
    if (entry.startsWith('.')) continue
    if (entry.startsWith('@'))
      for (const inner of readdirSync(path.join(modules, entry)).sort())
        add(path.join(entry, inner), `${entry.slice(1)}-${inner}`)
    else add(entry, entry)
  }
  if (files.length < 20) throw new NotMeasured(`only ${files.length} READMEs under node_modules: too few for a corpus`)
  return files
}

/**
 * Copy `k` of the corpus: lowercase ASCII letters rotated by `k`, so copies are distinct text
 * (no copy is a duplicate the translation memory would skip) with the same Markdown shape.
 */
function replica(text: string, k: number): string {
  if (k === 0) return text
  return text.replace(/[a-z]/g, (letter) => String.fromCharCode(((letter.charCodeAt(0) - 97 + k) % 26) + 97))
}

export async function writeTree(root: string, files: ReadonlyArray<SourceFile>): Promise<number> {
  await freshFolder(root)
  let bytes = 0
  for (const file of files) {
    const target = path.join(root, 'notes', file.name)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, file.text)
    bytes += Buffer.byteLength(file.text)
  }
  return bytes
}

function replicated(corpus: readonly SourceFile[], copies: number): SourceFile[] {
  return Array.from({length: copies}, (_, k) =>
    corpus.map((file) => ({name: `copy-${k + 1}/${file.name}`, text: replica(file.text, k)}))
  ).flat()
}

/** Prose paragraphs of the READMEs (one line, letters, no markup to speak of): material for generated notes. */
export function paragraphs(corpus: readonly SourceFile[]): string[] {
  const found = new Set<string>()
  for (const file of corpus) {
    for (const block of file.text.split(/\n{2,}/)) {
      const line = block.trim()
      if (
        line.length >= 60 &&
        line.length <= 300 &&
        !line.includes('\n') &&
        !/https?:|www\./.test(line) &&
        /^[A-Z][^<>|#\][`*_\\]*[.!]$/.test(line)
      )
        found.add(line)
    }
  }
  return [...found]
}

export const scaleMemory: Figure = {
  id: 7,
  title: 'Whole-CLI throughput, memory and packing (node_modules READMEs)',
  goal: 'CLI ≥ 0.6× bare parse; 4× corpus ≤ 1.2× RSS; 20 edits ≤ 2 requests; provider-bound ≤ 1.15× ideal',
  corpusFree: true,
  async run(context) {
    const corpus = readmeCorpus(context.repoRoot)
    const headlines: Headline[] = []
    const rows: Row[] = []
    const one = (value: number) => summarise([value])

    // 1. Peak RSS at 1×, 2×, 4× of the corpus; the 4× wall time against a bare parse of the same files.
    const sizes = context.quick ? [1, 2] : [1, 2, 4]
    const rss: number[] = []
    let biggest = {bytes: 0, wallMs: 0, files: [] as SourceFile[]}
    for (const copies of sizes) {
      const files = replicated(corpus, copies)
      const root = path.join(context.workRoot, `readmes-${copies}x`)
      const bytes = await writeTree(root, files)
      const run = await runCliOk(
        context.repoRoot,
        ['sync', '--locale', 'es', '--provider', 'pseudo'],
        {cwd: root},
        [0, 1]
      )
      rss.push(run.maxRssBytes / MB)
      context.log(
        `${copies}×: ${files.length} notes, ${(bytes / MB).toFixed(2)} MB, pseudo sync ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.maxRssBytes / MB).toFixed(0)} MB`
      )
      rows.push({
        label: `pseudo sync of ${copies}× (${files.length} notes, ${(bytes / MB).toFixed(2)} MB): wall`,
        value: one(run.wallMs / 1000),
        unit: 's'
      })
      rows.push({label: `pseudo sync of ${copies}×: peak RSS`, value: one(run.maxRssBytes / MB), unit: 'MB', digits: 0})
      biggest = {bytes, wallMs: run.wallMs, files}
    }
    const processor = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter).use(remarkMath)
    for (const file of corpus) processor.parse(file.text)
    const parseStarted = performance.now()
    for (const file of biggest.files) processor.parse(file.text)
    const parseMs = performance.now() - parseStarted
    rows.push({
      label: `bare remark-parse + gfm + frontmatter + math of the same ${sizes.at(-1)}× files, 1 thread`,
      value: one(parseMs / 1000),
      unit: 's'
    })
    const cli = parseMs / biggest.wallMs
    headlines.push({
      label: `whole-CLI pseudo sync ÷ bare parse (${sizes.at(-1)}×, throughput)`,
      value: one(cli),
      goal: '≥ 0.6×',
      met: cli >= 0.6
    })
    const growth = rss.at(-1)! / rss[0]!
    headlines.push({
      label: `peak RSS ${sizes.at(-1)}× ÷ 1× corpus`,
      value: one(growth),
      goal: '≤ 1.2×',
      met: growth <= 1.2
    })

    // 2. 20 one-paragraph edits in 20 notes. (Duplicate segments, within a run and across runs, are figure 9.)
    const pool = paragraphs(corpus).slice(0, 30)
    if (pool.length < 10) throw new NotMeasured(`only ${pool.length} prose paragraphs found in the READMEs`)
    const editRoot = path.join(context.workRoot, 'edits')
    const editFiles = Array.from({length: 20}, (_, n) => ({
      name: `note-${n + 1}.md`,
      text: `# Note ${n + 1}\n\n${pool[n % pool.length]!}\n\nParagraph ${n + 1} before the edit.\n\n${pool[(n + 5) % pool.length]!}\n`
    }))
    await writeTree(editRoot, editFiles)
    let server = await startServer({})
    try {
      await syncThroughServer(context.repoRoot, editRoot, server)
      const before = chatRequests(server).length
      for (const file of editFiles) {
        const target = path.join(editRoot, 'notes', file.name)
        await writeFile(target, (await readFile(target, 'utf8')).replace('before the edit.', 'after a small edit.'))
      }
      await syncThroughServer(context.repoRoot, editRoot, server)
      const requests = chatRequests(server).length - before
      headlines.push({
        label: '20 one-paragraph edits in 20 notes: requests',
        value: one(requests),
        goal: '≤ 2',
        met: requests <= 2,
        digits: 0
      })
    } finally {
      await server.close()
    }

    // 3. Provider-bound: the 2× tree (distinct copies) through the server at 300 ms a request.
    const boundRoot = path.join(context.workRoot, 'provider-bound')
    await writeTree(boundRoot, replicated(corpus, 2))
    server = await startServer({latencyMs: LATENCY_MS})
    try {
      const run = await syncThroughServer(context.repoRoot, boundRoot, server, ['--concurrency', String(CONCURRENCY)])
      const count = chatRequests(server).length
      const ideal = Math.ceil(count / CONCURRENCY) * (LATENCY_MS / 1000)
      const ratio = run.wallMs / 1000 / ideal
      rows.push({
        label: `provider-bound (2× READMEs, ${LATENCY_MS} ms a request, --concurrency ${CONCURRENCY}): requests / wall / ideal`,
        value: `${count} / ${(run.wallMs / 1000).toFixed(2)} s / ${ideal.toFixed(2)} s`
      })
      headlines.push({
        label: 'provider-bound wall ÷ ideal ceil(requests ÷ 8) × 0.3 s',
        value: one(ratio),
        goal: '≤ 1.15×',
        met: ratio <= 1.15
      })
    } finally {
      await server.close()
    }

    return {
      runs: 1,
      headlines,
      rows,
      notes: [
        `Corpus: the ${corpus.length} READMEs under node_modules (${(corpus.reduce((sum, file) => sum + Buffer.byteLength(file.text), 0) / MB).toFixed(2)} MB); copy k of a replicated corpus has its lowercase letters rotated by k, so copies are distinct text of the same shape.`,
        'Each quantity is measured once (issue 19 asks for one short run on a loaded machine): read them as ratios of one run, not medians.',
        'The whole-CLI figure includes Node start-up, discovery, the lock and writing every target; the bare parse is in-process and warmed up.',
        'The provider-bound ideal is ceil(requests ÷ 8) × 0.3 s; the wall includes start-up and parsing before the first request.'
      ]
    }
  }
}
