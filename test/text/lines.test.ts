import {expect, it} from 'vitest'
import {lineAt, pointAt} from '../../src/text/lines.js'

it('counts LF, CRLF and bare-CR line breaks alike (as remark and YAML do), clamping past the end', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = ['one', 'two', 'three'].join(eol)
    expect(lineAt(text, 0)).toBe(1)
    expect(lineAt(text, text.indexOf('two'))).toBe(2)
    expect(lineAt(text, text.indexOf('three') + 2)).toBe(3)
    expect(lineAt(text, text.length + 10)).toBe(3)
    expect(pointAt(text, text.indexOf('hree'))).toEqual({line: 3, column: 2})
  }
})
