/**
 * The command line: flags in, results out. The only place that prints and sets exit codes.
 *
 * Exit codes: 0 success; 1 findings (check) or some notes failed (sync); 2 usage, config or input
 * error; 3 internal error (a bug: please report it); 130 interrupted.
 */
import {Command, CommanderError} from 'commander'
import {registerSecret} from '../redact.js'
import {UserError} from '../types.js'
import {registerAccept} from './commands/accept.js'
import {registerBatch} from './commands/batch.js'
import {registerCheck} from './commands/check.js'
import {registerDiff} from './commands/diff.js'
import {registerExport} from './commands/export.js'
import {registerGlossary} from './commands/glossary.js'
import {registerImport} from './commands/import.js'
import {registerInit} from './commands/init.js'
import {registerLock} from './commands/lock.js'
import {registerStatus} from './commands/status.js'
import {registerSync} from './commands/sync.js'
import type {CommandContext} from './context.js'
import {SLOW_GROWTH_FROM_BYTES} from './heap-growth.js'
import {createOutput, type Output} from './output.js'
import {packageVersion} from './version.js'

/** One registration a command, in the order `--help` lists them. */
const commands: Array<(program: Command, context: CommandContext) => void> = [
  registerSync,
  registerBatch,
  registerCheck,
  registerStatus,
  registerDiff,
  registerExport,
  registerImport,
  registerAccept,
  registerGlossary,
  registerInit,
  registerLock
]

export interface MainOptions {
  cwd?: string
  env?: Readonly<Record<string, string | undefined>>
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  isTTY?: boolean
  /**
   * The CLI runs as its own process (bin/notes-l10n.js), not inside another program or a test: it
   * may tune process-wide settings (V8's heap growth, src/cli/heap-growth.ts).
   */
  ownsProcess?: boolean
  /** With `ownsProcess`: the heap size from which its growth is slowed (default `SLOW_GROWTH_FROM_BYTES`). */
  heapGrowthFromBytes?: number
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env
  // Every file written from here on is redacted, and translations holding the key are rejected.
  registerSecret(env.OPENAI_API_KEY)
  const out = createOutput({
    stdout: options.stdout ?? writerOf(process.stdout),
    stderr: options.stderr ?? writerOf(process.stderr),
    // Defence in depth: nothing we print may contain the key, whatever a library put in a message.
    secrets: [env.OPENAI_API_KEY].filter((value): value is string => Boolean(value && value.length >= 8)),
    color: (options.isTTY ?? Boolean(process.stdout.isTTY)) && !env.NO_COLOR
  })
  const cwd = options.cwd ?? process.cwd()
  let exitCode = 0
  const setExit = (code: number) => {
    exitCode = code
  }
  const program = buildProgram(
    out,
    cwd,
    env,
    setExit,
    options.isTTY ?? Boolean(process.stderr.isTTY),
    options.ownsProcess ? (options.heapGrowthFromBytes ?? SLOW_GROWTH_FROM_BYTES) : undefined
  )

  try {
    await program.parseAsync([...argv], {from: 'user'})
    return exitCode
  } catch (error) {
    return report(error, out, env)
  }
}

/**
 * Writes to a standard stream that may be closed under us (`sync | head -1`): the first error
 * (EPIPE) makes every later write a no-op, so the run goes on to save every note, the lock and
 * the journal, and ends quietly instead of dying on an unhandled 'error' event with a stack trace.
 */
function writerOf(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false
  stream.on('error', () => {
    closed = true
  })
  return (text) => {
    if (!closed && !stream.destroyed) stream.write(text)
  }
}

function buildProgram(
  out: Output,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  setExit: (code: number) => void,
  isTTY: boolean,
  slowHeapGrowthFrom: number | undefined
): Command {
  const program = new Command('notes-l10n')
    .description('Translate Markdown notes into other languages, keep them in sync, and check them in CI.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({writeOut: (text) => out.stdout(text), writeErr: (text) => out.stderr(text)})
    .showHelpAfterError('(run notes-l10n --help for usage)')
    .addHelpText(
      'after',
      `
Zero-config layout: sources notes/**/*.md → locales/<locale>/<path>; glossary.json when present;
source locale from front-matter "lang", else en. A notes-l10n.config.json changes all of it.

Examples:
  notes-l10n sync --locale es --provider pseudo     try the pipeline offline
  OPENAI_API_KEY=… notes-l10n sync --locale es,zh     translate with OpenAI (or OPENAI_BASE_URL=…)
  notes-l10n check --format github                   fail CI on missing, stale or broken translations
  notes-l10n status                                  how far each locale is`
    )

  const context: CommandContext = {out, cwd, env, setExit, isTTY, slowHeapGrowthFrom}
  for (const register of commands) register(program, context)
  return program
}

function report(error: unknown, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  if (error instanceof CommanderError) {
    // Commander already printed help/version/usage errors.
    return error.exitCode === 0 ? 0 : 2
  }
  if (error instanceof UserError) {
    out.error(error.message)
    return error.exitCode
  }
  const message = error instanceof Error ? error.message : String(error)
  out.error(
    `internal error: ${message} — this is a bug in notes-l10n; please report it${env.NOTES_L10N_DEBUG ? '' : ' (set NOTES_L10N_DEBUG=1 for a stack trace)'}`
  )
  if (env.NOTES_L10N_DEBUG && error instanceof Error && error.stack) out.stderr(`${error.stack}\n`)
  return 3
}
