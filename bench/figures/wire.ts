/**
 * Figure 8 (issue 19): what the provider boundary costs — o200k tokens per placeholder in each
 * candidate wire form, prompt characters per source character of a full sync, and the wall time
 * of a provider-bound sync against its ideal — on the shared corpus when it is there, else on the
 * READMEs under node_modules (so it runs without `../shared`).
 */
import path from 'node:path'
import {countTokens} from '../../src/providers/tokens.js'
import {wireText} from '../../src/providers/wire.js'
import {TOKEN_PATTERN} from '../../src/types.js'
import {type CorpusFile, readCorpus} from '../corpus.js'
import type {Figure, Headline, Row} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {analyse, loadPipeline} from '../pipeline.js'
import {chatRequests, type RecordedRequest, startServer, syncThroughServer} from '../server.js'
import {ratios, summarise} from '../stats.js'
import {corpusProject, resetRunState} from '../tree.js'
import {readmeCorpus} from './scale-memory.js'

const LATENCY_MS = 300
const CONCURRENCY = 8
const CHARS_GOAL = 0.8
const WALL_GOAL = 1.15

/** Candidate wire forms of atom `n` and of a pair's close, measured side by side. */
const FORMS: ReadonlyArray<{name: string; write: (close: string, n: string) => string}> = [
  {name: '⟦n⟧ (the project form)', write: (close, n) => `⟦${close}${n}⟧`},
  {name: '{n} (sent)', write: (close, n) => `{${close}${n}}`},
  {name: '§n', write: (close, n) => `§${close}${n}`},
  {name: '<n>', write: (close, n) => `<${close}${n}>`},
  {name: '[n]', write: (close, n) => `[${close}${n}]`}
]

