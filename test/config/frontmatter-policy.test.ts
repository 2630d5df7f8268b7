import {describe, expect, it} from 'vitest'
import {frontmatterEdit} from '../../src/config/frontmatter-policy.js'
import {resolveConfig} from '../../src/config/resolve.js'
import {blogConfig} from './project.js'

const source = {layout: 'post', title: 'Jingren Zhou', audio: true, draft: true, tags: ['ai']}

describe('frontmatterEdit', () => {
  it('applies the defaults: translate title, set lang and translated, keep the rest', () => {
    const config = resolveConfig({}, '/p')
    expect(frontmatterEdit(config, {tag: 'es', path: 'es'}, source)).toEqual({
      translateKeys: ['title'],
      set: {lang: 'es', translated: true},
      drop: []
    })
  })

  it('applies the blog policy with the path form in {locale} and the tag in {tag}', () => {
    const config = resolveConfig(
      {...blogConfig, frontmatter: {...blogConfig.frontmatter, draft: 'drop', locale_tag: {set: '{tag}'}}},
      '/blog'
    )
    expect(frontmatterEdit(config, {tag: 'zh-Hant', path: 'hant'}, source)).toEqual({
      translateKeys: ['title'],
      set: {lang: 'hant', translated: true, audio: false, locale_tag: 'zh-Hant'},
      drop: ['draft']
    })
  })

  it('lets per-locale overrides win, whichever form names the locale', () => {
    const config = resolveConfig(
      {
        localeAliases: {hant: 'zh-Hant'},
        frontmatter: {
          tags: 'translate',
          perLocale: {'zh-Hant': {title: 'keep', tags: 'drop'}, ja: {lang: {set: 'ja-JP'}}}
        }
      },
      '/p'
    )
    expect(frontmatterEdit(config, {tag: 'zh-Hant', path: 'hant'}, source)).toEqual({
      translateKeys: [],
      set: {lang: 'hant', translated: true},
      drop: ['tags']
    })
    expect(frontmatterEdit(config, {tag: 'ja', path: 'ja'}, source)).toEqual({
      translateKeys: ['title', 'tags'],
      set: {lang: 'ja-JP', translated: true},
      drop: []
    })
    expect(config.frontmatter.translateKeys.sort()).toEqual(['tags', 'title'])
  })

  it('translates and drops only keys the source has, but sets keys it lacks; braces other than {locale}/{tag} stay', () => {
    const config = resolveConfig(
      {frontmatter: {summary: 'translate', draft: 'drop', layout: {set: '{layout}-{locale}'}, lang: 'keep'}},
      '/p'
    )
    expect(frontmatterEdit(config, {tag: 'fr', path: 'fr'}, {title: 'T'})).toEqual({
      translateKeys: ['title'],
      set: {translated: true, layout: '{layout}-fr'},
      drop: []
    })
  })
})
