import type {Command} from 'commander'
import type {CommandContext} from '../context.js'
import {locales} from '../options.js'

/** Registers `notes-l10n status`. */
export function registerStatus(program: Command, {out, cwd}: CommandContext): void {
  program
    .command('status')
    .description('per-locale progress: translated, stale, needs review, missing')
    .argument('[paths...]', 'source notes or folders (default: all sources)')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--json', 'print as JSON')
    .option('--config <file>', 'config file')
    .action(async (paths: string[], flags: {locale?: string[]; json?: boolean; config?: string}) => {
      const [{status}, {formatStatus}] = await Promise.all([import('../../commands/status.js'), import('../report.js')])
      const result = await status({cwd, paths, locales: flags.locale, configPath: flags.config})
      out.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatStatus(result))
    })
}
