import {it} from 'vitest'
import {mkdir, writeFile, mkdtemp, rm} from 'node:fs/promises'
import path from 'node:path'
import {tmpdir} from 'node:os'
import {loadConfig} from '../../src/config/load.js'
import {discoverNotes} from '../../src/config/discover.js'
import {resolveOutputPath} from '../../src/config/paths.js'
it('perf', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'perf-'))
  await writeFile(path.join(root, 'notes-l10n.config.json'), JSON.stringify({sources: {pattern: 'notes/**/{date}-{slug}-{lang}.md'}, locales: ['en','zh','ja','es','fr','de','ar','hi','hant'], localeAliases: {hant: 'zh-Hant'}, output: '_posts/{locale}/{date}-{slug}-{locale}.md'}))
  for (let d = 0; d < 100; d++) {
    await mkdir(path.join(root, 'notes', `d${d}`), {recursive: true})
    await Promise.all(Array.from({length: 100}, (_, i) => writeFile(path.join(root, 'notes', `d${d}`, `2025-01-16-n${d}x${i}-en.md`), '---\ntitle: x\nlang: en\n---\n' + 'text '.repeat(1000))))
  }
  const config = await loadConfig({cwd: root})
  let t = Date.now()
  for (let i = 0; i < 90000; i++) resolveOutputPath(config, {source: 'notes/d1/2025-01-16-n1x1-en.md', captures: {date: '2025', slug: 'x', lang: 'en'}}, 'hant')
  console.log("resolve 90k ms", Date.now() - t); const {sourceBase} = await import("../../src/config/paths.js"); const {normaliseLocale} = await import("../../src/config/locales.js"); t = Date.now(); for (let i = 0; i < 90000; i++) sourceBase(config, "notes/d1/2025-01-16-n1x1-en.md"); console.log("base", Date.now() - t); t = Date.now(); for (let i = 0; i < 90000; i++) normaliseLocale(config, "hant"); console.log("norm", Date.now() - t)
  t = Date.now()
  const {plans} = await discoverNotes(config)
  console.log('discover', plans.length, Date.now() - t)
  t = Date.now()
  await discoverNotes({...config, sourceLocale: {default: 'en'}})
  console.log('discover without fm', Date.now() - t)
  await rm(root, {recursive: true})
}, 120000)
