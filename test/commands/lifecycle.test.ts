/**
 * A repository's life through the real CLI (issue "trust over a repository's life"): letterless
 * answers, config and provider changes, renames, moves and deletes, human front-matter lines,
 * adoption, commands run in the wrong folder. Each test is one regression scenario.
 */
import {existsSync, readFileSync} from 'node:fs'
import {rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import type {Provider} from '../../src/types.js'
import {pseudoTranslate, segmentTexts, type TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'

const note = `---
title: Prices and plans
lang: en
---

# Prices

Our plan costs two euros a month.

| Plan | Price |
| ---- | ----- |
| Basic | two euros |
| Pro | 42 |

See [the other note](./b.md) for more.

The last paragraph.
`

const other = `---
title: Another note
---

A paragraph about another subject entirely.

A second paragraph about the same subject.
`

/** One server for the file; each test's project is removed after it. */
const perFile = useServerProject('all')
const perTest = useServerProject()
let server: TestServer
const env = () => ({OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-lifecycle'})

beforeAll(async () => {
  server = await perFile.startServer()
})

/** Chat requests sent so far. */
function requests(): number {
  return server.requests.filter((request) => request.path.endsWith('/chat/completions')).length
}

async function synced(files: Record<string, string> = {'notes/a.md': note, 'notes/b.md': other}): Promise<TempProject> {
  const p = await perTest.project(files)
  const first = await p.run(['sync', '--locale', 'es'], env())
  expect(first.stderr).toBe('')
  expect(first.code).toBe(0)
  return p
}

async function lockText(p: TempProject): Promise<string> {
  return p.read('notes-l10n.lock')
}

/** A note with a commented code block, and a translation of it made before notes-l10n whose comment was translated. */
const INSTALL_NOTE =
  '# Install\n\nRun the installer first.\n\n```sh\n# install the tool\nnpm ci\n```\n\nThen read the docs.\n'
const INSTALL_ADOPTED =
  '# Instalar\n\nEjecuta primero el instalador.\n\n```sh\n# instalar la herramienta\nnpm ci\n```\n\nLuego lee la documentación.\n'

describe('segment identity whatever a translator writes', () => {
  it('a title and a table cell answered without letters ("2024-01-01", "2 €") never make later runs fail', async () => {
    const project = await synced()
    const target = await project.read('locales/es/a.md')
    const edited = target
      .replace(/^title: .*$/m, 'title: 2024-01-01')
      .replace(/\| Onfvp \| gjb rhebf \|/, '| Onfvp | 2 € |')
    expect(edited).toContain('| 2 € |')
    await project.write('locales/es/a.md', edited)

    // The source changes elsewhere: the hand edits stay, the changed paragraph is translated.
    await project.write('notes/a.md', note.replace('The last paragraph.', 'The very last paragraph.'))
    const before = requests()
    const second = await project.run(['sync', '--locale', 'es'], env())
    expect(second.stderr).toBe('')
    expect(second.code).toBe(0)
    expect(requests() - before).toBe(1)
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('title: "2024-01-01"')
    expect(after).toContain('| 2 € |')
    expect(after).toContain(pseudoTranslate('The very last paragraph.'))

    const check = await project.run(['check', '--locale', 'es'])
    expect(check.stdout).not.toMatch(/misaligned|error/i)
    expect(check.code).toBe(0)
    // And again: nothing to do, nothing fails.
    const third = await project.run(['sync', '--locale', 'es'], env())
    expect(third.code).toBe(0)
    expect(await project.read('locales/es/a.md')).toBe(after)
  })

  it('a translator\'s "two euros" → "2 €" in prose does not misalign the note', async () => {
    const project = await synced()
    const target = await project.read('locales/es/a.md')
    await project.write('locales/es/a.md', target.replace(pseudoTranslate('Our plan costs two euros a month.'), '2 €'))
    await project.write('notes/a.md', note.replace('# Prices', '# Prices and plans'))
    const second = await project.run(['sync', '--locale', 'es'], env())
    expect(second.code).toBe(0)
    expect(second.stdout).not.toMatch(/untouched/)
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('\n2 €\n')
    expect(after).toContain(pseudoTranslate('# Prices and plans'))
  })

  it('a model that answers a title with "2024-01-01" never makes a later run fail (exit 3 before)', async () => {
    const project = await perTest.project({'notes/a.md': note})
    // A provider whose answer for the title has no letters; everything else as the pseudo provider.
    const pseudo = createPseudoProvider()
    const provider: Provider = {
      name: 'openai',
      model: 'test-model',
      async translate(job, options) {
        const outcome = await pseudo.translate(job, options)
        for (const segment of job.segments)
          if (segment.text === 'Prices and plans') outcome.translations.set(segment.id, '2024-01-01')
        return outcome
      }
    }
    const first = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: provider})
    const title = /^title: "?(.*?)"?$/m.exec(await project.read('locales/es/a.md'))?.[1]
    // Whether the validators accept a letterless answer is theirs to say; the state must hold either way.
    expect(first.notes.map((result) => result.status)).toEqual([title === '2024-01-01' ? 'written' : 'failed'])
    await project.write('notes/a.md', note.replace('The last paragraph.', 'The very last paragraph.'))
    const second = await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: provider})
    expect(second.notes.every((result) => result.status !== 'untouched')).toBe(true)
    const code = (await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])).code
    expect([0, 1]).toContain(code)
    expect(await project.read('notes-l10n.lock')).toContain('notes/a.md')
  })

  it('letterless segments are never sent to the provider', async () => {
    const project = await perTest.project({'notes/a.md': note})
    const before = server.requests.length
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const sent = server.requests.slice(before).flatMap((request) => segmentTexts(request))
    expect(sent).toContain('two euros')
    expect(sent).not.toContain('42')
  })
})

