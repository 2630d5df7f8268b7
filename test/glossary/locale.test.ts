import {describe, expect, test} from 'vitest'
import {localeChain} from '../../src/glossary/load.js'

describe('localeChain', () => {
  test.each([
    ['es', ['es', 'es-Latn', '*']],
    ['es-MX', ['es-MX', 'es', 'es-Latn', '*']],
    ['zh', ['zh', 'zh-Hans', '*']],
    ['zh-Hans', ['zh-Hans', 'zh', '*']],
    ['zh-Hant', ['zh-Hant', '*']],
    ['zh-TW', ['zh-TW', 'zh-Hant', '*']],
    ['zh-Hant-HK', ['zh-Hant-HK', 'zh-Hant', '*']],
    ['sr-Latn', ['sr-Latn', '*']],
    ['zh-hant', ['zh-Hant', '*']]
  ])('%s → %j', (locale, chain) => {
    expect(localeChain(locale)).toEqual(chain)
  })
})
