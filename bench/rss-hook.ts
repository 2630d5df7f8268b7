/**
 * Loaded with `node --import` into a measured child: on exit, writes the process's peak resident
 * set size (bytes) to the file named by `NOTES_L10N_BENCH_RSS_FILE`, then the CPU time it used
 * (user + system, microseconds), space-separated.
 *
 * `process.resourceUsage().maxRSS` is the kernel's own high-water mark (getrusage), so nothing
 * between two polls is missed, and it costs the measured process nothing until it exits.
 */
import {writeFileSync} from 'node:fs'

const target = process.env.NOTES_L10N_BENCH_RSS_FILE
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(target, `${usage.maxRSS * 1024} ${usage.userCPUTime + usage.systemCPUTime}`)
  })
}