describe('provenance: what a translation was made from', () => {
  it('a config change makes targets stale in check, and sync re-assembles them without paying', async () => {
    const project = await synced()
    await project.write(
      'notes-l10n.config.json',
      JSON.stringify({locales: ['es'], frontmatter: {translated: {set: 'machine'}}})
    )
    const stale = await project.run(['check'])
    expect(stale.code).toBe(1)
    expect(stale.stdout).toMatch(/config that shapes the output changed/)

    const before = requests()
    const again = await project.run(['sync'], env())
    expect(again.code).toBe(0)
    expect(requests()).toBe(before)
    expect(await project.read('locales/es/a.md')).toMatch(/^translated: machine$/m)
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('turning link rebasing off is a config change too', async () => {
    const project = await synced()
    // A link to another note points at that note's translation (docs/config.md, links).
    expect(await project.read('locales/es/a.md')).toContain('](b.md)')
    await project.write('notes-l10n.config.json', JSON.stringify({locales: ['es'], links: {rebase: false}}))
    expect((await project.run(['check'])).code).toBe(1)
    const before = requests()
    expect((await project.run(['sync'], env())).code).toBe(0)
    expect(requests()).toBe(before)
    expect(await project.read('locales/es/a.md')).toContain('](./b.md)')
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a new front-matter key to translate pays only for that key', async () => {
    const project = await synced({'notes/a.md': note.replace('lang: en', 'lang: en\nsummary: A short summary')})
    await project.write(
      'notes-l10n.config.json',
      JSON.stringify({locales: ['es'], frontmatter: {summary: 'translate'}})
    )
    expect((await project.run(['check'])).code).toBe(1)
    const before = server.requests.length
    expect((await project.run(['sync'], env())).code).toBe(0)
    const sent = server.requests.slice(before).flatMap((request) => segmentTexts(request))
    expect(sent).toEqual(['A short summary'])
    expect(await project.read('locales/es/a.md')).toContain(`summary: ${pseudoTranslate('A short summary')}`)
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a changed output template moves the translations without paying, and removes the old files', async () => {
    const project = await synced()
    await project.write('notes-l10n.config.json', JSON.stringify({locales: ['es'], output: 'i18n/{locale}/{path}'}))
    const before = requests()
    const moved = await project.run(['sync'], env())
    expect(moved.code).toBe(0)
    expect(requests()).toBe(before)
    expect(await project.read('i18n/es/a.md')).toContain(pseudoTranslate('The last paragraph.'))
    expect(existsSync(path.join(project.root, 'locales/es/a.md'))).toBe(false)
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a lock written before inputs were recorded stays current, and the next sync records them for free', async () => {
    const project = await synced()
    const recorded = await lockText(project)
    const legacy = recorded.replace(/, "(inputs|keys|output)": "[^"]*"/g, '')
    expect(legacy).not.toContain('"inputs"')
    await project.write('notes-l10n.lock', legacy)
    expect((await project.run(['check'])).code).toBe(0)
    const before = requests()
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    expect(requests()).toBe(before)
    expect(await lockText(project)).toBe(recorded)
  })

  it('pseudo output is never current for a real provider', async () => {
    const project = await perTest.project({'notes/a.md': note})
    expect((await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])).code).toBe(0)
    const pseudo = await project.read('locales/es/a.md')

    // A config that names a real provider: check flags the pseudo output.
    await project.write('notes-l10n.config.json', JSON.stringify({locales: ['es'], provider: {name: 'openai'}}))
    const flagged = await project.run(['check'])
    expect(flagged.code).toBe(1)
    expect(flagged.stdout).toMatch(/pseudo provider/)

    const before = requests()
    const real = await project.run(['sync'], env())
    expect(real.code).toBe(0)
    expect(requests()).toBeGreaterThan(before)
    const after = await project.read('locales/es/a.md')
    expect(after).not.toBe(pseudo)
    expect(after).toContain(pseudoTranslate('The last paragraph.'))
    expect(await lockText(project)).not.toContain('"provider": "pseudo"')
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a pseudo run that translated one new paragraph of a real translation: the next real run sends only that paragraph', async () => {
    const project = await synced()
    await project.write(
      'notes/a.md',
      note.replace('The last paragraph.', 'The last paragraph.\n\nA paragraph added later.')
    )
    const pseudo = await project.run(['sync', '--locale', 'es', '--provider', 'pseudo'])
    expect(pseudo.code).toBe(0)
    // Only the new paragraph is pseudo-made: one `*` in the lock, the real translations stay.
    expect((await lockText(project)).match(/[\w-]{8}\*/g)).toHaveLength(1)
    expect(await project.read('locales/es/a.md')).toContain(pseudoTranslate('The last paragraph.'))

    const first = server.requests.length
    const real = await project.run(['sync', '--locale', 'es'], env())
    expect(real.code).toBe(0)
    const sent = server.requests.slice(first).flatMap((request) => segmentTexts(request))
    expect(sent).toEqual(['A paragraph added later.'])
    expect(await lockText(project)).not.toContain('"provider": "pseudo"')
    expect(await lockText(project)).not.toMatch(/[\w-]{8}\*/)
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
  })

  it('a model change alone re-translates nothing unless asked (--retranslate)', async () => {
    const project = await synced()
    const before = requests()
    const same = await project.run(['sync', '--locale', 'es', '--model', 'gpt-4.1'], env())
    expect(same.code).toBe(0)
    expect(requests()).toBe(before)
    await project.run(['sync', '--locale', 'es', '--model', 'gpt-4.1', '--retranslate'], env())
    expect(requests()).toBeGreaterThan(before)
  })
})

