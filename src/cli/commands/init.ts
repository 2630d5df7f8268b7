import type {Command} from 'commander'
import type {CommandContext} from '../context.js'

/** Registers `notes-l10n init`. */
export function registerInit(program: Command, {out, cwd}: CommandContext): void {
  program
    .command('init')
    .description('write a starting notes-l10n.config.json and glossary.json, detecting an existing layout')
    .option('--force', 'overwrite existing files')
    .action(async (flags: {force?: boolean}) => {
      const {initProject} = await import('../../commands/init.js')
      const result = await initProject(cwd, {force: flags.force})
      out.stdout(`${result.detected}\n${result.written.map((file) => `wrote ${file}`).join('\n')}\n`)
    })
}
