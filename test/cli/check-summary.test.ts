import {describe, expect, it} from 'vitest'
import {formatCheckSummary} from '../../src/cli/report.js'

describe('check --summary (Markdown job summary)', () => {
  it('one row per locale, every finding in a table; cell text cannot break the table or inject HTML', () => {
    const summary = formatCheckSummary({
      targets: 3,
      locales: [
        {locale: 'es', targets: 2, current: 1},
        {locale: 'fr', targets: 1, current: 1}
      ],
      findings: [
        {
          file: 'notes/a.md',
          line: 4,
          severity: 'error',
          rule: 'stale',
          message: 'es: a | b <script>x</script>\nnext',
          note: 'notes/a.md',
          locale: 'es'
        },
        {
          file: 'locales/fr/a.md',
          line: 2,
          severity: 'warning',
          rule: 'hand-edited',
          message: 'fr: edited',
          note: 'notes/a.md',
          locale: 'fr'
        }
      ]
    })
    expect(summary).toContain('### notes-l10n check: ❌ 1 error, 1 warning')
    expect(summary).toContain('| es | 2 | 1 | 0 | 1 | 0 | 0 | 0 |')
    expect(summary).toContain('| fr | 1 | 1 | 0 | 0 | 0 | 0 | 1 |')
    expect(summary).toContain('| notes/a.md:4 | es | stale | es: a \\| b &lt;script&gt;x&lt;/script&gt; next |')
    expect(summary).toContain('| locales/fr/a.md:2 | fr | hand-edited | fr: edited |')
    expect(summary).not.toContain('<script>')
  })

  it('lists at most 200 findings and says how many more there are', () => {
    const findings = Array.from({length: 250}, (_, index) => ({
      file: 'notes/a.md',
      line: index + 1,
      severity: 'error' as const,
      rule: 'stale',
      message: 'm',
      locale: 'es'
    }))
    const summary = formatCheckSummary({targets: 1, locales: [{locale: 'es', targets: 1, current: 0}], findings})
    expect(summary.match(/^\| notes\/a\.md:/gm)).toHaveLength(200)
    expect(summary).toContain('… and 50 more')
  })
})