/** Prose around a relative image in raw HTML and a titled relative link, both rebased for `locales/es/`. */
const WITH_HTML = `A lamp <img src="img/lamp.png" alt=""> in the first paragraph.

See [the guide](guide/x.md "The guide") for more.

The last paragraph.
`

describe('rebased raw HTML', () => {
  it('a note with a relative <img src> edited elsewhere syncs again and check stays clean (it failed as "changes the document structure")', async () => {
    const project = await synced({'notes/a.md': WITH_HTML})
    await project.write('notes/a.md', WITH_HTML.replace('The last paragraph.', 'The last paragraph, edited.'))
    const before = server.requests.length
    const again = await project.run(['sync'], env())
    expect(again.stdout + again.stderr).not.toMatch(/changes the document structure|failed/)
    expect(again.code).toBe(0)
    expect(server.requests.slice(before).flatMap((request) => segmentTexts(request))).toEqual([
      'The last paragraph, edited.'
    ])
    expect(await project.read('locales/es/a.md')).toContain('<img src="../../notes/img/lamp.png" alt="">')
    expect((await project.run(['check'])).code).toBe(0)
  })
})

describe('link titles', () => {
  it('a glossary term that touches only a link title re-translates its paragraph with it (the note failed on every run)', async () => {
    const project = await synced({
      'notes/a.md': 'First paragraph.\n\nSee [the guide](guide/x.md "The Widget guide") here.\n'
    })
    await project.write(
      'glossary.json',
      JSON.stringify({version: 1, sourceLocale: 'en', entries: [{term: 'Widget', keep: true}]})
    )
    const before = server.requests.length
    const again = await project.run(['sync'], env())
    expect(again.stdout + again.stderr).not.toMatch(/failed|could not be found/)
    expect(again.code).toBe(0)
    expect(server.requests.slice(before).flatMap((request) => segmentTexts(request)).length).toBe(2)
    expect((await project.run(['check'])).code).toBe(0)
    const after = server.requests.length
    expect((await project.run(['sync'], env())).code).toBe(0)
    expect(server.requests.length).toBe(after)
  })
})

