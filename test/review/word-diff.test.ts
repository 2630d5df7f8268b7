import {describe, expect, it} from 'vitest'
import {splitWords, wordDiff} from '../../src/review/word-diff.js'

describe('wordDiff', () => {
  it('marks only the changed word', () => {
    expect(wordDiff('The quick brown fox.', 'The quick red fox.')).toEqual([
      {type: 'same', text: 'The quick '},
      {type: 'removed', text: 'brown'},
      {type: 'added', text: 'red'},
      {type: 'same', text: ' fox.'}
    ])
  })

  it('treats each CJK character as a word', () => {
    expect(splitWords('通义千问 Qwen')).toEqual(['通', '义', '千', '问', ' ', 'Qwen'])
    expect(wordDiff('阿里云的模型', '阿里云的新模型')).toEqual([
      {type: 'same', text: '阿里云的'},
      {type: 'added', text: '新'},
      {type: 'same', text: '模型'}
    ])
  })

  it('joins back to both inputs', () => {
    const before = 'Alibaba Cloud oversees the Qwen models, since 2016.'
    const after = 'Alibaba Group oversees all Qwen models since 2016!'
    const parts = wordDiff(before, after)
    expect(
      parts
        .filter((part) => part.type !== 'added')
        .map((part) => part.text)
        .join('')
    ).toBe(before)
    expect(
      parts
        .filter((part) => part.type !== 'removed')
        .map((part) => part.text)
        .join('')
    ).toBe(after)
  })

  it('degrades to remove-all/add-all above the size cap instead of stalling', () => {
    expect(wordDiff('a b c', 'x y z', 1)).toEqual([
      {type: 'removed', text: 'a b c'},
      {type: 'added', text: 'x y z'}
    ])
  })
})
