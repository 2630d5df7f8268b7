import path from 'node:path'
import type {Command} from 'commander'
import {Option} from 'commander'
import type {ReviewFormat} from '../../commands/export.js'
import type {CommandContext} from '../context.js'
import {locales} from '../options.js'

/** Registers `notes-l10n export`. */
export function registerExport(program: Command, {out, cwd, setExit}: CommandContext): void {
  program
    .command('export')
    .description('write the segments to review as one XLIFF 2.0 or PO file, for a CAT tool or Poedit')
    .argument('[paths...]', 'source notes or folders (default: all sources)')
    .requiredOption('-l, --locale <locale>', 'the target locale (one file per locale)', locales)
    .addOption(new Option('-f, --format <format>', 'file format').choices(['xliff', 'po']).default('xliff'))
    .addOption(
      new Option('--only <which>', 'stale: new, changed and needs-review segments; all: every segment')
        .choices(['stale', 'all'])
        .default('stale')
    )
    .option(
      '-o, --output <file>',
      'file to write (default: l10n-<locale>.xlf or .po in this folder; an existing file is overwritten)'
    )
    .option('--config <file>', 'config file')
    .addHelpText(
      'after',
      '\nEach unit is one segment: placeholders ⟦n⟧ stand for code, links and markup (explained in the file);\nchanged segments carry their previous source (from git HEAD). Bring the file back with notes-l10n import <file>.'
    )
    .action(
      async (
        paths: string[],
        flags: {locale: string[]; format: ReviewFormat; only: 'stale' | 'all'; output?: string; config?: string}
      ) => {
        const [{exportReview}, {writeFileAtomic}, {loadConfig}] = await Promise.all([
          import('../../commands/export.js'),
          import('../../io/write.js'),
          import('../../config/load.js')
        ])
        const result = await exportReview({
          cwd,
          paths,
          locales: flags.locale,
          configPath: flags.config,
          format: flags.format,
          only: flags.only
        })
        const file = flags.output ?? `l10n-${result.locale}.${result.format === 'po' ? 'po' : 'xlf'}`
        // Inside the project (from its root, wherever the command runs), no symlinked folder on the
        // way; outside it, only because the user named it.
        const root = (await loadConfig({cwd, configPath: flags.config})).root
        await writeFileAtomic(path.resolve(cwd, file), result.text, {root, allowOutside: true})
        for (const skipped of result.skipped) out.warn(skipped.message)
        for (const problem of result.problems) out.error(problem.message)
        const notes = new Set(result.units.map((unit) => unit.note)).size
        out.stdout(
          `export: ${result.units.length} unit${result.units.length === 1 ? '' : 's'} from ${notes} note${notes === 1 ? '' : 's'} (${result.locale}, --only ${flags.only}) → ${file}\n`
        )
        setExit(result.problems.length > 0 ? 1 : 0)
      }
    )
}