describe('rebased links in human text', () => {
  it('a link a human wrote for the translation’s folder is never rebased again, also after the source changes under it', async () => {
    const source = 'First paragraph.\n\nSee [the guide](guide/x.md "The guide") for more.\n'
    const project = await synced({'notes/a.md': source})
    const human = 'Hecho a mano: [la guía](../../notes/guide/x.md "Guía") y [otra](../../otra/z.md).'
    const translated = await project.read('locales/es/a.md')
    await project.write('locales/es/a.md', translated.replace(/^.*\]\(\.\.\/\.\.\/notes\/guide\/x\.md.*$/m, human))
    await project.write(
      'notes/a.md',
      source.replace('See [the guide](guide/x.md "The guide")', 'Read [the map](map/y.md "The map")')
    )
    for (let run = 0; run < 3; run++) {
      const result = await project.run(['sync'], env())
      expect(result.stdout + result.stderr).not.toMatch(/failed/)
      // The human text stays byte for byte: before, each run moved its links one folder further.
      expect(await project.read('locales/es/a.md')).toContain(human)
    }
    const check = await project.run(['check'])
    expect(check.stdout).toMatch(/needs-review/)
  })
})

describe('renames, moves and deletes', () => {
  it('a renamed note keeps its translations, pays nothing, and check is clean', async () => {
    const project = await synced()
    const translation = await project.read('locales/es/b.md')
    await rename(path.join(project.root, 'notes/b.md'), path.join(project.root, 'notes/c.md'))
    // check says what sync will do: move the translation (the old entry is not a deleted note).
    const renamedCheck = await project.run(['check'])
    expect(renamedCheck.code).toBe(1)
    expect(renamedCheck.stdout).toMatch(
      /stale: locales\/es\/c\.md is out of date: renamed from notes\/b\.md: run notes-l10n sync/
    )
    expect(renamedCheck.stdout).not.toMatch(/orphaned/)

    const before = requests()
    const renamed = await project.run(['sync'], env())
    expect(renamed.code).toBe(0)
    expect(requests()).toBe(before)
    expect(await project.read('locales/es/c.md')).toBe(translation)
    expect(existsSync(path.join(project.root, 'locales/es/b.md'))).toBe(false)
    expect(await lockText(project)).not.toContain('notes/b.md')
    const check = await project.run(['check'])
    expect(check.stdout).not.toMatch(/orphaned/)
    expect(check.code).toBe(0)
  })

  it('a note moved to another folder and edited keeps the translations of what did not change', async () => {
    const project = await synced()
    await rm(path.join(project.root, 'notes/b.md'))
    await project.write('notes/sub/b.md', other.replace('A second paragraph', 'A changed second paragraph'))
    const before = server.requests.length
    expect((await project.run(['sync'], env())).code).toBe(0)
    const sent = server.requests.slice(before).flatMap((request) => segmentTexts(request))
    expect(sent).toEqual(['A changed second paragraph about the same subject.'])
    expect(await project.read('locales/es/sub/b.md')).toContain(
      pseudoTranslate('A paragraph about another subject entirely.')
    )
    expect(existsSync(path.join(project.root, 'locales/es/b.md'))).toBe(false)
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('relative URLs in raw HTML and titled links follow a note moved to another folder: nothing paid, check clean', async () => {
    const project = await synced({'notes/a.md': WITH_HTML})
    expect(await project.read('locales/es/a.md')).toContain('<img src="../../notes/img/lamp.png" alt="">')
    await rm(path.join(project.root, 'notes/a.md'))
    await project.write('notes/sub/a.md', WITH_HTML)
    const before = requests()
    const moved = await project.run(['sync'], env())
    expect(moved.stdout + moved.stderr).not.toMatch(/changes the document structure|failed/)
    expect(moved.code).toBe(0)
    expect(requests()).toBe(before)
    // What the source's URLs say now, from the translation's new folder.
    const text = await project.read('locales/es/sub/a.md')
    expect(text).toContain('<img src="../../../notes/sub/img/lamp.png" alt="">')
    expect(text).toContain('](../../../notes/sub/guide/x.md "')
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a deleted note: sync removes its lock entry and the translation the tool wrote', async () => {
    const project = await synced()
    await rm(path.join(project.root, 'notes/b.md'))
    const removed = await project.run(['sync'], env())
    expect(removed.code).toBe(0)
    expect(existsSync(path.join(project.root, 'locales/es/b.md'))).toBe(false)
    expect(await lockText(project)).not.toContain('notes/b.md')
    expect((await project.run(['check'])).code).toBe(0)
  })

  it('a deleted note whose translation has human edits: the file is kept and reported, check is clean', async () => {
    const project = await synced()
    const translation = await project.read('locales/es/b.md')
    await project.write(
      'locales/es/b.md',
      translation.replace(pseudoTranslate('A second paragraph about the same subject.'), 'Un párrafo revisado.')
    )
    await rm(path.join(project.root, 'notes/b.md'))
    const removed = await project.run(['sync'], env())
    expect(removed.code).toBe(0)
    expect(removed.stdout + removed.stderr).toMatch(/kept locales\/es\/b\.md/)
    expect(await project.read('locales/es/b.md')).toContain('Un párrafo revisado.')
    expect(await lockText(project)).not.toContain('notes/b.md')
    expect((await project.run(['check'])).code).toBe(0)
  })
})

describe('human edits win everywhere', () => {
  it('front-matter lines a human added to a translation are kept when the note is synced again', async () => {
    const project = await synced()
    const target = await project.read('locales/es/a.md')
    await project.write(
      'locales/es/a.md',
      target.replace('translated: true\n', 'translated: true\nreviewed_by: maria # checked 2025-06\n')
    )
    await project.write('notes/a.md', note.replace('The last paragraph.', 'The very last paragraph.'))
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('reviewed_by: maria # checked 2025-06\n')
    expect(after).toContain(pseudoTranslate('The very last paragraph.'))
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
    // And it stays on the next runs.
    await project.write('notes/a.md', note)
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    expect(await project.read('locales/es/a.md')).toContain('reviewed_by: maria')
  })

  it("a hand edit that drops the source's bold or link is kept as human work, reported with file:line, and the note keeps syncing", async () => {
    const source =
      '# Notes\n\nThe first paragraph has **bold** words.\n\nRead [the guide](https://example.com/guide) first.\n\nThe last paragraph.\n'
    const project = await synced({'notes/a.md': source})
    const translated = await project.read('locales/es/a.md')
    const bold = pseudoTranslate('The first paragraph has **bold** words.')
    const link = translated.split('\n').find((line) => line.includes('](https://example.com/guide)'))!
    expect(translated).toContain(bold)
    // A translator rewrites the bold as plain text and removes the link.
    const edited = translated
      .replace(bold, 'El primer párrafo tiene palabras en negrita.')
      .replace(link, 'Lee primero la guía.')
    await project.write('locales/es/a.md', edited)

    const warned = await project.run(['check', '--locale', 'es'])
    expect(warned.code).toBe(0)
    expect(warned.stdout).toMatch(/locales\/es\/a\.md:\d+: warning human-markup: .*lacks the source's strong emphasis/)
    expect(warned.stdout).toMatch(/locales\/es\/a\.md:\d+: warning human-markup: .*lacks the source's link/)
    expect(warned.stdout).toContain('restore it there and run notes-l10n sync')

    // sync keeps both as human work (exit 0, before: "changes the document structure" on every run).
    const kept = await project.run(['sync', '--locale', 'es'], env())
    expect(kept.code).toBe(0)
    expect(kept.stdout).toContain('human-markup')
    expect(await project.read('locales/es/a.md')).toBe(edited)
    expect(await lockText(project)).toMatch(/[\w-]{8}!\?/)

    // The rest of the note keeps syncing; check still reports the hand edits (the lock marks them).
    await project.write('notes/a.md', source.replace('The last paragraph.', 'The last paragraph, edited.'))
    const again = await project.run(['sync', '--locale', 'es'], env())
    expect(again.code).toBe(0)
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('El primer párrafo tiene palabras en negrita.')
    expect(after).toContain('Lee primero la guía.')
    expect(after).toContain(pseudoTranslate('The last paragraph, edited.'))
    const check = await project.run(['check', '--locale', 'es'])
    expect(check.code).toBe(0)
    expect(check.stdout.match(/warning human-markup/g)).toHaveLength(2)

    // Restoring the bold clears its warning.
    await project.write('locales/es/a.md', after.replace('palabras en negrita', 'palabras en **negrita**'))
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    expect((await project.run(['check', '--locale', 'es'])).stdout.match(/warning human-markup/g)).toHaveLength(1)
  })

  it('adopting an existing translation never changes a byte silently: code that differs is reported with file:line', async () => {
    const project = await perTest.project({'notes/a.md': INSTALL_NOTE, 'locales/es/a.md': INSTALL_ADOPTED})
    const before = requests()
    const adopted = await project.run(['sync', '--locale', 'es'], env())
    expect(adopted.code).toBe(1)
    expect(adopted.stdout).toMatch(/untouched/)
    expect(adopted.stdout).toContain('locales/es/a.md:6')
    expect(await project.read('locales/es/a.md')).toBe(INSTALL_ADOPTED)
    expect(requests()).toBe(before)

    // The user chooses: --force takes the code from the source and keeps the human prose.
    const forced = await project.run(['sync', '--locale', 'es', '--force'], env())
    expect(forced.code).toBe(0)
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('# install the tool')
    expect(after).toContain('Ejecuta primero el instalador.')
    expect(after).toContain('Luego lee la documentación.')
    expect(requests()).toBe(before)
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)
  })

  it('adopting a translation whose code comments were translated: code.comments "keep" keeps the body byte for byte, then and after a source edit', async () => {
    const project = await perTest.project({'notes/a.md': INSTALL_NOTE, 'locales/es/a.md': INSTALL_ADOPTED})
    const before = requests()
    // Without the option: left as it is, and the message names the option that fits.
    const refused = await project.run(['sync', '--locale', 'es'], env())
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain('locales/es/a.md:6')
    expect(refused.stdout).toContain('set "code": {"comments": "keep"} in the config')
    expect(await project.read('locales/es/a.md')).toBe(INSTALL_ADOPTED)

    await project.write('notes-l10n.config.json', JSON.stringify({code: {comments: 'keep'}}))
    const adopted = await project.run(['sync', '--locale', 'es'], env())
    expect(adopted.code, adopted.stdout).toBe(0)
    // The body byte for byte; the front-matter policy adds `lang` and `translated`.
    expect(await project.read('locales/es/a.md')).toBe(`---\nlang: es\ntranslated: true\n---\n${INSTALL_ADOPTED}`)
    expect(requests()).toBe(before)
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)

    // A later source edit translates the new prose and keeps the translated comment.
    await project.write('notes/a.md', `${INSTALL_NOTE}\nA paragraph added later.\n`)
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    const after = await project.read('locales/es/a.md')
    expect(after).toContain('# instalar la herramienta\nnpm ci\n')
    expect(after).toContain('Luego lee la documentación.')
    expect(after).not.toContain('A paragraph added later.')
    expect((await project.run(['check', '--locale', 'es'])).code).toBe(0)

    // A difference in the code itself is never kept: adoption still reports it.
    const other = INSTALL_ADOPTED.replace('npm ci', 'npm install')
    await project.write('notes/b.md', INSTALL_NOTE)
    await project.write('locales/es/b.md', other)
    const code = await project.run(['sync', '--locale', 'es'], env())
    expect(code.code).toBe(1)
    expect(code.stdout).toContain('locales/es/b.md:7')
    expect(await project.read('locales/es/b.md')).toBe(other)
  })

  it('adopting an existing translation whose non-prose matches the source keeps its prose and pays nothing', async () => {
    const source = '# Install\n\nRun `npm ci` first.\n'
    const existing = '# Instalar\n\nEjecuta `npm ci` primero.\n'
    const project = await perTest.project({'notes/a.md': source, 'locales/es/a.md': existing})
    const before = requests()
    expect((await project.run(['sync', '--locale', 'es'], env())).code).toBe(0)
    expect(requests()).toBe(before)
    expect(await project.read('locales/es/a.md')).toContain('Ejecuta `npm ci` primero.')
  })
})

describe('check after a hand fix', () => {
  it('does not call correct glossary renderings (周靖人 for Jingren Zhou) errors after an unrelated hand fix of the same file', async () => {
    const repo = path.join(import.meta.dirname, '../..')
    const project = await perTest.project({
      'glossary.json': readFileSync(path.join(repo, 'glossary.json'), 'utf8'),
      'notes/a.md': readFileSync(path.join(repo, 'notes/2025-09-18-jingren-zhou-en.md'), 'utf8')
    })
    expect((await project.run(['sync', '--locale', 'zh', '--provider', 'pseudo'])).code).toBe(0)
    const target = await project.read('locales/zh/a.md')
    expect(target).toContain('周靖人')
    const heading = /^### .*$/m.exec(target)![0]
    await project.write('locales/zh/a.md', target.replace(heading, '### 背景'))
    const check = await project.run(['check', '--locale', 'zh'])
    expect(check.stdout).toMatch(/hand-edited/)
    expect(check.stdout).not.toMatch(/Q18|: error/)
    expect(check.code).toBe(0)
  })
})

describe('nothing found is an error', () => {
  it('check in a folder without notes exits 2 and says where it looked', async () => {
    const project = await perTest.project({'README.md': '# not a project\n'})
    const result = await project.run(['check', '--locale', 'es'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/no source notes found: looked for notes\/\*\*\/\*\.\{md,mdx\} under /)
    expect(result.stdout).not.toMatch(/all current/)
  })

  it('check from a subfolder of a zero-config project finds the project root upward, like git', async () => {
    const project = await synced()
    const {main} = await import('../../src/cli/main.js')
    let stdout = ''
    let stderr = ''
    const code = await main(['check'], {
      cwd: path.join(project.root, 'notes'),
      env: {PATH: process.env.PATH},
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      isTTY: false
    })
    expect(stderr).toBe('')
    expect(stdout).toMatch(/2 translations checked|all current/)
    expect(code).toBe(0)
  })
})
