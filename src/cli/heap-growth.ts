/**
 * How fast V8 lets the heap grow, for a `sync` that parses on the main thread.
 *
 * V8 lets the old generation grow to up to 4× what survived the last full collection when the
 * heap limit is 2 GB or more (the default on most machines). A sync's live set stays at 40–60 MB,
 * ~100 MB while a large note is parsed, but the heap grew to 4× that between collections: 446 MB
 * peak RSS on 18 MB of Markdown (issue 19 asks ≤ 400). A growth of 3× peaked at 364 MB for ~8 %
 * more wall time (2× at ~260 MB cost 12–25 %); bench/limits.md, "Memory", has the runs.
 *
 * A heap cap (`--max-old-space-size`) would also lower the growth, but turns a large project
 * into an out-of-memory crash; the growth factor only makes full collections more frequent.
 * V8 reads it at each collection, so setting it after start-up works (`v8.setFlagsFromString`).
 * It is process-wide: with worker threads it is left alone, since their heap limit
 * (`resourceLimits` in src/sync/note-pool.ts) already makes V8 grow their heaps ~1.6×, less than
 * this. A `--heap-growing-percent` given to node wins.
 */
import {setFlagsFromString} from 'node:v8'

/** Heap growth past what survived a full collection, in percent: 200 is 3×. */
export const HEAP_GROWING_PERCENT = 200

/** The V8 flag to set, or undefined when node was started with its own. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(?:=|$)/.test(arg))) return undefined
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
}

/** Sets {@link heapGrowthFlag} for this process. Only for a process the CLI owns (bin/notes-l10n.js). */
export function slowHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  const flag = heapGrowthFlag(execArgv)
  if (flag) setFlagsFromString(flag)
}
