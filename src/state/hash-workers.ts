/**
 * Hashing many files, or checking their stats, on worker threads.
 *
 * `check` on 10,000 notes × 9 locales reads 100,000 files when cold (each an open, an fstat, a
 * read and a close) and stats them when warm: system calls that keep one thread waiting in the
 * kernel. Spread over worker threads they run on every core, while the main thread does its own
 * work (discovering the notes, parsing the lock).
 */
import type {Stats} from 'node:fs'
import {availableParallelism} from 'node:os'
import {Worker} from 'node:worker_threads'

/** What a worker found for one file (numbers: they travel in a Float64Array). */
export const Found = {
  /** Read and hashed. */
  read: 1,
  /** The file does not exist. */
  missing: 2,
  /** Anything else: the caller retries on its own thread to report the error as it is. */
  failed: 3
} as const

export interface HashedFiles {
  /** Per file: {@link Found} code, then (for {@link Found.read}) size, mtimeMs and ino from before the read. */
  found: Float64Array
  /** Per file: `contentHash` of its bytes (SHA-256, base64url, 10 characters), or `''`. */
  hashes: string[]
}

/** Numbers per file in {@link HashedFiles.found}. */
export const STRIDE = 4

/** The file system calls {@link readWithStats} makes: `node:fs`'s, passed in so that it imports nothing. */
export type ReadCalls = Pick<
  typeof import('node:fs'),
  'openSync' | 'fstatSync' | 'readSync' | 'closeSync' | 'constants'
>

/**
 * The file's bytes and its stats, taken from the open file before reading (a change during the
 * read then leaves stats that no longer match). Open, fstat, read and close into a buffer sized
 * from that fstat: `readFileSync` plus a `stat` cost twice as much for small files (measured:
 * 100,000 files, 1.2 s against 0.6 s). A file that grew since is read to its end.
 *
 * It imports nothing (the calls come in `fs`) because the workers run it from its source text.
 */
export function readWithStats(file: string, fs: ReadCalls): {stats: Stats; bytes: Uint8Array} {
  // O_NONBLOCK: a FIFO planted as a note, a target or the lock opens at once instead of waiting
  // for a writer forever (in a thread Ctrl-C cannot reach), and is refused below.
  const descriptor = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  try {
    const stats = fs.fstatSync(descriptor)
    if (!stats.isFile()) {
      throw Object.assign(new Error(`${file} is not a regular file`), {
        code: stats.isDirectory() ? 'EISDIR' : 'ENOTREGULAR'
      })
    }
    let buffer = Buffer.allocUnsafe(stats.size + 1)
    let length = 0
    for (;;) {
      const read = fs.readSync(descriptor, buffer, length, buffer.length - length, null)
      length += read
      // A short read is the end of a regular file (the buffer has a byte to spare for exactly that).
      if (read === 0 || length < buffer.length) return {stats, bytes: buffer.subarray(0, length)}
      const grown = Buffer.allocUnsafe(buffer.length * 2)
      buffer.copy(grown, 0, 0, length)
      buffer = grown
    }
  } finally {
    fs.closeSync(descriptor)
  }
}

/**
 * Reads and hashes `locations` (absolute, or relative to the working directory) on worker threads,
 * one per core, at most four. Never rejects: a file a worker could not handle, or every file when
 * workers cannot be started, is {@link Found.failed}, for the caller to do on its own thread.
 */
export async function checkFiles(
  locations: readonly string[],
  threads = Math.min(availableParallelism(), 4)
): Promise<HashedFiles> {
  const {size, parts} = await onWorkers(locations.length, threads, (start, end) =>
    run<HashedFiles>(
      // One string each way: cloning 100,000 small strings costs more than joining and splitting.
      {locations: locations.slice(start, end).join('\0')},
      (message) => {
        const {found, hashes} = message as {found: Float64Array; hashes: string}
        return {found, hashes: hashes.split('\n')}
      },
      () => {
        const found = new Float64Array((end - start) * STRIDE)
        for (let index = 0; index < end - start; index++) found[index * STRIDE] = Found.failed
        return {found, hashes: new Array<string>(end - start).fill('')}
      }
    )
  )
  const found = new Float64Array(locations.length * STRIDE)
  const hashes: string[] = []
  parts.forEach((part, index) => {
    found.set(part.found, index * size * STRIDE)
    for (const hash of part.hashes) hashes.push(hash)
  })
  return {found, hashes}
}

