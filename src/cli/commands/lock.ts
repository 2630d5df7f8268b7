import type {Command} from 'commander'
import type {CommandContext} from '../context.js'

/** Registers `notes-l10n lock`. */
export function registerLock(program: Command, {out, cwd}: CommandContext): void {
  const lock = program.command('lock').description('lock file tools')
  lock
    .command('merge')
    .description('merge the notes-l10n.lock files of sharded runs (sync --shard i/n) into this project\'s lock')
    .argument('<files...>', 'lock files to merge, e.g. shard-*/notes-l10n.lock')
    .option('--config <file>', 'config file')
    .action(async (files: string[], flags: {config?: string}) => {
      const {mergeLocks} = await import('../../commands/lock-merge.js')
      const result = await mergeLocks({cwd, configPath: flags.config, files})
      for (const {note, locale, file} of result.replaced) {
        out.warn(`${note} (${locale}) is in more than one lock with different contents; kept the one from ${file}`)
      }
      out.stdout(`lock merge: ${result.merged} entries from ${files.length} file${files.length === 1 ? '' : 's'} merged into ${result.lock}\n`)
    })
}
