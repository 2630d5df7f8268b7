import {describe, expect, it} from 'vitest'
import {resolveConfig} from '../../src/config/resolve.js'
import {UserError} from '../../src/types.js'
import {blogConfig} from './project.js'

/** The UserError message `resolveConfig` throws for `json`. */
function problemsOf(json: unknown): string {
  try {
    resolveConfig(json, '/project', '/project/notes-l10n.config.json')
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as UserError).message
  }
  throw new Error('expected resolveConfig to throw')
}

describe('resolveConfig', () => {
  it('gives the zero-config defaults for an empty object', () => {
    const config = resolveConfig({}, '/project')
    expect(config).toEqual({
      root: '/project',
      sources: {include: ['notes/**/*.{md,mdx}'], exclude: [], captures: {}},
      sourceLocale: {default: 'en', fromFrontmatter: 'lang'},
      locales: [],
      localeAliases: {},
      output: 'locales/{locale}/{path}',
      glossary: 'glossary.json',
      glossaryRequired: false,
      provider: {name: 'openai', models: {}, responseFormat: 'auto', prices: {}},
      frontmatter: {
        translateKeys: ['title'],
        keys: {title: 'translate', lang: {set: '{locale}'}, translated: {set: true}},
        perLocale: {}
      },
      links: {rebase: true},
      code: {comments: 'source'},
      mdx: {attributes: ['alt', 'title']},
      limits: {maxFileBytes: 1_048_576}
    })
  })

  it('resolves the blog layout: aliases, pattern locale, merged front-matter policy', () => {
    const config = resolveConfig(blogConfig, '/blog', '/blog/notes-l10n.config.json')
    expect(config.file).toBe('/blog/notes-l10n.config.json')
    expect(config.locales).toContainEqual({tag: 'zh-Hant', path: 'hant'})
    expect(config.locales).toContainEqual({tag: 'en', path: 'en'})
    expect(config.sourceLocale).toEqual({default: 'en', fromFrontmatter: 'lang', fromPattern: 'lang'})
    expect(config.frontmatter.keys.audio).toEqual({set: false})
    expect(config.links.rebase).toBe(false)
  })

  it('keys per-locale settings by BCP-47 tag, whichever form was written', () => {
    const config = resolveConfig(
      {
        localeAliases: {hant: 'zh-hant'},
        locales: ['hant', 'pt-br'],
        provider: {models: {hant: 'qwen-plus', 'PT-BR': 'gpt-4o'}},
        frontmatter: {perLocale: {hant: {title: 'keep'}}, summary: 'translate'}
      },
      '/p'
    )
    expect(config.locales).toEqual([
      {tag: 'zh-Hant', path: 'hant'},
      {tag: 'pt-BR', path: 'pt-br'}
    ])
    expect(config.provider.models).toEqual({'zh-Hant': 'qwen-plus', 'pt-BR': 'gpt-4o'})
    expect(config.frontmatter.perLocale).toEqual({'zh-Hant': {title: 'keep'}})
    expect(config.frontmatter.translateKeys.sort()).toEqual(['summary', 'title'])
  })

  it('reports every problem at once, one line each with its JSON path', () => {
    const message = problemsOf({
      lcoales: ['es'],
      locales: ['es', '../../etc', 'es'],
      output: 'out/{locale}/{pth}',
      provider: {concurrency: 'eight', responseFormat: 'xml'},
      links: {rebase: 'yes'},
      frontmatter: {draft: 'delete'},
      limits: {maxFileBytes: 0}
    })
    const lines = message.split('\n')
    expect(lines[0]).toMatch(/^\/project\/notes-l10n\.config\.json: \d+ problems/)
    const problems = lines.slice(1)
    const expectLine = (pattern: RegExp) =>
      expect(
        problems.some((line) => pattern.test(line)),
        `no line matches ${pattern}:\n${message}`
      ).toBe(true)
    expectLine(/^ {2}- lcoales: unknown key; did you mean "locales"\?/)
    expectLine(/^ {2}- locales\[1\]: received "\.\.\/\.\.\/etc", expected a locale name/)
    expectLine(/^ {2}- locales: received a list with duplicates/)
    expectLine(/^ {2}- output: unknown part \{pth\}.*did you mean \{path\}\?/)
    expectLine(/^ {2}- provider\.concurrency: received "eight", expected an integer from 1 to 256/)
    expectLine(/^ {2}- provider\.responseFormat: received "xml", expected one of "auto", "json_schema", "json_object"/)
    expectLine(/^ {2}- links\.rebase: received "yes", expected a boolean/)
    expectLine(
      /^ {2}- frontmatter\.draft: received "delete", expected one of "translate", "keep", "drop" or an object with "set"/
    )
    expectLine(/^ {2}- limits\.maxFileBytes: received 0, expected an integer ≥ 1/)
    expect(problems.every((line) => line.includes('fix'))).toBe(true)
  })

  it('refuses an API key anywhere in the config without echoing it (S2)', () => {
    const key = `sk-proj-${'A'.repeat(40)}`
    const message = problemsOf({
      provider: {apiKey: key, baseURL: 'https://api.example.com/v1'},
      $comment: `my key is ${key}`
    })
    expect(message).toContain('provider.apiKey: looks like an API key')
    expect(message).toContain('$comment: looks like an API key')
    expect(message).toContain('OPENAI_API_KEY')
    expect(message).not.toContain('AAAAAAAA')
    // The schema's "unknown key" complaint for the same key would be noise.
    expect(message).not.toContain('provider.apiKey: unknown key')
  })

  it.each([
    ['../outside/{locale}/{path}', /climbs out/],
    ['/etc/{locale}/{path}', /absolute/],
    ['C:/x/{locale}/{path}', /absolute/],
    ['out\\..\\..\\{locale}/{path}', /backslash/],
    ['.git/hooks/{locale}/{path}', /writes into "\.git\/"/],
    ['out/{locale}.md', /does not depend on the source file/],
    ['out/{path}', /has no \{locale\}/],
    ['out/{locale/{path}', /not a valid name/],
    ['out/{date}/{locale}/{path}', /unknown part \{date\}.*capture it with sources\.pattern/]
  ])('refuses the output template %j', (output, pattern) => {
    expect(problemsOf({output})).toMatch(pattern)
  })

  it('checks the source pattern and its captures', () => {
    const message = problemsOf({
      sources: {pattern: 'notes/{locale}-{slug}.md', captures: {slug: '[a-z]+', date: '\\d+'}},
      sourceLocale: {fromPattern: 'lang'}
    })
    expect(message).toMatch(/capture \{locale\} has the name of a built-in output part/)
    expect(message).toMatch(/sources\.captures\.date: the pattern has no \{date\}/)
    expect(message).toMatch(/sourceLocale\.fromPattern: the pattern has no \{lang\}/)
  })

  it('refuses a capture expression that does not compile', () => {
    expect(problemsOf({sources: {pattern: 'notes/{slug}.md', captures: {slug: '(['}}})).toMatch(
      /sources\.pattern: .*does not compile/
    )
  })

  it('refuses an alias to something that is not a BCP-47 tag, and two names for one locale', () => {
    const message = problemsOf({localeAliases: {hant: 'Traditional Chinese'}, locales: ['zh-Hant', 'zh-hant']})
    expect(message).toMatch(/localeAliases\.hant: received "Traditional Chinese", expected a locale name/)
    expect(message).toMatch(/locales\[1\]: "zh-hant" is the same locale as "zh-Hant"/)
  })

  it('refuses a top level that is not an object', () => {
    expect(problemsOf(['es'])).toMatch(/received \["es"\], expected a JSON object/)
  })

  it('refuses a __proto__ front-matter key instead of touching the prototype', () => {
    expect(problemsOf(JSON.parse('{"frontmatter": {"__proto__": "drop"}}'))).toMatch(
      /frontmatter\["__proto__"\]: this key name is refused/
    )
  })
})