export const wireCost: Figure = {
  id: 8,
  title: 'Provider boundary: placeholders, prompt size, provider-bound wall',
  goal: `prompt characters per source character ≤ ${CHARS_GOAL}; provider-bound wall ≤ ${WALL_GOAL}× ceil(requests ÷ ${CONCURRENCY}) × ${LATENCY_MS / 1000} s`,
  corpusFree: true,
  async run(context) {
    const shared = context.corpusRoot !== ''
    const corpus: CorpusFile[] = shared
      ? await readCorpus(context.corpusRoot)
      : readmeCorpus(context.repoRoot).map(({name, text}) => ({name, bytes: Buffer.from(text)}))
    const sourceChars = corpus.reduce((sum, file) => sum + Buffer.from(file.bytes).toString('utf8').length, 0)

    // Placeholder cost in context: tokens of every protected segment with its placeholders in each
    // form, less the tokens of the same text without them, per placeholder.
    const pipeline = await loadPipeline(context.repoRoot)
    const texts = corpus.flatMap((file) => analyse(pipeline, file.name, file.bytes).segments.map(({text}) => text))
    const pattern = new RegExp(TOKEN_PATTERN.source, 'g')
    const placeholders = texts.reduce((sum, text) => sum + (text.match(pattern)?.length ?? 0), 0)
    if (placeholders === 0) throw new NotMeasured('the corpus has no placeholders')
    const withTexts = texts.filter((text) => text.match(pattern) !== null)
    const bare = withTexts.reduce((sum, text) => sum + countTokens(text.replace(pattern, '')), 0)
    const perPlaceholder = FORMS.map(({name, write}) => ({
      name,
      tokens:
        (withTexts.reduce(
          (sum, text) =>
            sum + countTokens(text.replace(pattern, (_whole, close: string, n: string) => write(close, n))),
          0
        ) -
          bare) /
        placeholders
    }))
    const sentCheck = withTexts.reduce((sum, text) => sum + countTokens(wireText(text)), 0)

    const root = path.join(context.workRoot, 'corpus')
    await corpusProject(root, corpus)

    // Prompt characters of a full sync (no latency: the count does not depend on it).
    await resetRunState(root)
    let server = await startServer({})
    let promptChars: number
    let systemChars: number
    let fastRequests: number
    try {
      const run = await syncThroughServer(context.repoRoot, root, server, ['--concurrency', String(CONCURRENCY)])
      const requests = chatRequests(server)
      if (requests.length === 0) throw new NotMeasured(`sync made no requests (exit ${run.code}): ${run.stderr}`)
      promptChars = requests.reduce((sum, request) => sum + messageChars(request, () => true), 0)
      systemChars = requests.reduce((sum, request) => sum + messageChars(request, (role) => role === 'system'), 0)
      fastRequests = requests.length
    } finally {
      await server.close()
    }
    const charsRatio = promptChars / sourceChars
    context.log(
      `${corpus.length} files, ${sourceChars} source characters, ${promptChars} prompt characters in ${fastRequests} requests: ${charsRatio.toFixed(3)}`
    )

    // Provider-bound wall.
    const wall: number[] = []
    const ideal: number[] = []
    const counts: number[] = []
    const firstRequest: number[] = []
    const maxInFlight: number[] = []
    const cpu: number[] = []
    const mainCpu: number[] = []
    for (let run = 0; run < context.runs; run++) {
      await resetRunState(root)
      const serverStarted = performance.now()
      server = await startServer({latencyMs: LATENCY_MS})
      try {
        const spawned = performance.now()
        const result = await syncThroughServer(context.repoRoot, root, server, ['--concurrency', String(CONCURRENCY)])
        const requests = chatRequests(server)
        if (requests.length === 0) throw new NotMeasured(`sync made no requests (exit ${result.code})`)
        wall.push(result.wallMs / 1000)
        cpu.push(result.cpuMs / 1000)
        if (result.mainCpuMs !== undefined) mainCpu.push(result.mainCpuMs / 1000)
        counts.push(requests.length)
        ideal.push(Math.ceil(requests.length / CONCURRENCY) * (LATENCY_MS / 1000))
        maxInFlight.push(server.maxInFlight())
        firstRequest.push(Math.min(...requests.map((request) => serverStarted + request.time - spawned)) / 1000)
      } finally {
        await server.close()
      }
      context.log(
        `run ${run + 1}/${context.runs}: ${counts.at(-1)} requests, ${wall.at(-1)!.toFixed(2)} s (ideal ${ideal.at(-1)!.toFixed(2)} s), first request after ${firstRequest.at(-1)!.toFixed(2)} s, CLI CPU ${cpu.at(-1)!.toFixed(2)} s (main thread ${mainCpu.at(-1)?.toFixed(2) ?? '?'} s)`
      )
    }
    const wallRatio = summarise(ratios(wall, ideal))

    const headlines: Headline[] = [
      {
        label: 'prompt characters per source character (full sync)',
        value: summarise([charsRatio]),
        goal: `≤ ${CHARS_GOAL}`,
        met: charsRatio <= CHARS_GOAL,
        digits: 3
      },
      {
        label: `provider-bound wall ÷ ceil(requests ÷ ${CONCURRENCY}) × ${LATENCY_MS / 1000} s`,
        value: wallRatio,
        goal: `≤ ${WALL_GOAL}×`,
        met: wallRatio.median <= WALL_GOAL
      }
    ]
    const rows: Row[] = [
      {
        label: 'corpus',
        value: `${shared ? 'the shared corpus (notes + readmes)' : 'node_modules READMEs'}: ${corpus.length} files, ${sourceChars} characters`
      },
      {label: 'placeholders in the corpus segments', value: placeholders},
      ...perPlaceholder.map(({name, tokens}) => ({
        label: `o200k tokens per placeholder, ${name}`,
        value: summarise([tokens])
      })),
      {
        label: 'o200k tokens of the segments with placeholders, as sent (wire.ts)',
        value: `${sentCheck} (without placeholders ${bare})`
      },
      {label: 'prompt characters, full sync', value: promptChars},
      {label: 'of which system messages', value: systemChars},
      {label: 'requests, full sync', value: fastRequests},
      {label: 'provider-bound: requests', value: summarise(counts), digits: 0},
      {label: 'provider-bound: wall (CLI process)', value: summarise(wall), unit: 's'},
      {label: 'provider-bound: ideal', value: summarise(ideal), unit: 's'},
      {label: 'provider-bound: first request sent after', value: summarise(firstRequest), unit: 's'},
      {label: 'provider-bound: most requests in flight', value: summarise(maxInFlight), digits: 0},
      {label: 'provider-bound: CPU time of the CLI (user + system)', value: summarise(cpu), unit: 's'},
      {label: 'provider-bound: CLI CPU time ÷ ideal', value: summarise(ratios(cpu, ideal))},
      {label: 'provider-bound: CLI CPU time ÷ wall', value: summarise(ratios(cpu, wall))},
      ...(mainCpu.length === cpu.length
        ? [
            {label: "provider-bound: the CLI's main thread's CPU time", value: summarise(mainCpu), unit: 's'},
            {label: "provider-bound: the main thread's CPU time ÷ ideal", value: summarise(ratios(mainCpu, ideal))}
          ]
        : [])
    ]
    return {
      runs: context.runs,
      headlines,
      rows,
      notes: [
        'Prompt characters are the characters of every message content of every chat request (system, request JSON, feedback turns); source characters those of the source files as written (front matter, code and all).',
        'A placeholder costs the tokens its form adds to the segment text it sits in, averaged over every placeholder of the corpus.',
        "The provider-bound wall includes Node start-up and everything before the first request. The ideal counts no compute at all: where the CLI's own CPU time exceeds it (CPU ÷ ideal > 1), no scheduling of requests can meet the goal on this machine, and the wall is bounded by the main thread (parse, validation, reassembly), not by the requests in flight."
      ]
    }
  }
}

/** Characters of the message contents of a chat request whose role passes `keep`. */
function messageChars(request: RecordedRequest, keep: (role: unknown) => boolean): number {
  const body = request.body as {messages?: unknown} | null
  const messages = Array.isArray(body?.messages) ? (body.messages as Array<{role?: unknown; content?: unknown}>) : []
  return messages.reduce(
    (sum, message) => sum + (keep(message.role) && typeof message.content === 'string' ? message.content.length : 0),
    0
  )
}
