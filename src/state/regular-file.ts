/**
 * Reading the project's state files (the lock, the journal, the run lock, caches, batch records)
 * only when they are regular files (docs/state.md). A FIFO planted as the journal would block a
 * plain `readFile` forever, in a libuv thread that Ctrl-C cannot interrupt; a directory, socket or
 * device would fail later with a confusing message. Each is refused at once with one line naming
 * the file.
 *
 * The file is opened with `O_NONBLOCK` (opening a FIFO then returns at once instead of waiting
 * for a writer) and `O_NOFOLLOW`, and judged by `fstat` of what was opened, so nothing can be
 * swapped in between a check and the read.
 */
import {closeSync, constants, fstatSync, openSync, readFileSync, type Stats} from 'node:fs'
import {type FileHandle, open} from 'node:fs/promises'
import {errnoCode} from '../io/errno.js'
import {UserError} from '../types.js'

const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0)

/**
 * The bytes of `file`, or `undefined` when it does not exist.
 *
 * @param shown
 *   The file as the user knows it (relative to the project root), for messages.
 * @throws {UserError} (exit 2) when it is a symlink, a FIFO, a socket, a device or a folder.
 */
export async function readRegularFile(file: string, shown: string): Promise<Buffer | undefined> {
  let handle: FileHandle
  try {
    handle = await open(file, READ_FLAGS)
  } catch (error) {
    return missingOrRefused(error, shown)
  }
  try {
    refuseIrregular(await handle.stat(), shown)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** {@link readRegularFile} without the event loop (the lock is read synchronously). */
export function readRegularFileSync(file: string, shown: string): Buffer | undefined {
  const fd = openRegularFileSync(file, shown)
  if (fd === undefined) return undefined
  try {
    return readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * `file` opened for reading, judged like {@link readRegularFile}; `undefined` when it does not
 * exist. The caller closes the descriptor (`closeSync`). For reading parts of a file back while
 * it is appended to (the journal's index).
 */
export function openRegularFileSync(file: string, shown: string): number | undefined {
  let fd: number
  try {
    fd = openSync(file, READ_FLAGS)
  } catch (error) {
    return missingOrRefused(error, shown)
  }
  try {
    refuseIrregular(fstatSync(fd), shown)
  } catch (error) {
    closeSync(fd)
    throw error
  }
  return fd
}

/**
 * Refuse `stats` unless they describe a regular file: for a handle already opened some other way
 * (the journal's append handle).
 */
export function refuseIrregular(stats: Stats, shown: string): void {
  if (stats.isFile()) return
  const kind = stats.isFIFO()
    ? 'a named pipe (FIFO)'
    : stats.isSocket()
      ? 'a socket'
      : stats.isDirectory()
        ? 'a folder'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : 'not a regular file'
  throw new UserError(
    `${shown} is ${kind}, not a regular file — notes-l10n reads and writes only regular files there; remove it and re-run`
  )
}

function missingOrRefused(error: unknown, shown: string): undefined {
  const code = errnoCode(error)
  if (code === 'ENOENT') return undefined
  // O_NOFOLLOW on a symlink; ENXIO: a socket, or a FIFO opened for writing with no reader.
  if (code === 'ELOOP')
    throw new UserError(
      `${shown} is a symbolic link — notes-l10n never reads or writes state through symlinks; remove it and re-run`
    )
  if (code === 'ENXIO' || code === 'ENODEV') {
    throw new UserError(
      `${shown} is a socket or device, not a regular file — notes-l10n reads and writes only regular files there; remove it and re-run`
    )
  }
  throw error
}
