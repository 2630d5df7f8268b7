/**
 * The layers of src/ point one way (docs/architecture.md, "Layers"): this test reads every
 * source file's imports and fails on an arrow the table does not allow.
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src')

/** Leaf modules every layer may import: shared contracts, value guards, the API-key redaction. */
const BASE = ['types.ts', 'values.ts', 'redact.ts']

/** What each folder (or top-level file) of src/ may import besides itself and BASE. */
const LAYERS: Record<string, readonly string[]> = {
  'types.ts': [],
  'values.ts': [],
  'redact.ts': [],
  'index.ts': ['types.ts', 'values.ts'],
  io: ['types.ts'],
  text: ['types.ts'],
  providers: ['types.ts', 'values.ts'],
  config: ['io', 'text', 'types.ts', 'values.ts'],
  glossary: ['io', 'text', 'types.ts', 'values.ts'],
  state: ['io', 'text', 'types.ts', 'values.ts'],
  pipeline: ['config', 'io', 'text', 'types.ts', 'values.ts'],
  review: ['glossary', 'pipeline', 'io', 'text', 'types.ts', 'values.ts'],
  project: ['config', 'glossary', 'io', 'pipeline', 'review', 'state', 'text', 'types.ts', 'values.ts'],
  inspection: ['config', 'glossary', 'io', 'pipeline', 'project', 'review', 'state', 'text', 'types.ts', 'values.ts'],
  sync: [
    'config',
    'glossary',
    'io',
    'pipeline',
    'project',
    'providers',
    'review',
    'state',
    'text',
    'types.ts',
    'values.ts'
  ],
  commands: [
    'config',
    'glossary',
    'inspection',
    'io',
    'pipeline',
    'project',
    'providers',
    'review',
    'state',
    'sync',
    'text',
    'types.ts',
    'values.ts'
  ],
  cli: [
    'commands',
    'config',
    'glossary',
    'inspection',
    'io',
    'pipeline',
    'project',
    'providers',
    'review',
    'state',
    'sync',
    'text',
    'types.ts',
    'values.ts'
  ]
}
const ALLOWED: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(LAYERS).map(([layer, allowed]) => [layer, BASE.includes(layer) ? allowed : [...allowed, ...BASE]])
)

function sources(folder: string): string[] {
  return readdirSync(folder, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) return sources(full)
    return entry.name.endsWith('.ts') ? [full] : []
  })
}

const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) =>
    path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts'))
  )
}

/**
 * A module-level (unindented) declaration that holds a Map, Set or WeakMap anyone may change: a
 * WeakMap always (it exists to be written), a Map or Set unless typed ReadonlyMap/ReadonlySet.
 */
function mutableTable(line: string): boolean {
  const declaration = /^(?:export\s+)?(?:const|let|var)\s+\w+\s*(:[^=]*)?=\s*new\s+(WeakMap|WeakSet|Map|Set)\b/.exec(
    line
  )
  if (!declaration) return false
  if (declaration[2]!.startsWith('Weak')) return true
  return !/^:\s*Readonly(Map|Set)</.test(declaration[1] ?? '')
}

describe('layers', () => {
  const files = sources(SRC)

  it('every folder of src/ is in the table', () => {
    expect(files.map(layerOf).filter((layer) => !(layer in ALLOWED))).toEqual([])
  })

  it('every import points down the table', () => {
    const wrong: string[] = []
    for (const file of files) {
      const from = layerOf(file)
      for (const target of imports(file)) {
        const to = layerOf(target)
        if (to !== from && !ALLOWED[from]!.includes(to))
          wrong.push(`${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('no module-level let in pipeline/ (per-call state lives in the call, or on the parser context)', () => {
    const found = files
      .filter((file) => layerOf(file) === 'pipeline')
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({line, index}))
          .filter(({line}) => /^(export\s+)?(let|var)\s/.test(line))
          .map(({index}) => `${path.relative(SRC, file)}:${index + 1}`)
      )
    expect(found).toEqual([])
  })

  it('no module-level mutable Map, Set or WeakMap in pipeline/ (a module-level table is a ReadonlyMap/ReadonlySet)', () => {
    const found = files
      .filter((file) => layerOf(file) === 'pipeline')
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({line, index}))
          .filter(({line}) => mutableTable(line))
          .map(({index, line}) => `${path.relative(SRC, file)}:${index + 1}: ${line.trim()}`)
      )
    expect(found).toEqual([])
  })

  it('the module-level checks see what they look for', () => {
    expect(mutableTable('const seen = new Map<string, number>()')).toBe(true)
    expect(mutableTable('export const placements = new WeakMap<Token[], Placement>()')).toBe(true)
    expect(mutableTable('const readonlyButWeak: ReadonlyMap<object, string> = new WeakMap()')).toBe(true)
    expect(mutableTable("const names: ReadonlySet<string> = new Set(['a'])")).toBe(false)
    expect(mutableTable('  const local = new Map()')).toBe(false)
  })

  it('only src/providers/openai*.ts import the openai SDK', () => {
    const importers = files.filter((file) =>
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]openai(?:\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8'))
    )
    const outside = importers
      .map((file) => path.relative(SRC, file).split(path.sep).join('/'))
      .filter((file) => !/^providers\/openai[^/]*\.ts$/.test(file))
    expect(outside).toEqual([])
    // The rule matches something: the provider itself imports the SDK.
    expect(importers.map((file) => path.basename(file))).toContain('openai.ts')
  })

  it('the checker sees imports (a rule that matches nothing proves nothing)', () => {
    expect(imports(path.join(SRC, 'commands', 'sync.ts')).some((target) => layerOf(target) === 'sync')).toBe(true)
  })
})
