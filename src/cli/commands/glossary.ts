import type {Command} from 'commander'
import {Option} from 'commander'
import type {CommandContext} from '../context.js'
import {locales} from '../options.js'

/** Registers `notes-l10n glossary`. */
export function registerGlossary(program: Command, {out, cwd, setExit}: CommandContext): void {
  const glossary = program
    .command('glossary')
    .description('glossary tools (see docs/glossary.md for the glossary.json format)')
  glossary
    .command('check')
    .description('offline: report glossary violations in existing translations (file:line), exit 1 when any')
    .argument('[paths...]', 'source notes or folders (default: all sources)')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--strict', 'report violations as errors')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .option('--config <file>', 'config file')
    .action(
      async (
        paths: string[],
        flags: {locale?: string[]; strict?: boolean; format: 'text' | 'json' | 'github'; config?: string}
      ) => {
        const [{glossaryCheckCommand}, {formatCheck}] = await Promise.all([
          import('../../commands/glossary-check.js'),
          import('../report.js')
        ])
        const result = await glossaryCheckCommand({
          cwd,
          paths,
          locales: flags.locale,
          configPath: flags.config,
          strict: flags.strict
        })
        out.stdout(formatCheck(result, flags.format, out))
        setExit(result.findings.length > 0 ? 1 : 0)
      }
    )
}
