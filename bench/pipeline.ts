/**
 * The pipeline under measurement, loaded from `dist/` (what users run) and checked at the
 * boundary: the modules are written in parallel with the bench, so a missing or differently
 * shaped export is reported as "not measured", never as a crash.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import type {Segment, Token} from '../src/types.js'
import {NotMeasured} from './figure.js'

/** The slice of an `AnalysedNote` the bench relies on. */
export interface AnalysedNoteLike {
  segments: Segment[]
}

/** The four stages, as the bench calls them. */
export interface Pipeline {
  decodeNote(bytes: Uint8Array, file: string, options: {maxBytes: number}): {text: string; bom: boolean}
  analyseNote(file: string, note: {text: string}, options: {frontmatterKeys?: string[]}): AnalysedNoteLike
  restore(text: string, tokens: Token[]): string
  reassemble(
    note: AnalysedNoteLike,
    translations: Map<string, string>,
    options: Record<string, unknown>
  ): {text: string}
}

/** Module (relative to `dist/pipeline/`) and export of each stage. */
const stages = {
  decodeNote: 'read.js',
  analyseNote: 'analyse.js',
  restore: 'restore.js',
  reassemble: 'reassemble.js'
} as const satisfies Record<keyof Pipeline, string>

/** Bigger than any corpus file; the bench measures speed, not the size guard. */
const MAX_BYTES = 16 * 1024 * 1024

/**
 * Imports the pipeline stages from `<repoRoot>/dist/pipeline`.
 *
 * @throws {NotMeasured} naming the first missing module or export.
 */
export async function loadPipeline(repoRoot: string): Promise<Pipeline> {
  const found: Record<string, unknown> = {}
  for (const [name, file] of Object.entries(stages)) {
    const modulePath = path.join(repoRoot, 'dist/pipeline', file)
    if (!existsSync(modulePath))
      throw new NotMeasured(
        `${path.relative(repoRoot, modulePath)} does not exist yet (src/pipeline/${file.replace(/\.js$/, '.ts')} not written or npm run build not run)`
      )
    let exports: unknown
    try {
      exports = await import(pathToFileURL(modulePath).href)
    } catch (error) {
      throw new NotMeasured(
        `${path.relative(repoRoot, modulePath)} fails to load: ${error instanceof Error ? error.message : String(error)}`
      )
    }
    const value =
      typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>)[name] : undefined
    if (typeof value !== 'function')
      throw new NotMeasured(`${path.relative(repoRoot, modulePath)} has no exported function ${name}`)
    found[name] = value
  }
  return found as unknown as Pipeline
}

/** What one note through the pipeline gives back. */
export interface PipelineOutcome {
  segments: number
  /** Whether the identity translation reassembled to the source text byte for byte. */
  identical: boolean
}

/**
 * One note through the whole pipeline, parsed once: decode → parse + segment + protect →
 * identity translation (restore of the protected text, so the protect/restore round trip is
 * included) → reassemble.
 */
export function runPipeline(pipeline: Pipeline, file: string, bytes: Uint8Array): PipelineOutcome {
  const decoded = pipeline.decodeNote(bytes, file, {maxBytes: MAX_BYTES})
  const note = pipeline.analyseNote(file, decoded, {frontmatterKeys: ['title']})
  const translations = new Map(
    note.segments.map((segment) => [segment.id, pipeline.restore(segment.text, segment.tokens)])
  )
  const {text} = pipeline.reassemble(note, translations, {})
  // reassemble gives back the whole file, byte order mark included.
  return {segments: note.segments.length, identical: text === (decoded.bom ? '\uFEFF' : '') + decoded.text}
}

/** Analyses one note (for segment and token counts). */
export function analyse(pipeline: Pipeline, file: string, bytes: Uint8Array): AnalysedNoteLike {
  return pipeline.analyseNote(file, pipeline.decodeNote(bytes, file, {maxBytes: MAX_BYTES}), {
    frontmatterKeys: ['title']
  })
}
