/**
 * Figure 4: a full sync of the corpus to one locale through the test server, 300 ms per request,
 * `--concurrency 8`, next to the ideal for the requests it made: requests × 0.3 s ÷ 8.
 */
import path from 'node:path'
import {readCorpus} from '../corpus.js'
import type {Figure} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {chatRequests, startServer, syncThroughServer} from '../server.js'
import {ratios, summarise} from '../stats.js'
import {corpusProject, resetRunState} from '../tree.js'

const LATENCY_MS = 300
const CONCURRENCY = 8
const GOAL = 1.15

export const providerBound: Figure = {
  id: 4,
  title: 'Provider-bound sync',
  goal: `wall time ≤ ${GOAL}× ideal (requests × ${LATENCY_MS / 1000} s ÷ ${CONCURRENCY}) at ${LATENCY_MS} ms per request, --concurrency ${CONCURRENCY}`,
  async run(context) {
    const corpus = await readCorpus(context.corpusRoot)
    const root = path.join(context.workRoot, 'corpus')
    await corpusProject(root, corpus)

    const wall: number[] = []
    const ideal: number[] = []
    const requests: number[] = []
    const inFlight: number[] = []
    const firstRequest: number[] = []
    const meanInFlight: number[] = []
    for (let run = 0; run < context.runs; run++) {
      await resetRunState(root)
      const serverStarted = performance.now()
      const server = await startServer({latencyMs: LATENCY_MS})
      try {
        const spawned = performance.now()
        const result = await syncThroughServer(context.repoRoot, root, server, ['--concurrency', String(CONCURRENCY)])
        const count = chatRequests(server).length
        if (count === 0)
          throw new NotMeasured(
            `sync made no requests to the test server (exit ${result.code}): ${result.stderr.slice(0, 300)}`
          )
        wall.push(result.wallMs / 1000)
        requests.push(count)
        ideal.push((count * LATENCY_MS) / 1000 / CONCURRENCY)
        inFlight.push(server.maxInFlight())
        // Request times are ms since the server started, on this process's clock.
        const times = chatRequests(server).map((request) => serverStarted + request.time - spawned)
        const first = Math.min(...times)
        firstRequest.push(first / 1000)
        meanInFlight.push((count * LATENCY_MS) / (Math.max(...times) + LATENCY_MS - first))
      } finally {
        await server.close()
      }
      context.log(
        `run ${run + 1}/${context.runs}: ${requests.at(-1)} requests, ${wall.at(-1)!.toFixed(2)} s (ideal ${ideal.at(-1)!.toFixed(2)} s), ${inFlight.at(-1)} in flight at most`
      )
    }

    const ratio = summarise(ratios(wall, ideal))
    return {
      runs: context.runs,
      headlines: [{label: 'wall time ÷ ideal', value: ratio, goal: `≤ ${GOAL}×`, met: ratio.median <= GOAL}],
      rows: [
        {label: 'corpus', value: `${corpus.length} files (notes + readmes), 1 locale (es)`},
        {label: 'requests', value: summarise(requests), digits: 0},
        {label: 'wall time (CLI process)', value: summarise(wall), unit: 's'},
        {label: 'ideal (requests × 0.3 s ÷ 8)', value: summarise(ideal), unit: 's'},
        {label: 'most requests in flight', value: summarise(inFlight), digits: 0},
        {
          label: 'requests in flight on average, first request to last answer',
          value: summarise(meanInFlight),
          digits: 1
        },
        {label: 'first request sent after (start-up, discovery, parsing)', value: summarise(firstRequest), unit: 's'}
      ],
      notes: [
        'The ideal assumes all requests overlap perfectly 8 at a time and that reading, parsing, validating and writing cost nothing; the wall time includes Node start-up and the single-threaded parse of the corpus, which the ideal does not.'
      ]
    }
  }
}
