/**
 * Translated comments in code blocks (`code.comments: "keep"`, docs/config.md). Code blocks are
 * not segments: a translation's code is the source's, byte for byte. A translation made before
 * notes-l10n (or by a translator who translated the comments) may differ from the source only in
 * whole-line comments; with `keep`, such a code block of the existing translation is kept as
 * written instead of being replaced by the source's.
 *
 * Pure. Conservative on purpose: only fenced code blocks, only whole-line comments with the
 * source's indentation and comment marker, the same number of lines, every other byte equal
 * (container prefixes included). Anything else is not a "comment-only difference" and stays a
 * difference the caller reports (adoption) or takes from the source.
 */
import type {Code, Nodes, Root} from 'mdast'

/** Whole-line comment markers by fence language (lower case). */
const MARKERS: Readonly<Record<string, readonly string[]>> = (() => {
  const table: Record<string, readonly string[]> = {}
  const add = (markers: readonly string[], languages: string) => {
    for (const language of languages.split(' ')) table[language] = markers
  }
  add(
    ['#'],
    'sh bash shell zsh fish ksh python py python3 ruby rb perl pl r yaml yml toml dockerfile makefile make cmake powershell ps1 pwsh elixir ex exs julia jl nim tcl awk sed conf nginx gitignore properties coffee crystal raku'
  )
  add(
    ['//'],
    'js javascript jsx mjs cjs ts typescript tsx c h cpp c++ cc cxx hpp cs csharp java kotlin kt kts scala go golang rust rs swift dart groovy gradle jsonc json5 zig proto protobuf objc objective-c sol solidity glsl hlsl'
  )
  add(['#', '//'], 'php hcl terraform tf')
  add(['--'], 'sql psql mysql postgres postgresql plsql sqlite lua haskell hs elm ada vhdl')
  add([';'], 'lisp clojure clj cljs scheme racket elisp emacs-lisp asm nasm')
  add([';', '#'], 'ini')
  add(['%'], 'tex latex matlab erlang erl prolog')
  add(['<!--'], 'html xml svg xhtml markdown md mdx')
  // Text, output and data: a `#` there is not a comment.
  add([], 'text txt plain plaintext console output terminal diff patch json csv tsv log')
  return table
})()

/** Markers when the fence names no language, or one not in {@link MARKERS}. */
const FALLBACK: readonly string[] = ['#', '//']

/** A whole-line comment: indentation, then a marker. Returns the part before the comment text. */
function commentHead(line: string, markers: readonly string[]): string | undefined {
  const indentation = /^[ \t]*/.exec(line)![0]
  const rest = line.slice(indentation.length)
  const marker = markers.find((candidate) => rest.startsWith(candidate))
  return marker === undefined ? undefined : indentation + marker
}

/**
 * Whether `translated` is `source` with only whole-line comments changed: same line count,
 * every other line equal, and each changed line a comment in both with the same indentation and
 * marker. Lines of the raw block text (fences and container prefixes included).
 */
export function onlyCommentsDiffer(source: string, translated: string, language: string | undefined): boolean {
  if (source === translated) return false
  const markers = MARKERS[(language ?? '').toLowerCase()] ?? FALLBACK
  const before = source.split('\n')
  const after = translated.split('\n')
  if (before.length !== after.length || before.length < 3) return false
  // The fence lines must be the same: only the code between them may differ.
  if (before[0] !== after[0] || before.at(-1) !== after.at(-1)) return false
  return before.every((line, index) => {
    if (line === after[index]) return true
    const head = commentHead(stripPrefix(line), markers)
    return (
      head !== undefined &&
      commentHead(stripPrefix(after[index]!), markers) === head &&
      prefix(line) === prefix(after[index]!)
    )
  })
}

/** Container prefix of a raw line inside a blockquote (`> `); list indentation is indentation. */
function prefix(line: string): string {
  return /^(?:[ \t]*>[ \t]?)*/.exec(line)![0]
}

function stripPrefix(line: string): string {
  return line.slice(prefix(line).length)
}

/** Fenced code blocks of a tree, in document order, with their raw byte ranges. */
function fencedBlocks(tree: Root, text: string): Array<{node: Code; start: number; end: number}> {
  const blocks: Array<{node: Code; start: number; end: number}> = []
  const visit = (node: Nodes) => {
    if (node.type === 'code') {
      const start = node.position?.start.offset
      const end = node.position?.end.offset
      if (start !== undefined && end !== undefined && /^(?:`{3,}|~{3,})/.test(text.slice(start, end)))
        blocks.push({node, start, end})
      return
    }
    if ('children' in node) for (const child of node.children as Nodes[]) visit(child)
  }
  visit(tree)
  return blocks
}

export interface KeptComments {
  /** `assembled` with the existing translation's code blocks where only their comments differ. */
  text: string
  /** 1-based lines of the existing translation where a code block was kept. */
  lines: number[]
}

/**
 * `assembled` (a reassembled translation: its code is the source's) with every fenced code block
 * that differs from the existing translation's corresponding block only in whole-line comments
 * replaced by the existing block. Blocks correspond by document order; when the two documents do
 * not have the same number of fenced blocks, nothing is kept.
 */
export function keepTranslatedComments(
  assembled: {text: string; tree: Root},
  existing: {text: string; tree: Root}
): KeptComments {
  const ours = fencedBlocks(assembled.tree, assembled.text)
  const theirs = fencedBlocks(existing.tree, existing.text)
  if (ours.length === 0 || ours.length !== theirs.length) return {text: assembled.text, lines: []}
  let text = ''
  let from = 0
  const lines: number[] = []
  ours.forEach((block, index) => {
    const kept = theirs[index]!
    const source = assembled.text.slice(block.start, block.end)
    const translated = existing.text.slice(kept.start, kept.end)
    if (block.node.lang !== kept.node.lang || block.node.meta !== kept.node.meta) return
    if (!onlyCommentsDiffer(source, translated, block.node.lang ?? undefined)) return
    text += assembled.text.slice(from, block.start) + translated
    from = block.end
    lines.push(kept.node.position!.start.line)
  })
  return {text: text + assembled.text.slice(from), lines}
}
