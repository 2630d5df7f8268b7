/**
 * Real-world Markdown nobody here wrote, from what `npm ci` installs: the README of every package
 * in `node_modules` (top-level and scoped), read at test time. Sorted by package name so every
 * run sees the same list in the same order.
 */

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {repoRoot} from './repo.js'

export interface Readme {
  /** The package name, e.g. `commander` or `@types/node`. */
  name: string
  /** Absolute path of the README file. */
  file: string
  text: string
}

const README = /^readme\.md$/i

/** Package folders of `node_modules`, by name: `a`, `@scope/b`. */
function packageNames(modules: string): string[] {
  const names: string[] = []
  for (const entry of readdirSync(modules, {withFileTypes: true})) {
    if (entry.name.startsWith('.')) continue
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue
    if (entry.name.startsWith('@')) {
      for (const inner of readdirSync(path.join(modules, entry.name))) names.push(`${entry.name}/${inner}`)
    } else names.push(entry.name)
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

let cache: Readme[] | undefined

/** Every package README in the repository's `node_modules`, sorted by package name. */
export function packageReadmes(): Readme[] {
  if (cache !== undefined) return cache
  const modules = path.join(repoRoot, 'node_modules')
  if (!existsSync(modules)) throw new Error(`no node_modules in ${repoRoot}: run npm ci first`)
  const readmes: Readme[] = []
  for (const name of packageNames(modules)) {
    const directory = path.join(modules, name)
    const file = readdirSync(directory)
      .filter((entry) => README.test(entry))
      .sort()[0]
    if (file === undefined) continue
    readmes.push({name, file: path.join(directory, file), text: readFileSync(path.join(directory, file), 'utf8')})
  }
  cache = readmes
  return readmes
}
