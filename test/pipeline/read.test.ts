/**
 * Bad input: each either translates correctly (BOM and CRLF preserved) or throws a NoteError
 * with one line naming the file.
 */

import {describe, expect, it} from 'vitest'
import {decodeNote, dominantEol, NoteError} from '../../src/pipeline/read.js'
import {UserError} from '../../src/types.js'
import {roundTrip, shapeProblem} from './harness.js'

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

function failure(action: () => unknown): NoteError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(NoteError)
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).not.toMatch(/\n/)
    return error as NoteError
  }
  throw new Error('expected a NoteError')
}

describe('decodeNote', () => {
  it('removes and remembers a BOM, and finds the dominant line ending', () => {
    expect(decodeNote(utf8('\uFEFFa\r\nb\r\nc\n'), 'a.md')).toEqual({text: 'a\r\nb\r\nc\n', bom: true, eol: '\r\n'})
    expect(decodeNote(utf8('a\nb'), 'a.md')).toEqual({text: 'a\nb', bom: false, eol: '\n'})
    expect(dominantEol('no line ending')).toBe('\n')
    expect(dominantEol('a\rb\rc\n')).toBe('\r')
    expect(dominantEol('a\r\nb\rc\r\n')).toBe('\r\n')
    expect(dominantEol('a\rb\nc')).toBe('\n')
  })

  it('rejects non-UTF-8 bytes with the byte offset and line', () => {
    const error = failure(() => decodeNote(bytes(0x61, 0x0a, 0x62, 0xe9, 0x0a), 'notes/latin1.md'))
    expect(error.message).toBe(
      'notes/latin1.md: not valid UTF-8 at byte 3 (line 2). Re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)'
    )
  })

  it('rejects overlong and surrogate encodings', () => {
    expect(failure(() => decodeNote(bytes(0xc0, 0xaf), 'x.md')).message).toContain('at byte 0')
    expect(failure(() => decodeNote(bytes(0x41, 0xed, 0xa0, 0x80), 'x.md')).message).toContain('at byte 1')
  })

  it('rejects NUL bytes', () => {
    expect(failure(() => decodeNote(bytes(0x61, 0x0a, 0x00), 'bin.md')).message).toBe(
      'bin.md: NUL byte at byte 2 (line 2): this looks like a binary file, not Markdown. Remove the NUL bytes, or exclude the file from the sources'
    )
  })

  it('rejects files over the size limit before decoding', () => {
    expect(failure(() => decodeNote(new Uint8Array(11), 'big.md', {maxBytes: 10})).message).toMatch(
      /^big\.md: file is 11 bytes, more than the limit of 10 bytes\./
    )
    expect(() => decodeNote(new Uint8Array(1024 * 1024).fill(0x61), 'ok.md')).not.toThrow()
  })
})

describe('notes that must still translate', () => {
  const cases: Record<string, string> = {
    'no front-matter': '# Title\n\nBody text.\n',
    BOM: '\uFEFF---\ntitle: Hello\n---\n\nBody text.\n',
    CRLF: '---\r\ntitle: Hello\r\n---\r\n\r\n> Quoted\r\n> text.\r\n',
    'mixed line endings': 'One\r\ntwo\nthree\r\n',
    'unclosed code fence': 'Intro.\n\n```js\nconst a = 1\n\nNot prose.\n',
    'empty body': '---\ntitle: Only a title\n---\n',
    'empty file': '',
    'lone CR line endings': 'One\rtwo\r\rThree\r'
  }
  for (const [name, input] of Object.entries(cases)) {
    it(`${name}: identity is byte-identical, pseudo keeps shape, BOM and line endings`, () => {
      expect(roundTrip(input, 'markdown').text).toBe(input)
      expect(roundTrip(input, 'restore').text).toBe(input)
      const pseudo = roundTrip(input, 'pseudo')
      expect(pseudo.rejected.size).toBe(0)
      expect(shapeProblem(input, pseudo.text)).toBeUndefined()
      expect(pseudo.text.startsWith('\uFEFF')).toBe(input.startsWith('\uFEFF'))
      expect(pseudo.text.split('\r\n').length).toBe(input.split('\r\n').length)
    })
  }

  it('an unclosed fence hides the rest of the note from translation', () => {
    const {note} = roundTrip('Intro.\n\n```js\nconst a = 1\n\nNot prose.\n', 'pseudo')
    expect(note.segments.map((segment) => segment.markdown)).toEqual(['Intro.'])
  })
})
