import type {Command} from 'commander'
import type {CommandContext} from '../context.js'

/** Registers `notes-l10n init`. */
export function registerInit(program: Command, {out, cwd}: CommandContext): void {
  program
    .command('init')
    .description('write a starting notes-l10n.config.json and glossary.json, detecting an existing layout')
    .option('--force', 'overwrite existing files')
    .option('--layout <name>', 'use this layout when several match: jekyll, hugo, docusaurus, vitepress, pages, notes')
    .addHelpText(
      'after',
      `
Layouts recognised (docs/layouts.md shows each with its config):
  jekyll      _config.yml with _posts/ (posts named <date>-<slug>-<lang>.md, or _posts/<lang>/),
              or dated notes in notes/ next to _posts/ → _posts/<locale>/<date>-<slug>-<locale>.md
  hugo        hugo.toml/config.toml (or .yaml) with [languages.*]: contentDir per language,
              or <name>.<lang>.md beside the source
  docusaurus  docusaurus.config.* with i18n.locales → i18n/<locale>/docusaurus-plugin-content-…/
  vitepress   .vitepress/ or .vuepress/ → docs/<locale>/
  pages       pages/<locale>/ or apps/*/pages/<locale>/ (nodejs.org style)
  notes       notes/ → locales/<locale>/ (the default)
init prints what it found and why; it refuses to guess when two layouts match (use --layout).
Locale folders keep the repository's spelling (zh-cn); the BCP-47 tag (zh-CN) is used for models
and the lock.`
    )
    .action(async (flags: {force?: boolean; layout?: string}) => {
      const {initProject} = await import('../../commands/init.js')
      const result = await initProject(cwd, {force: flags.force, layout: flags.layout})
      out.stdout(`${result.detected}\n${result.written.map((file) => `wrote ${file}`).join('\n')}\n`)
    })
}
