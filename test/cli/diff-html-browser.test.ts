/**
 * `diff --format html` rendered by a real browser: Debian's headless Chromium loads the page from
 * disk, a small script run inside it reads the rendered DOM and exercises the filters and the
 * keyboard, and the test asserts on what it found. A screenshot is kept in the test's temp folder.
 */
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {NOTE} from '../review/note.js'
import {type TempProject, tempProject} from '../support/project.js'

const HOSTILE = `---
title: Hostile
---

A note that says <script>document.body.dataset.pwned = "script"</script> in passing.

The end.
`

let project: TempProject
let scratch: string

function git(...args: string[]): void {
  const result = spawnSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {cwd: project.root, encoding: 'utf8'}
  )
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
}

/** The system's Chromium, if there is one on PATH. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], {encoding: 'utf8'})
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim()
  }
  return undefined
}

const INSTALL = 'install it (Debian: apt-get install -y chromium; .ci/run does this)'
const found = findChromium()
// CI must run the browser test (.ci/run installs Chromium): there a missing browser is a failure.
// On a contributor's clone without a browser the test is skipped, and its name says why and how.
const required = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'

/** The system's Chromium; without one the test fails and says how to install it. */
function chromium(): string {
  if (found) return found
  throw new Error(`headless Chromium is needed to test diff --format html: ${INSTALL}`)
}

function browse(browser: string, args: string[]): string {
  const result = spawnSync(
    browser,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-extensions',
      `--user-data-dir=${path.join(scratch, 'profile')}`,
      ...args
    ],
    {encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024}
  )
  if (result.status !== 0)
    throw new Error(`chromium ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`)
  return result.stdout
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'notes-l10n-browser-'))
  project = await tempProject({'notes/a.md': NOTE, 'notes/hostile.md': HOSTILE})
  const pseudo = () =>
    sync({cwd: project.root, locales: ['es', 'fr'], env: {}, providerOverride: createPseudoProvider()})
  await pseudo()
  // The Spanish last paragraph translated by hand, and recorded as human work.
  const target = await project.read('locales/es/a.md')
  await project.write(
    'locales/es/a.md',
    target.replace(target.trimEnd().split('\n').at(-1)!, 'Último párrafo, a mano.')
  )
  await pseudo()
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'translated')
  await project.write(
    'notes/a.md',
    NOTE.replace('plain prose about models', 'plain prose about large models').replace(
      'The last paragraph.',
      'The final paragraph.'
    )
  )
  await project.write('notes/hostile.md', HOSTILE.replace('in passing', 'in passing, twice'))
})

afterAll(async () => {
  await project?.remove()
  await rm(scratch, {recursive: true, force: true})
})

/** Runs inside the page: what is rendered, then what the filters and the keys do. */
const PROBE = `
(function () {
  var text = function (element) { return element ? element.textContent : null; };
  var shown = function () { return Array.prototype.filter.call(document.querySelectorAll('.entry'), function (entry) { return getComputedStyle(entry).display !== 'none'; }).length; };
  var box = function (name, value) { return document.querySelector('input[name="' + name + '"][value="' + value + '"]'); };
  var key = function (name) { document.dispatchEvent(new KeyboardEvent('keydown', {key: name, bubbles: true})); };
  var current = function () { var entry = document.querySelector('.entry.current'); return entry ? entry.id : null; };
  var out = {};
  out.entries = Array.prototype.map.call(document.querySelectorAll('.entry'), function (entry) {
    return {
      id: entry.id, state: entry.dataset.state, locale: entry.dataset.locale, label: text(entry.querySelector('.state')),
      where: text(entry.querySelector('.where')), href: entry.querySelector('.where').getAttribute('href'),
      oldSource: text(entry.querySelector('.source.old')), newSource: text(entry.querySelector('.source.new')) || text(entry.querySelector('.source.same')),
      removed: Array.prototype.map.call(entry.querySelectorAll('.source del'), text), added: Array.prototype.map.call(entry.querySelectorAll('.source ins'), text),
      translation: text(entry.querySelector('.row.translation'))
    };
  });
  out.injected = document.querySelectorAll('main script, main img, main iframe').length;
  out.pwned = document.body.dataset.pwned || null;
  out.all = shown();
  out.shownText = text(document.getElementById('shown'));
  box('locale', 'fr').click();
  out.withoutFr = shown();
  box('state', 'changed').click();
  out.withoutFrAndChanged = shown();
  box('state', 'changed').click();
  box('locale', 'fr').click();
  out.restored = shown();
  key('j'); out.first = current();
  key('j'); out.second = current();
  key('k'); out.back = current();
  key('ArrowDown'); out.arrow = current();
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
`

