/**
 * `writeFileAtomic` with a per-run set of verified folders: each folder is checked once per run,
 * and a folder that is not in the set is still checked (and a symlink still refused).
 */

import {mkdir, mkdtemp, readFile, rm, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {writeFileAtomic} from '../../src/io/write.js'

let root: string
let outside: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nl10n-verified-'))
  outside = await mkdtemp(path.join(tmpdir(), 'nl10n-outside-'))
})

afterEach(async () => {
  await rm(root, {recursive: true, force: true})
  await rm(outside, {recursive: true, force: true})
})

describe('verified folders', () => {
  it('records every folder it created or checked, from the root down', async () => {
    const verified = new Set<string>()
    await writeFileAtomic(path.join(root, 'locales/es/g1/a.md'), 'uno\n', {root, verified})
    expect([...verified]).toEqual(['locales', 'locales/es', 'locales/es/g1'].map((folder) => path.join(root, folder)))
    await writeFileAtomic(path.join(root, 'locales/es/g2/b.md'), 'dos\n', {root, verified})
    expect(verified.has(path.join(root, 'locales/es/g2'))).toBe(true)
    expect(await readFile(path.join(root, 'locales/es/g2/b.md'), 'utf8')).toBe('dos\n')
  })

  it("does not check a verified folder again within the run (the set is the run's word for it)", async () => {
    const verified = new Set<string>()
    await writeFileAtomic(path.join(root, 'locales/es/a.md'), 'uno\n', {root, verified})
    // Swapped for a link behind the run's back: only a fresh check (a new run) would see it.
    await rm(path.join(root, 'locales/es'), {recursive: true})
    await symlink(outside, path.join(root, 'locales/es'))
    await writeFileAtomic(path.join(root, 'locales/es/b.md'), 'dos\n', {root, verified})
    expect(await readFile(path.join(outside, 'b.md'), 'utf8')).toBe('dos\n')
  })

  it('still refuses a symlinked folder that is not in the set', async () => {
    await mkdir(path.join(root, 'locales'))
    await symlink(outside, path.join(root, 'locales/es'))
    const verified = new Set([path.join(root, 'locales')])
    await expect(writeFileAtomic(path.join(root, 'locales/es/a.md'), 'x', {root, verified})).rejects.toThrow(
      /its folder locales\/es is a symbolic link/
    )
    expect(verified.has(path.join(root, 'locales/es'))).toBe(false)
  })
})
