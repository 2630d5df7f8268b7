/**
 * Throwaway projects for command tests: a temp folder with files, and the CLI run in-process
 * (fast) with captured output.
 */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {main} from '../../src/cli/main.js'
import type {Provider, TranslateJob} from '../../src/types.js'

export interface TempProject {
  root: string
  write(file: string, text: string): Promise<void>
  read(file: string): Promise<string>
  run(args: string[], env?: Record<string, string | undefined>): Promise<{code: number; stdout: string; stderr: string}>
  remove(): Promise<void>
}

export async function tempProject(files: Record<string, string> = {}): Promise<TempProject> {
  const root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-'))
  const project: TempProject = {
    root,
    async write(file, text) {
      await mkdir(path.dirname(path.join(root, file)), {recursive: true})
      await writeFile(path.join(root, file), text)
    },
    read: (file) => readFile(path.join(root, file), 'utf8'),
    async run(args, env = {}) {
      let stdout = ''
      let stderr = ''
      const code = await main(args, {
        cwd: root,
        env: {PATH: process.env.PATH, ...env},
        stdout: (text) => {
          stdout += text
        },
        stderr: (text) => {
          stderr += text
        },
        isTTY: false
      })
      return {code, stdout, stderr}
    },
    remove: () => rm(root, {recursive: true, force: true})
  }
  for (const [file, text] of Object.entries(files)) await project.write(file, text)
  return project
}

/** Wraps a provider and records every job it is given (segment ids and texts). */
export function recording(provider: Provider): Provider & {jobs: TranslateJob[]; sent(): string[]} {
  const jobs: TranslateJob[] = []
  return {
    name: provider.name,
    model: provider.model,
    jobs,
    sent: () => jobs.flatMap((job) => job.segments.map((segment) => segment.text)),
    translate(job, options) {
      jobs.push(job)
      return provider.translate(job, options)
    }
  }
}
