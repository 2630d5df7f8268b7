/**
 * Seeded mutation of Markdown documents for the property test: insert, delete and duplicate
 * characters and lines, with characters drawn mostly from Markdown syntax (where the bugs are).
 */

/** mulberry32: a small, fast, seedable PRNG; the same seed gives the same documents everywhere. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Characters that change Markdown structure, plus some prose, CJK, tokens look-alikes and line ends. */
const ALPHABET = [
  ...'*_`~[]()<>!#>-+=|\\$&;:"\'.,?/0123456789',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n',
  '\r\n',
  '\n\n',
  ...'abcxyzABC',
  '中',
  '文',
  '。',
  '「',
  '」',
  '⟦',
  '⟧',
  '⟦1⟧',
  '⟦/1⟧',
  '&amp;',
  '&#64;',
  'https://x.org',
  'www.a.b',
  'a@b.co',
  '<b>',
  '</b>',
  '<!--',
  '-->',
  '```',
  '~~~',
  '$$',
  '    ',
  '1. ',
  '- ',
  '> ',
  '[^1]',
  '[x]: /u',
  '\u00a0',
  '\u200b'
]

type Mutation = (text: string, next: () => number) => string

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!
const at = (text: string, next: () => number): number => Math.floor(next() * (text.length + 1))

function lines(text: string): string[] {
  return text.split(/(?<=\n)/)
}

const mutations: readonly Mutation[] = [
  (text, next) => {
    const index = at(text, next)
    return text.slice(0, index) + pick(ALPHABET, next) + text.slice(index)
  },
  (text, next) => {
    const index = at(text, next)
    return text.slice(0, index) + text.slice(index + 1 + Math.floor(next() * 3))
  },
  (text, next) => {
    const index = at(text, next)
    const length = 1 + Math.floor(next() * 8)
    return text.slice(0, index + length) + text.slice(index, index + length) + text.slice(index + length)
  },
  (text, next) => {
    const all = lines(text)
    const index = Math.floor(next() * all.length)
    all.splice(index, 0, all[index] ?? '\n')
    return all.join('')
  },
  (text, next) => {
    const all = lines(text)
    all.splice(Math.floor(next() * all.length), 1)
    return all.join('')
  },
  (text, next) => {
    const all = lines(text)
    const index = Math.floor(next() * all.length)
    all.splice(index, 0, pick(['\n', '> ', '- ', '    ', '| a | b |\n', '|---|---|\n', '---\n', '```\n', '$$\n'], next))
    return all.join('')
  }
]

/** 1–4 random mutations of `text`. */
export function mutate(text: string, next: () => number): string {
  let result = text
  const count = 1 + Math.floor(next() * 4)
  for (let index = 0; index < count; index++) result = pick(mutations, next)(result, next)
  return result
}

/** A window of at most `max` lines of `text`, starting at a random line (corpus notes are long). */
export function window(text: string, max: number, next: () => number): string {
  const all = lines(text)
  if (all.length <= max) return text
  const start = Math.floor(next() * (all.length - max))
  return all.slice(start, start + max).join('')
}
