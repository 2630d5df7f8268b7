import {describe, expect, it} from 'vitest'
import {canonicalTag, isLocaleTag, normaliseLocale} from '../../src/config/locales.js'
import {resolveConfig} from '../../src/config/resolve.js'
import {blogConfig} from './project.js'

const blog = resolveConfig(blogConfig, '/blog')

describe('normaliseLocale', () => {
  it.each([
    ['hant', {tag: 'zh-Hant', path: 'hant'}],
    ['zh-Hant', {tag: 'zh-Hant', path: 'hant'}],
    ['ZH-hant', {tag: 'zh-Hant', path: 'hant'}],
    ['es', {tag: 'es', path: 'es'}],
    ['pt-br', {tag: 'pt-BR', path: 'pt-br'}]
  ])('%j → %j', (input, expected) => {
    expect(normaliseLocale(blog, input)).toEqual(expected)
  })

  it.each(['../../etc', 'es/../..', 'e', 'english', 'es_ES', '', 'es\0', 'zh-Hant-'])('refuses %j (S4)', (input) => {
    expect(() => normaliseLocale(blog, input)).toThrow(/not a BCP-47 language tag.*fix/)
  })
})

describe('canonicalTag', () => {
  it('fixes case only, never remaps subtags', () => {
    expect(canonicalTag('ZH-hant-tw')).toBe('zh-Hant-TW')
    expect(canonicalTag('iw')).toBe('iw')
    expect(canonicalTag('es-419')).toBe('es-419')
    expect(isLocaleTag('de-CH-1996')).toBe(true)
    expect(isLocaleTag('assets')).toBe(false)
  })
})

describe('locale validation', () => {
  const zero = resolveConfig({}, '/site')

  it.each([
    ['sp', 'es'],
    ['es_ES', 'es-ES'],
    ['zh_cn', 'zh-CN'],
    ['jp', 'ja'],
    ['spanish', 'es']
  ])('refuses %j with a did-you-mean %j', (input, suggestion) => {
    expect(() => normaliseLocale(zero, input)).toThrow(new RegExp(`did you mean "${suggestion}"\\?`))
  })

  it('accepts real languages, keeping the spelling given for paths', () => {
    expect(normaliseLocale(zero, 'zh-cn')).toEqual({tag: 'zh-CN', path: 'zh-cn'})
    expect(normaliseLocale(zero, 'es-419')).toEqual({tag: 'es-419', path: 'es-419'})
    expect(normaliseLocale(zero, 'fil')).toEqual({tag: 'fil', path: 'fil'})
  })

  it('accepts a code the config declares, known or not', () => {
    const declared = resolveConfig({locales: ['sp'], localeAliases: {klingon: 'tlh', pirate: 'en-XA'}}, '/site')
    expect(normaliseLocale(declared, 'sp')).toEqual({tag: 'sp', path: 'sp'})
    expect(normaliseLocale(declared, 'pirate')).toEqual({tag: 'en-XA', path: 'pirate'})
  })
})