/**
 * Which of `locations` still have the stats given for them in `known` (size, mtimeMs and ino per
 * file; NaN: do not check): 1 where they do, 0 where they differ, are gone or cannot be stat'ed.
 * Never rejects: all 0 when workers cannot be started.
 */
export async function sameStats(
  locations: readonly string[],
  known: Float64Array,
  threads = Math.min(availableParallelism(), 4)
): Promise<Uint8Array> {
  const {size, parts} = await onWorkers(locations.length, threads, (start, end) =>
    run<Uint8Array>(
      {locations: locations.slice(start, end).join('\0'), known: known.slice(start * 3, end * 3)},
      (message) => message as Uint8Array,
      () => new Uint8Array(end - start)
    )
  )
  const same = new Uint8Array(locations.length)
  parts.forEach((part, index) => {
    same.set(part, index * size)
  })
  return same
}

/** `count` items cut into one contiguous slice a worker (`size` items each but the last), all run at once. */
async function onWorkers<T>(
  count: number,
  threads: number,
  slice: (start: number, end: number) => Promise<T>
): Promise<{size: number; parts: T[]}> {
  const workers = Math.max(1, Math.min(threads, count))
  const size = Math.ceil(count / workers)
  const parts = await Promise.all(
    Array.from({length: workers}, (_, index) =>
      slice(Math.min(index * size, count), Math.min((index + 1) * size, count))
    )
  )
  return {size, parts}
}

/** The worker's source: {@link readWithStats}, then {@link workerMain}, called. */
const WORKER_SOURCE = `${String(readWithStats)}\n(${String(workerMain)})()`

/** One worker on `input`: its answer, or `failed()` when it cannot start or dies. */
function run<T>(
  input: {locations: string; known?: Float64Array},
  answer: (message: unknown) => T,
  failed: () => T
): Promise<T> {
  return new Promise((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(WORKER_SOURCE, {eval: true, workerData: input})
    } catch {
      resolve(failed())
      return
    }
    // Not unref'd: while its answer is awaited, the worker may be the only thing keeping the event
    // loop alive. It ends by itself once it has posted its answer.
    worker.once('message', (message: unknown) => resolve(answer(message)))
    worker.once('error', () => resolve(failed()))
    worker.once('exit', () => resolve(failed()))
  })
}

/**
 * The worker, run from its source text (`eval`), so that it needs no file of its own next to the
 * compiled code or the tests: CommonJS inside, `require`, and from this module only
 * {@link readWithStats}, which {@link WORKER_SOURCE} puts before it. Its hash is `contentHash` of
 * `hash.ts`, which it cannot import (a test holds them equal).
 */
function workerMain(): void {
  const {parentPort, workerData} = require('node:worker_threads') as typeof import('node:worker_threads')
  const fs = require('node:fs') as typeof import('node:fs')
  const {createHash} = require('node:crypto') as typeof import('node:crypto')
  const {locations, known} = workerData as {locations: string; known?: Float64Array}
  const names = locations.split('\0')

  if (known) {
    const same = new Uint8Array(names.length)
    names.forEach((name, index) => {
      if (Number.isNaN(known[index * 3])) return
      try {
        const stats = fs.statSync(name, {throwIfNoEntry: false})
        if (
          stats &&
          stats.size === known[index * 3] &&
          stats.mtimeMs === known[index * 3 + 1] &&
          stats.ino === known[index * 3 + 2]
        )
          same[index] = 1
      } catch {
        // Left at 0: the main thread looks again and reports what it finds.
      }
    })
    parentPort!.postMessage(same, [same.buffer])
    return
  }

  const found = new Float64Array(names.length * 4)
  const hashes: string[] = new Array<string>(names.length).fill('')
  names.forEach((name, index) => {
    const at = index * 4
    try {
      const {stats, bytes} = readWithStats(name, fs)
      hashes[index] = createHash('sha256').update(bytes).digest('base64url').slice(0, 10)
      found[at] = 1
      found[at + 1] = stats.size
      found[at + 2] = stats.mtimeMs
      found[at + 3] = stats.ino
    } catch (error) {
      found[at] = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 2 : 3
    }
  })
  parentPort!.postMessage({found, hashes: hashes.join('\n')}, [found.buffer])
}
