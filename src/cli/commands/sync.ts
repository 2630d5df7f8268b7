import path from 'node:path'
import type {Command} from 'commander'
import {InvalidArgumentError, Option} from 'commander'
import type {SyncResult} from '../../commands/sync.js'
import {UserError} from '../../types.js'
import type {CommandContext} from '../context.js'
import {slowHeapGrowthWhenLarge} from '../heap-growth.js'
import {locales, onInterrupt, positiveInteger} from '../options.js'
import type {LiveProgress} from '../progress.js'

/** Registers `notes-l10n sync`. */
export function registerSync(
  program: Command,
  {out, cwd, env, setExit, isTTY, slowHeapGrowthFrom}: CommandContext
): void {
  program
    .command('sync')
    .description('create and update translations: only new or changed segments are sent; human edits are kept')
    .argument('[paths...]', 'source notes or folders to sync (default: all sources)')
    .option(
      '-l, --locale <locales>',
      "target locale(s), comma-separated or repeated (default: the config's locales)",
      locales
    )
    .addOption(new Option('-p, --provider <name>', 'translation provider').choices(['openai', 'pseudo']))
    .option('-m, --model <model>', 'model name (default: config, else gpt-4.1-mini)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, else OpenAI)')
    .option('-c, --concurrency <n>', 'requests in flight at once (default 8)', positiveInteger)
    .option(
      '--workers <n>',
      'worker threads that parse and reassemble notes (default: $NOTES_L10N_WORKERS, else one per core beyond the first, at most 4, none on 2 cores or fewer; 0: none)',
      workerCount
    )
    .option('-n, --dry-run', 'show what would be translated and written, without calling the provider or writing')
    .option(
      '--force',
      're-translate human translations whose source changed (needs review) and targets that cannot be aligned'
    )
    .option('--retranslate', 're-translate everything the tool wrote (e.g. after changing model); human edits are kept')
    .option('--strict-glossary', 'treat glossary violations as errors (the segment is not written)')
    .option('--config <file>', 'config file (default: notes-l10n.config.json in this folder or a parent)')
    .option(
      '--json',
      'print one JSON event per line (NDJSON: note-started, segment-batch, note-finished, then summary)'
    )
    .option(
      '--max-cost <usd>',
      'refuse to start when the estimate exceeds this many USD, and stop before a request that would exceed it',
      usd
    )
    .option(
      '--batch',
      'use the Batch API (half price, results within 24 h): collect finished batches, else submit what is pending'
    )
    .option(
      '--shard <i/n>',
      'sync only shard i of n (notes split by a hash of their path), for parallel CI jobs',
      shard
    )
    .option('--report <file>', 'write what the run did per segment to a .md or .json file (for pull requests)')
    .addHelpText(
      'after',
      `
The API key is read from OPENAI_API_KEY only (never from flags or config files).
Exit codes: 0 all written or up to date; 1 some notes failed or were left untouched; 2 usage, config or input error; 130 interrupted.`
    )
    .action(async (paths: string[], flags: SyncFlags) => {
      const [
        {debugLogWarning},
        {sync, workersWanted},
        {syncBatch},
        {eventLine, formatEstimate, progressMode, progressPlan, startLiveProgress},
        {batchExitCode, formatBatchRun, formatSyncLine, formatSyncSummary}
      ] = await Promise.all([
        import('../../providers/openai-log.js'),
        import('../../commands/sync.js'),
        import('../../commands/batch.js'),
        import('../progress.js'),
        import('../report.js')
      ])
      const warning = debugLogWarning(env)
      if (warning) out.warn(warning)
      // Refuse a bad report name before paying for anything.
      if (flags.report && !/\.(md|json)$/.test(flags.report))
        throw new UserError(`--report ${flags.report}: expected a file name ending in .md or .json`)
      const controller = new AbortController()
      const stop = onInterrupt(controller, out)
      // What an online and a batch run share.
      const common = {
        cwd,
        paths,
        locales: flags.locale,
        configPath: flags.config,
        provider: {name: flags.provider, model: flags.model, baseURL: flags.baseUrl, concurrency: flags.concurrency},
        force: flags.force,
        retranslate: flags.retranslate,
        strictGlossary: flags.strictGlossary,
        env,
        shard: flags.shard,
        maxCostUsd: flags.maxCost,
        workers: flags.workers
      }
      let unwatch = () => {}
      try {
        // Parsing on this thread: its heap's growth sets a large run's peak memory (heap-growth.ts).
        if (slowHeapGrowthFrom !== undefined && !flags.batch && workersWanted(flags.workers, env) === 0)
          unwatch = slowHeapGrowthWhenLarge(slowHeapGrowthFrom)
        if (flags.batch) {
          const run = await syncBatch({...common, dryRun: flags.dryRun})
          if (flags.json) out.stdout(`${JSON.stringify(run, null, 2)}\n`)
          else out.stdout(formatBatchRun(run, out))
          setExit(batchExitCode(run))
          return
        }
        const mode = progressMode({json: flags.json, isTTY, env})
        let live: LiveProgress | undefined
        if (mode === 'live' && !flags.dryRun) {
          // Discover and plan first (an offline dry run), so every bar starts with its final total.
          const plan = progressPlan(
            await sync({...common, dryRun: true, estimate: false, maxCostUsd: undefined, keepDetails: false})
          )
          if (plan.locales.length > 0) live = startLiveProgress(process.stderr, plan)
        }
        const result = await sync({
          ...common,
          dryRun: flags.dryRun,
          signal: controller.signal,
          // Each note is printed as it finishes; the summary needs only counts, unless --json or
          // --report prints every segment at the end.
          keepDetails: mode === 'json' || Boolean(flags.report),
          onEvent:
            mode === 'json'
              ? (event) => out.stdout(eventLine(event))
              : live
                ? (event) => live?.onEvent(event)
                : undefined,
          onNote:
            mode === 'lines'
              ? (note) => out.stdout(`${formatSyncLine(note, out)}\n`)
              : mode === 'live'
                ? (note) => {
                    // The bars show progress; only what needs attention is printed above them.
                    if (note.status === 'failed' || note.status === 'untouched' || note.findings.length > 0) {
                      if (live) live.log(formatSyncLine(note, out))
                      else out.stdout(`${formatSyncLine(note, out)}\n`)
                    }
                  }
                : undefined
        }).finally(() => live?.stop())
        if (flags.report) await writeReport(cwd, flags.config, flags.report, result)
        for (const warning of result.warnings) out.warn(warning)
        if (mode === 'json') {
          out.stdout(eventLine({type: 'summary', ...result}))
        } else {
          if (result.estimate)
            out.stdout(`${formatEstimate(result.estimate, {priced: result.priced, model: result.model}, out)}\n`)
          out.stdout(`${formatSyncSummary(result, out)}\n`)
        }
        if (result.stopped) out.error(result.stopped.message)
        const failed =
          result.problems.length > 0 ||
          result.notes.some((note) => note.status === 'failed' || note.status === 'untouched')
        setExit(result.stopped ? result.stopped.exitCode : result.interrupted ? 130 : failed ? 1 : 0)
      } finally {
        unwatch()
        stop()
      }
    })
}

