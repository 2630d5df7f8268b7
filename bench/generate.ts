/**
 * Generated note trees for the scale and `check` figures: many small notes made of real prose
 * blocks from the corpus (headings, paragraphs, lists), so the parser sees real text while the
 * tree reaches 10,000 notes.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {CorpusFile} from './corpus.js'

/** Blocks kept as building material: real prose, bounded so that notes stay small. */
const MIN_BLOCK = 40
const MAX_BLOCK = 360

/**
 * The prose blocks of the corpus: blank-line separated blocks outside fenced code and
 * front-matter that start like a heading, a list or a paragraph, without tables or raw HTML
 * (those would make a generated note's structure depend on its neighbours).
 */
export function proseBlocks(corpus: readonly CorpusFile[]): string[] {
  const decoder = new TextDecoder()
  const blocks: string[] = []
  for (const file of corpus) {
    const text = decoder
      .decode(file.bytes)
      .replace(/\r\n?/g, '\n')
      .replace(/^---\n[\s\S]*?\n---\n/, '')
    let inFence = false
    let current: string[] = []
    const flush = () => {
      const block = current.join('\n').trim()
      current = []
      if (
        block.length >= MIN_BLOCK &&
        block.length <= MAX_BLOCK &&
        /^(#{1,4} |[-*] |\d+\. |\p{L})/u.test(block) &&
        !/[|<>`]|^\s{4}|\[\^/mu.test(block)
      )
        blocks.push(block)
    }
    for (const line of text.split('\n')) {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence
        current = []
        continue
      }
      if (inFence) continue
      if (line.trim() === '') flush()
      else current.push(line)
    }
    flush()
  }
  return blocks
}

/**
 * Note `index` of a generated tree: a title in front-matter and `blocksPerNote` blocks picked
 * deterministically (the same index always gives the same note).
 */
export function generatedNote(blocks: readonly string[], index: number, blocksPerNote: number): string {
  const random = seededRandom(index + 1)
  const body: string[] = []
  for (let block = 0; block < blocksPerNote; block++) body.push(blocks[Math.floor(random() * blocks.length)]!)
  return `---\ntitle: "Generated note ${index}"\n---\n\n${body.join('\n\n')}\n`
}

export interface TreeOptions {
  notes: number
  blocksPerNote: number
  /** Target locales written to `notes-l10n.config.json`; none: zero-config (`--locale` on the CLI). */
  locales?: readonly string[]
}

/**
 * Writes `notes/g<bucket>/n<index>.md` under `root` (100 notes per folder, like a real blog tree)
 * and, when locales are given, the config. Returns the bytes of source written.
 */
export async function writeNoteTree(root: string, blocks: readonly string[], options: TreeOptions): Promise<number> {
  let bytes = 0
  const folders = new Set<string>()
  for (let index = 0; index < options.notes; index++) {
    const file = path.join(
      root,
      'notes',
      `g${String(Math.floor(index / 100)).padStart(3, '0')}`,
      `n${String(index).padStart(5, '0')}.md`
    )
    const folder = path.dirname(file)
    if (!folders.has(folder)) {
      await mkdir(folder, {recursive: true})
      folders.add(folder)
    }
    const text = generatedNote(blocks, index, options.blocksPerNote)
    bytes += Buffer.byteLength(text)
    await writeFile(file, text)
  }
  if (options.locales) await writeConfig(root, options.locales)
  return bytes
}

/** `notes-l10n.config.json` with the target locales (the only setting the bench needs). */
export async function writeConfig(root: string, locales: readonly string[]): Promise<void> {
  await writeFile(path.join(root, 'notes-l10n.config.json'), `${JSON.stringify({locales}, null, 2)}\n`)
}

/**
 * A small seeded PRNG (xorshift32) giving floats in [0, 1): generated trees and fault schedules
 * must be the same in every run and on every machine, which `Math.random` cannot promise.
 */
export function seededRandom(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4294967296
  }
}
