/** Every runtime dependency in package.json is imported by src/ (docs/architecture.md, "Libraries"). */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect, it} from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function sources(folder: string): string[] {
  return readdirSync(folder, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(folder, entry.name)
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : []
  })
}

it('every runtime dependency is imported somewhere in src/', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  const text = sources(path.join(ROOT, 'src'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n')
  const unused = Object.keys(manifest.dependencies).filter(
    (name) => !new RegExp(`from\\s+['"]${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/[^'"]*)?['"]`).test(text)
  )
  expect(unused).toEqual([])
})
