/**
 * Placeholders as the model sees them (docs/architecture.md, "Placeholder tokens"): inside the
 * project a placeholder is `⟦n⟧` / `⟦/n⟧`; on the wire it is `{n}` / `{/n}`.
 *
 * Why another form at the boundary: `⟦` and `⟧` are rare characters that the o200k tokenizer
 * spells in several byte tokens, so `⟦1⟧` costs about 7 tokens where `{1}` costs 2–3 (bench figure
 * 5 measures the candidates). `{n}` is the placeholder form of ICU, .NET and Python format strings,
 * which models are trained to copy, and it closes on both sides, so a placeholder followed by a
 * digit (`{1}2024`) stays readable, which `§1` would not (`§12024`).
 *
 * Text that already contains the wire form literally (`{3}` in prose) would be read back as a
 * placeholder. Each such literal becomes one more atom on the wire, numbered after the segment's
 * own placeholders, and turns back into its literal text on the way in; a reply must carry each of
 * those atoms exactly once, like any other placeholder. Inside the project `⟦`/`⟧` never occur
 * literally (protect.ts makes them atoms), so the conversion is exact both ways.
 *
 * Pure; only the provider boundary (`prompt.ts`) calls it.
 */

import {TOKEN_PATTERN} from '../types.js'

/** A placeholder in wire form; shared and global: `matchAll`/`replace` only. */
const WIRE_PATTERN = /\{(\/?)(\d+)\}/g

/** Protected text in wire form, with the literal text each escape atom stands for. */
export interface WireText {
  text: string
  /** Escape atom number → the literal text it replaced. */
  escapes: ReadonlyMap<number, string>
}

/** `⟦1⟧a⟦/1⟧` → `{1}a{/1}`; a literal `{n}` in the text becomes an escape atom. */
export function toWire(text: string): WireText {
  const escapes = new Map<number, string>()
  if (!text.includes('{')) return {text: text.replace(TOKEN_PATTERN, wireToken), escapes}
  let next = 1
  for (const match of text.matchAll(TOKEN_PATTERN)) next = Math.max(next, Number(match[2]) + 1)
  // Literal wire forms first (they contain no `⟦`), then the project's tokens.
  const escaped = text.replace(WIRE_PATTERN, (literal) => {
    const n = next++
    escapes.set(n, literal)
    return `⟦${n}⟧`
  })
  return {text: escaped.replace(TOKEN_PATTERN, wireToken), escapes}
}

/** The wire form of a whole text whose escapes are not read back (context, earlier replies). */
export function wireText(text: string): string {
  return toWire(text).text
}

/**
 * A reply in wire form back to the project's form, or the problem that prevents it: an escape
 * atom lost or repeated (the literal text it stands for would be lost or repeated). Every other
 * placeholder is converted as it is, so the validators judge lost, repeated and invented ones.
 */
export function fromWire(text: string, escapes: ReadonlyMap<number, string>): {text: string} | {problem: string} {
  if (escapes.size > 0) {
    const counts = new Map<number, number>()
    for (const match of text.matchAll(WIRE_PATTERN)) {
      const n = Number(match[2])
      if (match[1] === '' && escapes.has(n)) counts.set(n, (counts.get(n) ?? 0) + 1)
    }
    for (const n of escapes.keys()) {
      const count = counts.get(n) ?? 0
      if (count !== 1)
        return {
          problem: `Q1: placeholder {${n}} must appear exactly once (found ${count === 0 ? 'none' : `${count} times`})`
        }
    }
  }
  return {
    text: text.replace(WIRE_PATTERN, (_whole, close: string, digits: string) => {
      const literal = close === '' ? escapes.get(Number(digits)) : undefined
      return literal ?? `⟦${close}${digits}⟧`
    })
  }
}

/** Validator messages name placeholders as the project writes them; the model reads the wire form. */
export function wireMessage(message: string): string {
  return message.replace(TOKEN_PATTERN, wireToken)
}

function wireToken(_whole: string, close: string, digits: string): string {
  return `{${close}${digits}}`
}
