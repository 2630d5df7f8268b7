/**
 * The CLI's version: package.json's `version`, so a release needs one edit. Read from the file
 * beside `src/` and `dist/` (both are two levels below the package root) — one small synchronous
 * read at start-up, cheaper than importing it as a module.
 */
import {readFileSync} from 'node:fs'

export function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  const version =
    typeof manifest === 'object' && manifest !== null ? (manifest as {version?: unknown}).version : undefined
  if (typeof version !== 'string') throw new Error('package.json has no "version" string')
  return version
}
