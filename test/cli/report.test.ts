/**
 * Sync's per-note lines: a warning repeated under one rule prints once, with its count.
 */

import {describe, expect, it} from 'vitest'
import {formatSyncLine} from '../../src/cli/report.js'
import type {NoteResult} from '../../src/commands/sync.js'
import type {Finding} from '../../src/types.js'

const paint = {paint: {red: String, green: String, yellow: String, dim: String, bold: String}} as unknown as Parameters<
  typeof formatSyncLine
>[1]

function note(findings: Finding[]): NoteResult {
  return {
    note: 'notes/a.md',
    locale: 'zh',
    output: 'locales/zh/a.md',
    status: 'written',
    counts: {translated: 3} as NoteResult['counts'],
    segments: [],
    findings
  }
}

const finding = (rule: string, line: number, severity: Finding['severity'] = 'warning'): Finding => ({
  rule,
  severity,
  line,
  segment: `s${line}`,
  message: `message ${line}`
})

describe('formatSyncLine', () => {
  it('prints repeated warnings as one line per rule with a count, single ones as they are', () => {
    const text = formatSyncLine(
      note([
        finding('Q12', 3),
        finding('Q12', 5),
        finding('Q12', 9),
        finding('Q14', 4),
        finding('Q1', 6, 'error'),
        finding('Q1', 7, 'error')
      ]),
      paint
    )
    const lines = text.split('\n')
    expect(lines.filter((line) => line.includes('Q12'))).toEqual([
      '  notes/a.md:3: warning Q12: 3× (lines 3, 5, 9), first: message 3 — --report lists each'
    ])
    expect(lines).toContain('  notes/a.md:4: warning Q14: message 4')
    // Errors are never folded.
    expect(lines.filter((line) => line.includes('error Q1'))).toHaveLength(2)
  })
})
