/**
 * Messages between figure 1 and its worker threads.
 */
import type {CorpusFile} from '../corpus.js'

export interface ThroughputWorkerData {
  repoRoot: string
  /** This worker's files of each shard (shard index → files). */
  shards: CorpusFile[][]
}

export interface WorkerRequest {
  shard: number
}

export interface WorkerReply {
  shard: number
  segments: number
  /** Notes whose identity translation did not reassemble byte-identical. */
  different: number
}
