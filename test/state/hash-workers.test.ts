/**
 * The hash workers run from their own source text: these tests hold their hash equal to
 * `contentHash` and their failures to what the caller expects.
 */
import {mkdir, mkdtemp, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, expect, test} from 'vitest'
import {contentHash} from '../../src/io/hash.js'
import {checkFiles, Found, STRIDE} from '../../src/state/hash-workers.js'

let root: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-hash-workers-'))
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

test('each file: contentHash of its bytes and its stats; a missing file and a folder are told apart', async () => {
  const large = 'Ünïcödé and a long line. '.repeat(8000) // past the worker's first 64 KB buffer
  const texts: Record<string, string> = {'a.md': '# A\n', 'empty.md': '', 'large.md': large}
  for (const [name, text] of Object.entries(texts)) await writeFile(path.join(root, name), text)
  await mkdir(path.join(root, 'folder'))
  const locations = [...Object.keys(texts), 'missing.md', 'folder'].map((name) => path.join(root, name))

  for (const threads of [1, 3]) {
    const {found, hashes} = await checkFiles(locations, threads)
    const codes = locations.map((_, index) => found[index * STRIDE])
    expect(codes).toEqual([Found.read, Found.read, Found.read, Found.missing, Found.failed])
    expect(hashes.slice(0, 3)).toEqual(Object.values(texts).map((text) => contentHash(text)))
    const stats = await stat(path.join(root, 'large.md'))
    expect([...found.subarray(2 * STRIDE + 1, 3 * STRIDE)]).toEqual([stats.size, stats.mtimeMs, stats.ino])
  }
})
