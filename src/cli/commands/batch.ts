import type {Command} from 'commander'
import {batchStatus, collectBatches, type BatchSummary, type CollectResult, type SubmitResult} from '../../commands/batch.js'
import type {SyncResult} from '../../commands/sync.js'
import type {CommandContext} from '../context.js'
import type {Output} from '../output.js'
import {formatSyncLine, formatSyncSummary} from '../report.js'

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
      const batches = await batchStatus({cwd, configPath: flags.config, env})
      if (flags.json) out.stdout(JSON.stringify(batches, null, 2) + '\n')
      else out.stdout((batches.length === 0 ? 'batch: no open batches' : batches.map(formatBatch).join('\n')) + '\n')
      setExit(0)
    })
  batch
    .command('collect')
    .description('download finished batches and write their translations (never submits a new batch)')
    .option('--config <file>', 'config file (default: notes-l10n.config.json in this folder or a parent)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: {config?: string; json?: boolean}) => {
      const collected = await collectBatches({cwd, configPath: flags.config, env})
      if (flags.json) out.stdout(JSON.stringify(collected, null, 2) + '\n')
      else out.stdout(formatBatchRun({collected}, out))
      setExit(batchExitCode({collected}))
    })
}

/** One line per batch: `batch_abc  in_progress  12/40 requests done · 40 requests for 9 notes · submitted …`. */
export function formatBatch(batch: BatchSummary): string {
  const done = batch.counts ? ` ${batch.counts.completed + batch.counts.failed}/${batch.counts.total} requests done${batch.counts.failed ? ` (${batch.counts.failed} failed)` : ''} ·` : ''
  return `${batch.id}  ${batch.status} ·${done} ${batch.requests} request${batch.requests === 1 ? '' : 's'} for ${batch.notes} note${batch.notes === 1 ? '' : 's'} · submitted ${batch.submitted}`
}

/** What `sync --batch` / `batch collect` did, as text. */
export function formatBatchRun(run: {collected: CollectResult; submitted?: SubmitResult}, out: Pick<Output, 'paint'>): string {
  const lines: string[] = []
  for (const batch of run.collected.pending) {
    lines.push(`${formatBatch(batch)} — still running: run notes-l10n sync --batch again later (results come within 24 h)`)
  }
  for (const {batch, result} of run.collected.applied) {
    lines.push(out.paint.bold(`collected ${batch.id}:`))
    for (const note of result.notes) if (note.status !== 'unchanged') lines.push(formatSyncLine(note, out))
    lines.push(formatSyncSummary(result, out))
  }
  const submitted = run.submitted
  if (submitted) {
    for (const note of submitted.result.notes) if (note.status !== 'queued' && note.status !== 'unchanged') lines.push(formatSyncLine(note, out))
    if (submitted.batches.length === 0) {
      lines.push(`sync --batch: nothing to translate${run.collected.applied.length ? ' after collecting' : ''}`)
    } else {
      const cost = submitted.estimate.costUsd > 0 ? `~$${submitted.estimate.costUsd.toFixed(4)} at the Batch API's 50% price` : 'cost unknown'
      lines.push(
        `sync --batch: submitted ${submitted.batches.map((batch) => batch.id).join(', ')}: ${submitted.segments} segments in ${submitted.estimate.requests} requests (${submitted.batches.reduce((sum, batch) => sum + batch.notes, 0)} notes), ~${submitted.estimate.promptTokens} prompt + ${submitted.estimate.completionTokens} completion tokens, ${cost}`,
        'results come within 24 h: run notes-l10n sync --batch (or notes-l10n batch collect) to write them'
      )
    }
  }
  return lines.join('\n') + '\n'
}

/** 1 when a collected note failed or a file had errors, as for an online sync. */
export function batchExitCode(run: {collected: CollectResult; submitted?: SubmitResult}): number {
  const results: SyncResult[] = [...run.collected.applied.map(({result}) => result), ...(run.submitted ? [run.submitted.result] : [])]
  const failed = results.some((result) => result.problems.length > 0 || result.notes.some((note) => note.status === 'failed' || note.status === 'untouched'))
  return failed ? 1 : 0
}
