/**
 * Every `src/**.ts` as plain JavaScript, for tests that need a real child process (Node 20 cannot
 * run TypeScript): transpiled without a type check, milliseconds a file, so that imports between
 * modules resolve as they do in the build.
 */
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Writes `src/<path>.js` for every source file under `into` (e.g. `out/dist` or `out/src`). */
export async function transpileSources(into: string): Promise<void> {
  for (const file of await sources(path.join(repo, 'src'))) {
    const {outputText} = ts.transpileModule(await readFile(file, 'utf8'), {
      compilerOptions: {module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022},
      fileName: file
    })
    const target = path.join(into, path.relative(path.join(repo, 'src'), file).replace(/\.ts$/, '.js'))
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, outputText)
  }
}

async function sources(folder: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(folder, {withFileTypes: true})) {
    const full = path.join(folder, entry.name)
    if (entry.isDirectory()) files.push(...(await sources(full)))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full)
  }
  return files
}
