/**
 * A worker of figure 1's parallel run: loads the pipeline once, receives its share of every shard
 * up front, then runs one shard per `run` message and answers with what it saw.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {loadPipeline, runPipeline} from '../pipeline.js'
import type {ThroughputWorkerData, WorkerReply, WorkerRequest} from './throughput-protocol.js'

const data = workerData as ThroughputWorkerData
const port = parentPort
if (!port) throw new Error('throughput-worker.js must run as a worker thread')

const pipeline = await loadPipeline(data.repoRoot)

port.on('message', (request: WorkerRequest) => {
  const files = data.shards[request.shard] ?? []
  let segments = 0
  let different = 0
  for (const file of files) {
    const outcome = runPipeline(pipeline, file.name, file.bytes)
    segments += outcome.segments
    if (!outcome.identical) different++
  }
  const reply: WorkerReply = {shard: request.shard, segments, different}
  port.postMessage(reply)
})
port.postMessage({ready: true})
