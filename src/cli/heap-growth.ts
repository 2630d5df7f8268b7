/**
 * How fast V8 lets the heap grow, for a large `sync` that parses on the main thread.
 *
 * V8 lets the old generation grow to up to 4× what survived the last full collection when the
 * heap limit is 2 GB or more (the default on most machines). A sync's live set is 40–100 MB on a
 * large project (most of it while a large note is parsed), and the heap grew to 4× that between
 * collections: 446 MB peak RSS on 18 MB of Markdown (issue 19 asks ≤ 400). 3× from the start
 * peaked at 364 MB, for more full collections: ~8 % more wall time there, and ~10 % on a 57-note
 * project, whose heap stays near 130 MB and where 4× costs little memory anyway. So the growth is
 * slowed only once the heap has grown past {@link SLOW_GROWTH_FROM_BYTES}: small runs keep V8's
 * speed, large ones stop growing 4× (335–371 MB on the 18 MB; bench/limits.md, section 7,
 * "Heap growth", has the runs).
 *
 * A heap cap (`--max-old-space-size`) would also lower the growth, but turns a large project into
 * an out-of-memory crash; the growth factor only makes full collections more frequent. V8 reads
 * it at each collection, so setting it after start-up works (`v8.setFlagsFromString`). It is
 * process-wide: with worker threads it is left alone, since their heap limit (`resourceLimits` in
 * src/sync/note-pool.ts) already makes V8 grow their heaps ~1.6×, less than this. A
 * `--heap-growing-percent` given to node wins.
 */
import {getHeapStatistics, setFlagsFromString} from 'node:v8'

/** Heap growth past what survived a full collection, in percent: 200 is 3×. */
export const HEAP_GROWING_PERCENT = 200

/** V8's heap size (committed) past which the growth is slowed. */
export const SLOW_GROWTH_FROM_BYTES = 160 * 1024 * 1024

/** How often the heap's size is looked at (between notes: a parse runs to its end). */
const CHECK_EVERY_MS = 100

/** The V8 flag to set, or undefined when node was started with its own. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(?:=|$)/.test(arg))) return undefined
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
}

/**
 * Sets {@link heapGrowthFlag} for this process once V8's heap is `from` bytes or more. Only for a
 * process the CLI owns (bin/notes-l10n.js). Returns a function that stops watching.
 */
export function slowHeapGrowthWhenLarge(from: number, execArgv: readonly string[] = process.execArgv): () => void {
  const flag = heapGrowthFlag(execArgv)
  if (!flag) return () => {}
  let timer: NodeJS.Timeout | undefined
  const look = () => {
    if (getHeapStatistics().total_heap_size < from) return
    setFlagsFromString(flag)
    clearInterval(timer)
  }
  timer = setInterval(look, CHECK_EVERY_MS).unref()
  look()
  return () => clearInterval(timer)
}
