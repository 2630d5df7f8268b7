import {describe, expect, test} from 'vitest'
import {visibleText} from '../../src/glossary/load.js'
import {boundaryMark} from '../../src/glossary/project.js'

const mark = boundaryMark

describe('visibleText', () => {
  test('named references come from the HTML table; a name on Object.prototype is no reference', () => {
    expect(visibleText('caf&eacute; &constructor; &toString; &hasOwnProperty;')).toBe(
      'café &constructor; &toString; &hasOwnProperty;'
    )
  })

  test('drops inline markup so a term may move across it', () => {
    expect(visibleText('Alibaba **Cloud** and _Qwen_ and ~~x~~')).toBe('Alibaba Cloud and Qwen and x')
    expect(visibleText('[Alibaba Cloud](https://www.alibabacloud.com/ "Alibaba Cloud") says')).toBe(
      'Alibaba Cloud says'
    )
    expect(visibleText('[Alibaba][1] Cloud and [Qwen] and [x][]')).toBe('Alibaba Cloud and Qwen and x')
    expect(visibleText('<b>Alibaba</b> Cloud')).toBe('Alibaba Cloud')
    expect(visibleText('⟦1⟧Alibaba⟦/1⟧ Cloud')).toBe('Alibaba Cloud')
  })

  test('turns what is not prose into a boundary', () => {
    expect(visibleText('Alibaba `Cloud` x')).toBe(`Alibaba ${mark} x`)
    expect(visibleText('a ``b ` c`` d')).toBe(`a ${mark} d`)
    expect(visibleText('see <https://qwen.ai> or <a@b.co>')).toBe(`see ${mark} or ${mark}`)
    expect(visibleText('![Qwen logo](q.png) text')).toBe(`${mark} text`)
    expect(visibleText('note[^1] here')).toBe(`note${mark} here`)
    expect(visibleText('atom ⟦3⟧ here')).toBe(`atom ${mark} here`)
    expect(visibleText('[x](https://e.com/a_(b)_c) y')).toBe('x y')
  })

  test('decodes escapes and character references', () => {
    expect(visibleText('\\*not emphasis\\* AT&amp;T &#x41; &#65; &bogus;')).toBe('*not emphasis* AT&T A A &bogus;')
  })

  test('leaves unmatched markup characters literal', () => {
    expect(visibleText('a ` b')).toBe('a ` b')
    expect(visibleText('1 < 2 and ![ alone')).toBe('1 < 2 and ! alone')
  })
})
