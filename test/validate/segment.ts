/**
 * Test helpers: segments made by hand from a protected string and a token table, so the validator
 * tests do not depend on the protector.
 */

import type {Finding, Segment, SegmentKind, Token} from '../../src/types.js'

export function atom(n: number, kind: Token['kind'], open: string, url?: string): Token {
  return url === undefined ? {n, shape: 'atom', kind, open, close: ''} : {n, shape: 'atom', kind, open, close: '', url}
}

export function pair(n: number, kind: Token['kind'], open: string, close: string, url?: string): Token {
  return url === undefined ? {n, shape: 'pair', kind, open, close} : {n, shape: 'pair', kind, open, close, url}
}

/** A segment whose `markdown` is not needed by the validators (the protected text stands in). */
export function segment(
  text: string,
  tokens: Token[] = [],
  options: {kind?: SegmentKind; id?: string; line?: number} = {}
): Segment {
  return {
    id: options.id ?? 'seg0000001',
    kind: options.kind ?? 'paragraph',
    line: options.line ?? 7,
    start: 0,
    end: text.length,
    markdown: text,
    text,
    tokens
  }
}

export const EN_ES = {sourceLocale: 'en', targetLocale: 'es'}
export const EN_ZH = {sourceLocale: 'en', targetLocale: 'zh'}

/** The findings of one rule, as `severity message` pairs' severities (compact to assert on). */
export function of(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((finding) => finding.rule === rule)
}

export function severities(findings: readonly Finding[], rule: string): string[] {
  return of(findings, rule).map((finding) => finding.severity)
}