interface Probe {
  entries: Array<{
    id: string
    state: string
    locale: string
    label: string
    where: string
    href: string
    oldSource: string | null
    newSource: string | null
    removed: string[]
    added: string[]
    translation: string
  }>
  injected: number
  pwned: string | null
  all: number
  shownText: string
  withoutFr: number
  withoutFrAndChanged: number
  restored: number
  first: string
  second: string
  back: string
  arrow: string
}

describe('diff --format html in headless Chromium', () => {
  it.skipIf(!found && !required)(
    `renders old and new source with word highlights, the translation and the state; filters and keys work; note text is never run${found || required ? '' : ` — SKIPPED: no Chromium on PATH; ${INSTALL}`}`,
    async () => {
      const browser = chromium()
      const {code, stdout, stderr} = await project.run([
        'diff',
        '--locale',
        'es,fr',
        '--format',
        'html',
        '-o',
        'review/review.html'
      ])
      expect(stderr).toBe('')
      expect(code).toBe(0)
      expect(stdout).toMatch(/^diff: \d+ segments → review\/review\.html$/m)
      const page = await readFile(path.join(project.root, 'review/review.html'), 'utf8')
      // Self-contained: nothing is loaded from anywhere.
      expect(page).not.toMatch(/<link|\ssrc=|@import|url\(/i)
      expect(page).toContain("default-src 'none'".replace(/'/g, '&#39;'))

      // The page as shipped, plus the probe: the page's policy allows scripts by hash, so the probe's is added.
      const probeHash = createHash('sha256').update(PROBE).digest('base64')
      const probed = page
        .replace('script-src ', `script-src &#39;sha256-${probeHash}&#39; `)
        .replace('</body>', `<script>${PROBE}</script>\n</body>`)
      const probedFile = path.join(project.root, 'review/probed.html')
      await writeFile(probedFile, probed)
      const dom = browse(browser, ['--dump-dom', pathToFileURL(probedFile).href])
      const json = /<pre id="probe">([^<]*)<\/pre>/.exec(dom)?.[1]
      expect(json, `the probe did not run:\n${dom.slice(0, 2000)}`).toBeDefined()
      const probe = JSON.parse(
        json!
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&')
      ) as Probe

      const changed = probe.entries.find(
        (entry) => entry.state === 'changed' && entry.locale === 'es' && entry.where === 'notes/a.md:10'
      )!
      expect(changed).toBeDefined()
      expect(changed.label).toBe('changed')
      expect(changed.oldSource).toContain('The second paragraph is plain prose about models.')
      expect(changed.newSource).toContain('The second paragraph is plain prose about large models.')
      expect(changed.added.join('')).toContain('large')
      expect(changed.href).toBe('../notes/a.md#L10')
      // The old translation is shown, the new one is the next sync's.
      expect(changed.translation).toMatch(/old.*translated by the next sync/s)

      const review = probe.entries.find((entry) => entry.state === 'needs-review')!
      expect(review).toMatchObject({locale: 'es', label: 'needs-review', where: 'notes/a.md:14'})
      expect(review.oldSource).toContain('The last paragraph.')
      expect(review.newSource).toContain('The final paragraph.')
      expect(review.removed.join('')).toContain('last')
      expect(review.added.join('')).toContain('final')
      expect(review.translation).toContain('Último párrafo, a mano.')

      const hostile = probe.entries.find(
        (entry) => entry.where.startsWith('notes/hostile.md') && entry.locale === 'es'
      )!
      expect(hostile.newSource).toContain('<script>document.body.dataset.pwned = "script"</script>')
      expect(probe.injected).toBe(0)
      expect(probe.pwned).toBeNull()

      // Filters, counted from the entries the page shows.
      const count = (predicate: (entry: Probe['entries'][number]) => boolean) => probe.entries.filter(predicate).length
      expect(probe.all).toBe(probe.entries.length)
      expect(probe.shownText).toBe(`showing ${probe.entries.length} of ${probe.entries.length}`)
      expect(probe.withoutFr).toBe(count((entry) => entry.locale !== 'fr'))
      expect(probe.withoutFr).toBeLessThan(probe.all)
      expect(probe.withoutFrAndChanged).toBe(count((entry) => entry.state !== 'changed' && entry.locale !== 'fr'))
      expect(probe.withoutFrAndChanged).toBe(1)
      expect(probe.restored).toBe(probe.entries.length)
      // Keys: j next, k previous, ↓ next.
      expect([probe.first, probe.second, probe.back, probe.arrow]).toEqual(['entry-1', 'entry-2', 'entry-1', 'entry-2'])

      // A screenshot of the page as shipped, kept with the test's files.
      const shot = path.join(scratch, 'review.png')
      browse(browser, [
        `--screenshot=${shot}`,
        '--window-size=1280,1600',
        pathToFileURL(path.join(project.root, 'review/review.html')).href
      ])
      const png = await readFile(shot)
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
      expect((await stat(shot)).size).toBeGreaterThan(10_000)
    }
  )
})
