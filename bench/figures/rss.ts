/**
 * Figure 10 (issue 19): peak RSS of a whole `sync --provider pseudo` against corpus size, on an
 * 18 MB corpus of Markdown nobody here wrote — every `*.md` that ships with the repo's
 * dependencies (`node_modules/**`: READMEs, changelogs of link-heavy release notes, API docs),
 * replicated to 4.5, 9 and 18 MB — and on the longest note `sync` accepts (50,000 lines, ~1 MB),
 * and a note of one million lines (refused in one line by the bound in `src/pipeline/read.ts`).
 *
 * Runs without `../shared`. Each quantity is measured once (the machine is shared and the bench
 * must stay short); the figure is a ratio of one run against the 1× run of the same bench run,
 * and the peak at 4× against the issue's 400 MB.
 */
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {type ChildRun, runCliOk} from '../child.js'
import type {Figure, Headline, Row} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {summarise} from '../stats.js'
import {freshFolder} from '../tree.js'
import {nodeModulesOf, type SourceFile} from './scale-memory.js'

const MiB = 1024 * 1024
/** The issue's corpus: 1,046 real documentation pages, 18 MB. */
const CORPUS_BYTES = 18 * MiB
const RSS_GOAL_MB = 400
const GROWTH_GOAL = 1.2
/** `MAX_LINES` of `src/pipeline/read.ts`: the longest note sync parses. */
const MAX_LINES = 50_000

/**
 * Every Markdown file under `node_modules` (recursively, sorted by path), each distinct text once;
 * license texts left out (legal boilerplate, not notes).
 */
export function markdownCorpus(repoRoot: string): SourceFile[] {
  const modules = nodeModulesOf(repoRoot)
  const files: SourceFile[] = []
  const seen = new Set<string>()
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, {withFileTypes: true}).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile() && /\.md$/i.test(entry.name) && !/^licen[cs]e/i.test(entry.name)) {
        const text = readFileSync(full, 'utf8')
        const digest = createHash('sha256').update(text).digest('hex')
        if (text.trim().length === 0 || seen.has(digest)) continue
        seen.add(digest)
        files.push({
          name: path
            .relative(modules, full)
            .replace(/[/\\@]+/g, '-')
            .replace(/^-/, ''),
          text
        })
      }
    }
  }
  walk(modules)
  if (files.length < 50) throw new NotMeasured(`only ${files.length} Markdown files under node_modules: too few`)
  return files
}

/**
 * Copy `k` of a text: lowercase ASCII letters rotated by `k`, so copies are distinct text (no copy
 * is a duplicate the translation memory would skip) with the same Markdown shape.
 */
function rotated(text: string, k: number): string {
  if (k % 26 === 0) return text
  return text.replace(/[a-z]/g, (letter) => String.fromCharCode(((letter.charCodeAt(0) - 97 + k) % 26) + 97))
}

/** Whole files of the corpus, copy after copy, until `bytes` are reached. */
function replicated(corpus: readonly SourceFile[], bytes: number): {files: SourceFile[]; bytes: number} {
  const files: SourceFile[] = []
  let total = 0
  for (let copy = 0; total < bytes; copy++) {
    for (const file of corpus) {
      if (total >= bytes) break
      const text = rotated(file.text, copy)
      files.push({name: `copy-${copy + 1}/${file.name}`, text})
      total += Buffer.byteLength(text)
    }
  }
  return {files, bytes: total}
}

/**
 * A note of at most `MAX_LINES - 1` lines of real prose: the corpus's prose paragraphs (copies with letters
 * rotated when one pass is not enough) hard-wrapped at 20 columns, as some editors write, a blank
 * line between paragraphs. A word that would start a line as Markdown syntax (`-`, `#`, `1.`, `>`,
 * `<`…) stays on the line before, so the wrapping changes no structure.
 */
