/**
 * The real `bin/notes-l10n.js` over the current sources, for tests that kill a child process.
 *
 * `bin/` loads `../dist/cli/main.js`. Rather than run `npm run build` into the shared `dist/`
 * (other work in progress would land there), every `src/**.ts` is transpiled (no type check,
 * milliseconds each) into a temp package laid out like the published one: `bin/`, `dist/`, and
 * `node_modules` linked to the project's.
 */
import {spawn} from 'node:child_process'
import {copyFile, mkdir, mkdtemp, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {repo, transpileSources} from '../../support/transpile.js'

let built: Promise<string> | undefined

/** Path of a runnable `bin/notes-l10n.js` (built once per test file). */
export function builtCli(): Promise<string> {
  built ??= build()
  return built
}

async function build(): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'notes-l10n-built-'))
  // The package's own manifest, as published: `"type": "module"`, and the version `--version` reads.
  await copyFile(path.join(repo, 'package.json'), path.join(out, 'package.json'))
  await symlink(path.join(repo, 'node_modules'), path.join(out, 'node_modules'), 'dir')
  await mkdir(path.join(out, 'bin'))
  await copyFile(path.join(repo, 'bin/notes-l10n.js'), path.join(out, 'bin/notes-l10n.js'))
  await transpileSources(path.join(out, 'dist'))
  return path.join(out, 'bin/notes-l10n.js')
}

export interface CliChild {
  /** Resolves when the child exits. */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>
  kill(signal: NodeJS.Signals): void
}

/** Run the built CLI in `cwd` with exactly `env` (plus PATH). */
export function runCli(bin: string, args: readonly string[], cwd: string, env: Record<string, string>): CliChild {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: {PATH: process.env.PATH ?? '', ...env},
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return {
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}))),
    kill: (signal) => child.kill(signal)
  }
}
