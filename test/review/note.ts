import {sync} from '../../src/commands/sync.js'
import {createPseudoProvider} from '../../src/providers/pseudo.js'
import {type TempProject, tempProject} from '../support/project.js'

/** A small note for the review command tests: a title, a heading, a link with a title, code and emphasis. */
export const NOTE = `---
title: Models and tools
lang: en
---

# Getting started

Run \`npm ci\` and read [the guide](https://example.com/guide "Guide").

The second paragraph is plain prose about models.

The third paragraph mentions *emphasis* and \`code\`.

The last paragraph.
`

/** A temp project holding {@link NOTE}, synced to es with the pseudo provider. */
export async function syncedProject(): Promise<TempProject> {
  const project = await tempProject({'notes/a.md': NOTE})
  await sync({cwd: project.root, locales: ['es'], env: {}, providerOverride: createPseudoProvider()})
  return project
}
