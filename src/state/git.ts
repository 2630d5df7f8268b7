/**
 * Reads files as they were at a git revision, for `diff --base`. Read-only: never changes the
 * repository.
 */
import {execFile} from 'node:child_process'
import path from 'node:path'
import {promisify} from 'node:util'
import {UserError} from '../types.js'

const run = promisify(execFile)

export interface GitRevision {
  /** The revision as given (`HEAD`, `main~3`, a sha). */
  rev: string
  /** File text at the revision, or undefined when the file did not exist there. */
  read(file: string): Promise<Buffer | undefined>
}

/** Opens `rev` in the repository containing `root`; `file` paths are relative to `root`. */
export async function openRevision(root: string, rev: string): Promise<GitRevision> {
  let top: string
  try {
    top = (await run('git', ['rev-parse', '--show-toplevel'], {cwd: root})).stdout.trim()
  } catch {
    throw new UserError(
      `--base ${rev}: ${root} is not inside a git repository (diff --base compares with a git revision; without --base, diff shows what the next sync would change)`
    )
  }
  try {
    await run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {cwd: root})
  } catch {
    throw new UserError(`--base ${rev}: no such revision in ${top} (try HEAD, a branch name or a commit sha)`)
  }
  const prefix = path.relative(top, root).split(path.sep).join('/')
  return {
    rev,
    async read(file) {
      const inRepo = prefix ? `${prefix}/${file}` : file
      try {
        const {stdout} = await run('git', ['show', `${rev}:${inRepo}`], {
          cwd: top,
          encoding: 'buffer',
          maxBuffer: 256 * 1024 * 1024
        })
        return stdout
      } catch {
        return undefined
      }
    }
  }
}
