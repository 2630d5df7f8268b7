/**
 * A large sync that parses on the main thread lets V8 grow its heap 3× past what survived a full
 * collection, not 4× (src/cli/heap-growth.ts; issue 19's 400 MB); a small one keeps V8's growth.
 * Seen from outside, in a real process's GC trace: `--trace-gc-verbose` prints every new
 * old-generation limit with the factor used, and `--gc-global` makes every collection a full one,
 * so a run of a few notes computes many. "Large" is lowered to 0 bytes through `main()`'s options
 * (the threshold is all that differs from bin/notes-l10n.js).
 */
import {spawn} from 'node:child_process'
import {rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {HEAP_GROWING_PERCENT, heapGrowthFlag, SLOW_GROWTH_FROM_BYTES} from '../../src/cli/heap-growth.js'
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
  async function mainThreadFactors(nodeFlags: string[], script: string[]) {
    await rm(path.join(project.root, 'locales'), {recursive: true, force: true})
    await rm(path.join(project.root, 'notes-l10n.lock'), {force: true})
    const child = spawn(process.execPath, ['--gc-global', '--trace-gc-verbose', ...nodeFlags, ...script], {
      cwd: project.root,
      env: {PATH: process.env.PATH ?? '', NOTES_L10N_WORKERS: '0'},
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

  const args = "['sync', '--locale', 'es', '--provider', 'pseudo']"
  /**
   * A script that runs the built CLI's `main` with these options, as bin/notes-l10n.js does (a
   * file, not `-e`: worker threads inherit the process's `execArgv`).
   */
  let scripts = 0
  const embedded = async (options: string, extra = '') => {
    const main = pathToFileURL(path.join(path.dirname(cli), '../dist/cli/main.js')).href
    const script = path.join(project.root, `embedded-${++scripts}.mjs`)
    await writeFile(
      script,
      `const {main} = await import(${JSON.stringify(main)})\nprocess.exitCode = await main([...${args}${extra}], ${options})\n`
    )
    return [script]
  }
  const large = '{ownsProcess: true, heapGrowthFromBytes: 0}'

  it('grows the main thread 3× once a large sync parses on it (V8 grows 4× before)', async () => {
    const factors = await mainThreadFactors([], await embedded(large))
    // Limits computed while the CLI starts, before the sync command runs, are V8's own.
    expect(factors[0]).not.toBe('3.0')
    expect(factors.at(-1)).toBe('3.0')
  }, 60_000)

  it(`leaves a small sync alone: the real CLI on nine notes never reaches ${SLOW_GROWTH_FROM_BYTES / 2 ** 20} MB of heap`, async () => {
    const factors = await mainThreadFactors([], [cli, 'sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(factors).not.toContain('3.0')
  }, 60_000)

  it("leaves node's own --heap-growing-percent alone", async () => {
    const factors = await mainThreadFactors(['--heap-growing-percent=50'], await embedded(large))
    expect(factors.at(-1)).toBe('1.5')
    expect(factors).not.toContain('3.0')
  }, 60_000)

  it('leaves the growth alone when worker threads parse', async () => {
    const factors = await mainThreadFactors([], await embedded(large, ", '--workers', '1'"))
    expect(factors).not.toContain('3.0')
  }, 60_000)

  it('leaves the growth alone when the CLI runs inside another program (main() without ownsProcess)', async () => {
    const factors = await mainThreadFactors([], await embedded('{heapGrowthFromBytes: 0}'))
    expect(factors).not.toContain('3.0')
  }, 60_000)
})
