/**
 * The repository stands on its own: every rule id the code can print is documented in
 * docs/rules.md, comments cite documents inside the repository, no test outside test/corpus reads
 * anything beside it, and `--version` is package.json's.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'
import {main} from '../../src/cli/main.js'
import {repoRoot} from '../support/repo.js'

/** Every file under `folder` (relative to the repository root), recursively, sorted. */
function files(folder: string, skip: (relative: string) => boolean = () => false): string[] {
  const found: string[] = []
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(repoRoot, relative), {withFileTypes: true})) {
      const child = path.posix.join(relative, entry.name)
      if (skip(child)) continue
      if (entry.isDirectory()) walk(child)
      else found.push(child)
    }
  }
  walk(folder)
  return found.sort()
}

const RULE_ID = /\b[A-Z][0-9]{1,2}\b/g

/**
 * Rule ids in the code of one source file — string and template literals and property names, not
 * comments: what the program can print.
 */
function printableIds(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(repoRoot, file), 'utf8'), ts.ScriptTarget.Latest)
  const ids: string[] = []
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      ids.push(...(node.text.match(RULE_ID) ?? []))
    } else if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      /^[A-Z][0-9]{1,2}$/.test(node.name.text)
    ) {
      ids.push(node.name.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return ids
}

const sources = files('src').filter((file) => file.endsWith('.ts'))
const rules = readFileSync(path.join(repoRoot, 'docs/rules.md'), 'utf8')
const decisions = readFileSync(path.join(repoRoot, 'docs/decisions.md'), 'utf8')

describe('docs/rules.md', () => {
  const printable = [...new Set(sources.flatMap(printableIds))].sort()

  it(`documents every rule id src/ can print (${printable.length} ids), each under its own heading`, () => {
    expect(printable).toEqual(expect.arrayContaining(['G1', 'L7', 'Q1', 'Q12', 'Q17']))
    const headings = new Set([...rules.matchAll(/^### ([A-Z][0-9]{1,2})$/gm)].map((match) => match[1]))
    expect(printable.filter((id) => !headings.has(id))).toEqual([])
  })

  it('documents every id a comment in src/ or test/ cites', () => {
    const documented = new Set(rules.match(RULE_ID) ?? [])
    // Ranges such as `L1–L3` or `A4–A6` document the ids between them.
    for (const [, letter, from, to] of rules.matchAll(/\b([A-Z])([0-9]{1,2})[–-]\1([0-9]{1,2})\b/g)) {
      for (let n = Number(from); n <= Number(to); n++) documented.add(`${letter}${n}`)
    }
    const cited = new Set<string>()
    for (const file of [
      ...sources,
      ...files('test', (relative) => relative.startsWith('test/fixtures') || relative.startsWith('test/corpus'))
    ]) {
      if (!file.endsWith('.ts')) continue
      for (const match of readFileSync(path.join(repoRoot, file), 'utf8').matchAll(
        /docs\/rules\.md[ ,#]+((?:[A-Za-z][0-9]{1,2}(?:[–-][A-Za-z]?[0-9]{1,2})?(?:, | and |\/)?)+)/g
      )) {
        for (const id of match[1]!.toUpperCase().match(RULE_ID) ?? []) cited.add(id)
      }
    }
    expect(cited.size).toBeGreaterThan(20)
    expect([...cited].filter((id) => !documented.has(id))).toEqual([])
  })
})

describe('comments cite documents inside the repository', () => {
  // Built from parts so that this file does not match itself.
  const forbidden = ['../' + 'shared', '/' + 'work/', 'DESIGN ' + 'decision', 'DESIGN ' + 'trap', 'QA-' + 'CHECKLIST']
  const checked = [...sources, ...files('test', (relative) => relative.startsWith('test/corpus'))]

  it(`no file in src/ or test/ (outside test/corpus) names ${forbidden.join(', ')}`, () => {
    const offending = checked.flatMap((file) => {
      const text = readFileSync(path.join(repoRoot, file), 'utf8')
      return forbidden.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`)
    })
    expect(offending).toEqual([])
  })

  it('every "docs/decisions.md §n" and "trap n" cited exists', () => {
    const sections = new Set([...decisions.matchAll(/^### §([0-9]+) /gm)].map((match) => Number(match[1])))
    const traps = new Set([...decisions.matchAll(/^([0-9]+)\. \*\*/gm)].map((match) => Number(match[1])))
    const missing: string[] = []
    for (const file of checked) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8')
      for (const [, kind, list] of text.matchAll(/docs\/decisions\.md,? (§|traps? )([0-9][0-9, and§]*)/g)) {
        for (const n of list!.match(/[0-9]+/g) ?? []) {
          if (!(kind === '§' ? sections : traps).has(Number(n))) missing.push(`${file}: ${kind}${n}`)
        }
      }
    }
    expect(sections.size).toBe(10)
    expect(traps.size).toBe(13)
    expect(missing).toEqual([])
  })

  it('every docs/*.md a comment in src/ names exists', () => {
    const named = new Set(
      sources.flatMap((file) => readFileSync(path.join(repoRoot, file), 'utf8').match(/docs\/[a-z-]+\.md/g) ?? [])
    )
    expect([...named].filter((doc) => !existsSync(path.join(repoRoot, doc)))).toEqual([])
  })
})

describe('--version', () => {
  const {version} = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string}

  it(`prints package.json's version (${version})`, async () => {
    let stdout = ''
    const code = await main(['--version'], {
      stdout: (text) => (stdout += text),
      stderr: () => {},
      env: {},
      isTTY: false
    })
    expect(code).toBe(0)
    expect(stdout).toBe(`${version}\n`)
  })

  it('the built bin/notes-l10n.js prints the same (npm test builds dist/ first)', () => {
    expect(
      execFileSync(process.execPath, [path.join(repoRoot, 'bin/notes-l10n.js'), '--version'], {encoding: 'utf8'})
    ).toBe(`${version}\n`)
  })
})
