/**
 * The GitHub Action (`action.yml`) run offline: each step of the composite is executed with bash
 * the way the runner would (`bash --noprofile --norc -eo pipefail`) — its `env` with the inputs substituted, its working directory — in a
 * temp notes project with a fake GitHub environment (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT,
 * GITHUB_WORKSPACE, RUNNER_TEMP …) and notes-l10n installed as the project's devDependency (the
 * real CLI over the current sources). The test asserts the annotations, the outputs and the summary.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {builtCli} from '../reliability/support/built-cli.js'
import {NOTE} from '../review/note.js'
import {startTestServer, type TestServer} from '../support/openai-server.js'
import {type TempProject, tempProject} from '../support/project.js'
import {repo} from '../support/transpile.js'

interface ActionInput {
  description: string
  default?: string
}
interface Action {
  inputs: Record<string, ActionInput>
  outputs: Record<string, {value: string}>
  runs: {
    using: string
    steps: Array<{id?: string; shell: string; run: string; env?: Record<string, string>; 'working-directory'?: string}>
  }
}

const action = parse(await readFile(path.join(repo, 'action.yml'), 'utf8')) as Action
const canary = 'sk-test-CANARY-action-4e1f0a9b7c'

let server: TestServer
let bin: string
const cleanup: string[] = []

beforeAll(async () => {
  server = await startTestServer()
  bin = await builtCli()
})

afterAll(async () => {
  await server?.close()
  for (const folder of cleanup) await rm(folder, {recursive: true, force: true})
})

/** `${{ inputs.name }}` replaced by the input or its default, as the runner does. */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in action.inputs)) throw new Error(`action.yml uses an undeclared input: ${name}`)
    return inputs[name] ?? action.inputs[name]!.default ?? ''
  })
}

interface StepRun {
  code: number | null
  log: string
  outputs: Record<string, string>
  summary: string
  runnerTemp: string
}

