#!/usr/bin/env node
// The package's entry point. `npm ci` runs `prepare`, which compiles src/ to dist/.
import {main} from '../dist/cli/main.js'

process.exitCode = await main(process.argv.slice(2), {ownsProcess: true})
