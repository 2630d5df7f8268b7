/**
 * Running the CLI (`bin/notes-l10n.js`, which runs `dist/`) as a child process, the way users do,
 * with its wall time and peak RSS.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {CommandFailed, NotMeasured} from './figure.js'

export interface ChildRun {
  code: number
  stdout: string
  stderr: string
  /** From spawn to exit, including Node's start-up (a user pays it too). */
  wallMs: number
  /** Peak RSS of the child, in bytes (0 when the hook could not report it). */
  maxRssBytes: number
  /** CPU time of the child (user + system, all its threads), in ms (0 when the hook could not report it). */
  cpuMs: number
  /** CPU time of the child's main thread alone (Linux only; its worker threads not included). */
  mainCpuMs?: number
}

export interface CliOptions {
  cwd: string
  /** Added to a minimal environment (PATH only): a stray OPENAI_* of the caller must not leak in. */
  env?: Record<string, string>
}

const rssHook = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'rss-hook.js')).href

/**
 * `bin/notes-l10n.js` of the repo, after checking that `dist/` was built.
 *
 * @throws {NotMeasured} when `dist/cli/main.js` is missing.
 */
export function cliEntry(repoRoot: string): string {
  const main = path.join(repoRoot, 'dist/cli/main.js')
  if (!existsSync(main)) throw new NotMeasured(`${main} does not exist — run npm run build first (npm run bench does)`)
  return path.join(repoRoot, 'bin/notes-l10n.js')
}

let sequence = 0

/** Runs the CLI with `args` in `options.cwd`. Never rejects on a non-zero exit: the caller decides. */
export async function runCli(repoRoot: string, args: readonly string[], options: CliOptions): Promise<ChildRun> {
  const rssFile = path.join(tmpdir(), `notes-l10n-bench-rss-${process.pid}-${sequence++}`)
  // NOTES_L10N_WORKERS is passed on: `NOTES_L10N_WORKERS=0 node bench/run.js` measures the main thread alone.
  const workers = process.env.NOTES_L10N_WORKERS
  const env = {
    PATH: process.env.PATH ?? '',
    NO_COLOR: '1',
    ...(workers !== undefined ? {NOTES_L10N_WORKERS: workers} : {}),
    ...options.env,
    NOTES_L10N_BENCH_RSS_FILE: rssFile
  }
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', rssHook, cliEntry(repoRoot), ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)))
  })
  const wallMs = performance.now() - started
  let maxRssBytes = 0
  let cpuMs = 0
  let mainCpuMs: number | undefined
  try {
    const [rss, cpu, main] = (await readFile(rssFile, 'utf8')).split(' ')
    maxRssBytes = Number(rss) || 0
    cpuMs = (Number(cpu) || 0) / 1000
    mainCpuMs = Number(main) >= 0 ? Number(main) / 1000 : undefined
    await rm(rssFile, {force: true})
  } catch {
    // The child died before its exit handler ran: report 0 rather than guess.
  }
  return {code, stdout, stderr, wallMs, maxRssBytes, cpuMs, ...(mainCpuMs !== undefined ? {mainCpuMs} : {})}
}

/**
 * Runs a CLI command that must succeed (exit 0, or one of `okCodes`).
 *
 * @throws {CommandFailed} with the command, exit code and the end of stderr otherwise.
 */
export async function runCliOk(
  repoRoot: string,
  args: readonly string[],
  options: CliOptions,
  okCodes: readonly number[] = [0]
): Promise<ChildRun> {
  const run = await runCli(repoRoot, args, options)
  if (!okCodes.includes(run.code)) {
    const tail = (run.stderr || run.stdout).trim().split('\n').slice(-5).join(' | ')
    throw new CommandFailed(`notes-l10n ${args.join(' ')} exited ${run.code} in ${options.cwd}: ${tail}`)
  }
  return run
}

/** Runs any program (the baselines: `sha256sum`), returning its wall time. */
export async function runProgram(
  command: string,
  args: readonly string[],
  cwd: string,
  input?: string
): Promise<{code: number; wallMs: number; stderr: string}> {
  const started = performance.now()
  const child = spawn(command, args, {cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  if (input !== undefined) child.stdin?.end(input)
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode) => resolve(exitCode ?? 1))
  })
  return {code, wallMs: performance.now() - started, stderr}
}
