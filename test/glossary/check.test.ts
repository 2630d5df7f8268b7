import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {glossaryCheck, loadGlossary, type TranslatedPair} from '../../src/glossary/load.js'

const root = join(import.meta.dirname, '../fixtures/glossary/check')
const glossary = await loadGlossary(join(import.meta.dirname, '../../glossary.json'))

/** Blocks separated by blank lines, with their 1-based first line: enough alignment for fixtures. */
function blocks(text: string): Array<{markdown: string; line: number}> {
  const result: Array<{markdown: string; line: number}> = []
  text.split('\n').forEach((content, index) => {
    const last = result.at(-1)
    if (content.trim() === '') result.push({markdown: '', line: index + 2})
    else if (last && last.markdown === '') last.markdown = content
    else if (last) last.markdown += `\n${content}`
    else result.push({markdown: content, line: index + 1})
  })
  return result.filter((block) => block.markdown !== '')
}

function pairs(directory: string): TranslatedPair[] {
  const source = blocks(readFileSync(join(directory, 'source.md'), 'utf8'))
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md') && name !== 'source.md')
    .flatMap((file) => {
      const target = blocks(readFileSync(join(directory, file), 'utf8'))
      expect(target.length).toBe(source.length)
      return source.map((block, index) => ({
        file,
        locale: file.replace(/\.md$/, ''),
        source: {markdown: block.markdown, line: block.line, id: `s${index}`},
        target: {markdown: target[index]?.markdown ?? '', line: target[index]?.line ?? 0}
      }))
    })
}

describe('glossaryCheck on hand-made translations (with the project glossary)', () => {
  test.each(readdirSync(root))('%s', (name) => {
    const directory = join(root, name)
    const expected: unknown = JSON.parse(readFileSync(join(directory, 'expected.json'), 'utf8'))
    const findings = glossaryCheck(glossary!, pairs(directory))
    expect(findings.map(({file, line, rule, severity}) => ({file, line, rule, severity}))).toEqual(expected)
    for (const finding of findings) {
      expect(finding.segment).toMatch(/^s\d+$/)
      expect(finding.message).not.toContain('\n')
    }
  })

  test('reports errors when strict, with the target file and line', () => {
    const findings = glossaryCheck(glossary!, pairs(join(root, 'zh-broken')), {strict: true})
    expect(findings).toEqual([
      {
        rule: 'G3',
        severity: 'error',
        message: expect.stringContaining('expected "微软" for "Microsoft"'),
        file: 'zh.md',
        locale: 'zh',
        line: 5,
        segment: 's2'
      }
    ])
  })
})
