/**
 * A worker thread of the note pool (`note-pool.ts`): analyses notes and reassembles their
 * translations with the same pure functions, on the same data, as the main thread would; keeps
 * each analysed note (its tree, its front-matter Document) under its handle until released.
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {Root} from 'mdast'
import {shield} from '../glossary/apply.js'
import {type AnalysedNote, analyseNote} from '../pipeline/analyse.js'
import {loadMdxParser, parseMarkdown} from '../pipeline/parse.js'
import {reassemble} from '../pipeline/reassemble.js'
import {
  type AssembledThere,
  linkRewriter,
  type PoolSetup,
  portable,
  type Reply,
  type Request,
  thrownThere
} from './note-pool.js'
import {restoreTranslation} from './restore-translation.js'

const port = parentPort
if (!port) throw new Error('note-worker.ts runs as a worker thread of note-pool.ts')
const setup = workerData as PoolSetup
const noteShield = setup.glossary ? shield(setup.glossary) : undefined
/** The notes this worker analysed and still holds, by handle. */
const held = new Map<number, AnalysedNote>()

/** `project/analyse.ts`'s `analyse`, with the project's settings as the worker was given them. */
function analyse(file: string, text: AnalysedNote['source'], frontmatterKeys: readonly string[]): AnalysedNote {
  return analyseNote(file, text, {frontmatterKeys, shield: noteShield, jsxAttributes: setup.jsxAttributes})
}

/**
 * The note as kept until it is released: without its tree, the largest part of it, which
 * reassembly needs only for a human segment's lenient shape (made again then, from the same text).
 */
function withoutTree(note: AnalysedNote): AnalysedNote {
  const {tree: _tree, ...kept} = note
  const source = note.source
  let tree: Root | undefined
  return Object.defineProperty(kept, 'tree', {
    enumerable: true,
    get: () => {
      tree ??= parseMarkdown(source.text, {mdx: source.mdx}).tree
      return tree
    }
  }) as AnalysedNote
}

function restoreAll(request: Extract<Request, {type: 'restore'}>): Map<string, string> {
  const note = held.get(request.handle)
  if (!note) throw new Error(`note handle ${request.handle} is not held by this worker`)
  const byId = new Map(note.segments.map((segment) => [segment.id, segment]))
  const markdown = new Map<string, string>()
  for (const [id, translation] of request.translations) {
    const segment = byId.get(id)
    if (!segment) throw new Error(`segment ${id} is not in ${note.file}`)
    markdown.set(
      id,
      restoreTranslation(segment, translation, request.locale, setup.glossary, note.layouts.get(id)?.placement)
    )
  }
  return markdown
}

function assemble(request: Extract<Request, {type: 'assemble'}>): AssembledThere {
  const note = held.get(request.handle)
  if (!note) throw new Error(`note handle ${request.handle} is not held by this worker`)
  const assembled = reassemble(note, request.translations, {
    frontmatter: request.frontmatter,
    rewriteUrl: request.rebase ? linkRewriter(setup.outputs, request.rebase) : undefined,
    human: request.human
  })
  const result: AssembledThere = {text: assembled.text, rejected: assembled.rejected}
  if (request.readBack !== undefined && assembled.rejected.size === 0) {
    try {
      const body = note.source.bom && assembled.text.startsWith('\uFEFF') ? assembled.text.slice(1) : assembled.text
      const written = analyseNote(
        request.readBack,
        {...note.source, text: body},
        {
          frontmatterKeys: setup.frontmatterKeys,
          shield: noteShield,
          jsxAttributes: setup.jsxAttributes,
          ...(assembled.parsed ? {parsed: assembled.parsed} : {})
        }
      )
      result.written = {segments: written.segments}
    } catch (error) {
      result.written = {error: thrownThere(error)}
    }
  }
  return result
}

// Async only for an `.mdx` note's first analysis, which loads the MDX parser (`parse.ts`). The
// main thread sends a note's restore and assemble after its analysis has replied, so awaiting
// here reorders nothing a note depends on.
port.on('message', async (request: Request) => {
  if (request.type === 'release') {
    for (const handle of request.handles) held.delete(handle)
    return
  }
  let reply: Reply
  try {
    if (request.type === 'analyse') {
      if (request.text.mdx) await loadMdxParser()
      const note = analyse(request.file, request.text, request.frontmatterKeys ?? setup.frontmatterKeys)
      held.set(request.handle, withoutTree(note))
      reply = {type: 'analysed', id: request.id, note: portable(note)}
    } else if (request.type === 'restore') {
      reply = {type: 'restored', id: request.id, markdown: restoreAll(request)}
    } else {
      reply = {type: 'assembled', id: request.id, result: assemble(request)}
    }
  } catch (error) {
    reply = {type: 'failed', id: request.id, error: thrownThere(error)}
  }
  port.postMessage(reply)
})
