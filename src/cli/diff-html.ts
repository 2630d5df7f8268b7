/**
 * HTML rendering of `notes-l10n diff` (`--format html`): one self-contained review page, like the
 * side-by-side views of Weblate or Crowdin. Pure: result in, one string out.
 *
 * Self-contained means no network and no external assets: the CSS and the script are inline, and
 * a Content-Security-Policy (`default-src 'none'`, the script allowed by its hash) forbids any
 * request the page might otherwise make. Every piece of text from notes, translations and paths
 * goes through {@link escapeHtml}: a note containing `<script>` is shown, never run.
 */
import {createHash} from 'node:crypto'
import type {DiffEntry, DiffResult, DiffState} from '../commands/diff.js'
import {type DiffPart, wordDiff} from '../review/word-diff.js'

export interface HtmlOptions {
  /** Path from the page's folder to the project root (`''`, `../`), for the file:line links. */
  rootHref: string
  /** Shown in the title and heading, e.g. the project folder's name. */
  title?: string
}

const STATE_ORDER: readonly DiffState[] = [
  'new',
  'changed',
  'needs-review',
  'human-edited',
  'glossary',
  'retranslated',
  'removed'
]

const STATE_HELP: Record<DiffState, string> = {
  new: 'no translation yet',
  changed: 'the source changed: the next sync re-translates it',
  'needs-review': 'a human translation whose source changed: edit it, accept it (notes-l10n accept) or sync --force',
  'human-edited': 'edited by hand: the next sync keeps it as human work',
  glossary: 'a glossary term it uses changed: it will be re-translated',
  retranslated: 'same source, new machine translation',
  removed: 'gone from the source'
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

/** A project file as a URL path from the page (each part percent-encoded), `#L<line>` when given. */
function hrefOf(rootHref: string, file: string, line?: number): string {
  return `${rootHref}${file.split('/').map(encodeURIComponent).join('/')}${line === undefined ? '' : `#L${line}`}`
}

export function formatDiffHtml(result: DiffResult, options: HtmlOptions): string {
  const states = STATE_ORDER.filter((state) => result.entries.some((entry) => entry.state === state))
  const locales = [...new Set(result.entries.map((entry) => entry.locale))].sort()
  const title = `Translation review${options.title ? ` — ${options.title}` : ''}${result.base ? ` (since ${result.base})` : ''}`
  const counts = states
    .map((state) => `${result.entries.filter((entry) => entry.state === state).length} ${state}`)
    .join(', ')
  const filters =
    result.entries.length === 0
      ? ''
      : `<form id="filters" aria-label="filters">
<fieldset><legend>state</legend>${states.map((state) => checkbox('state', state, STATE_HELP[state])).join('')}</fieldset>
<fieldset><legend>locale</legend>${locales.map((locale) => checkbox('locale', locale)).join('')}</fieldset>
<p id="shown" aria-live="polite"></p>
<p class="keys">Keys: <kbd>j</kbd>/<kbd>↓</kbd> next, <kbd>k</kbd>/<kbd>↑</kbd> previous</p>
</form>`
  const body =
    result.entries.length === 0
      ? `<p id="empty">${result.base ? `No segment changed since ${escapeHtml(result.base)}.` : 'Nothing to do: every translation is current.'}</p>`
      : `<main id="entries">\n${result.entries.map((entry, index) => entryHtml(entry, index, options)).join('\n')}\n</main>`
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; img-src 'none'; form-action 'none'; base-uri 'none'`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="notes-l10n diff --format html">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p id="summary">${result.entries.length} segment${result.entries.length === 1 ? '' : 's'}${counts ? `: ${escapeHtml(counts)}` : ''}</p>
${filters}
</header>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`
}

function checkbox(kind: 'state' | 'locale', value: string, help?: string): string {
  return `<label${help ? ` title="${escapeHtml(help)}"` : ''}><input type="checkbox" name="${kind}" value="${escapeHtml(value)}" checked> ${escapeHtml(value)}</label>`
}

function entryHtml(entry: DiffEntry, index: number, options: HtmlOptions): string {
  const whole = entry.id === '*'
  const where = `<a class="where" href="${escapeHtml(hrefOf(options.rootHref, entry.note, entry.line))}">${escapeHtml(`${entry.note}:${entry.line}`)}</a>`
  const target = `<a class="target" href="${escapeHtml(hrefOf(options.rootHref, entry.output))}">${escapeHtml(entry.output)}</a>`
  const head = `<header><span class="state state-${escapeHtml(entry.state)}" title="${escapeHtml(STATE_HELP[entry.state])}">${escapeHtml(whole ? 'new translation' : entry.state)}</span> <span class="locale">${escapeHtml(entry.locale)}</span> ${where} → ${target} <code class="id">${escapeHtml(entry.id)}</code></header>`
  const rows = whole
    ? `<p class="note">${escapeHtml(entry.output)} does not exist yet: the next sync translates the whole note.</p>`
    : `<div class="row source"><div class="label">source</div><div class="sides">${change(entry.oldSource, entry.newSource, 'source')}</div></div>
<div class="row translation"><div class="label">${escapeHtml(entry.locale)}</div><div class="sides">${change(entry.oldTranslation, entry.newTranslation, 'translation', entry.state === 'removed' ? undefined : 'translated by the next sync')}</div></div>`
  return `<article class="entry" id="entry-${index + 1}" tabindex="-1" data-state="${escapeHtml(entry.state)}" data-locale="${escapeHtml(entry.locale)}">
${head}
${rows}
</article>`
}

/** Old → new: the old text with removed words marked, the new one with added words marked. */
function change(
  before: string | undefined,
  after: string | undefined,
  kind: 'source' | 'translation',
  pending?: string
): string {
  const block = (side: 'old' | 'new', parts: DiffPart[]) =>
    `<div class="${kind} ${side}" data-side="${side}"><span class="side">${side}</span>${parts
      .map((part) =>
        part.type === 'same'
          ? escapeHtml(part.text)
          : part.type === 'removed'
            ? `<del>${escapeHtml(part.text)}</del>`
            : `<ins>${escapeHtml(part.text)}</ins>`
      )
      .join('')}</div>`
  const same = (text: string): DiffPart[] => [{type: 'same', text}]
  if (before === undefined && after === undefined)
    return `<div class="${kind} none">—${pending ? ` <em>(${escapeHtml(pending)})</em>` : ''}</div>`
  if (after === undefined)
    return `${block('old', same(before!))}${pending ? `<div class="${kind} new pending" data-side="new"><span class="side">new</span><em>(${escapeHtml(pending)})</em></div>` : ''}`
  if (before === undefined || before === after)
    return `<div class="${kind} same" data-side="${before === undefined ? 'new' : 'both'}">${escapeHtml(after)}</div>`
  const parts = wordDiff(before, after)
  return (
    block(
      'old',
      parts.filter((part) => part.type !== 'added')
    ) +
    block(
      'new',
      parts.filter((part) => part.type !== 'removed')
    )
  )
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--del:#ffebe9;--ins:#dafbe1;--cur:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--del:#67060c;--ins:#033a16;--cur:#4493f8}}
body{margin:0;font:15px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
body>header{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:.5rem 1rem;z-index:1}
h1{font-size:1.2rem;margin:0}
#summary,#shown,.keys{margin:.2rem 0;color:var(--muted)}
fieldset{display:inline-block;border:1px solid var(--line);margin:.2rem .5rem .2rem 0;padding:.1rem .5rem}
label{margin-right:.6rem;white-space:nowrap}
main{padding:0 1rem 50vh}
.entry{border:1px solid var(--line);border-radius:6px;margin:.8rem 0;padding:.5rem .8rem;scroll-margin-top:9rem}
.entry.current{outline:2px solid var(--cur)}
.entry[hidden]{display:none}
.entry>header{font-size:.9rem;color:var(--muted)}
.state{font-weight:600;color:var(--fg);border-radius:1em;padding:0 .5em;border:1px solid var(--line)}
.state-needs-review,.state-removed{background:#fff8c5;color:#1f2328}
.row{display:grid;grid-template-columns:6rem 1fr;gap:.5rem;margin-top:.3rem}
.label{color:var(--muted);font-size:.85rem}
.side{display:inline-block;width:2.5rem;color:var(--muted);font-size:.75rem}
.sides>div{white-space:pre-wrap}
del{background:var(--del);text-decoration:line-through}
ins{background:var(--ins);text-decoration:none}
.id{font-size:.75rem}
kbd{border:1px solid var(--line);border-radius:3px;padding:0 .25em}
`

/** Filters and keyboard navigation; nothing else (no network, no storage). */
const SCRIPT = `
(function () {
  var entries = Array.prototype.slice.call(document.querySelectorAll('.entry'));
  var form = document.getElementById('filters');
  var shown = document.getElementById('shown');
  var current = -1;
  function checked(name) {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="' + name + '"]:checked')).map(function (box) { return box.value; });
  }
  function visible() { return entries.filter(function (entry) { return !entry.hidden; }); }
  function apply() {
    var states = checked('state'), locales = checked('locale');
    entries.forEach(function (entry) {
      entry.hidden = states.indexOf(entry.dataset.state) < 0 || locales.indexOf(entry.dataset.locale) < 0;
    });
    if (shown) shown.textContent = 'showing ' + visible().length + ' of ' + entries.length;
  }
  function move(step) {
    var list = visible();
    if (list.length === 0) return;
    var at = list.indexOf(entries[current]);
    var next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? (step > 0 ? 0 : list.length - 1) : at + step))];
    if (entries[current]) entries[current].classList.remove('current');
    current = entries.indexOf(next);
    next.classList.add('current');
    next.focus({preventScroll: true});
    next.scrollIntoView({block: 'nearest'});
  }
  if (form) form.addEventListener('change', apply);
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target && event.target.tagName === 'INPUT' && event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    if (event.key === 'j' || event.key === 'ArrowDown') { move(1); event.preventDefault(); }
    else if (event.key === 'k' || event.key === 'ArrowUp') { move(-1); event.preventDefault(); }
  });
  apply();
})();
`
