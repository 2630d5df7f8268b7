/**
 * The live progress display as a user sees it: the real CLI under a pseudo-terminal (util-linux
 * `script`), translating through the project's test server with some latency, every frame it
 * draws captured and read back.
 */
import {spawn, spawnSync} from 'node:child_process'
import {beforeAll, describe, expect, it} from 'vitest'
import {builtCli} from '../reliability/support/built-cli.js'
import type {TestServer} from '../support/openai-server.js'
import type {TempProject} from '../support/project.js'
import {useServerProject} from '../support/server-project.js'

const setup = useServerProject('all')
let server: TestServer
let project: TempProject

const NOTES = 4
const LOCALES = ['de', 'es', 'fr']

beforeAll(async () => {
  server = await setup.startServer({latencyMs: 100})
  project = await setup.project()
  for (let index = 0; index < NOTES; index++) {
    const paragraphs = Array.from(
      {length: 3 + index},
      (_, p) => `Paragraph ${p} of note ${index} says something about models.`
    )
    await project.write(
      `notes/n${index}.md`,
      `---\ntitle: Note ${index}\n---\n\n# Heading ${index}\n\n${paragraphs.join('\n\n')}\n`
    )
  }
})

/** Runs `command` in a pseudo-terminal 200 columns wide; resolves to everything it drew. */
function underPty(
  command: string,
  cwd: string,
  env: Record<string, string>
): Promise<{code: number | null; screen: string}> {
  const script = spawnSync('script', ['--version'], {encoding: 'utf8'})
  if (script.status !== 0)
    throw new Error('util-linux `script` is needed for this test (Debian: apt-get install bsdutils)')
  const child = spawn('script', ['-q', '-e', '-c', `stty cols 200 rows 40; ${command}`, '/dev/null'], {
    cwd,
    env: {PATH: process.env.PATH ?? '', TERM: 'xterm', ...env},
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let screen = ''
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({code, screen})))
}

/** Every bar line drawn, in order: the text between cursor moves, escape sequences removed. */
function barLines(screen: string): Array<{locale: string; done: number; total: number; line: string}> {
  const lines = screen
    // eslint-disable-next-line no-control-regex
    .split(/\r|\n|\x1b\[[0-9;?]*[A-Za-z]/)
    .map((line) => line.trim())
  const bars: Array<{locale: string; done: number; total: number; line: string}> = []
  for (const line of lines) {
    const match = /^(\S+)\s+\[[^\]]*\] (\d+)\/(\S+) segments/.exec(line)
    if (match) bars.push({locale: match[1]!, done: Number(match[2]), total: Number(match[3]), line})
  }
  return bars
}

describe('live progress under a pseudo-terminal', () => {
  it("each locale's total is final from its first frame, done only grows, and no frame shows a non-numeric ETA", async () => {
    const bin = await builtCli()
    const {code, screen} = await underPty(
      `exec "${process.execPath}" "${bin}" sync --locale ${LOCALES.join(',')} --concurrency 1`,
      project.root,
      {
        OPENAI_BASE_URL: server.url,
        OPENAI_API_KEY: 'sk-test-progress-0123456789'
      }
    )
    expect(code, screen).toBe(0)
    const bars = barLines(screen)
    // 2 + NOTES*(NOTES+5)/2 segments per note set: title, heading and the paragraphs.
    const expected = NOTES * 2 + Array.from({length: NOTES}, (_, index) => 3 + index).reduce((a, b) => a + b, 0)
    for (const locale of LOCALES) {
      const frames = bars.filter((bar) => bar.locale === locale)
      expect(frames.length, `frames of ${locale}:\n${screen}`).toBeGreaterThan(3)
      expect(new Set(frames.map((frame) => frame.total)), `${locale} totals`).toEqual(new Set([expected]))
      expect(frames[0]!.done).toBe(0)
      expect(frames.at(-1)!.done).toBe(expected)
      frames.forEach((frame, index) => {
        if (index > 0) expect(frame.done).toBeGreaterThanOrEqual(frames[index - 1]!.done)
      })
    }
    // Some frame in the middle of the run shows an ETA, and every ETA is a number.
    expect(
      bars.some((bar) => /ETA \d/.test(bar.line)),
      bars.map((bar) => bar.line).join('\n')
    ).toBe(true)
    for (const bar of bars) {
      expect(bar.line).not.toMatch(/NF|LL|NaN|Infinity|INF|NULL|undefined/)
      const eta = /ETA (\S+)/.exec(bar.line)
      if (eta) expect(eta[1]).toMatch(/^(\d+m)?\d+s$/)
    }
  })
})
