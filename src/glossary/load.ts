/**
 * Reading `glossary.json` from disk (the glossary's only I/O), and the glossary's public API: the
 * commands import everything glossary-related from here.
 */

import {readFile} from 'node:fs/promises'
import {errnoMessage, isErrno} from '../io/errno.js'
import {pointAt} from '../text/lines.js'
import {UserError} from '../types.js'
import {parseGlossary} from './parse.js'
import type {Glossary} from './types.js'

export {qwenMtTerms, renderKeep, requiredTerms, shield} from './apply.js'
export {type GlossaryFinding, glossaryCheck, type TranslatedPair} from './check.js'
export {glossaryFingerprint, segmentFingerprint} from './fingerprint.js'
export {localeChain, resolveRendering} from './locale.js'
export {findTerms, onlyTerms} from './match.js'
export {parseGlossary} from './parse.js'
export {visibleText} from './project.js'
export {glossarySchema} from './schema.js'
export type {Glossary, GlossaryEntry, Rendering, TermMatch} from './types.js'
export {verifyTerms} from './verify.js'

/**
 * Read, validate and compile a glossary file.
 *
 * @param path
 *   Path of the file, used as given in messages.
 * @returns
 *   The glossary, or `undefined` when the file does not exist (a glossary is optional).
 * @throws {UserError}
 *   When the file cannot be read, is not JSON (with line and column), or is not a valid glossary
 *   (every problem listed).
 */
export async function loadGlossary(path: string): Promise<Glossary | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined
    const reason = errnoMessage(error)
    throw new UserError(
      `${path}: cannot read the glossary (${reason}) — fix: make it a readable JSON file, or remove it`
    )
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1)

  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const position = /at position (\d+)/.exec(reason)?.[1]
    const {line, column} = pointAt(text, position === undefined ? text.length : Number(position))
    const what = reason.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '')
    throw new UserError(
      `${path}:${line}:${column}: expected valid JSON, received a syntax error (${what}) — fix: correct the syntax there (a trailing comma or a missing quote is the usual cause)`
    )
  }
  return parseGlossary(json, path)
}