export function longNote(corpus: readonly SourceFile[]): string {
  const risky = /^(?:[-+*#>=|<`~_]|\d+[.)]|\[)/
  const paragraphs: string[] = []
  for (const file of corpus) {
    for (const block of file.text.split(/\n{2,}/)) {
      const lines = block.split('\n')
      if (!/^[A-Z]/.test(lines[0]!) || lines.some((line) => /^\s*(?:[-*+#>|<`~]|\d+[.)]|\s{4}|\t)/.test(line))) continue
      paragraphs.push(lines.join(' '))
    }
  }
  if (paragraphs.length < 100) throw new NotMeasured(`only ${paragraphs.length} prose paragraphs in node_modules`)
  const lines: string[] = []
  for (let copy = 0; ; copy++) {
    for (const paragraph of paragraphs) {
      const wrapped: string[] = []
      for (const word of rotated(paragraph, copy).split(/\s+/)) {
        if (word === '') continue
        const last = wrapped.at(-1)
        if (last !== undefined && (last.length + 1 + word.length <= 20 || risky.test(word)))
          wrapped[wrapped.length - 1] = `${last} ${word}`
        else wrapped.push(word)
      }
      if (lines.length + wrapped.length + 1 > MAX_LINES - 1) return `${lines.join('\n')}\n`
      lines.push(...wrapped, '')
    }
  }
}

async function writeProject(root: string, files: readonly SourceFile[]): Promise<void> {
  await freshFolder(root)
  for (const file of files) {
    const target = path.join(root, 'notes', file.name)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, file.text)
  }
}

async function pseudoSync(repoRoot: string, root: string): Promise<ChildRun> {
  // Exit 1: a note or two of the rotated copies fail a validator on pseudo text; the run goes on.
  return runCliOk(repoRoot, ['sync', '--locale', 'es', '--provider', 'pseudo'], {cwd: root}, [0, 1])
}

export const peakMemory: Figure = {
  id: 10,
  title: 'Peak RSS of a whole pseudo sync: 18 MB of real Markdown at 1×/2×/4×, and the longest notes',
  goal: `peak RSS 4× ÷ 1× ≤ ${GROWTH_GOAL}×, ≤ ${RSS_GOAL_MB} MB on 18 MB`,
  corpusFree: true,
  async run(context) {
    const corpus = markdownCorpus(context.repoRoot)
    const corpusBytes = corpus.reduce((sum, file) => sum + Buffer.byteLength(file.text), 0)
    const headlines: Headline[] = []
    const rows: Row[] = []
    const one = (value: number) => summarise([value])
    const total = context.quick ? 2 * MiB : CORPUS_BYTES
    const sizes = context.quick ? [1, 4] : [1, 2, 4]

    const rss = new Map<number, number>()
    for (const size of sizes) {
      const {files, bytes} = replicated(corpus, (total * size) / 4)
      const root = path.join(context.workRoot, `markdown-${size}x`)
      await writeProject(root, files)
      const run = await pseudoSync(context.repoRoot, root)
      rss.set(size, run.maxRssBytes / MiB)
      context.log(
        `${size}×: ${files.length} notes, ${(bytes / MiB).toFixed(1)} MB: ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${(run.maxRssBytes / MiB).toFixed(0)} MB`
      )
      rows.push({
        label: `pseudo sync of ${size}× (${files.length} notes, ${(bytes / MiB).toFixed(1)} MB): wall`,
        value: one(run.wallMs / 1000),
        unit: 's'
      })
      rows.push({label: `pseudo sync of ${size}×: peak RSS`, value: one(run.maxRssBytes / MiB), unit: 'MB', digits: 0})
      await freshFolder(root)
    }
    const largest = sizes.at(-1)!
    const growth = rss.get(largest)! / rss.get(1)!
    headlines.push({
      label: `peak RSS ${largest}× ÷ 1× corpus`,
      value: one(growth),
      goal: `≤ ${GROWTH_GOAL}×`,
      met: growth <= GROWTH_GOAL
    })
    headlines.push({
      label: `peak RSS of the ${(total / MiB).toFixed(0)} MB corpus (MB)`,
      value: one(rss.get(largest)!),
      goal: `≤ ${RSS_GOAL_MB} MB`,
      met: rss.get(largest)! <= RSS_GOAL_MB,
      digits: 0
    })

    // The longest note sync parses, and one a million lines long (refused before any parse).
    const long = longNote(corpus)
    const longLines = long.split('\n').length - 1
    const million = `${'\n'.repeat(999_999)}x\n`
    for (const [name, text, label] of [
      [
        'long',
        long,
        `one note of ${longLines.toLocaleString('en')} lines of prose (${(Buffer.byteLength(long) / MiB).toFixed(2)} MB)`
      ],
      ['million', million, 'one note of 1,000,000 lines (1 MB; refused: more than 50,000 lines)']
    ] as const) {
      const root = path.join(context.workRoot, `lines-${name}`)
      await writeProject(root, [{name: 'long.md', text}])
      const run = await pseudoSync(context.repoRoot, root)
      context.log(`${label}: ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${(run.maxRssBytes / MiB).toFixed(0)} MB`)
      rows.push({label: `${label}: wall`, value: one(run.wallMs / 1000), unit: 's'})
      rows.push({label: `${label}: peak RSS`, value: one(run.maxRssBytes / MiB), unit: 'MB', digits: 0})
      if (name === 'long')
        headlines.push({
          label: `peak RSS of the ${longLines.toLocaleString('en')}-line note (MB)`,
          value: one(run.maxRssBytes / MiB),
          goal: `≤ ${RSS_GOAL_MB} MB`,
          met: run.maxRssBytes / MiB <= RSS_GOAL_MB,
          digits: 0
        })
      await freshFolder(root)
    }

    return {
      runs: 1,
      headlines,
      rows,
      notes: [
        `Corpus: the ${corpus.length} distinct Markdown files under node_modules (${(corpusBytes / MiB).toFixed(2)} MB, license texts left out), copied with lowercase letters rotated by the copy's number until 4.5, 9 and 18 MB (the issue's corpus is 18 MB of real documentation pages); notes are whole files.`,
        "Peak RSS is the child process's own getrusage maxRSS; each quantity is measured once (issue 19 asks for one short run on a loaded machine).",
        `The long note is the corpus's prose paragraphs hard-wrapped at 20 columns, ${longLines.toLocaleString('en')} lines (notes over ${MAX_LINES.toLocaleString('en')} lines are refused in one line: micromark alone takes ~1.9 GB and ~30 s for a million lines).`
      ]
    }
  }
}
