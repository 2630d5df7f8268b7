import type {Command} from 'commander'
import type {ImportResult} from '../../commands/import.js'
import type {CommandContext} from '../context.js'
import type {Output} from '../output.js'

/** Registers `notes-l10n import`. */
export function registerImport(program: Command, {out, cwd, env, setExit}: CommandContext): void {
  program
    .command('import')
    .description(
      'apply a reviewed XLIFF or PO file: valid units are written as human translations (kept by later syncs)'
    )
    .argument('<file>', 'the file notes-l10n export wrote, after review (.xlf/.xliff or .po)')
    .option('-l, --locale <locale>', 'target locale, when the file does not name one')
    .option('-n, --dry-run', 'validate and report, write nothing')
    .option('--json', 'print the result as JSON')
    .option('--config <file>', 'config file')
    .addHelpText(
      'after',
      '\nEvery unit is validated like a machine translation (placeholders, URLs, structure). Units still marked\nfuzzy / not reviewed and left unedited are skipped. Exit codes: 0 all applied; 1 some units were rejected; 2 usage or input error.'
    )
    .action(async (file: string, flags: {locale?: string; dryRun?: boolean; json?: boolean; config?: string}) => {
      const {importReview} = await import('../../commands/import.js')
      const result = await importReview({
        cwd,
        file,
        locale: flags.locale,
        dryRun: flags.dryRun,
        configPath: flags.config,
        env
      })
      out.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatImport(result, out))
      const rejected = result.units.some((unit) => unit.state === 'rejected') || result.problems.length > 0
      setExit(rejected ? 1 : 0)
    })
}

/** One line per unit that needs attention, then a summary line. */
function formatImport(result: ImportResult, out: Pick<Output, 'paint'>): string {
  const lines: string[] = []
  for (const problem of result.problems) lines.push(out.paint.red(problem.message))
  for (const unit of result.units) {
    const where = `${unit.note}:${unit.line ?? 1}: ${unit.id}`
    if (unit.state === 'rejected') lines.push(`${where}: ${out.paint.red('rejected')}: ${unit.reason ?? ''}`)
    else if (unit.state === 'skipped') lines.push(`${where}: ${out.paint.dim('skipped')}: ${unit.reason ?? ''}`)
    for (const finding of unit.findings) {
      if (unit.state !== 'rejected')
        lines.push(`${where}: ${out.paint.yellow('warning')} ${finding.rule}: ${finding.message}`)
    }
  }
  const counts = new Map<string, number>()
  for (const unit of result.units) counts.set(unit.state, (counts.get(unit.state) ?? 0) + 1)
  const order = ['applied', 'valid', 'unchanged', 'skipped', 'rejected']
  const summary = order.filter((state) => counts.has(state)).map((state) => `${counts.get(state)} ${state}`)
  lines.push(
    `import${result.dryRun ? ' --dry-run' : ''} ${result.file} (${result.format}, ${result.locale}): ${summary.length > 0 ? summary.join(', ') : 'no units'}`
  )
  return `${lines.join('\n')}\n`
}
