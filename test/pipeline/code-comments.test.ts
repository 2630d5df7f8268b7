import {describe, expect, it} from 'vitest'
import {keepTranslatedComments, onlyCommentsDiffer} from '../../src/pipeline/code-comments.js'
import {parseMarkdown} from '../../src/pipeline/parse.js'

const parsed = (text: string) => ({text, tree: parseMarkdown(text).tree})

describe('onlyCommentsDiffer', () => {
  it('accepts whole-line comments translated with the same indentation and marker', () => {
    expect(onlyCommentsDiffer('```sh\n# install\nnpm ci\n```', '```sh\n# instalar\nnpm ci\n```', 'sh')).toBe(true)
    expect(onlyCommentsDiffer('```ts\n  // run it\nrun()\n```', '```ts\n  // ejecútalo\nrun()\n```', 'ts')).toBe(true)
    expect(onlyCommentsDiffer('```sql\n-- all rows\nSELECT 1\n```', '```sql\n-- todas\nSELECT 1\n```', 'sql')).toBe(
      true
    )
  })

  it('refuses code changes, moved or added lines, other markers and languages where # is not a comment', () => {
    expect(onlyCommentsDiffer('```sh\n# a\nnpm ci\n```', '```sh\n# a\nnpm install\n```', 'sh')).toBe(false)
    expect(onlyCommentsDiffer('```sh\n# a\nnpm ci\n```', '```sh\n# b\n# c\nnpm ci\n```', 'sh')).toBe(false)
    expect(onlyCommentsDiffer('```sh\n  # a\nx\n```', '```sh\n# a b\nx\n```', 'sh')).toBe(false)
    expect(onlyCommentsDiffer('```ts\n// a\nx\n```', '```ts\n# a\nx\n```', 'ts')).toBe(false)
    expect(onlyCommentsDiffer('```markdown\n# Title\n```', '```markdown\n# Título\n```', 'markdown')).toBe(false)
    expect(onlyCommentsDiffer('```text\n# a\n```', '```text\n# b\n```', 'text')).toBe(false)
    expect(onlyCommentsDiffer('```sh\n# a\n```', '```sh\n# a\n```', 'sh')).toBe(false)
  })
})

describe('keepTranslatedComments', () => {
  it('keeps the existing blocks that differ only in comments, by document order, and says where', () => {
    const assembled = parsed('Uno.\n\n```sh\n# install\nnpm ci\n```\n\n```js\n// run\nrun()\n```\n')
    const existing = parsed('Uno, antes.\n\n```sh\n# instalar\nnpm ci\n```\n\n```js\n// run\nrun(1)\n```\n')
    const kept = keepTranslatedComments(assembled, existing)
    expect(kept.text).toBe('Uno.\n\n```sh\n# instalar\nnpm ci\n```\n\n```js\n// run\nrun()\n```\n')
    expect(kept.lines).toEqual([3])
  })

  it('keeps nothing when the documents have different numbers of code blocks', () => {
    const assembled = parsed('```sh\n# a\n```\n')
    expect(keepTranslatedComments(assembled, parsed('```sh\n# b\n```\n\n```sh\n# c\n```\n')).lines).toEqual([])
  })

  it('keeps blocks inside a blockquote when only the comment differs', () => {
    const assembled = parsed('> ```sh\n> # install\n> npm ci\n> ```\n')
    const existing = parsed('> ```sh\n> # instalar\n> npm ci\n> ```\n')
    expect(keepTranslatedComments(assembled, existing).text).toBe(existing.text)
  })
})
