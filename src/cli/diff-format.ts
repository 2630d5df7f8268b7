/**
 * Text rendering of `notes-l10n diff`: a stacked view, one block per segment, with word-level
 * highlights — coloured on a TTY, else in wdiff's `[-removed-]{+added+}` notation so logs and
 * pull-request comments stay readable. Pure: result in, text out.
 */
import type {DiffEntry, DiffResult} from '../commands/diff.js'
import {wordDiff} from '../review/word-diff.js'
import type {Output} from './output.js'

export function formatDiff(result: DiffResult, out: Pick<Output, 'paint'>, color: boolean): string {
  if (result.entries.length === 0) {
    return result.base
      ? `diff: no segment changed since ${result.base}\n`
      : 'diff: nothing to do — every translation is current\n'
  }
  const lines: string[] = []
  let heading = ''
  for (const entry of result.entries) {
    const next = `${entry.note} → ${entry.output} (${entry.locale})`
    if (next !== heading) {
      heading = next
      lines.push(out.paint.bold(heading))
    }
    lines.push(`  ${entry.note}:${entry.line}  ${stateLabel(entry, out)}  ${out.paint.dim(entry.id)}`)
    if (entry.id === '*') continue
    lines.push(`    source       ${changeText(entry.oldSource, entry.newSource, out, color)}`)
    const pending =
      entry.newTranslation === undefined && entry.state !== 'removed'
        ? out.paint.dim(' → (translated by the next sync)')
        : ''
    lines.push(
      `    ${entry.locale.padEnd(12)} ${changeText(entry.oldTranslation, entry.newTranslation, out, color)}${pending}`
    )
    if (entry.state === 'needs-review' && !result.base)
      lines.push(out.paint.dim(`    still right? notes-l10n accept ${entry.note} --locale ${entry.locale}`))
  }
  const states = new Map<string, number>()
  for (const entry of result.entries) states.set(entry.state, (states.get(entry.state) ?? 0) + 1)
  lines.push(
    `diff${result.base ? ` ${result.base}..working tree` : ''}: ${[...states].map(([state, count]) => `${count} ${state}`).join(', ')}`
  )
  return `${lines.join('\n')}\n`
}

function stateLabel(entry: DiffEntry, out: Pick<Output, 'paint'>): string {
  const label = entry.id === '*' ? 'new translation' : entry.state
  return entry.state === 'needs-review' || entry.state === 'removed' ? out.paint.yellow(label) : out.paint.bold(label)
}

/**
 * Old → new as one line: words only in the old text marked removed, words only in the new one
 * marked added. Line breaks are shown as `⏎` so a segment stays on one line of output.
 */
function changeText(
  before: string | undefined,
  after: string | undefined,
  out: Pick<Output, 'paint'>,
  color: boolean
): string {
  const flat = (text: string) => text.replace(/\n/g, '⏎ ')
  if (before === undefined && after === undefined) return out.paint.dim('—')
  if (before === undefined) return flat(after!)
  if (after === undefined || before === after) return flat(before)
  return wordDiff(flat(before), flat(after))
    .map((part) =>
      part.type === 'same'
        ? part.text
        : part.type === 'removed'
          ? color
            ? out.paint.red(part.text)
            : `[-${part.text}-]`
          : color
            ? out.paint.green(part.text)
            : `{+${part.text}+}`
    )
    .join('')
}
