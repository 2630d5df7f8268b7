import type {Command} from 'commander'
import type {CommandContext} from '../context.js'
import {Option} from 'commander'
import {locales} from '../options.js'

/** Registers `notes-l10n check`. */
export function registerCheck(program: Command, {out, cwd, setExit}: CommandContext): void {
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
      const [{check}, {formatCheck}] = await Promise.all([import('../../commands/check.js'), import('../report.js')])
      const result = await check({cwd, paths, locales: flags.locale, configPath: flags.config, strictGlossary: flags.strictGlossary})
      out.stdout(formatCheck(result, flags.format, out))
      setExit(result.findings.some((finding) => finding.severity === 'error') ? 1 : 0)
    })
}

interface CheckFlags {
  locale?: string[]
  format: 'text' | 'json' | 'github'
  strictGlossary?: boolean
  config?: string
}
