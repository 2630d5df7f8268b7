import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {referenceRows, referenceTable} from '../../src/config/reference.js'
import {resolveConfig} from '../../src/config/resolve.js'
import {configSchema} from '../../src/config/schema.js'

const docs = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')
const shipped: unknown = JSON.parse(readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'))

describe('the shipped schema and the reference docs', () => {
  it('ships exactly the schema the loader validates with', () => {
    expect(shipped, 'schemas/config.schema.json is stale: regenerate it from src/config/schema.ts').toEqual(
      configSchema
    )
  })

  it('documents every schema key in docs/config.md (the table is generated from the schema)', () => {
    const start = docs.indexOf('<!-- reference:start -->')
    const end = docs.indexOf('<!-- reference:end -->')
    expect(start).toBeGreaterThan(-1)
    const table = docs.slice(docs.indexOf('\n', start) + 1, end)
    expect(table, 'docs/config.md reference table is stale: paste referenceTable() from src/config/reference.ts').toBe(
      referenceTable()
    )
    for (const row of referenceRows()) expect(table).toContain(`| \`${row.key}\` |`)
  })

  it('reference rows cover nested and free-form keys', () => {
    const keys = referenceRows().map((row) => row.key)
    expect(keys).toEqual(
      expect.arrayContaining([
        'sources.pattern',
        'provider.prices.<model>.input',
        'frontmatter.perLocale.<locale>.<key>',
        'localeAliases.<alias>'
      ])
    )
  })

  it('every JSON example in docs/config.md is a valid config', () => {
    const blocks = [...docs.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!)
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) expect(() => resolveConfig(JSON.parse(block), '/docs')).not.toThrow()
  })
})
