import {describe, expect, it} from 'vitest'
import {compareSegments} from '../../src/pipeline/validate.js'
import {translationPairs} from '../support/notes.js'
import {pairErrors} from './corpus.js'
import {atom, EN_ES, of, pair, segment, severities} from './segment.js'

describe('compareSegments: token contents by kind', () => {
  const source = segment('Run ⟦1⟧, then read ⟦2⟧the guide⟦/2⟧ and ⟦3⟧this⟦/3⟧.', [
    atom(1, 'code', '`npm ci`'),
    pair(2, 'link', '[', '](https://example.com/guide)', 'https://example.com/guide'),
    pair(3, 'emphasis', '*', '*')
  ])

  it('accepts the same contents under other numbers and in another order', () => {
    const target = segment('Lee ⟦1⟧la guía⟦/1⟧ y ⟦2⟧esto⟦/2⟧ tras ejecutar ⟦3⟧.', [
      pair(1, 'link', '[', '](https://example.com/guide)', 'https://example.com/guide'),
      pair(2, 'emphasis', '_', '_'),
      atom(3, 'code', '`npm ci`')
    ])
    expect(compareSegments(source, target, EN_ES)).toEqual([])
  })

  it('rejects changed code (Q7) and a changed link destination (Q5), naming both sides', () => {
    const target = segment('Ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧ y ⟦3⟧esto⟦/3⟧.', [
      atom(1, 'code', '`npm instalar`'),
      pair(2, 'link', '[', '](https://example.com/guia)', 'https://example.com/guia'),
      pair(3, 'emphasis', '*', '*')
    ])
    const findings = compareSegments(source, target, EN_ES)
    expect(of(findings, 'Q7')[0]?.message).toBe(
      'inline code differs from the source: missing "`npm ci`"; not in the source "`npm instalar`"'
    )
    expect(severities(findings, 'Q5')).toEqual(['error'])
    expect(of(findings, 'Q5')[0]?.message).toContain('"https://example.com/guide"')
  })

  it('in a human translation, what was only added is a warning; what was changed stays an error', () => {
    const human = {...EN_ES, humanTarget: true}
    const extraLink = segment('Ejecuta ⟦1⟧, lee ⟦2⟧la guía⟦/2⟧, ⟦3⟧esto⟦/3⟧ y ⟦4⟧la nuestra⟦/4⟧.', [
      atom(1, 'code', '`npm ci`'),
      pair(2, 'link', '[', '](https://example.com/guide)', 'https://example.com/guide'),
      pair(3, 'emphasis', '*', '*'),
      pair(4, 'link', '[', '](https://example.com/es)', 'https://example.com/es')
    ])
    expect(severities(compareSegments(source, extraLink, human), 'Q5')).toEqual(['warning'])
    // The same addition in machine output is an error.
    expect(severities(compareSegments(source, extraLink, EN_ES), 'Q5')).toEqual(['error'])
    const changed = segment('Ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧ y ⟦3⟧esto⟦/3⟧.', [
      atom(1, 'code', '`npm ci`'),
      pair(2, 'link', '[', '](https://example.com/guia)', 'https://example.com/guia'),
      pair(3, 'emphasis', '*', '*')
    ])
    expect(severities(compareSegments(source, changed, human), 'Q5')).toEqual(['error'])
  })

  it('warns about lost emphasis (Q8) and reports it under the source segment id and line', () => {
    const target = segment(
      'Ejecuta ⟦1⟧ y lee ⟦2⟧la guía⟦/2⟧ y esto.',
      [atom(1, 'code', '`npm ci`'), pair(2, 'link', '[', '](https://example.com/guide)', 'https://example.com/guide')],
      {id: 'target-id', line: 99}
    )
    const findings = compareSegments(segment(source.text, source.tokens, {id: 'source-id', line: 3}), target, EN_ES)
    expect(findings).toEqual([
      {
        rule: 'Q8',
        severity: 'warning',
        message: 'emphasis differs from the source: missing 1',
        segment: 'source-id',
        line: 3
      }
    ])
  })

  it('rejects a translated do-not-translate term (Q18) and a changed HTML element (Q22)', () => {
    const named = segment('⟦1⟧ is ⟦2⟧fast⟦/2⟧.', [atom(1, 'term', 'Qwen'), pair(2, 'htmlPair', '<b>', '</b>')])
    const changed = segment('⟦1⟧ es ⟦2⟧rápido⟦/2⟧.', [
      atom(1, 'term', 'Tongyi'),
      pair(2, 'htmlPair', '<strong>', '</strong>')
    ])
    const findings = compareSegments(named, changed, EN_ES)
    expect(severities(findings, 'Q18')).toEqual(['error'])
    expect(severities(findings, 'Q22')).toEqual(['error'])
  })

  it('applies the prose rules too', () => {
    const target = segment('Ejecuta ⟦1⟧, luego lee ⟦2⟧la guía⟦/2⟧ y ⟦3⟧esto⟦/3⟧ en www.example.com', [
      atom(1, 'code', '`npm ci`'),
      pair(2, 'link', '[', '](https://example.com/guide)', 'https://example.com/guide'),
      pair(3, 'emphasis', '*', '*')
    ])
    const findings = compareSegments(source, target, EN_ES)
    expect(severities(findings, 'Q5')).toEqual(['error'])
    expect(severities(findings, 'Q16')).toEqual(['warning'])
  })
})

/**
 * The fixture translations (`test/fixtures/translations`), checked against their sources. The
 * faults planted in them must be reported; nothing else may be an error.
 */
describe('compareSegments on the fixture translations (false-positive guard)', () => {
  it('finds exactly the planted faults and no other error', () => {
    const {errors, all} = pairErrors(translationPairs())
    expect(errors).toEqual(PLANTED_FAULTS)
    expect(all.length).toBeGreaterThan(0)
  })
})

/** Inline code and link destinations the fixture translations changed on purpose. */
const PLANTED_FAULTS: string[] = [
  '2026-01-12-sqlite-backup-es.md:41 Q7 inline code differs from the source: missing "`PRAGMA integrity_check`"; not in the source "`PRAGMA comprobar_integridad`"',
  '2026-01-12-sqlite-backup-es.md:53 Q5 link destination differs from the source: missing "https://www.sqlite.org/lang_vacuum.html#vacuuminto"; not in the source "https://www.sqlite.org/lang_vacuum.html"',
  '2026-02-08-kyoto-walk-es.md:40 Q7 inline code differs from the source: missing "`湯豆腐`"; not in the source "`tofu hervido`"',
  '2026-01-12-sqlite-backup-zh.md:48 Q7 inline code differs from the source: missing "`tags`"',
  '2026-03-02-git-worktrees-zh.md:23 Q7 inline code differs from the source: missing "`git worktree prune`"; not in the source "`git worktree 清理`"'
]
