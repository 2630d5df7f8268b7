/**
 * Path templates: `_posts/{locale}/{date}-{slug}-{locale}.md`.
 *
 * A template is literal text and `{name}` parts. Parsing is separate from rendering so that a
 * config error (unknown part, stray brace) is found once, at load time, not per note.
 */

/** A piece of a parsed template. */
export type TemplatePiece = {type: 'literal'; value: string} | {type: 'part'; name: string}

/** Parts every output template may use; pattern captures come on top. */
export const BUILTIN_PARTS: readonly string[] = ['locale', 'tag', 'path', 'dir', 'name', 'ext']

const PART_NAME = /^[A-Za-z_][A-Za-z\d_]*$/

/**
 * Split a template into literals and parts.
 *
 * @returns
 *   The pieces, or a problem message (unbalanced brace, empty or invalid part name).
 */
export function parseTemplate(template: string): TemplatePiece[] | string {
  const pieces: TemplatePiece[] = []
  let literal = ''
  let index = 0

  while (index < template.length) {
    const char = template[index]!

    if (char === '}') return `stray "}" at character ${index + 1}`

    if (char !== '{') {
      literal += char
      index++
      continue
    }

    const close = template.indexOf('}', index)
    if (close === -1) return `"{" at character ${index + 1} is never closed`
    const name = template.slice(index + 1, close)
    if (!PART_NAME.test(name)) return `part {${name}} is not a valid name (letters, digits and "_")`
    if (literal) pieces.push({type: 'literal', value: literal})
    literal = ''
    pieces.push({type: 'part', name})
    index = close + 1
  }

  if (literal) pieces.push({type: 'literal', value: literal})
  return pieces
}

/** Names of the parts used in a parsed template, in order of first use. */
export function templateParts(pieces: readonly TemplatePiece[]): string[] {
  const names: string[] = []
  for (const piece of pieces) {
    if (piece.type === 'part' && !names.includes(piece.name)) names.push(piece.name)
  }
  return names
}

/**
 * Fill in a parsed template. A part without a value renders as the empty string: callers check
 * part names at config time, and `{dir}` is legitimately empty for files at the source base.
 */
export function renderTemplate(pieces: readonly TemplatePiece[], values: Readonly<Record<string, string>>): string {
  let result = ''
  for (const piece of pieces) {
    result += piece.type === 'literal' ? piece.value : Object.hasOwn(values, piece.name) ? values[piece.name] : ''
  }
  return result
}
