import path from 'node:path'
import type {Command} from 'commander'
import {Option} from 'commander'
import {errnoMessage} from '../../io/errno.js'
import {UserError} from '../../types.js'
import type {CommandContext} from '../context.js'
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
    .option(
      '--summary <file>',
      'also append a Markdown summary (per-locale counts, every finding) to this file, e.g. $GITHUB_STEP_SUMMARY'
    )
    .option('--config <file>', 'config file')
    .addHelpText(
      'after',
      '\nExit codes: 0 clean; 1 findings; 2 usage or config error.\nWith --format github, each finding is a workflow annotation on the source line of the stale segment.\nIn GitHub Actions: check --format github --summary "$GITHUB_STEP_SUMMARY" (or use the action.yml of this package).\nEvery rule id (Q7, G1, L7, stale, …) is explained in docs/rules.md (shipped in the package).'
    )
    .action(async (paths: string[], flags: CheckFlags) => {
      const [{check}, {formatCheck}] = await Promise.all([import('../../commands/check.js'), import('../report.js')])
      const result = await check({
        cwd,
        paths,
        locales: flags.locale,
        configPath: flags.config,
        strictGlossary: flags.strictGlossary
      })
      out.stdout(formatCheck(result, flags.format, out))
      if (flags.summary) {
        const [{appendFile}, {formatCheckSummary}] = await Promise.all([
          import('node:fs/promises'),
          import('../report.js')
        ])
        const file = path.resolve(cwd, flags.summary)
        // Appended, as GitHub's step summary file is shared by the steps of a job.
        await appendFile(file, formatCheckSummary(result)).catch((error: unknown) => {
          throw new UserError(`--summary ${flags.summary}: cannot be written (${errnoMessage(error)})`)
        })
      }
      setExit(result.findings.some((finding) => finding.severity === 'error') ? 1 : 0)
    })
}

interface CheckFlags {
  locale?: string[]
  format: 'text' | 'json' | 'github'
  strictGlossary?: boolean
  summary?: string
  config?: string
}
