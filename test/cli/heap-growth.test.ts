/**
 * A sync that parses on the main thread lets V8 grow its heap 3× past what survived a full
 * collection, not 4× (src/cli/heap-growth.ts; issue 19's 400 MB). Seen from outside, in the real
 * CLI's GC trace: `--trace-gc-verbose` prints every new old-generation limit with the factor
 * used, and `--gc-global` makes every collection a full one, so a run of a few notes computes many.
 */
import {spawn} from 'node:child_process'
import {rm} from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {HEAP_GROWING_PERCENT, heapGrowthFlag} from '../../src/cli/heap-growth.js'
import {builtCli} from '../reliability/support/built-cli.js'
import {type TempProject, tempProject} from '../support/project.js'

describe('heapGrowthFlag', () => {
  it('asks for 3× growth unless node was started with a growth of its own', () => {
    expect(HEAP_GROWING_PERCENT).toBe(200)
    expect(heapGrowthFlag([])).toBe('--heap-growing-percent=200')
    expect(heapGrowthFlag(['--enable-source-maps'])).toBe('--heap-growing-percent=200')
    expect(heapGrowthFlag(['--heap-growing-percent=50'])).toBeUndefined()
    expect(heapGrowthFlag(['--heap_growing_percent=50'])).toBeUndefined()
    expect(heapGrowthFlag(['--heap-growing-percent', '50'])).toBeUndefined()
    // A different flag that starts the same way is not the user's growth.
    expect(heapGrowthFlag(['--heap-growing-percentage=50'])).toBe('--heap-growing-percent=200')
  })
})

describe('the heap growth of a real sync', () => {
  let project: TempProject
  let cli: string

  beforeAll(async () => {
    // Nine notes: enough for a worker pool when one is asked for (POOL_MIN_NOTES is 8).
    const files: Record<string, string> = {}
    for (let n = 1; n <= 9; n++)
      files[`notes/n${n}.md`] =
        `---\ntitle: Note ${n}\n---\n\n# Note ${n}\n\nA paragraph with a [link](https://example.com/${n}).\n`
    project = await tempProject(files)
    cli = await builtCli()
  }, 120_000)

  afterAll(() => rm(project.root, {recursive: true, force: true}))

  /** The growth factor of every old-generation limit the main thread's heap computed, in order. */
  async function mainThreadFactors(nodeFlags: string[], script: string[], env: Record<string, string> = {}) {
    await rm(path.join(project.root, 'locales'), {recursive: true, force: true})
    await rm(path.join(project.root, 'notes-l10n.lock'), {force: true})
    const child = spawn(process.execPath, ['--gc-global', '--trace-gc-verbose', ...nodeFlags, ...script], {
      cwd: project.root,
      env: {PATH: process.env.PATH ?? '', NOTES_L10N_WORKERS: '0', ...env},
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    // `[pid:0xisolate] … [GlobalMemoryController] Limit: old size: … KB, new limit: … KB (4.0)`
    const limits = [...stdout.matchAll(/^\[\d+:(0x[0-9a-f]+)\].*GlobalMemoryController\] Limit: .*\((\d+\.\d)\)$/gm)]
    expect(limits.length).toBeGreaterThan(2)
    const main = limits[0]![1]
    expect(stdout).toMatch(/9 notes|n9\.md/)
    return limits.filter((match) => match[1] === main).map((match) => match[2]!)
  }

  const sync = () => [cli, 'sync', '--locale', 'es', '--provider', 'pseudo']

  it('grows the main thread 3× once a sync parses on it (V8 grows 4× before)', async () => {
    const factors = await mainThreadFactors([], sync())
    // Limits computed while the CLI starts, before the sync command runs, are V8's own.
    expect(factors[0]).not.toBe('3.0')
    expect(factors.at(-1)).toBe('3.0')
  }, 60_000)

  it("leaves node's own --heap-growing-percent alone", async () => {
    const factors = await mainThreadFactors(['--heap-growing-percent=50'], sync())
    expect(factors.at(-1)).toBe('1.5')
    expect(factors).not.toContain('3.0')
  }, 60_000)

  it('leaves the growth alone when worker threads parse', async () => {
    const factors = await mainThreadFactors([], [...sync(), '--workers', '1'])
    expect(factors).not.toContain('3.0')
  }, 60_000)

  it('leaves the growth alone when the CLI runs inside another program (main() without ownsProcess)', async () => {
    const main = pathToFileURL(path.join(path.dirname(cli), '../dist/cli/main.js')).href
    const embedded = `const {main} = await import(${JSON.stringify(main)}); process.exitCode = await main(['sync', '--locale', 'es', '--provider', 'pseudo'])`
    const factors = await mainThreadFactors([], ['--input-type=module', '-e', embedded])
    expect(factors).not.toContain('3.0')
  }, 60_000)
})
