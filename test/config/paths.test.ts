import {mkdir, readdir, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {assertWritable, isInside, resolveOutputPath, unsafePathReason} from '../../src/config/paths.js'
import {resolveConfig} from '../../src/config/resolve.js'
import {UserError} from '../../src/types.js'
import {blogConfig, makeProject} from './project.js'

const blog = resolveConfig(blogConfig, '/blog')
const plain = resolveConfig({}, '/plain')

describe('resolveOutputPath', () => {
  it('fills the blog template from captures, with the path form of the locale', () => {
    const plan = {source: 'notes/2025-01-16-foo-en.md', captures: {date: '2025-01-16', slug: 'foo', lang: 'en'}}
    expect(resolveOutputPath(blog, plan, 'hant')).toBe('_posts/hant/2025-01-16-foo-hant.md')
    expect(resolveOutputPath(blog, plan, 'zh-Hant')).toBe('_posts/hant/2025-01-16-foo-hant.md')
    expect(resolveOutputPath(blog, plan, 'es')).toBe('_posts/es/2025-01-16-foo-es.md')
  })

  it('measures {path} from the static prefix of the include glob', () => {
    expect(resolveOutputPath(plain, {source: 'notes/a/b.md', captures: {}}, 'es')).toBe('locales/es/a/b.md')
  })

  it('gives {dir}, {name}, {ext} (with its dot), {tag}, and drops the slash after an empty {dir}', () => {
    const config = resolveConfig(
      {output: 'i18n/{tag}/{dir}/{name}.{locale}{ext}', localeAliases: {hant: 'zh-Hant'}},
      '/p'
    )
    expect(resolveOutputPath(config, {source: 'notes/x/y/z.md', captures: {}}, 'hant')).toBe(
      'i18n/zh-Hant/x/y/z.hant.md'
    )
    expect(resolveOutputPath(config, {source: 'notes/z.md', captures: {}}, 'es')).toBe('i18n/es/z.es.md')
  })

  it.each([
    [{slug: '..'}, /climbs out/],
    [{slug: '../../../.github/workflows/x'}, /climbs out/],
    [{slug: 'a\\..\\..\\b'}, /backslash/],
    [{slug: 'a\0b'}, /NUL/],
    [{slug: '.git'}, /writes into "\.git\/"/]
  ])('refuses captures %j that would escape or misplace the output (S4)', (captures, reason) => {
    const config = resolveConfig({sources: {pattern: 'notes/{slug}.md'}, output: 'out/{locale}/{slug}/index.md'}, '/p')
    const attempt = () => resolveOutputPath(config, {source: 'notes/x.md', captures}, 'es')
    expect(attempt).toThrow(UserError)
    expect(attempt).toThrow(reason)
  })

  it('refuses a locale code shaped like a path (S4)', () => {
    expect(() => resolveOutputPath(plain, {source: 'notes/a.md', captures: {}}, '../../etc')).toThrow(
      /not a BCP-47 language tag/
    )
  })
})

describe('unsafePathReason', () => {
  it.each([
    ['a/b.md', undefined],
    ['', 'it is empty'],
    ['/etc/passwd', 'it is absolute'],
    ['C:/x.md', 'it is absolute'],
    ['a/../../b.md', 'it climbs out with ".."'],
    ['a//b.md', 'it has an empty or "." path segment'],
    ['a/./b.md', 'it has an empty or "." path segment'],
    ['a\nb.md', 'it contains a control character']
  ])('%j → %j', (relative, reason) => {
    expect(unsafePathReason(relative)).toBe(reason)
  })
})

describe('assertWritable (S5)', () => {
  it('accepts a new file in new folders inside the root', async () => {
    const root = await makeProject({})
    await expect(assertWritable(root, 'locales/es/deep/a.md')).resolves.toBeUndefined()
  })

  it('refuses an output folder that is a symlink to outside the root, before anything is written', async () => {
    const outside = await makeProject({})
    const root = await makeProject({})
    await mkdir(path.join(root, 'locales'))
    await symlink(outside, path.join(root, 'locales/es'))
    await expect(assertWritable(root, 'locales/es/sub/a.md')).rejects.toThrow(
      /outside the project: locales\/es resolves to/
    )
    expect(await readdir(outside)).toEqual([])
  })

  it('refuses an output file that is a symlink, even to a file inside the root', async () => {
    const root = await makeProject({'notes/a.md': '# A\n'})
    await mkdir(path.join(root, 'locales/es'), {recursive: true})
    await symlink(path.join(root, 'notes/a.md'), path.join(root, 'locales/es/a.md'))
    await expect(assertWritable(root, 'locales/es/a.md')).rejects.toThrow(/is a symlink; refusing to write through it/)
  })

  it('refuses an output path that is a folder', async () => {
    const root = await makeProject({})
    await mkdir(path.join(root, 'locales/es/a.md'), {recursive: true})
    await expect(assertWritable(root, 'locales/es/a.md')).rejects.toThrow(/not a regular file/)
  })

  it('accepts an existing regular file and a symlinked folder that stays inside the root', async () => {
    const root = await makeProject({'real/es/a.md': 'x'})
    await mkdir(path.join(root, 'locales'))
    await symlink(path.join(root, 'real/es'), path.join(root, 'locales/es'))
    await expect(assertWritable(root, 'locales/es/a.md')).resolves.toBeUndefined()
  })

  it('refuses textual escapes without touching the disk', async () => {
    const root = await makeProject({})
    await expect(assertWritable(root, '../x.md')).rejects.toThrow(/climbs out/)
    await expect(assertWritable(root, '/tmp/x.md')).rejects.toThrow(/absolute/)
    await writeFile(path.join(root, 'ok.md'), '')
    await expect(assertWritable(root, 'ok.md')).resolves.toBeUndefined()
  })
})

describe('isInside', () => {
  it('treats a folder named "..x" as inside, and the parent as outside', () => {
    expect(isInside('/r', '/r/..x/a.md')).toBe(true)
    expect(isInside('/r', '/r')).toBe(true)
    expect(isInside('/r', '/')).toBe(false)
    expect(isInside('/r', '/rr/a.md')).toBe(false)
  })
})
