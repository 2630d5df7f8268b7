/**
 * The README tells the truth: its examples parse and the flags it documents exist.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseGlossary} from '../../src/glossary/load.js'
import {tempProject} from '../support/project.js'
import {repoRoot} from '../support/repo.js'

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8')

describe('README', () => {
  it('has a glossary example that the glossary loader accepts', () => {
    const example = /## Glossary[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(example).toBeDefined()
    expect(parseGlossary(JSON.parse(example!), 'README.md').entries.length).toBeGreaterThan(0)
  })

  it('documents only flags that exist, for every command in its table', async () => {
    const project = await tempProject()
    try {
      const rows = readme.split('\n').filter((line) => line.startsWith('| `notes-l10n '))
      expect(rows.length).toBeGreaterThan(5)
      for (const row of rows) {
        const command = /^\| `notes-l10n ([a-z]+(?: [a-z]+)?)/.exec(row)![1]!.replace(/ (status|collect).*$/, '')
        const words = command.split(' ').filter((word) => !word.includes('|'))
        const help = await project.run([...words, '--help'])
        expect(help.code, `${command} --help`).toBe(0)
        for (const flag of new Set(row.match(/--[a-z][a-z-]*/g) ?? [])) {
          expect(help.stdout, `README documents ${command} ${flag}`).toContain(flag)
        }
      }
    } finally {
      await project.remove()
    }
  })
})
