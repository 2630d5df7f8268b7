/**
 * The sources as plain JavaScript, for child processes: the crash, kill and two-process tests
 * need a real second process, and Node 20 cannot run TypeScript. They are transpiled once per test
 * file into a temp folder that keeps the `src/` layout, so their `.js` imports resolve as they do
 * in the build.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtemp, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {repo, transpileSources} from '../../support/transpile.js'

let compiled: Promise<string> | undefined

/** A folder holding `src/**.js` and `package.json` with `"type": "module"`. */
export function compiledState(): Promise<string> {
  compiled ??= compile()
  return compiled
}

async function compile(): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'notes-l10n-state-js-'))
  await writeFile(path.join(out, 'package.json'), '{"type":"module"}\n')
  // The state modules' own dependencies (the lock's line numbers come from vfile-location).
  await symlink(path.join(repo, 'node_modules'), path.join(out, 'node_modules'), 'dir')
  await transpileSources(path.join(out, 'src'))
  return out
}

export interface Child {
  process: ChildProcess
  /** Everything the child printed on stdout so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the first stdout line that contains `text`. */
  line(text: string): Promise<string>
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

/**
 * Runs `code` (an ES module whose imports are relative to the compiled folder, e.g.
 * `./src/state/journal.js`) in a child Node process with `args`.
 */
export async function runChild(code: string, args: readonly string[] = []): Promise<Child> {
  const out = await compiledState()
  const file = path.join(out, `child-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`)
  await writeFile(file, code)
  const child = spawn(process.execPath, [file, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  const waiters: Array<{text: string; resolve: (line: string) => void}> = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const waiter of [...waiters]) {
      const line = stdout.split('\n').find((candidate) => candidate.includes(waiter.text))
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(line)
      }
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
    child.on('exit', (code, signal) => resolve({code, signal}))
  })
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    line: (text) => {
      const found = stdout.split('\n').find((candidate) => candidate.includes(text))
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        waiters.push({text, resolve})
        void exited.then(({code, signal}) =>
          reject(new Error(`child exited (${code ?? signal}) before printing "${text}": ${stderr}`))
        )
      })
    },
    exited
  }
}
