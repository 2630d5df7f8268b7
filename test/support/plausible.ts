/**
 * A plausible test translator: answers like a competent human or model would, deterministically.
 *
 * The pseudo provider and the ROT13 server keep every letter in place and never put punctuation
 * against a placeholder, so they cannot show what real answers do to the pipeline. This one does
 * what real translators do and a reviewer would accept:
 * - reorders `⟦n⟧…⟦/n⟧` pairs within a line;
 * - puts punctuation against tokens: `¡…!⟦1⟧`, `⟦/1⟧(…)`, `⟦/1⟧:`;
 * - writes digits for number words, and letterless answers for short segments (`×2`, `2 €`,
 *   `2024-01-01`);
 * - uses typographic and full-width punctuation (« » „ “ 「」，。：);
 * - writes CJK without spaces, around tokens too;
 * - merges and splits sentences.
 * It never drops, duplicates or invents a token, never adds code, URLs or HTML, and keeps the
 * segment's lines. The same `(text, options)` always gives the same answer; `attempt: 2` is the
 * answer after a retry hint (the same translation without the risky punctuation and reordering).
 */

import {TOKEN_PATTERN} from '../../src/types.js'

export type PlausibleLocale = 'es' | 'zh'

export interface PlausibleOptions {
  locale: PlausibleLocale
  seed: number
  /** 1: the first answer; 2 or more: the answer after a validation retry. */
  attempt?: number
}

/** FNV-1a: a stable 32-bit hash of a string. */
function hash(text: string): number {
  let value = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index)
    value = Math.imul(value, 0x01000193)
  }
  return value >>> 0
}

/** mulberry32: a small seeded generator, [0, 1). */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

const NUMBER_WORDS: Readonly<Record<string, string>> = {
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  twenty: '20',
  hundred: '100'
}
const UNITS: Readonly<Record<string, string>> = {euro: '€', euros: '€', percent: '%', times: '×'}
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december'
]

/** Common Han characters for the Chinese "translation" of a word. */
const HAN =
  '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切'

/** A word of the target language for an English word: stable per word, so repeats stay repeats. */
function renderWord(word: string, locale: PlausibleLocale): string {
  const lower = word.toLowerCase()
  if (NUMBER_WORDS[lower] !== undefined) return NUMBER_WORDS[lower]
  if (locale === 'zh') {
    const value = hash(lower)
    const length = word.length > 6 ? 3 : word.length > 2 ? 2 : 1
    let out = ''
    for (let index = 0; index < length; index++) out += HAN.charAt((value >>> (index * 9)) % HAN.length)
    return out
  }
  // Acronyms and one-letter words stay; others get a Spanish-looking ending.
  if (word.length < 2 || word === word.toUpperCase()) return word
  const endings = ['o', 'a', 'os', 'as', 'ión', 'ado', 'ería', 'ñe']
  const out = word + endings[hash(lower) % endings.length]!
  return out
}

type Item = {type: 'text'; value: string} | {type: 'token'; value: string; n: number; close: boolean}

function items(line: string): Item[] {
  const out: Item[] = []
  let last = 0
  for (const match of line.matchAll(new RegExp(TOKEN_PATTERN.source, 'g'))) {
    if (match.index > last) out.push({type: 'text', value: line.slice(last, match.index)})
    out.push({type: 'token', value: match[0], n: Number(match[2]), close: Boolean(match[1])})
    last = match.index + match[0].length
  }
  if (last < line.length) out.push({type: 'text', value: line.slice(last)})
  return out
}

const render = (list: readonly Item[]): string => list.map((item) => item.value).join('')

