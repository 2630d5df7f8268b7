/**
 * Hashing many files, or checking their stats, on worker threads.
 *
 * `check` on 10,000 notes × 9 locales reads 100,000 files when cold (each an open, an fstat, a
 * read and a close) and stats them when warm: system calls that keep one thread waiting in the
 * kernel. Spread over worker threads they run on every core, while the main thread does its own
 * work (discovering the notes, parsing the lock).
 */
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

/**
 * Reads and hashes `locations` (absolute, or relative to the working directory) on worker threads,
 * one per core, at most four. Never rejects: a file a worker could not handle, or every file when
 * workers cannot be started, is {@link Found.failed}, for the caller to do on its own thread.
 */
export async function checkFiles(locations: readonly string[], threads = Math.min(availableParallelism(), 4)): Promise<HashedFiles> {
  const count = locations.length
  const workers = Math.max(1, Math.min(threads, count))
  const size = Math.ceil(count / workers)
  const parts = await Promise.all(Array.from({length: workers}, (_, index) => runWorker(locations.slice(index * size, (index + 1) * size))))
  const found = new Float64Array(count * STRIDE)
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
export async function sameStats(locations: readonly string[], known: Float64Array, threads = Math.min(availableParallelism(), 4)): Promise<Uint8Array> {
  const count = locations.length
  const workers = Math.max(1, Math.min(threads, count))
  const size = Math.ceil(count / workers)
  const parts = await Promise.all(
    Array.from({length: workers}, (_, index) =>
      run<Uint8Array>(
        {locations: locations.slice(index * size, (index + 1) * size).join('\0'), known: known.slice(index * size * 3, (index + 1) * size * 3)},
        (message) => message as Uint8Array,
        () => new Uint8Array(Math.min(size, Math.max(0, count - index * size)))
      )
    )
  )
  const same = new Uint8Array(count)
  parts.forEach((part, index) => same.set(part, index * size))
  return same
}

/** The worker's source: {@link workerMain}, called. */
const WORKER_SOURCE = `(${String(workerMain)})()`

function runWorker(locations: readonly string[]): Promise<HashedFiles> {
  return run<HashedFiles>(
    // One string each way: cloning 100,000 small strings costs more than joining and splitting.
    {locations: locations.join('\0')},
    (message) => {
      const {found, hashes} = message as {found: Float64Array; hashes: string}
      return {found, hashes: hashes.split('\n')}
    },
    () => {
      const found = new Float64Array(locations.length * STRIDE)
      for (let index = 0; index < locations.length; index++) found[index * STRIDE] = Found.failed
      return {found, hashes: locations.map(() => '')}
    }
  )
}

/** One worker on `input`: its answer, or `failed()` when it cannot start or dies. */
function run<T>(input: {locations: string; known?: Float64Array}, answer: (message: unknown) => T, failed: () => T): Promise<T> {
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
 * compiled code or the tests: CommonJS inside, `require`, and nothing from this module's scope.
 * Its hash is `contentHash` of `hash.ts`, which it cannot import (a test holds them equal).
 */
function workerMain(): void {
  const {parentPort, workerData} = require('node:worker_threads') as typeof import('node:worker_threads')
  const {closeSync, fstatSync, openSync, readSync, statSync} = require('node:fs') as typeof import('node:fs')
  const {createHash} = require('node:crypto') as typeof import('node:crypto')
  const {locations, known} = workerData as {locations: string; known?: Float64Array}
  const names = locations.split('\0')

  if (known) {
    const same = new Uint8Array(names.length)
    names.forEach((name, index) => {
      if (Number.isNaN(known[index * 3])) return
      try {
        const stats = statSync(name, {throwIfNoEntry: false})
        if (stats && stats.size === known[index * 3] && stats.mtimeMs === known[index * 3 + 1] && stats.ino === known[index * 3 + 2]) same[index] = 1
      } catch {
        // Left at 0: the main thread looks again and reports what it finds.
      }
    })
    parentPort!.postMessage(same, [same.buffer])
    return
  }

  const found = new Float64Array(names.length * 4)
  const hashes: string[] = new Array<string>(names.length).fill('')
  let buffer = Buffer.allocUnsafe(65_536)

  names.forEach((name, index) => {
    const at = index * 4
    try {
      const descriptor = openSync(name, 'r')
      try {
        // Stats from the open file, before reading: a change during the read leaves them stale.
        const stats = fstatSync(descriptor)
        let length = 0
        for (;;) {
          const read = readSync(descriptor, buffer, length, buffer.length - length, null)
          length += read
          // A short read is the end of a regular file.
          if (read === 0 || length < buffer.length) break
          const grown = Buffer.allocUnsafe(buffer.length * 2)
          buffer.copy(grown, 0, 0, length)
          buffer = grown
        }
        hashes[index] = createHash('sha256').update(buffer.subarray(0, length)).digest('base64url').slice(0, 10)
        found[at] = 1
        found[at + 1] = stats.size
        found[at + 2] = stats.mtimeMs
        found[at + 3] = stats.ino
      } finally {
        closeSync(descriptor)
      }
    } catch (error) {
      found[at] = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 2 : 3
    }
  })
  parentPort!.postMessage({found, hashes: hashes.join('\n')}, [found.buffer])
}
