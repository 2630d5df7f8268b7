import type {Command} from 'commander'
import type {CommandContext} from '../context.js'
import {locales} from '../options.js'

/** Registers `notes-l10n accept`. */
export function registerAccept(program: Command, {out, cwd, setExit}: CommandContext): void {
  program
    .command('accept')
    .description('mark needs-review segments as reviewed: keep the human translation as it is, against the new source')
    .argument('[paths...]', 'source notes or folders whose needs-review segments to accept')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--all', 'accept every needs-review segment of the project (instead of naming notes)')
    .option('--json', 'print what was accepted as JSON')
    .option('--config <file>', 'config file')
    .addHelpText(
      'after',
      '\nThe translation files are not changed: the lock records that each human translation was reviewed against\nthe current source, so check passes and later syncs keep it. To have a segment re-translated instead, run\nsync --force. Exit codes: 0 done (also when nothing needed review); 1 some targets could not be read; 2 usage error.'
    )
    .action(async (paths: string[], flags: {locale?: string[]; all?: boolean; json?: boolean; config?: string}) => {
      const {accept, requireScope} = await import('../../commands/accept.js')
      const {describeProblem} = await import('../../project/project.js')
      requireScope(paths, flags.all)
      const result = await accept({cwd, paths, locales: flags.locale, configPath: flags.config})
      if (flags.json) out.stdout(`${JSON.stringify(result, null, 2)}\n`)
      else {
        const lines = result.problems.map((problem) => out.paint.red(describeProblem(problem)))
        for (const segment of result.accepted)
          lines.push(
            `${segment.note}:${segment.line}  ${segment.locale}  ${out.paint.dim(segment.id)}  accepted (${segment.output})`
          )
        lines.push(
          result.accepted.length === 0
            ? 'accept: no segment needs review'
            : `accept: ${result.accepted.length} segment${result.accepted.length === 1 ? '' : 's'} accepted as reviewed; notes-l10n.lock updated`
        )
        out.stdout(`${lines.join('\n')}\n`)
      }
      setExit(result.problems.length > 0 ? 1 : 0)
    })
}
