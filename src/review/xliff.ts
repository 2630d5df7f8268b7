/**
 * XLIFF 2.0 for reviewers: one `<file>` per note, one `<unit>` per segment. Atoms are `<ph>` and
 * pairs `<pc>` (or `<sc>`/`<ec>` when a translation's pairs cross), each pointing at its original
 * Markdown in `<originalData>`, so any XLIFF tool shows and protects them; `<notes>` carry the
 * source location and the previous source of changed segments.
 *
 * Pure: text in, text out.
 */

import {scanTokens} from '../pipeline/validate/tokens.js'
import {type Token, UserError} from '../types.js'
import {describeToken, type ImportedUnit, type ReviewState, type ReviewUnit} from './unit.js'
import {attribute, childrenOf, elements, nameOf, parseXml, textOf, type XmlNode} from './xml.js'

export interface ReviewFormatOptions {
  sourceLocale: string
  targetLocale: string
}

/** Characters XML 1.0 cannot contain at all, even as references. */
const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu

/** Escape element content. A CR is written as a reference, since parsers turn a raw one into LF. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

/** Escape an attribute value; whitespace is referenced because parsers normalise it to spaces. */
function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;')
    .replace(XML_INVALID, '\uFFFD')
}

/**
 * Escape inline content, where XLIFF 2.0 has `<cp hex="…"/>` for characters XML cannot hold
 * (a control character a model produced must survive the round trip, so QA can reject it).
 */
function escapeInline(text: string): string {
  return escapeText(text).replace(XML_INVALID, (character) => {
    const hex = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')
    return `<cp hex="${hex}"/>`
  })
}

const XLIFF_NAMESPACE = 'urn:oasis:names:tc:xliff:document:2.0'

/** Our states → XLIFF 2.0 `state` (`initial` has no usable target) and a private `subState`. */
const STATES: Record<ReviewState, {state: string; subState?: string}> = {
  new: {state: 'initial'},
  stale: {state: 'initial', subState: 'notes-l10n:stale'},
  translated: {state: 'translated'},
  'needs-review': {state: 'translated', subState: 'notes-l10n:needs-review'},
  human: {state: 'final'}
}

/** XLIFF `type` of an inline code, by token kind (the rest are `fmt`). */
const INLINE_TYPES: Partial<Record<Token['kind'], string>> = {
  link: 'link',
  reference: 'link',
  url: 'link',
  autolink: 'link',
  image: 'image',
  code: 'other',
  math: 'other',
  term: 'other',
  footnote: 'other',
  escape: 'other',
  charref: 'other'
}

/**
 * Unit ids are XML NMTOKENs, which cannot hold `~` (of `~2` duplicate ids): the id attribute
 * writes it as `.` (never in a base64url hash) and the `name` attribute keeps the segment id.
 */
function unitId(id: string): string {
  return id.replace(/~/g, '.')
}

