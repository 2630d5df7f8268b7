import type {Command} from 'commander'
import type {CommandContext} from '../context.js'
import {Option} from 'commander'
import {locales} from '../options.js'

/** Registers `notes-l10n diff`. */
export function registerDiff(program: Command, {out, cwd}: CommandContext): void {
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
      const [{diff}, {formatDiff}] = await Promise.all([import('../../commands/diff.js'), import('../diff-format.js')])
      const result = await diff({cwd, paths, locales: flags.locale, configPath: flags.config, base: flags.base})
      out.stdout(flags.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : formatDiff(result, out, out.color))
    })
}
