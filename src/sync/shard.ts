/**
 * Which notes a shard of a run syncs: a pure function of the note's path, so every machine of a
 * sharded CI job agrees without talking to the others.
 */
import {createHash} from 'node:crypto'

/**
 * The shard (1-based) of a source note among `count`: a hash of its project-relative path, so a
 * note keeps its shard when others are added, removed or renamed, and every machine agrees.
 */
export function shardOf(source: string, count: number): number {
  const digest = createHash('sha256').update(source).digest()
  return (digest.readUInt32BE(0) % count) + 1
}
