/**
 * Protected text → logical Markdown: the inverse of `protect`.
 *
 * Restoring a *changed* translation also makes its literal text safe where it lands (escapes,
 * flanking, reference labels, bare URLs): the token table says which characters are markup and
 * which are the translator's prose, and that distinction is gone once the text is Markdown. Where
 * the segment lands is its `Placement`, made by `protect` and passed in by the caller.
 */

import {TOKEN_PATTERN, type Token} from '../types.js'
import {type Context, opensBlock, safe, singleLine} from './escape.js'
import type {Placement} from './protect.js'
import {Assembly, fixAssembled} from './restore-fixes.js'

type Piece = {type: 'text'; value: string} | {type: 'token'; token: Token; side: 'open' | 'close'}

/**
 * Protected text → logical Markdown.
 *
 * Unknown token numbers are left as written (validation reports them). With the segment's
 * `placement` (from `protectPhrasing`/`protectPlain`, kept on the analysed note's layout), lines
 * that differ from the source are made safe for where the segment lands; without it this is a
 * plain substitution (and reassembly's safety net rejects whatever that breaks). The tokens may
 * be a copy with some replaced (a glossary term rendered for the target locale): the placement
 * refers to tokens by number only.
 */
export function restore(text: string, tokens: readonly Token[], placement?: Placement): string {
  const byNumber = new Map(tokens.map((token) => [token.n, token]))
  const pieces = split(text, byNumber)
  if (!placement || text === placement.source) {
    return pieces.map((piece) => (piece.type === 'text' ? piece.value : markup(piece))).join('')
  }
  return new Restorer(placement).run(pieces, text)
}

function split(text: string, byNumber: ReadonlyMap<number, Token>): Piece[] {
  const pieces: Piece[] = []
  let last = 0
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const token = byNumber.get(Number(match[2]))
    const side = match[1] ? 'close' : 'open'
    if (!token || (side === 'close' && token.shape !== 'pair')) continue
    if (match.index > last) pieces.push({type: 'text', value: text.slice(last, match.index)})
    pieces.push({type: 'token', token, side})
    last = match.index + match[0].length
  }
  if (last < text.length) pieces.push({type: 'text', value: text.slice(last)})
  return pieces
}

function markup(piece: Extract<Piece, {type: 'token'}>): string {
  return piece.side === 'close' ? piece.token.close : piece.token.open
}

/** How much of the line before a text run its escaping looks at (`1.` needs the digits). */
const BEFORE_WINDOW = 16

/** What follows a segment's last run in the source syntax, by context. */
const END_AFTER: Readonly<Record<Context, (quote: string | undefined) => string>> = {
  paragraph: () => '',
  atx: () => '',
  cell: () => '|',
  alt: () => ']',
  title: (quote) => quote ?? '"',
  plain: () => ''
}

/** Assembles a changed translation and applies the fixes its placement needs. */
class Restorer extends Assembly {
  /** Link and image labels open at the current position (`]` would close one). */
  private labels = 0

  constructor(private readonly placement: Placement) {
    super()
  }

  run(pieces: Piece[], text: string): string {
    const {context} = this.placement
    const sourceLines = this.placement.source.split('\n')
    const lines = splitLines(pieces)
    // A one-line segment never grows a soft line break: there is no container prefix to give it.
    const noNewLine = context !== 'plain' && (singleLine.has(context) || sourceLines.length === 1)
    let anyChanged = false
    const protectedLines = text.split('\n')

    lines.forEach((line, index) => {
      const changed = protectedLines[index] !== sourceLines[index]
      anyChanged ||= changed
      if (index > 0) {
        if (changed && isBlank(line) && context !== 'plain') return
        this.out += noNewLine ? ' ' : '\n'
      }
      if (!changed) {
        for (const piece of line) this.append(piece, false)
        return
      }
      const atLineStart = context !== 'plain' && (index > 0 ? !noNewLine : context === 'paragraph')
      this.changedLine(line, index > 0 && !noNewLine, atLineStart, noNewLine || index === lines.length - 1)
    })

    if (anyChanged) fixAssembled(this, this.placement)
    return this.out
  }

  private append(piece: Piece, changed: boolean, value?: string): void {
    if (piece.type === 'text') {
      this.out += value ?? piece.value
      return
    }
    if (piece.token.kind === 'link' || piece.token.kind === 'image') this.labels += piece.side === 'open' ? 1 : -1
    const start = this.out.length
    this.out += markup(piece)
    this.marks.push({token: piece.token, side: piece.side, start, end: this.out.length, changed})
  }

  /** One protected line that differs from the source: escape its literal runs. */
  private changedLine(line: Piece[], continuation: boolean, lineStart: boolean, last: boolean): void {
    const {context, quote} = this.placement
    let atLineStart = lineStart
    line.forEach((piece, at) => {
      if (piece.type === 'token') {
        const value = markup(piece)
        if (atLineStart && continuation && at === 0 && opensBlock(value) && this.out.endsWith('\n')) {
          // Joining the previous line keeps the placeholder inline (trap 6).
          this.out = `${this.out.slice(0, -1)} `
        }
        this.append(piece, true)
        atLineStart = value.endsWith('\n') && context !== 'plain'
        return
      }
      const next = line[at + 1]
      let value = piece.value
      if (atLineStart) value = value.replace(/^[ \t]+/, '')
      if (!next && context !== 'plain') value = value.replace(/[ \t]+$/, '')
      const lineSoFar = this.out.slice(this.out.lastIndexOf('\n') + 1)
      const before = atLineStart ? '\n' : lineSoFar.slice(-BEFORE_WINDOW)
      const after = next ? markup(next as Extract<Piece, {type: 'token'}>) : last ? END_AFTER[context](quote) : '\n'
      value = safe(value, context, {before, after, label: this.labels > 0, quote})
      this.append(piece, true, value)
      if (value !== '') atLineStart = false
    })
  }
}

/** Group pieces by protected line (literal `\n` in text pieces). */
function splitLines(pieces: readonly Piece[]): Piece[][] {
  const lines: Piece[][] = [[]]
  for (const piece of pieces) {
    if (piece.type === 'token') {
      lines[lines.length - 1]!.push(piece)
      continue
    }
    const parts = piece.value.split('\n')
    parts.forEach((part, index) => {
      if (index > 0) lines.push([])
      if (part) lines[lines.length - 1]!.push({type: 'text', value: part})
    })
  }
  return lines
}

function isBlank(line: readonly Piece[]): boolean {
  return line.every((piece) => piece.type === 'text' && piece.value.trim() === '')
}
