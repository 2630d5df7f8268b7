/**
 * Figure 1: pipeline throughput next to bare remark-parse (same extensions) over the same bytes.
 *
 * The corpus is replicated to ≥ 20 MB and cut into one shard per run (each shard holds whole
 * copies of the corpus, so every run sees the same mix). In each run the three variants process
 * the same shard back to back, in an order that rotates from run to run so a slow spell on the
 * shared machine does not always hit the same variant; the ratio is taken within the run.
 */
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import remarkFrontmatter from 'remark-frontmatter'
import remarkGfm from 'remark-gfm'
import remarkMath from 'remark-math'
import remarkParse from 'remark-parse'
import {unified} from 'unified'
import {byteLength, type CorpusFile, readCorpus} from '../corpus.js'
import type {Figure, FigureResult} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {loadPipeline, runPipeline} from '../pipeline.js'
import {ratios, summarise} from '../stats.js'
import type {ThroughputWorkerData, WorkerReply} from './throughput-protocol.js'

const MB = 1e6
const GOAL = 0.5

export const throughput: Figure = {
  id: 1,
  title: 'Pipeline throughput',
  goal: `pipeline ≥ ${GOAL}× bare remark-parse throughput`,
  async run(context) {
    const pipeline = await loadPipeline(context.repoRoot)
    const corpus = await readCorpus(context.corpusRoot)
    const totalBytes = context.quick ? 2 * MB : 20 * MB
    const shards = replicate(corpus, totalBytes, context.runs)
    const shardBytes = shards.map(byteLength)

    const processor = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter).use(remarkMath)
    const decoder = new TextDecoder()
    const parseOnly = (files: readonly CorpusFile[]) => {
      for (const file of files) processor.parse(decoder.decode(file.bytes))
    }
    let different = 0
    let segments = 0
    const pipelineOnly = (files: readonly CorpusFile[]) => {
      for (const file of files) {
        const outcome = runPipeline(pipeline, file.name, file.bytes)
        if (!outcome.identical) different++
        segments += outcome.segments
      }
    }

    // Warm-up on one corpus copy: JIT and lazy module state are not what is being measured.
    parseOnly(corpus)
    pipelineOnly(corpus)
    different = 0
    segments = 0

    const workers = os.availableParallelism()
    // The last shard handed to the workers is one corpus copy: their warm-up.
    const pool = await startPool(context.repoRoot, [...shards, corpus], workers)
    try {
      await pool.run(shards.length)
      const baseline: number[] = []
      const single: number[] = []
      const parallel: number[] = []
      for (let run = 0; run < shards.length; run++) {
        const shard = shards[run]!
        const variants: Array<() => Promise<void>> = [
          async () => void baseline.push(shardBytes[run]! / MB / seconds(() => parseOnly(shard))),
          async () => void single.push(shardBytes[run]! / MB / seconds(() => pipelineOnly(shard))),
          async () => {
            const started = performance.now()
            await pool.run(run)
            parallel.push(shardBytes[run]! / MB / ((performance.now() - started) / 1000))
          }
        ]
        for (let step = 0; step < variants.length; step++) await variants[(run + step) % variants.length]!()
        context.log(
          `run ${run + 1}/${shards.length}: parse ${baseline.at(-1)!.toFixed(3)} MB/s, pipeline ${single.at(-1)!.toFixed(3)} MB/s, ${workers} threads ${parallel.at(-1)!.toFixed(3)} MB/s`
        )
      }

      const result: FigureResult = {
        runs: shards.length,
        headlines: [
          headline('pipeline, 1 thread ÷ remark-parse', ratios(single, baseline)),
          headline(`pipeline, ${workers} worker threads ÷ remark-parse (1 thread)`, ratios(parallel, baseline))
        ],
        rows: [
          {
            label: 'bytes per variant (all runs)',
            value: `${(shardBytes.reduce((a, b) => a + b, 0) / MB).toFixed(1)} MB in ${shards.length} runs of ${(shardBytes[0]! / MB).toFixed(1)} MB (${corpus.length} corpus files, ${(byteLength(corpus) / MB).toFixed(2)} MB, replicated)`
          },
          {
            label: 'remark-parse + gfm + frontmatter + math, 1 thread',
            value: summarise(baseline),
            unit: 'MB/s',
            digits: 3
          },
          {label: 'pipeline, 1 thread', value: summarise(single), unit: 'MB/s', digits: 3},
          {label: `pipeline, ${workers} worker threads`, value: summarise(parallel), unit: 'MB/s', digits: 3},
          {
            label: 'segments per corpus copy',
            value: Math.round(segments / (shardBytes.reduce((a, b) => a + b, 0) / byteLength(corpus)))
          },
          {
            label: 'notes whose identity translation was not byte-identical',
            value: `${different} of ${shards.flat().length}`
          }
        ],
        notes: [
          'Pipeline = decodeNote → analyseNote (one parse + segment + protect) → restore each segment (identity translation) → reassemble (includes its safety-net re-parse, if any); nothing is written to disk.',
          `Parallel = the same shard split by bytes over ${workers} worker threads (started and warmed before timing); the baseline stays a single-threaded parse.`
        ]
      }
      return result
    } finally {
      await pool.close()
    }
  }
}

