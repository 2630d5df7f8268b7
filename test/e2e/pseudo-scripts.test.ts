/**
 * A first pseudo run on the repository's example notes into Chinese and Japanese prints no Q12
 * (translation identical to the source): the pseudo provider changes text in every script.
 */

import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {type TempProject, tempProject} from '../support/project.js'
import {repoRoot} from '../support/repo.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.remove()
})

describe('pseudo run into zh and ja', () => {
  it('prints no Q12 warning on the example notes', async () => {
    const files: Record<string, string> = {'notes-l10n.config.json': JSON.stringify({locales: ['zh', 'ja']})}
    for (const name of await readdir(path.join(repoRoot, 'notes'))) {
      files[`notes/${name}`] = await readFile(path.join(repoRoot, 'notes', name), 'utf8')
    }
    // A Chinese and a Russian source note: no look-alike letters for them, so only the marker
    // tells the pseudo translation from the source.
    files['notes/zhou-zh.md'] =
      '---\nlang: zh\ntitle: 阿里云首席技术官周靖人\n---\n\n## 背景\n\n他拥有中国科学技术大学的**计算机科学学士学位**。\n\n* 加入阿里云之前，他在微软工作。\n'
    files['notes/zhou-ru.md'] =
      '---\nlang: ru\ntitle: Чжоу Цзинжэнь\n---\n\nОн работал в [Microsoft](https://example.com) над системами больших данных.\n'
    project = await tempProject(files)
    const {code, stdout, stderr} = await project.run(['sync', '--provider', 'pseudo'])
    expect(code, stderr).toBe(0)
    expect(stdout).not.toMatch(/Q12/)
  })
})
