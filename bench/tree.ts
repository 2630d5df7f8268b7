/**
 * Work trees: a project folder per figure under `bench/work/`, reset between runs so that every
 * run starts from the same state.
 */
import {cp, mkdir, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {CorpusFile} from './corpus.js'

/** Everything a `sync` leaves behind: targets, the lock, the journal and caches. */
const RUN_STATE = ['locales', 'notes-l10n.lock', '.notes-l10n'] as const

/** Removes what a previous run wrote, keeping the sources and the config. */
export async function resetRunState(root: string): Promise<void> {
  for (const entry of RUN_STATE) await rm(path.join(root, entry), {recursive: true, force: true})
}

/** A fresh, empty project folder at `root`. */
export async function freshFolder(root: string): Promise<void> {
  await rm(root, {recursive: true, force: true})
  await mkdir(root, {recursive: true})
}

/**
 * A project whose sources are the corpus: `notes/notes/*.md` and `notes/readmes/*.md` (zero-config
 * layout: targets go to `locales/<locale>/notes/…`).
 */
export async function corpusProject(root: string, corpus: readonly CorpusFile[]): Promise<void> {
  await freshFolder(root)
  for (const file of corpus) {
    const target = path.join(root, 'notes', file.name)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, file.bytes)
  }
}

/** Copies a folder (targets of one locale into another). */
export async function copyFolder(from: string, to: string): Promise<void> {
  await cp(from, to, {recursive: true})
}