/** A letter run, or a word with digits and letters (`x2`, `v1`, `i18n`), which stays as is. */
const WORD = /[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*|[\p{L}\p{N}]+/gu
const CJK_CHARACTER = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/u

/** Translate the words and punctuation of one text run (no tokens in it). */
function translateRun(value: string, locale: PlausibleLocale, random: () => number, careful: boolean): string {
  // Backslash escapes and everything that is not a word stay; words are rendered.
  let out = ''
  let last = 0
  for (const match of value.matchAll(/\\[!-/:-@[-`{-~]/g)) {
    out += words(value.slice(last, match.index), locale) + match[0]
    last = match.index + match[0].length
  }
  out += words(value.slice(last), locale)
  if (locale === 'zh') {
    out = out
      .replace(/(?<=[\p{L}\p{N}])\.(?=\s|$)/gu, '。')
      .replace(/(?<=[\p{L}\p{N}]),(?=\s)/gu, '，')
      .replace(/(?<=[\p{L}\p{N}]):(?=\s)/gu, '：')
      .replace(/(?<=[\p{L}\p{N}]);(?=\s)/gu, '；')
      .replace(/(?<=[\p{L}\p{N}])\?(?=\s|$)/gu, '？')
      .replace(/(?<=\s|^)"([^"\\]+)"(?=\s|$|[。，])/gu, '「$1」')
    // No spaces between CJK characters.
    out = out.replace(
      /(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) +(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])/gu,
      ''
    )
  } else {
    if (!careful && random() < 0.5)
      out = out.replace(/(?<=\s|^)"([^"\\]+)"(?=\s|$|[.,;:])/gu, random() < 0.5 ? '«$1»' : '“$1”')
    out = out.replace(/(?<=\s|^)'([^'\\]+)'(?=\s|$|[.,;:])/gu, '„$1“')
  }
  return out
}

function words(value: string, locale: PlausibleLocale): string {
  return value.replace(WORD, (word) => (/\p{N}/u.test(word) ? word : renderWord(word, locale)))
}

/**
 * A letterless answer for a short segment that only says a number, a quantity or a date (`x2` →
 * `×2`, `two euros` → `2 €`, `January 1, 2024` → `2024-01-01`), or undefined.
 */
function letterless(text: string): string | undefined {
  const date = /^(\s*)([A-Z][a-z]+) (\d{1,2}), (\d{4})(\s*)$/.exec(text)
  if (date) {
    const month = MONTHS.indexOf(date[2]!.toLowerCase())
    if (month === -1) return undefined
    return `${date[1]}${date[4]}-${String(month + 1).padStart(2, '0')}-${date[3]!.padStart(2, '0')}${date[5]}`
  }
  const times = /^(\s*)x(\d+)(\s*)$/.exec(text)
  if (times) return `${times[1]}×${times[2]}${times[3]}`
  const words = text.match(/\p{L}+/gu) ?? []
  if (words.length === 0 || words.length > 3) return undefined
  if (!words.every((word) => NUMBER_WORDS[word.toLowerCase()] !== undefined || UNITS[word.toLowerCase()] !== undefined))
    return undefined
  if (!words.some((word) => NUMBER_WORDS[word.toLowerCase()] !== undefined) && !/\d/.test(text)) return undefined
  return text.replace(/\p{L}+/gu, (word) => NUMBER_WORDS[word.toLowerCase()] ?? UNITS[word.toLowerCase()]!)
}

/** Swap the first two top-level pairs of a line (with their content), when there are two. */
function reorder(list: Item[], random: () => number): Item[] {
  const units: Array<{start: number; end: number}> = []
  let index = 0
  while (index < list.length) {
    const item = list[index]!
    if (item.type === 'token' && !item.close) {
      const close = list.findIndex(
        (other, at) => at > index && other.type === 'token' && other.close && other.n === item.n
      )
      if (close !== -1) {
        units.push({start: index, end: close + 1})
        index = close + 1
        continue
      }
    }
    index++
  }
  if (units.length < 2 || random() < 0.4) return list
  const [a, b] = [units[0]!, units[1]!]
  return [
    ...list.slice(0, a.start),
    ...list.slice(b.start, b.end),
    ...list.slice(a.end, b.start),
    ...list.slice(a.start, a.end),
    ...list.slice(b.end)
  ]
}

/** Punctuation against tokens, as Spanish writers put it (`¡…!⟦1⟧`, `⟦/1⟧(…)`, `⟦/1⟧:`). */
function punctuate(list: Item[], random: () => number): Item[] {
  const out = list.map((item) => ({...item}))
  for (let index = 1; index < out.length; index++) {
    const item = out[index]!
    const previous = out[index - 1]!
    const next = out[index + 1]
    if (
      item.type === 'token' &&
      !item.close &&
      previous.type === 'text' &&
      /\p{L} $/u.test(previous.value) &&
      random() < 0.3
    ) {
      // `Click here` → `¡Haz clic!⟦1⟧…`: an exclamation against the link.
      const sentence = Math.max(previous.value.lastIndexOf('. ') + 2, 0)
      const body = previous.value.slice(sentence, -1)
      if (/^\p{L}/u.test(body)) previous.value = `${previous.value.slice(0, sentence)}¡${body}!`
      continue
    }
    if (
      item.type === 'token' &&
      item.close &&
      next?.type === 'text' &&
      /^ \p{L}+/u.test(next.value) &&
      random() < 0.3
    ) {
      const word = /^ (\p{L}+)/u.exec(next.value)![1]!
      next.value = random() < 0.5 ? `(${word})${next.value.slice(word.length + 1)}` : `:${next.value}`
    }
  }
  return out
}

/** Merge two sentences (`. X` → `, x`) or split one at a comma (`, x` → `. X`). */
function sentences(value: string, random: () => number): string {
  const roll = random()
  if (roll < 0.15)
    return value.replace(
      /(\p{Ll})\. (\p{Lu})(\p{Ll})/u,
      (_all, a: string, b: string, c: string) => `${a}, ${b.toLowerCase()}${c}`
    )
  if (roll < 0.3)
    return value.replace(
      /(\p{Ll}), (\p{Ll})(\p{Ll}+ \p{Ll})/u,
      (_all, a: string, b: string, c: string) => `${a}. ${b.toUpperCase()}${c}`
    )
  return value
}

/** Remove spaces between CJK text and tokens (Chinese writes none). */
function tightenCjk(list: Item[]): Item[] {
  return list.map((item, index) => {
    if (item.type !== 'text') return item
    let value = item.value
    const previous = list[index - 1]
    const next = list[index + 1]
    if (previous?.type === 'token' && CJK_CHARACTER.test(value.trimStart().charAt(0))) value = value.replace(/^ +/, '')
    if (next?.type === 'token' && CJK_CHARACTER.test(value.trimEnd().slice(-1))) value = value.replace(/ +$/, '')
    return {...item, value}
  })
}

/** The plausible translation of protected `text`. */
export function plausibleTranslate(text: string, options: PlausibleOptions): string {
  const attempt = options.attempt ?? 1
  const careful = attempt > 1
  const random = generator(hash(text) ^ options.seed ^ Math.imul(attempt, 0x9e3779b9))
  const plain = text.replace(new RegExp(TOKEN_PATTERN.source, 'g'), '')
  if (!text.includes('⟦') && !text.includes('\n')) {
    const short = letterless(plain)
    if (short !== undefined) return short
  }
  const lines = text.split('\n').map((line) => {
    const indent = /^[ \t]*/.exec(line)![0]
    let list = items(line.slice(indent.length))
    list = list.map((item) =>
      item.type === 'text' ? {...item, value: translateRun(item.value, options.locale, random, careful)} : item
    )
    if (!careful) {
      list = reorder(list, random)
      if (options.locale === 'es') list = punctuate(list, random)
      list = list.map((item) => (item.type === 'text' ? {...item, value: sentences(item.value, random)} : item))
    }
    if (options.locale === 'zh') list = tightenCjk(list)
    return indent + render(list)
  })
  return lines.join('\n')
}
