import type {Command} from 'commander'
import type {CommandContext} from '../context.js'
import {Option} from 'commander'
import path from 'node:path'
import {sync, type SyncResult} from '../../commands/sync.js'
import {writeFileAtomic} from '../../pipeline/write.js'
import {debugLogWarning} from '../../providers/openai.js'
import {UserError} from '../../types.js'
import {locales, onInterrupt, positiveInteger} from '../options.js'
import {formatSyncLine, formatSyncReportMarkdown, formatSyncSummary} from '../report.js'

/** Registers `notes-l10n sync`. */
export function registerSync(program: Command, {out, cwd, env, setExit}: CommandContext): void {
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