describe('secrets and field names', () => {
  it('accepts front-matter policy keys that merely sound secret, but still catches key-shaped values there', () => {
    expect(() =>
      resolveConfig({frontmatter: {token: 'keep', password: 'drop', perLocale: {es: {secret: 'translate'}}}}, '/p')
    ).not.toThrow()
    expect(() => resolveConfig({frontmatter: {note: {set: `sk-${'b'.repeat(30)}`}}}, '/p')).toThrow(
      /frontmatter\.note\.set: looks like an API key/
    )
  })
})

describe('output per include glob', () => {
  it('defaults sources.include to the keys and renders each source with its own template', async () => {
    const {resolveOutputPath} = await import('../../src/config/paths.js')
    const config = resolveConfig(
      {output: {'docs/**/*.md': 'i18n/{locale}/docs/{path}', 'blog/*.md': 'i18n/{locale}/blog/{name}{ext}'}},
      '/site'
    )
    expect(config.sources.include).toEqual(['docs/**/*.md', 'blog/*.md'])
    expect(resolveOutputPath(config, {source: 'docs/guide/a.md', captures: {}}, 'fr')).toBe('i18n/fr/docs/guide/a.md')
    expect(resolveOutputPath(config, {source: 'blog/b.md', captures: {}}, 'fr')).toBe('i18n/fr/blog/b.md')
  })

  it('refuses an include glob without a template, a template for no include glob, and a bad template', () => {
    expect(() =>
      resolveConfig(
        {
          sources: {include: ['docs/**/*.md', 'other/*.md']},
          output: {
            'docs/**/*.md': 'i18n/{locale}/{path}',
            'blog/*.md': 'x/{locale}/{path}',
            'docs/x.md': 'no-locale/{path}'
          }
        },
        '/site'
      )
    ).toThrow(
      /sources\.include\[1\]: "other\/\*\.md" has no template in "output"[\s\S]*output\["blog\/\*\.md"\]: not one of sources\.include|output\["blog\/\*\.md"\]: not one of sources\.include[\s\S]*sources\.include\[1\]/
    )
  })
})
