/**
 * The command line: flags in, results out. The only place that prints and sets exit codes.
 *
 * Exit codes: 0 success; 1 findings (check) or some notes failed (sync); 2 usage, config or input
 * error; 3 internal error (a bug: please report it); 130 interrupted.
 */
import path from 'node:path'
import {Command, CommanderError, InvalidArgumentError, Option} from 'commander'
import {check} from '../commands/check.js'
import {diff} from '../commands/diff.js'
import {initProject} from '../config/load.js'
import {glossaryCheckCommand} from '../commands/glossary-check.js'
import {status} from '../commands/status.js'
import {sync, type SyncResult} from '../commands/sync.js'
import {writeFileAtomic} from '../pipeline/write.js'
import {debugLogWarning} from '../providers/openai.js'
import {UserError} from '../types.js'
import {createOutput, type Output} from './output.js'
import {formatCheck, formatDiff, formatStatus, formatSyncLine, formatSyncReportMarkdown, formatSyncSummary} from './report.js'

export interface MainOptions {
  cwd?: string
  env?: Readonly<Record<string, string | undefined>>
  stdout?: (text: string) => void
  stderr?: (text: string) => void
  isTTY?: boolean
}

const version = '0.1.0'

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env
  const out = createOutput({
    stdout: options.stdout ?? ((text) => process.stdout.write(text)),
    stderr: options.stderr ?? ((text) => process.stderr.write(text)),
    // Defence in depth: nothing we print may contain the key, whatever a library put in a message.
    secrets: [env.OPENAI_API_KEY].filter((value): value is string => Boolean(value && value.length >= 8)),
    color: (options.isTTY ?? Boolean(process.stdout.isTTY)) && !env.NO_COLOR
  })
  const cwd = options.cwd ?? process.cwd()
  let exitCode = 0
  const program = buildProgram(out, cwd, env, (code) => {
    exitCode = code
  })

  try {
    await program.parseAsync([...argv], {from: 'user'})
    return exitCode
  } catch (error) {
    return report(error, out, env)
  }
}

