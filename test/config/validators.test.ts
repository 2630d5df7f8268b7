/**
 * The config and glossary validators are generated from their schemas ahead of time
 * (scripts/generate-validators.mjs) and committed: this fails when a schema changed and
 * `npm run generate` was not run again.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {expect, test} from 'vitest'
// @ts-expect-error — a plain ESM script without types
import {VALIDATORS, validatorSource} from '../../scripts/generate-validators.mjs'
import {configSchema} from '../../src/config/schema.js'
import {glossarySchema} from '../../src/glossary/schema.js'

const schemas: Record<string, unknown> = {configSchema, glossarySchema}
const validators = VALIDATORS as Array<{module: string; name: string; options: object; output: string}>

test.each(validators.map((validator) => [validator.output, validator]))(
  '%s is up to date with its schema (else run npm run generate)',
  async (output, validator) => {
    const committed = await readFile(path.resolve(import.meta.dirname, '../..', output), 'utf8')
    expect(
      committed === validatorSource(schemas[validator.name], validator.options, `src/${validator.module}.ts`)
    ).toBe(true)
  }
)