function headline(label: string, values: number[]) {
  const value = summarise(values)
  return {label, value, goal: `≥ ${GOAL}×`, met: value.median >= GOAL, digits: 2}
}

function seconds(work: () => void): number {
  const started = performance.now()
  work()
  return (performance.now() - started) / 1000
}

/**
 * Whole copies of the corpus, dealt round-robin into `count` shards until `totalBytes` is reached
 * (every shard gets the same number of copies, so shards are the same size).
 */
export function replicate(corpus: readonly CorpusFile[], totalBytes: number, count: number): CorpusFile[][] {
  const copiesPerShard = Math.max(1, Math.ceil(totalBytes / count / byteLength(corpus)))
  return Array.from({length: count}, (_, shard) =>
    Array.from({length: copiesPerShard}, (_, copy) =>
      corpus.map((file) => ({name: `copy-${shard}-${copy}/${file.name}`, bytes: file.bytes}))
    ).flat()
  )
}

/** Split files over `count` workers, largest first onto the least loaded, so all finish together. */
function dealByBytes(files: readonly CorpusFile[], count: number): CorpusFile[][] {
  const hands = Array.from({length: count}, () => ({bytes: 0, files: [] as CorpusFile[]}))
  for (const file of [...files].sort((a, b) => b.bytes.byteLength - a.bytes.byteLength)) {
    const hand = hands.reduce((least, next) => (next.bytes < least.bytes ? next : least))
    hand.files.push(file)
    hand.bytes += file.bytes.byteLength
  }
  return hands.map((hand) => hand.files)
}

interface Pool {
  run(shard: number): Promise<void>
  close(): Promise<void>
}

async function startPool(repoRoot: string, shards: CorpusFile[][], count: number): Promise<Pool> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'throughput-worker.js')
  const perWorker = shards.map((shard) => dealByBytes(shard, count))
  const workers = Array.from({length: count}, (_, index) => {
    const workerData: ThroughputWorkerData = {repoRoot, shards: perWorker.map((hands) => hands[index] ?? [])}
    return new Worker(script, {workerData})
  })
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once('error', (error) =>
            reject(new NotMeasured(`a pipeline worker thread failed to start: ${error.message}`))
          )
          worker.once('message', () => resolve())
        })
    )
  )
  return {
    run: (shard) =>
      Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              const onError = (error: Error) => reject(error)
              worker.once('error', onError)
              worker.once('message', (reply: WorkerReply) => {
                worker.off('error', onError)
                if (reply.shard !== shard) reject(new Error(`worker answered shard ${reply.shard} for shard ${shard}`))
                else resolve()
              })
              worker.postMessage({shard})
            })
        )
      ).then(() => undefined),
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()))
    }
  }
}
