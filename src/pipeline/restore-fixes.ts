/**
 * The fixes made after a changed translation is assembled: each looks at the neighbourhood a
 * token landed in (a shortcut reference whose text changed, a literal autolink whose neighbours
 * changed, an emphasis pair that no longer flanks, a cell or heading ending in a special
 * character). Pure: text and marks in, text out.
 */

import {normalizeIdentifier} from 'micromark-util-normalize-identifier'
import type {Token} from '../types.js'
import {canClose, canOpen, isWhitespace} from './escape.js'
import type {Placement} from './protect.js'

/** A token's restored text in the output, for the fixes made after assembly. */
export interface Mark {
  token: Token
  side: 'open' | 'close'
  start: number
  end: number
  changed: boolean
}

/** Assembled output and where each token's text landed in it; edits keep the marks in place. */
export class Assembly {
  out = ''
  readonly marks: Mark[] = []

  replace(mark: Mark, value: string): void {
    this.edit(mark.start, mark.end - mark.start, value, mark)
  }

  /**
   * Replace `length` characters at `at` with `insert`, keeping marks in place: marks starting
   * at or after the edit move; the edited mark itself (if any) is resized.
   */
  edit(at: number, length: number, insert: string, target?: Mark): void {
    this.out = this.out.slice(0, at) + insert + this.out.slice(at + length)
    const delta = insert.length - length
    for (const mark of this.marks) {
      if (mark === target) {
        mark.end += delta
      } else if (mark.start >= at + length || (length === 0 && mark.start >= at)) {
        mark.start += delta
        mark.end += delta
      }
    }
  }
}

/** Fixes that look at the assembled neighbourhood of tokens. */
export function fixAssembled(assembly: Assembly, placement: Placement): void {
  const {context, extras} = placement
  const byToken = new Map<number, {open?: Mark; close?: Mark}>()
  for (const mark of assembly.marks) {
    const entry = byToken.get(mark.token.n) ?? {}
    entry[mark.side] = mark
    byToken.set(mark.token.n, entry)
  }

  for (const [n, extra] of extras) {
    const entry = byToken.get(n)
    if ('label' in extra && entry?.open && entry.close) {
      const inner = assembly.out.slice(entry.open.end, entry.close.start)
      if (normalizeIdentifier(inner) !== normalizeIdentifier(extra.label)) {
        assembly.replace(entry.close, `][${extra.label}]`)
      }
    }
    if ('literal' in extra && entry?.open) {
      const mark = entry.open
      const before = assembly.out.charAt(mark.start - 1)
      const after = assembly.out.charAt(mark.end)
      if (before !== extra.literal.before || after !== extra.literal.after) {
        assembly.replace(mark, extra.literal.bracketed)
      }
    }
  }

  for (const entry of byToken.values()) {
    const {open, close} = entry
    if (!open || !close || !(open.changed || close.changed)) continue
    if (!['emphasis', 'strong', 'delete'].includes(open.token.kind)) continue
    flank(assembly, open, close)
  }

  if (context === 'cell' && /(^|[^\\])(\\\\)*\\$/.test(assembly.out)) assembly.out += '\\'
  if (context === 'atx') {
    assembly.out = assembly.out.replace(/(^|[ \t])(#+[ \t]*)$/, '$1\\$2')
  }
}

/** Make an attention pair open and close again after its neighbours changed (trap 7). */
function flank(assembly: Assembly, open: Mark, close: Mark): void {
  let marker = open.token.open.charAt(0)
  const fits = (): boolean =>
    canOpen(marker, assembly.out.charAt(open.start - 1), assembly.out.charAt(open.end)) &&
    canClose(marker, assembly.out.charAt(close.start - 1), assembly.out.charAt(close.end))
  if (fits()) return
  if (marker === '_') {
    marker = '*'
    assembly.replace(open, assembly.out.slice(open.start, open.end).replaceAll('_', '*'))
    assembly.replace(close, assembly.out.slice(close.start, close.end).replaceAll('_', '*'))
    if (fits()) return
  }
  // Whitespace just inside a delimiter moves outside it; punctuation gets a space outside.
  const afterOpen = /^[ \t]+/.exec(assembly.out.slice(open.end, close.start))?.[0] ?? ''
  if (afterOpen) {
    assembly.edit(open.end, afterOpen.length, '')
    assembly.edit(open.start, 0, afterOpen)
  } else if (!canOpen(marker, assembly.out.charAt(open.start - 1), assembly.out.charAt(open.end))) {
    assembly.edit(open.start, 0, ' ')
  }
  const beforeClose = /[ \t]+$/.exec(assembly.out.slice(open.end, close.start))?.[0] ?? ''
  if (beforeClose) {
    assembly.edit(close.start - beforeClose.length, beforeClose.length, '')
    assembly.edit(close.end, 0, beforeClose)
  } else if (!canClose(marker, assembly.out.charAt(close.start - 1), assembly.out.charAt(close.end))) {
    if (!isWhitespace(assembly.out.charAt(close.end))) assembly.edit(close.end, 0, ' ')
  }
}
