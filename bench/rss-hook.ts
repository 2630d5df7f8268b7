/**
 * Loaded with `node --import` into a measured child: on exit, writes the process's peak resident
 * set size (bytes) to the file named by `NOTES_L10N_BENCH_RSS_FILE`, then the CPU time it used
 * (user + system, microseconds), then the CPU time of the main thread alone (microseconds; -1 where
 * Linux's /proc/thread-self is not there), space-separated: the CLI's worker threads
 * (src/sync/note-pool.ts) count in the second and not in the third.
 *
 * `process.resourceUsage().maxRSS` is the kernel's own high-water mark (getrusage), so nothing
 * between two polls is missed, and it costs the measured process nothing until it exits.
 */
import {readFileSync, writeFileSync} from 'node:fs'

const target = process.env.NOTES_L10N_BENCH_RSS_FILE
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(target, `${usage.maxRSS * 1024} ${usage.userCPUTime + usage.systemCPUTime} ${mainThreadCpu()}`)
  })
}

/** utime + stime of the calling thread (fields 14 and 15 of its stat), at 100 clock ticks a second. */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return -1
  }
}