/** Serialise units as XLIFF 2.0, grouped by note in first-seen order. */
export function toXliff(units: readonly ReviewUnit[], options: ReviewFormatOptions): string {
  const notes = new Map<string, ReviewUnit[]>()
  for (const unit of units) {
    const list = notes.get(unit.note) ?? []
    list.push(unit)
    notes.set(unit.note, list)
  }
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<xliff xmlns="${XLIFF_NAMESPACE}" version="2.0" srcLang="${escapeAttribute(options.sourceLocale)}" trgLang="${escapeAttribute(options.targetLocale)}">`
  ]
  let fileIndex = 0
  for (const [note, noteUnits] of notes) {
    lines.push(`  <file id="f${++fileIndex}" original="${escapeAttribute(note)}">`)
    for (const unit of noteUnits) lines.push(...unitXml(unit))
    lines.push('  </file>')
  }
  lines.push('</xliff>', '')
  return lines.join('\n')
}

function unitXml(unit: ReviewUnit): string[] {
  const {state, subState} = STATES[unit.state ?? (unit.target === undefined ? 'new' : 'translated')]
  const notes = [
    `<note category="location">${escapeText(`${unit.note}:${unit.line}`)}</note>`,
    ...(unit.previousSource === undefined
      ? []
      : [`<note category="previous-source">${escapeText(unit.previousSource)}</note>`]),
    ...(unit.comment === undefined ? [] : [`<note category="comment">${escapeText(unit.comment)}</note>`])
  ]
  const data = unit.tokens.flatMap((token) =>
    token.shape === 'pair'
      ? [
          `<data id="d${token.n}s">${escapeInline(token.open)}</data>`,
          `<data id="d${token.n}e">${escapeInline(token.close)}</data>`
        ]
      : [`<data id="d${token.n}">${escapeInline(token.open)}</data>`]
  )
  const segmentAttributes = `state="${state}"${subState === undefined ? '' : ` subState="${subState}"`}`
  return [
    `    <unit id="${escapeAttribute(unitId(unit.id))}" name="${escapeAttribute(unit.id)}">`,
    `      <notes>${notes.join('')}</notes>`,
    ...(data.length === 0 ? [] : [`      <originalData>${data.join('')}</originalData>`]),
    `      <segment ${segmentAttributes}>`,
    `        <source xml:space="preserve">${inlineXml(unit.source, unit.tokens)}</source>`,
    ...(unit.target === undefined
      ? []
      : [`        <target xml:space="preserve">${inlineXml(unit.target, unit.tokens)}</target>`]),
    '      </segment>',
    '    </unit>'
  ]
}

/**
 * Protected text → XLIFF inline content. Pairs become `<pc>` when every pair of the text opens
 * and closes once, properly nested; otherwise all pairs become `<sc>`/`<ec>`, which can cross, so
 * a broken translation still round-trips for QA to reject. A number outside the token table
 * stays literal text.
 */
function inlineXml(text: string, tokens: readonly Token[]): string {
  const table = new Map(tokens.map((token) => [token.n, token]))
  const nested = pairsNest(text, table)
  let xml = ''
  let last = 0
  for (const {n, close, index, length} of scanTokens(text)) {
    xml += escapeInline(text.slice(last, index))
    last = index + length
    const token = table.get(n)
    if (token === undefined || (close && token.shape === 'atom')) {
      xml += escapeInline(text.slice(index, last))
      continue
    }
    const type = INLINE_TYPES[token.kind] ?? 'fmt'
    if (token.shape === 'atom') {
      xml += `<ph id="${n}" dataRef="d${n}" type="${type}" disp="${escapeAttribute(describeToken(token))}"/>`
    } else if (nested) {
      xml += close
        ? '</pc>'
        : `<pc id="${n}" dataRefStart="d${n}s" dataRefEnd="d${n}e" type="${type}" dispStart="${escapeAttribute(describeToken(token))}">`
    } else {
      xml += close ? `<ec startRef="${n}" dataRef="d${n}e"/>` : `<sc id="${n}" dataRef="d${n}s" type="${type}"/>`
    }
  }
  return xml + escapeInline(text.slice(last))
}

function pairsNest(text: string, table: ReadonlyMap<number, Token>): boolean {
  const open: number[] = []
  const seen = new Set<string>()
  for (const {n, close, index, length} of scanTokens(text)) {
    if (table.get(n)?.shape !== 'pair') continue
    // The mark as written (`⟦01⟧` and `⟦1⟧` are different marks of the same number).
    const written = text.slice(index, index + length)
    if (seen.has(written)) return false
    seen.add(written)
    if (!close) open.push(n)
    else if (open.pop() !== n) return false
  }
  return open.length === 0
}

const EXPECTED = 'an XLIFF 2.0 file as written by "notes-l10n export --format xliff"'

/**
 * Read the units of an XLIFF 2.0 file back, targets in `⟦n⟧` form. Accepts what XLIFF tools do
 * to inline codes (`<pc>` split into `<sc>`/`<ec>`, `<cp>` for invalid characters, `<mrk>`
 * annotations, segments split in two). Malformed XML or a file that is not XLIFF 2.0 throws a
 * UserError naming `file` (and the line, where the XML parser knows it).
 */
export function fromXliff(
  xml: string,
  file: string
): {units: ImportedUnit[]; sourceLocale?: string; targetLocale?: string} {
  const roots = elements(parseXml(xml, file, EXPECTED), 'xliff')
  const root = roots[0]
  const version = root === undefined ? undefined : attribute(root, 'version')
  if (root === undefined || version === undefined || !version.startsWith('2.')) {
    throw new UserError(
      `${file}: ${root === undefined ? 'no <xliff> root element' : `XLIFF version ${version ?? '(none)'}`}, expected ${EXPECTED}`
    )
  }
  const units: ImportedUnit[] = []
  for (const fileNode of elements(childrenOf(root), 'file')) {
    const original = attribute(fileNode, 'original')
    for (const unit of elements(childrenOf(fileNode), 'unit', true)) {
      const id = attribute(unit, 'name') ?? attribute(unit, 'id')?.replace(/\./g, '~')
      // Some tools rewrite <file> without `original`; the location note still names the note.
      const note = original ?? locationNote(unit)
      if (id === undefined || note === undefined) {
        throw new UserError(
          `${file}: a <unit> in <file id="${attribute(fileNode, 'id') ?? ''}"> has no ${id === undefined ? 'name or id' : 'note path (file original or location note)'}, expected ${EXPECTED}`
        )
      }
      const imported: ImportedUnit = {id, note}
      const target = unitTarget(unit, file, id)
      if (target !== undefined) imported.target = target
      if (target !== undefined && isDraft(unit)) imported.draft = true
      units.push(imported)
    }
  }
  const sourceLocale = attribute(root, 'srcLang')
  const targetLocale = attribute(root, 'trgLang')
  return {
    units,
    ...(sourceLocale === undefined ? {} : {sourceLocale}),
    ...(targetLocale === undefined ? {} : {targetLocale})
  }
}

/**
 * A unit some segment of which is still `initial`, or still carries our needs-review/stale
 * sub-state without having been moved on to `reviewed` or `final` by the reviewer's tool.
 */
function isDraft(unit: XmlNode): boolean {
  return elements(childrenOf(unit), 'segment').some((segment) => {
    const state = attribute(segment, 'state') ?? 'initial'
    const subState = attribute(segment, 'subState') ?? ''
    return state === 'initial' || (subState.startsWith('notes-l10n:') && state !== 'reviewed' && state !== 'final')
  })
}

/** The note path of a unit's `<note category="location">path:line</note>` (or first note). */
function locationNote(unit: XmlNode): string | undefined {
  const notes = elements(childrenOf(unit), 'notes').flatMap((notes) => elements(childrenOf(notes), 'note'))
  const location = notes.find((note) => attribute(note, 'category') === 'location') ?? notes[0]
  const text =
    location === undefined
      ? undefined
      : childrenOf(location)
          .map((node) => textOf(node) ?? '')
          .join('')
  const match = text === undefined ? null : /^\s*(.+?):\d+\s*$/.exec(text)
  return match?.[1]
}

/** The unit's target: its segments' targets (and the whitespace `<ignorable>`s between) joined. */
function unitTarget(unit: XmlNode, file: string, id: string): string | undefined {
  let target = ''
  let found = false
  for (const part of childrenOf(unit)) {
    const name = nameOf(part)
    if (name !== 'segment' && name !== 'ignorable') continue
    const content =
      elements(childrenOf(part), 'target')[0] ??
      (name === 'ignorable' ? elements(childrenOf(part), 'source')[0] : undefined)
    if (content === undefined) continue
    if (name === 'segment') found = true
    target += inlineText(childrenOf(content), file, id)
  }
  return found ? target : undefined
}

/** XLIFF inline content → protected text. */
function inlineText(nodes: readonly XmlNode[], file: string, id: string): string {
  let text = ''
  for (const node of nodes) {
    const literal = textOf(node)
    if (literal !== undefined) {
      text += literal
      continue
    }
    switch (nameOf(node)) {
      case 'ph':
      case 'sc':
        text += `⟦${inlineNumber(node, 'id', file, id)}⟧`
        break
      case 'ec':
        text += `⟦/${inlineNumber(node, attribute(node, 'startRef') === undefined ? 'id' : 'startRef', file, id)}⟧`
        break
      case 'pc': {
        const n = inlineNumber(node, 'id', file, id)
        text += `⟦${n}⟧${inlineText(childrenOf(node), file, id)}⟦/${n}⟧`
        break
      }
      case 'cp': {
        const hex = attribute(node, 'hex') ?? 'FFFD'
        const value = /^[0-9a-fA-F]{1,6}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN
        if (!(value <= 0x10ffff)) {
          throw new UserError(
            `${file}: unit ${id} has <cp hex="${hex.slice(0, 20)}"/>, expected the hexadecimal code point of one character (at most 10FFFF)`
          )
        }
        text += String.fromCodePoint(value)
        break
      }
      default:
        // <mrk>, <sm>/<em> and unknown extensions annotate text: keep the text, drop the mark.
        text += inlineText(childrenOf(node), file, id)
    }
  }
  return text
}

function inlineNumber(node: XmlNode, name: string, file: string, id: string): number {
  const value = attribute(node, name) ?? ''
  if (!/^\d+$/.test(value)) {
    throw new UserError(
      `${file}: unit ${id} has <${nameOf(node) ?? '?'} ${name}="${value}">, expected the number of a placeholder (as exported); restore the inline code from the source`
    )
  }
  return Number(value)
}
