/**
 * XML read for the review formats: fast-xml-parser with mixed content kept in order, behind the
 * guards a file from outside needs (no DOCTYPE, so no entity bombs or external entities; no
 * reference to a character XML forbids; bounded nesting), each a UserError naming the file and line.
 * Pure: text in, nodes out.
 */

import {XMLParser, XMLValidator} from 'fast-xml-parser'
import {lineAt} from '../text/lines.js'
import {UserError} from '../types.js'

const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g
const NAMED: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (_, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? ''
    return String.fromCodePoint(Number.parseInt(hex ?? decimal ?? '0', hex === undefined ? 10 : 16))
  })
}

/** A node of fast-xml-parser's `preserveOrder` output. */
export type XmlNode = Record<string, unknown>

const TEXT = '#text'
const CDATA = '#cdata'
const ATTRIBUTES = ':@'

/**
 * Parse `xml` keeping mixed content in order. Malformed XML, and any DOCTYPE (entity definitions
 * are how XML bombs and external entities get in), is a UserError naming `file` and the line.
 */
export function parseXml(xml: string, file: string, expected: string): XmlNode[] {
  const text = xml.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const doctype = /<!DOCTYPE/i.exec(text)
  if (doctype !== null) {
    const line = lineAt(text, doctype.index)
    throw new UserError(`${file}:${line}: a DOCTYPE declaration, expected ${expected} without one; remove it`)
  }
  const valid = XMLValidator.validate(text)
  if (valid !== true) {
    throw new UserError(
      `${file}:${valid.err.line}: malformed XML (${valid.err.msg}), expected ${expected}; fix the file or export it again`
    )
  }
  checkCharacterReferences(text, file)
  checkDepth(text, file)
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: CDATA,
    commentPropName: '#comment'
  })
  try {
    return parser.parse(text) as XmlNode[]
  } catch (error) {
    // Whatever the parser still refuses is the file's fault, not ours (exit 2, not 3).
    throw new UserError(
      `${file}: unreadable XML (${error instanceof Error ? error.message : String(error)}), expected ${expected}; fix the file or export it again`
    )
  }
}

/** Elements nested deeper than this are refused up front (the XML parser's own limit, and notes'). */
export const MAX_XML_DEPTH = 100

/** Tags, comments, CDATA and processing instructions, each matched in one linear pass. */
const XML_MARKUP =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)[^\s/>!?]+(?:"[^"]*"|'[^']*'|[^'">])*?(\/?)>/g

/** Refuse nesting deeper than {@link MAX_XML_DEPTH}, naming the line of the first element too deep. */
function checkDepth(text: string, file: string): void {
  let depth = 0
  for (const match of text.matchAll(XML_MARKUP)) {
    if (match[1] === undefined) continue
    if (match[1] === '/') depth--
    else if (match[2] !== '/' && ++depth > MAX_XML_DEPTH) {
      throw new UserError(
        `${file}:${lineAt(text, match.index)}: elements nested more than ${MAX_XML_DEPTH} deep, expected an XLIFF file as exported (inline codes nest as deep as the note's Markdown); export it again`
      )
    }
  }
}

const CHARACTER_REFERENCE = /&#(?:x([0-9a-fA-F]+)|(\d+));/g

/** Whether XML 1.0 allows code point `n` (its `Char` production). */
function isXmlCharacter(n: number): boolean {
  return (
    n === 0x9 ||
    n === 0xa ||
    n === 0xd ||
    (n >= 0x20 && n <= 0xd7ff) ||
    (n >= 0xe000 && n <= 0xfffd) ||
    (n >= 0x10000 && n <= 0x10ffff)
  )
}

/** Refuse a character reference to no character (`&#x110000;`, `&#xD800;`, `&#0;`), with its line. */
function checkCharacterReferences(text: string, file: string): void {
  for (const match of text.matchAll(CHARACTER_REFERENCE)) {
    const digits = match[1] ?? match[2] ?? ''
    const value =
      digits.length > 8 ? Number.POSITIVE_INFINITY : Number.parseInt(digits, match[1] === undefined ? 10 : 16)
    if (!isXmlCharacter(value)) {
      throw new UserError(
        `${file}:${lineAt(text, match.index)}: character reference ${match[0].slice(0, 20)} is not a character XML allows; write the character itself, or <cp hex="…"/> for a control character`
      )
    }
  }
}

/** The element name of a node (`undefined` for text, CDATA and comments). */
export function nameOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ATTRIBUTES && !key.startsWith('#'))
}

/** The decoded attribute `name` of an element node. */
export function attribute(node: XmlNode, name: string): string | undefined {
  const attributes = node[ATTRIBUTES]
  if (typeof attributes !== 'object' || attributes === null) return undefined
  const value = (attributes as Record<string, unknown>)[name]
  return typeof value === 'string' ? decodeEntities(value) : undefined
}

/** The child nodes of an element node. */
export function childrenOf(node: XmlNode): XmlNode[] {
  const name = nameOf(node)
  const children = name === undefined ? undefined : node[name]
  return Array.isArray(children) ? (children as XmlNode[]) : []
}

/** The element children called `name`, looking through any `<group>` wrappers if asked. */
export function elements(nodes: readonly XmlNode[], name: string, throughGroups = false): XmlNode[] {
  return nodes.flatMap((node) => {
    const own = nameOf(node)
    if (own === name) return [node]
    if (throughGroups && own === 'group') return elements(childrenOf(node), name, true)
    return []
  })
}

/** A text or CDATA node's content, decoded. */
export function textOf(node: XmlNode): string | undefined {
  const text = node[TEXT]
  if (typeof text === 'string') return decodeEntities(text)
  const cdata = node[CDATA]
  if (Array.isArray(cdata)) return cdata.map((part) => String((part as XmlNode)[TEXT] ?? '')).join('')
  return undefined
}