function buildProgram(out: Output, cwd: string, env: Readonly<Record<string, string | undefined>>, setExit: (code: number) => void): Command {
  const program = new Command('notes-l10n')
    .description('Translate Markdown notes into other languages, keep them in sync, and check them in CI.')
    .version(version)
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

  const locales = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)]

  program
    .command('sync')
    .description('create and update translations: only new or changed segments are sent; human edits are kept')
    .argument('[paths...]', 'source notes or folders to sync (default: all sources)')
    .option('-l, --locale <locales>', 'target locale(s), comma-separated or repeated (default: the config\'s locales)', locales)
    .addOption(new Option('-p, --provider <name>', 'translation provider').choices(['openai', 'pseudo']))
    .option('-m, --model <model>', 'model name (default: config, else gpt-4.1-mini)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, else OpenAI)')
    .option('-c, --concurrency <n>', 'requests in flight at once (default 8)', positiveInteger)
    .option('-n, --dry-run', 'show what would be translated and written, without calling the provider or writing')
    .option('--force', 're-translate human translations whose source changed (needs review) and targets that cannot be aligned')
    .option('--retranslate', 're-translate everything the tool wrote (e.g. after changing model); human edits are kept')
    .option('--strict-glossary', 'treat glossary violations as errors (the segment is not written)')
    .option('--config <file>', 'config file (default: notes-l10n.config.json in this folder or a parent)')
    .option('--json', 'print the result as JSON')
    .option('--report <file>', 'write what the run did per segment to a .md or .json file (for pull requests)')
    .addHelpText(
      'after',
      `
The API key is read from OPENAI_API_KEY only (never from flags or config files).
Exit codes: 0 all written or up to date; 1 some notes failed or were left untouched; 2 usage, config or input error; 130 interrupted.`
    )
    .action(async (paths: string[], flags: SyncFlags) => {
      const warning = debugLogWarning(env)
      if (warning) out.warn(warning)
      // Refuse a bad report name before paying for anything.
      if (flags.report && !/\.(md|json)$/.test(flags.report)) throw new UserError(`--report ${flags.report}: expected a file name ending in .md or .json`)
      const controller = new AbortController()
      const stop = onInterrupt(controller, out)
      try {
        const result = await sync({
          cwd,
          paths,
          locales: flags.locale,
          configPath: flags.config,
          provider: {name: flags.provider, model: flags.model, baseURL: flags.baseUrl, concurrency: flags.concurrency},
          dryRun: flags.dryRun,
          force: flags.force,
          retranslate: flags.retranslate,
          strictGlossary: flags.strictGlossary,
          env,
          signal: controller.signal,
          onNote: flags.json ? undefined : (note) => out.stdout(formatSyncLine(note, out) + '\n')
        })
        if (flags.report) await writeReport(cwd, flags.report, result)
        if (flags.json) out.stdout(JSON.stringify(result, null, 2) + '\n')
        else out.stdout(formatSyncSummary(result, out) + '\n')
        const failed = result.problems.length > 0 || result.notes.some((note) => note.status === 'failed' || note.status === 'untouched')
        setExit(result.interrupted ? 130 : failed ? 1 : 0)
      } finally {
        stop()
      }
    })

  program
    .command('check')
    .description('offline, for CI: fail on missing, stale, needs-review or broken translations (no key, no network)')
    .argument('[paths...]', 'source notes or folders to check (default: all sources)')
    .option('-l, --locale <locales>', 'locale(s) to check (default: all configured)', locales)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .option('--strict-glossary', 'report glossary violations as errors')
    .option('--config <file>', 'config file')
    .addHelpText('after', '\nExit codes: 0 clean; 1 findings; 2 usage or config error.\nWith --format github, each finding is a workflow annotation on the source line of the stale segment.')
    .action(async (paths: string[], flags: CheckFlags) => {
      const result = await check({cwd, paths, locales: flags.locale, configPath: flags.config, strictGlossary: flags.strictGlossary})
      out.stdout(formatCheck(result, flags.format, out))
      setExit(result.findings.some((finding) => finding.severity === 'error') ? 1 : 0)
    })

  program
    .command('status')
    .description('per-locale progress: translated, stale, needs review, missing')
    .argument('[paths...]', 'source notes or folders (default: all sources)')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--json', 'print as JSON')
    .option('--config <file>', 'config file')
    .action(async (paths: string[], flags: {locale?: string[]; json?: boolean; config?: string}) => {
      const result = await status({cwd, paths, locales: flags.locale, configPath: flags.config})
      out.stdout(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatStatus(result))
    })

  program
    .command('diff')
    .description('segment by segment: what the next sync would change, or what changed since a git revision')
    .argument('[paths...]', 'source notes or folders (default: all sources)')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--base <rev>', 'compare the working tree with this git revision (e.g. HEAD, main)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--config <file>', 'config file')
    .addHelpText('after', '\nText output marks removed words [-like this-] and added words {+like this+} (coloured on a terminal; NO_COLOR turns colour off).\nJSON output is described in docs/review.md.')
    .action(async (paths: string[], flags: {locale?: string[]; base?: string; format: 'text' | 'json'; config?: string}) => {
      const result = await diff({cwd, paths, locales: flags.locale, configPath: flags.config, base: flags.base})
      out.stdout(flags.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : formatDiff(result, out, out.color))
    })

  const glossary = program.command('glossary').description('glossary tools')
  glossary
    .command('check')
    .description('offline: report glossary violations in existing translations (file:line), exit 1 when any')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--strict', 'report violations as errors')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .option('--config <file>', 'config file')
    .action(async (flags: {locale?: string[]; strict?: boolean; format: 'text' | 'json' | 'github'; config?: string}) => {
      const result = await glossaryCheckCommand({cwd, locales: flags.locale, configPath: flags.config, strict: flags.strict})
      out.stdout(formatCheck(result, flags.format, out))
      setExit(result.findings.length > 0 ? 1 : 0)
    })

  program
    .command('init')
    .description('write a starting notes-l10n.config.json and glossary.json, detecting an existing layout')
    .option('--force', 'overwrite existing files')
    .action(async (flags: {force?: boolean}) => {
      const result = await initProject(cwd, {force: flags.force})
      out.stdout(`${result.detected}\n${result.written.map((file) => `wrote ${file}`).join('\n')}\n`)
    })

  return program
}

async function writeReport(cwd: string, file: string, result: SyncResult): Promise<void> {
  const target = path.resolve(cwd, file)
  await writeFileAtomic(target, file.endsWith('.json') ? JSON.stringify(result, null, 2) + '\n' : formatSyncReportMarkdown(result))
}

interface SyncFlags {
  report?: string
  locale?: string[]
  provider?: string
  model?: string
  baseUrl?: string
  concurrency?: number
  dryRun?: boolean
  force?: boolean
  retranslate?: boolean
  strictGlossary?: boolean
  config?: string
  json?: boolean
}

interface CheckFlags {
  locale?: string[]
  format: 'text' | 'json' | 'github'
  strictGlossary?: boolean
  config?: string
}

function positiveInteger(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, received "${value}"`)
  return number
}

/** First Ctrl-C: stop starting work, abort requests, keep what is done. Second: leave at once. */
function onInterrupt(controller: AbortController, out: Output): () => void {
  const handler = () => {
    if (controller.signal.aborted) process.exit(130)
    out.warn('interrupted: aborting requests in flight; finished notes are kept (Ctrl-C again to quit at once)')
    controller.abort()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
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
  out.error(`internal error: ${message} — this is a bug in notes-l10n; please report it${env.NOTES_L10N_DEBUG ? '' : ' (set NOTES_L10N_DEBUG=1 for a stack trace)'}`)
  if (env.NOTES_L10N_DEBUG && error instanceof Error && error.stack) out.stderr(error.stack + '\n')
  return 3
}
