/**
 * The reference table of `docs/config.md`, generated from the schema. A test compares the table
 * in the docs with this output, so a key added to the schema and not documented fails the build.
 */

import {configSchema, type SchemaNode} from './schema.js'
import {describeSchema} from './schema-errors.js'

/** One documented key. */
export interface ReferenceRow {
  /** Dotted key path; `<name>` stands for a key the user chooses. */
  key: string
  type: string
  default: string
  description: string
}

/** Placeholder names for user-chosen keys, by parent path. */
const FREE_KEY_NAMES: Readonly<Record<string, string>> = {
  'sources.captures': '<capture>',
  localeAliases: '<alias>',
  'provider.models': '<locale>',
  'provider.prices': '<model>',
  frontmatter: '<key>',
  'frontmatter.perLocale': '<locale>',
  'frontmatter.perLocale.<locale>': '<key>'
}

/** Every key of the schema, depth first, in schema order. */
export function referenceRows(schema: SchemaNode = configSchema): ReferenceRow[] {
  const rows: ReferenceRow[] = []
  visit(schema, '', rows)
  return rows
}

function visit(node: SchemaNode, at: string, rows: ReferenceRow[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = at ? `${at}.${key}` : key
    rows.push(row(path, child))
    visit(child, path, rows)
  }

  if (typeof node.additionalProperties === 'object') {
    const path = `${at}.${FREE_KEY_NAMES[at] ?? '<name>'}`
    rows.push(row(path, node.additionalProperties))
    visit(node.additionalProperties, path, rows)
  }
}

function row(key: string, node: SchemaNode): ReferenceRow {
  return {
    key,
    type: node.type === 'object' && !node.required ? 'object' : describeSchema(node),
    default: node.default === undefined ? '' : JSON.stringify(node.default),
    description: node.description ?? ''
  }
}

/** The Markdown table. */
export function referenceTable(schema: SchemaNode = configSchema): string {
  const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const lines = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |']
  for (const entry of referenceRows(schema)) {
    lines.push(
      `| \`${entry.key}\` | ${escapeCell(entry.type)} | ${entry.default ? `\`${escapeCell(entry.default)}\`` : ''} | ${escapeCell(entry.description)} |`
    )
  }
  return `${lines.join('\n')}\n`
}
