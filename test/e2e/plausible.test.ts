/**
 * `sync` through the real CLI against the test server in its plausible mode (answers like a
 * competent translator: reordered pairs, punctuation against tokens, letterless short answers,
 * full-width punctuation, CJK without spaces): every note is written with its source's shape.
 */

import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {shapeProblem} from '../pipeline/harness.js'
import {repoRoot} from '../support/repo.js'
import {useServerProject} from '../support/server-project.js'

/**
 * Pairs against punctuation and reordered. Letterless answers (test/pipeline/plausible.test.ts)
 * are left out here: reading back a segment without letters is the state side's job (segment
 * alignment), not this pipeline's.
 */
const pairs = `# Links

Click [here](https://example.com/a) and [there](https://example.com/b) now.

See [foo] (details) or **bold** text, "quoted" words and _more_.

[foo]: https://example.com/foo
`

const setup = useServerProject()

describe('sync with a plausible translator', () => {
  for (const locale of ['es', 'zh'] as const) {
    it(`writes every ${locale} note with the source's structure`, async () => {
      const server = await setup.startServer({translator: {kind: 'plausible', locale, seed: 17}})
      const example = await readFile(path.join(repoRoot, 'notes/2025-09-18-jingren-zhou-en.md'), 'utf8')
      const project = await setup.project({
        'notes-l10n.config.json': JSON.stringify({locales: [locale]}),
        'notes/example.md': example,
        'notes/pairs.md': pairs
      })
      const {code, stdout, stderr} = await project.run(['sync'], {
        OPENAI_BASE_URL: server.url,
        OPENAI_API_KEY: 'sk-test-plausible'
      })
      expect(stdout).not.toMatch(/failed/)
      expect(code, stderr).toBe(0)
      for (const [name, source] of [
        ['example.md', example],
        ['pairs.md', pairs]
      ] as const) {
        const written = await project.read(`locales/${locale}/${name}`)
        expect(shapeProblem(source, written)).toBeUndefined()
      }
    })
  }
})