/** Runs every step of the composite in `project` with a fake GitHub environment. */
async function runAction(
  project: TempProject,
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<StepRun> {
  const github = await mkdtemp(path.join(tmpdir(), 'notes-l10n-gh-'))
  cleanup.push(github)
  const files = {
    summary: path.join(github, 'step_summary.md'),
    output: path.join(github, 'output'),
    temp: path.join(github, 'runner-temp')
  }
  await mkdir(files.temp)
  await writeFile(files.summary, '')
  await writeFile(files.output, '')
  let log = ''
  let code: number | null = 0
  for (const step of action.runs.steps) {
    expect(step.shell).toBe('bash')
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [name, substitute(value, inputs)])
    )
    const cwd = path.resolve(project.root, substitute(step['working-directory'] ?? '.', inputs))
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: github,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: project.root,
        GITHUB_ACTION_PATH: repo,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_OUTPUT: files.output,
        GITHUB_EVENT_NAME: 'pull_request',
        RUNNER_TEMP: files.temp,
        ...env,
        ...stepEnv
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()))
    code = await new Promise((resolve) => child.on('close', resolve))
    if (code !== 0) break
  }
  const outputs = Object.fromEntries(
    (await readFile(files.output, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
  return {code, log, outputs, summary: await readFile(files.summary, 'utf8'), runnerTemp: files.temp}
}

/** A notes project with notes-l10n installed as a devDependency would be (node_modules/.bin). */
async function withCli(project: TempProject): Promise<TempProject> {
  await project.write(
    'package.json',
    `${JSON.stringify({name: 'my-notes', private: true, devDependencies: {'notes-l10n': '^0.1.0'}}, null, 2)}\n`
  )
  const shim = path.join(project.root, 'node_modules/.bin/notes-l10n')
  await project.write('node_modules/.bin/notes-l10n', `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`)
  await chmod(shim, 0o755)
  return project
}

async function staleProject(): Promise<TempProject> {
  const project = await withCli(await tempProject({'notes/a.md': NOTE}))
  cleanup.push(project.root)
  await sync({cwd: project.root, locales: ['es', 'fr'], env: {}, providerOverride: createPseudoProvider()})
  await project.write('notes/a.md', NOTE.replace('plain prose about models', 'plain prose about large models'))
  return project
}

describe('action.yml', () => {
  it('is a composite action whose outputs come from its steps and whose steps read inputs only through env', () => {
    expect(action.runs.using).toBe('composite')
    for (const step of action.runs.steps) expect(step.run).not.toMatch(/\$\{\{/)
    const ids = new Set(action.runs.steps.map((step) => step.id))
    for (const output of Object.values(action.outputs))
      expect(ids.has(/steps\.([\w-]+)\./.exec(output.value)?.[1])).toBe(true)
    for (const name of ['command', 'locales', 'provider', 'model', 'base-url', 'version'])
      expect(action.inputs[name]).toBeDefined()
  })

  it('check: annotates the stale segment, fails, and writes per-locale counts and the stale segments to the job summary and outputs', async () => {
    const project = await staleProject()
    const run = await runAction(project, {command: 'check', locales: 'es,fr'})
    expect(run.code).toBe(1)
    expect(run.log).toMatch(
      /^::error file=notes\/a\.md,line=10,title=notes-l10n stale::es: segment \S+ is not translated in locales\/es\/a\.md/m
    )
    expect(run.log).toMatch(/^::error file=notes\/a\.md,line=10,title=notes-l10n stale::fr: /m)
    expect(run.outputs).toEqual({'exit-code': '1', errors: '2', warnings: '0'})
    expect(run.summary).toContain('### notes-l10n check: ❌ 2 errors')
    expect(run.summary).toContain('| es | 1 | 0 | 0 | 1 | 0 | 0 | 0 |')
    expect(run.summary).toContain('| fr | 1 | 0 | 0 | 1 | 0 | 0 | 0 |')
    expect(run.summary).toMatch(
      /^\| notes\/a\.md:10 \| es \| stale \| es: segment \S+ is not translated in locales\/es\/a\.md \(the source changed\) \|$/m
    )
  })

  it('check on a current project: exit 0, a green summary, zero errors', async () => {
    const project = await withCli(await tempProject({'notes/a.md': NOTE}))
    cleanup.push(project.root)
    await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
    const run = await runAction(project, {})
    expect(run.code).toBe(0)
    expect(run.outputs).toEqual({'exit-code': '0', errors: '0', warnings: '0'})
    expect(run.summary).toContain('### notes-l10n check: ✅ all translations current')
    expect(run.summary).toContain('| es | 1 | 1 | 0 | 0 | 0 | 0 | 0 |')
  })

  it('sync: translates through the endpoint given as base-url with the key from env, writes the report outside the checkout, and the summary is green', async () => {
    const project = await staleProject()
    const run = await runAction(
      project,
      {command: 'sync', locales: 'es,fr', 'base-url': server.url, model: 'gpt-4.1-mini'},
      {OPENAI_API_KEY: canary}
    )
    expect(run.code, run.log).toBe(0)
    const report = path.join(run.runnerTemp, 'notes-l10n-report.md')
    expect(run.outputs).toEqual({report, 'exit-code': '0', errors: '0', warnings: '0'})
    const text = await readFile(report, 'utf8')
    expect(text).toMatch(/translated/)
    expect(text).toContain('locales/es/a.md')
    expect(run.summary).toContain('✅ all translations current')
    expect(await project.read('locales/es/a.md')).not.toContain('plain prose about large models')
    expect(server.requests.length).toBeGreaterThan(0)
    // The key reaches the endpoint and nothing else.
    for (const text of [
      run.log,
      run.summary,
      JSON.stringify(run.outputs),
      await readFile(report, 'utf8'),
      await project.read('notes-l10n.lock')
    ])
      expect(text).not.toContain(canary)
  })

  it('without notes-l10n installed, or with an unknown command, it fails with one error annotation saying what to do (exit 2)', async () => {
    const bare = await tempProject({'notes/a.md': NOTE})
    cleanup.push(bare.root)
    const missing = await runAction(bare, {})
    expect(missing.code).toBe(2)
    expect(missing.log).toMatch(
      /^::error title=notes-l10n::notes-l10n is not installed in .*: add it as a devDependency \(npm install --save-dev notes-l10n\)/m
    )
    expect(missing.outputs['exit-code']).toBe('2')

    const project = await staleProject()
    const wrong = await runAction(project, {command: 'translate'})
    expect(wrong.code).toBe(2)
    expect(wrong.log).toContain('::error title=notes-l10n::the command input must be check or sync, not "translate"')
  })
})

describe('the documented workflows', () => {
  const workflows = ['translations-check.yml', 'translations-sync.yml']
  it.each(workflows)('%s uses the action from node_modules after npm ci, with declared inputs only', async (name) => {
    const workflow = parse(await readFile(path.join(repo, 'examples/github-workflows', name), 'utf8')) as {
      jobs: Record<
        string,
        {steps: Array<{uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>}>}
      >
    }
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
    const index = steps.findIndex((step) => step.uses === './node_modules/notes-l10n')
    expect(index).toBeGreaterThan(0)
    expect(steps.slice(0, index).some((step) => step.run === 'npm ci')).toBe(true)
    for (const key of Object.keys(steps[index]!.with ?? {})) expect(Object.keys(action.inputs)).toContain(key)
    if (name.includes('sync')) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      expect(steps[index]!.env).toEqual({OPENAI_API_KEY: '${{ secrets.OPENAI_API_KEY }}'})
      const pr = steps.find((step) => step.uses?.startsWith('peter-evans/create-pull-request@'))
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      expect(pr?.with?.['body-path']).toBe('${{ steps.l10n.outputs.report }}')
    }
  })

  it('the README shows the check workflow, says to add notes-l10n as a devDependency, and the docs show both', async () => {
    const readme = await readFile(path.join(repo, 'README.md'), 'utf8')
    expect(readme).toContain('uses: ./node_modules/notes-l10n')
    expect(readme).toMatch(/npm install --save-dev notes-l10n/)
    const docs = await readFile(path.join(repo, 'docs/github-action.md'), 'utf8')
    for (const name of workflows)
      expect(docs).toContain(await readFile(path.join(repo, 'examples/github-workflows', name), 'utf8'))
    expect(existsSync(path.join(repo, 'action.yml'))).toBe(true)
  })
})
