import {describe, expect, it} from 'vitest'
import {compileSourcePattern, matchSourcePattern, type SourcePattern} from '../../src/config/pattern.js'
import {parseTemplate, renderTemplate} from '../../src/config/template.js'

function compile(pattern: string, captures: Record<string, string> = {}, aliases: string[] = []): SourcePattern {
  const compiled = compileSourcePattern(pattern, captures, 'lang', aliases)
  if (typeof compiled === 'string') throw new Error(compiled)
  return compiled
}

describe('source patterns', () => {
  const blog = compile('notes/{date}-{slug}-{lang}.md', {}, ['hant'])

  it.each([
    ['notes/2025-01-16-foo-en.md', {date: '2025-01-16', slug: 'foo', lang: 'en'}],
    ['notes/2025-01-16-linear-algebra-points-en.md', {date: '2025-01-16', slug: 'linear-algebra-points', lang: 'en'}],
    ['notes/2025-01-16-foo-zh-Hant.md', {date: '2025-01-16', slug: 'foo', lang: 'zh-Hant'}],
    ['notes/2025-01-16-foo-hant.md', {date: '2025-01-16', slug: 'foo', lang: 'hant'}],
    ['notes/2025-01-16-2024-recap-en.md', {date: '2025-01-16', slug: '2024-recap', lang: 'en'}]
  ])('%s → %j', (file, captures) => {
    expect(matchSourcePattern(blog, file)).toEqual(captures)
  })

  it.each([
    'notes/readme.md',
    'notes/sub/2025-01-16-foo-en.md',
    'notes/2025-01-16-foo.md',
    'other/2025-01-16-foo-en.md'
  ])('does not match %s', (file) => {
    expect(matchSourcePattern(blog, file)).toBeUndefined()
  })

  it('supports **/ and * and repeated captures', () => {
    const compiled = compile('content/**/{slug}/index.{lang}.md')
    expect(matchSourcePattern(compiled, 'content/a/b/post/index.fr.md')).toEqual({slug: 'post', lang: 'fr'})
    expect(matchSourcePattern(compile('{lang}/*/{lang}.md'), 'es/x/es.md')).toEqual({lang: 'es'})
    expect(matchSourcePattern(compile('{lang}/*/{lang}.md'), 'es/x/fr.md')).toBeUndefined()
  })

  it('takes user expressions for captures and treats regex characters in literals literally', () => {
    const compiled = compile('notes/({id}).md', {id: '\\d+'})
    expect(matchSourcePattern(compiled, 'notes/(42).md')).toEqual({id: '42'})
    expect(matchSourcePattern(compiled, 'notes/(x).md')).toBeUndefined()
  })
})

describe('templates', () => {
  it('parses and renders parts', () => {
    const pieces = parseTemplate('_posts/{locale}/{date}-{slug}-{locale}.md')
    expect(pieces).not.toBeTypeOf('string')
    expect(renderTemplate(pieces as Exclude<typeof pieces, string>, {locale: 'es', date: 'D', slug: 'S'})).toBe(
      '_posts/es/D-S-es.md'
    )
  })

  it.each([
    ['a/{locale', /never closed/],
    ['a/locale}', /stray "}"/],
    ['a/{}/b', /not a valid name/],
    ['a/{lo-cale}', /not a valid name/]
  ])('refuses %j', (template, problem) => {
    expect(parseTemplate(template)).toMatch(problem)
  })
})
