import path from 'node:path'
import type {Command} from 'commander'
import {Option} from 'commander'
import type {CommandContext} from '../context.js'
import {locales} from '../options.js'

/** Registers `notes-l10n diff`. */
export function registerDiff(program: Command, {out, cwd}: CommandContext): void {
  program
    .command('diff')
    .description('segment by segment: what the next sync would change, or what changed since a git revision')
    .argument('[paths...]', 'source notes or folders (default: all sources)')
    .option('-l, --locale <locales>', 'locale(s) (default: all configured)', locales)
    .option('--base <rev>', 'compare the working tree with this git revision (e.g. HEAD, main)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'html']).default('text'))
    .option('-o, --output <file>', 'write to this file instead of stdout (e.g. -o review.html)')
    .option('--config <file>', 'config file')
    .addHelpText(
      'after',
      '\nText output marks removed words [-like this-] and added words {+like this+} (coloured on a terminal; NO_COLOR turns colour off).\nJSON output is described in docs/review.md. HTML output (--format html -o review.html) is one self-contained page\n(no network, no external files): old → new source and translation with word highlights, states, file:line links,\nfilters by state and locale, and j/k or ↑/↓ to move between segments.'
    )
    .action(
      async (
        paths: string[],
        flags: {locale?: string[]; base?: string; format: 'text' | 'json' | 'html'; output?: string; config?: string}
      ) => {
        const [{diff}, {formatDiff}] = await Promise.all([
          import('../../commands/diff.js'),
          import('../diff-format.js')
        ])
        const result = await diff({cwd, paths, locales: flags.locale, configPath: flags.config, base: flags.base})
        const file = flags.output === undefined ? undefined : path.resolve(cwd, flags.output)
        const {loadConfig} = await import('../../config/load.js')
        const root = (await loadConfig({cwd, configPath: flags.config})).root
        let text: string
        if (flags.format === 'html') {
          const {formatDiffHtml} = await import('../diff-html.js')
          // Links go from the page's folder to the notes, wherever the page is written.
          const from = file ? path.dirname(file) : cwd
          const rootHref = path.relative(from, root).split(path.sep).join('/')
          text = formatDiffHtml(result, {rootHref: rootHref ? `${rootHref}/` : '', title: path.basename(root)})
        } else {
          text =
            flags.format === 'json'
              ? `${JSON.stringify(result, null, 2)}\n`
              : formatDiff(result, out, file ? false : out.color)
        }
        if (!file) {
          out.stdout(text)
          return
        }
        const {writeFileAtomic} = await import('../../io/write.js')
        // Inside the project (from its root, wherever the command runs), no symlinked folder on the
        // way; outside it, only because the user named it.
        await writeFileAtomic(file, text, {root, allowOutside: true})
        out.stdout(
          `diff: ${result.entries.length} segment${result.entries.length === 1 ? '' : 's'} → ${flags.output}\n`
        )
      }
    )
}
