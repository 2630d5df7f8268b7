/**
 * What a run loads is what it uses (issue 19): the openai SDK, the tokenizer's 2.3 MB rank table
 * and the MDX parser (acorn among its 46 modules) cost start-up time and ~20 MB of memory in
 * every process, so a pseudo sync of plain Markdown must load none of them. A static import
 * added anywhere on the way brings them back; this test sees it, from the real CLI's module loads.
 */
import {readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {builtCli, runCli} from '../reliability/support/built-cli.js'
import {tempProject} from '../support/project.js'

const NEVER_FOR_PSEUDO = [
  '/node_modules/openai/',
  '/node_modules/js-tiktoken/',
  '/node_modules/remark-mdx/',
  '/node_modules/acorn/'
]

describe('modules a run loads', () => {
  let root: string
  let hooks: string
  let log: string
  let cli: string

  beforeAll(async () => {
    const project = await tempProject({
      'notes/a.md': '---\ntitle: A note\n---\n\n# Heading\n\nA paragraph with a [link](https://example.com).\n',
      'notes/b.md': '# B\n\nAnother paragraph.\n'
    })
    root = project.root
    log = path.join(root, 'loaded.txt')
    // A loader hook that appends every module URL it loads to `log` (hooks run on their own thread).
    hooks = path.join(root, 'hooks.mjs')
    await writeFile(
      hooks,
      `import {appendFileSync} from 'node:fs'\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(log)}, url + '\\n')\n  return next(url, context)\n}\n`
    )
    await writeFile(
      path.join(root, 'register.mjs'),
      `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`
    )
    // \`require\` (the tokenizer's CommonJS build is loaded that way) does not pass the hook.
    await writeFile(
      path.join(root, 'trace-require.cjs'),
      `const Module = require('node:module')\nconst {appendFileSync} = require('node:fs')\nconst load = Module._load\nModule._load = function (request, parent, isMain) {\n  const found = load.apply(this, arguments)\n  try { appendFileSync(${JSON.stringify(log)}, 'require:' + Module._resolveFilename(request, parent, isMain) + '\\n') } catch {}\n  return found\n}\n`
    )
    cli = await builtCli()
  }, 120_000)

  afterAll(() => rm(root, {recursive: true, force: true}))

  async function loadedBy(args: string[]): Promise<string[]> {
    await rm(log, {force: true})
    const run = await runCli(cli, args, root, {
      NODE_OPTIONS: `--import ${pathToFileURL(path.join(root, 'register.mjs')).href} --require ${path.join(root, 'trace-require.cjs')}`
    }).exited
    expect(run.stderr).not.toMatch(/Error/)
    expect(run.code).toBe(0)
    return (await readFile(log, 'utf8')).split('\n').filter(Boolean)
  }

  it('a pseudo sync of plain Markdown loads the parser, but not the openai SDK, the tokenizer or the MDX parser', async () => {
    const loaded = await loadedBy(['sync', '--locale', 'es', '--provider', 'pseudo'])
    // The hook saw the run: the Markdown parser was loaded through it.
    expect(loaded.some((url) => url.includes('/node_modules/micromark/'))).toBe(true)
    expect(loaded.filter((url) => NEVER_FOR_PSEUDO.some((name) => url.includes(name)))).toEqual([])
  }, 60_000)

  it('a dry run that estimates the cost loads the tokenizer, and still not the SDK', async () => {
    const loaded = await loadedBy(['sync', '--locale', 'de', '--dry-run'])
    expect(loaded.some((url) => url.includes('/node_modules/js-tiktoken/'))).toBe(true)
    expect(loaded.filter((url) => url.includes('/node_modules/openai/'))).toEqual([])
  }, 60_000)
})