async function writeReport(
  cwd: string,
  configPath: string | undefined,
  file: string,
  result: SyncResult
): Promise<void> {
  const [{writeFileAtomic}, {formatSyncReportMarkdown}, {redactSecrets}, {loadConfig}] = await Promise.all([
    import('../../io/write.js'),
    import('../report.js'),
    import('../../redact.js'),
    import('../../config/load.js')
  ])
  const target = path.resolve(cwd, file)
  // The project root found from the config, not the working directory: run from a subfolder,
  // `../out/r.md` is still inside the project, and its folders are checked from the root.
  const root = (await loadConfig({cwd, configPath})).root
  // Inside the project, no symlinked folder on the way; outside it, only because the user named it.
  // Failure reasons quote what a reply said: key-shaped tokens go too, not only the registered key.
  const text = file.endsWith('.json') ? `${JSON.stringify(result, null, 2)}\n` : formatSyncReportMarkdown(result)
  await writeFileAtomic(target, redactSecrets(text), {root, allowOutside: true})
}

/** `--max-cost 2.5` → 2.5 (USD). */
function usd(value: string): number {
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError(`expected an amount in USD such as 2.50, received "${value}"`)
  }
  return number
}

/** `--shard 2/3` → {index: 2, count: 3}. */
function shard(value: string): {index: number; count: number} {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim())
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`expected i/n with 1 ≤ i ≤ n, such as 1/3, received "${value}"`)
  }
  return {index, count}
}

/** `--workers`: a whole number, 0 for none. */
function workerCount(value: string): number {
  if (!/^\d{1,3}$/.test(value)) throw new InvalidArgumentError(`expected a whole number ≥ 0, received "${value}"`)
  return Number(value)
}

interface SyncFlags {
  batch?: boolean
  maxCost?: number
  shard?: {index: number; count: number}
  report?: string
  locale?: string[]
  provider?: string
  model?: string
  baseUrl?: string
  concurrency?: number
  workers?: number
  dryRun?: boolean
  force?: boolean
  retranslate?: boolean
  strictGlossary?: boolean
  config?: string
  json?: boolean
}
