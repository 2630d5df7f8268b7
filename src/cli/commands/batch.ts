import type {Command} from 'commander'
import type {CommandContext} from '../context.js'

/** Registers `notes-l10n batch status|collect`. */
export function registerBatch(program: Command, {out, cwd, env, setExit}: CommandContext): void {
  const batch = program
    .command('batch')
    .description('Batch API backfills started with sync --batch: half the price, results within 24 h')
  batch
    .command('status')
    .description('list open batches and how far each has got')
    .option('--config <file>', 'config file (default: notes-l10n.config.json in this folder or a parent)')
    .option('--json', 'print the batches as JSON')
    .action(async (flags: {config?: string; json?: boolean}) => {
      const [{batchStatus}, {formatBatch}] = await Promise.all([
        import('../../commands/batch.js'),
        import('../report.js')
      ])
      const batches = await batchStatus({cwd, configPath: flags.config, env})
      if (flags.json) out.stdout(`${JSON.stringify(batches, null, 2)}\n`)
      else out.stdout(`${batches.length === 0 ? 'batch: no open batches' : batches.map(formatBatch).join('\n')}\n`)
      setExit(0)
    })
  batch
    .command('collect')
    .description('download finished batches and write their translations (never submits a new batch)')
    .option('--config <file>', 'config file (default: notes-l10n.config.json in this folder or a parent)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: {config?: string; json?: boolean}) => {
      const [{collectBatches}, {batchExitCode, formatBatchRun}] = await Promise.all([
        import('../../commands/batch.js'),
        import('../report.js')
      ])
      const collected = await collectBatches({cwd, configPath: flags.config, env})
      if (flags.json) out.stdout(`${JSON.stringify(collected, null, 2)}\n`)
      else out.stdout(formatBatchRun({collected}, out))
      setExit(batchExitCode({collected}))
    })
}
