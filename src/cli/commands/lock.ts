import type {Command} from 'commander'
import type {CommandContext} from '../context.js'

/** Registers `notes-l10n lock`. */
export function registerLock(program: Command, {out, cwd, setExit}: CommandContext): void {
  const lock = program.command('lock').description('lock file tools')
  lock
    .command('merge')
    .description("merge the notes-l10n.lock files of sharded runs (sync --shard i/n) into this project's lock")
    .argument('<files...>', 'lock files to merge, e.g. shard-*/notes-l10n.lock')
    .option('--config <file>', 'config file')
    .action(async (files: string[], flags: {config?: string}) => {
      const {mergeLocks} = await import('../../commands/lock-merge.js')
      const result = await mergeLocks({cwd, configPath: flags.config, files})
      for (const {note, locale, file} of result.replaced) {
        out.warn(`${note} (${locale}) was changed differently by more than one lock; kept the one from ${file}`)
      }
      out.stdout(
        `lock merge: ${result.merged} entries from ${files.length} file${files.length === 1 ? '' : 's'} merged into ${result.lock}\n`
      )
    })
  lock
    .command('install-merge-driver')
    .description(
      'make git merge notes-l10n.lock entry by entry (sets the driver in .git/config, adds the .gitattributes line to commit)'
    )
    .option('--command <command>', 'how git runs notes-l10n', 'npx --no-install notes-l10n')
    .action(async (flags: {command: string}) => {
      const {installMergeDriver} = await import('../../commands/lock-merge-driver.js')
      const result = await installMergeDriver({cwd, command: flags.command})
      out.stdout(`lock install-merge-driver: ${result.driver} = ${result.command}\n`)
      out.stdout(
        result.attributesChanged
          ? `added the notes-l10n.lock line to ${result.attributes}: commit it\n`
          : `${result.attributes} already names the driver\n`
      )
    })
  lock
    .command('merge-file')
    .description(
      'the git merge driver (called by git as merge-file %O %A %B): merges the lock entry by entry into <ours>'
    )
    .argument('<base>')
    .argument('<ours>')
    .argument('<theirs>')
    .action(async (base: string, ours: string, theirs: string) => {
      const {mergeLockFiles} = await import('../../commands/lock-merge-driver.js')
      const result = await mergeLockFiles({cwd, base, ours, theirs})
      if (result.conflicts.length > 0) {
        const list = result.conflicts.map(({note, locale}) => `${note} (${locale})`).join(', ')
        out.error(
          `notes-l10n.lock: both branches changed ${list}; kept this branch's entries — resolve the translations, then git add notes-l10n.lock and run notes-l10n sync`
        )
        setExit(1)
      }
    })
}
