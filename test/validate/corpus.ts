/**
 * Test helper: rough segments of a note, for checking the validators against real
 * translations. A stand-in for the real segmenter/protector (which other modules own): leaf
 * blocks in document order, inline constructs as tokens.
 */

import {readFileSync} from 'node:fs'
import type {Nodes, PhrasingContent, Root} from 'mdast'
import remarkFrontmatter from 'remark-frontmatter'
import remarkGfm from 'remark-gfm'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import {compareSegments} from '../../src/pipeline/validate.js'
import type {Finding, Segment, Token} from '../../src/types.js'
import {segment} from './segment.js'

const parser = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter)

const PAIR_KINDS = {emphasis: 'emphasis', strong: 'strong', delete: 'delete', link: 'link'} as const

function protect(children: readonly PhrasingContent[], tokens: Token[]): string {
  let text = ''
  for (const child of children) {
    const n = tokens.length + 1
    if (child.type === 'text') text += child.value
    else if (child.type === 'inlineCode') {
      tokens.push({n, shape: 'atom', kind: 'code', open: `\`${child.value}\``, close: ''})
      text += `⟦${n}⟧`
    } else if (child.type === 'html') {
      tokens.push({n, shape: 'atom', kind: 'html', open: child.value, close: ''})
      text += `⟦${n}⟧`
    } else if (child.type === 'break') {
      tokens.push({n, shape: 'atom', kind: 'break', open: '\\\n', close: ''})
      text += `⟦${n}⟧`
    } else if (child.type === 'image') {
      tokens.push({n, shape: 'atom', kind: 'image', open: '![', close: '', url: child.url})
      text += `⟦${n}⟧`
    } else if (child.type in PAIR_KINDS) {
      const kind = PAIR_KINDS[child.type as keyof typeof PAIR_KINDS]
      const token: Token = {n, shape: 'pair', kind, open: '', close: ''}
      if (child.type === 'link') token.url = child.url
      tokens.push(token)
      const inner = protect((child as {children: PhrasingContent[]}).children, tokens)
      text += `⟦${n}⟧${inner}⟦/${n}⟧`
    } else text += `⟦${tokens.push({n, shape: 'atom', kind: 'html', open: child.type, close: ''})}⟧`
  }
  return text
}

export function roughSegments(file: string): Segment[] {
  const tree = parser.parse(readFileSync(file, 'utf8')) as Root
  const segments: Segment[] = []
  const visit = (node: Nodes) => {
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell') {
      const tokens: Token[] = []
      const text = protect(node.children, tokens)
      const kind = node.type === 'tableCell' ? 'tableCell' : node.type
      segments.push(segment(text, tokens, {kind, id: `s${segments.length + 1}`, line: node.position?.start.line ?? 0}))
      return
    }
    if ('children' in node) for (const child of node.children) visit(child)
  }
  visit(tree)
  return segments
}

/**
 * Every finding of comparing each source with its translation segment by segment, and the errors
 * as `file:line rule message` lines. A pair whose segment counts differ is an error too.
 */
export function pairErrors(pairs: ReadonlyArray<{locale: string; file: string; source: string; target: string}>): {
  errors: string[]
  all: Finding[]
} {
  const errors: string[] = []
  const all: Finding[] = []
  for (const {locale, file, source, target} of pairs) {
    const sources = roughSegments(source)
    const targets = roughSegments(target)
    if (targets.length !== sources.length)
      errors.push(`${file}: ${targets.length} segments, the source has ${sources.length}`)
    sources.forEach((segment, index) => {
      const translated = targets[index]
      if (translated === undefined) return
      const findings = compareSegments(segment, translated, {sourceLocale: 'en', targetLocale: locale})
      all.push(...findings)
      for (const finding of findings) {
        if (finding.severity === 'error') errors.push(`${file}:${finding.line} ${finding.rule} ${finding.message}`)
      }
    })
  }
  return {errors, all}
}
