#!/usr/bin/env node
// `npm run bench`: the bench is TypeScript and imports the test server (TS under test/support), so it
// is compiled here with its own tsconfig into bench/work/build (git-ignored), then run. `dist/` (the
// CLI and the pipeline under measurement) is built by `npm run build` before this script.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], {stdio: 'inherit'})
const entry = path.join(here, 'work/build/bench/main.js')
// Type errors in files still being written elsewhere must not stop the bench: tsc emits anyway,
// and each figure reports "not measured" when what it needs does not work.
if (compiled.status !== 0)
  console.error(`bench: tsc reported errors (exit ${compiled.status}); running what was emitted`)
if (!existsSync(entry)) {
  console.error(`bench: ${entry} was not emitted by tsc -p bench/tsconfig.json; fix the errors above and rerun`)
  process.exit(2)
}
const {main} = await import(pathToFileURL(entry).href)
process.exitCode = await main(process.argv.slice(2))
