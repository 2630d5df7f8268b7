import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect, test} from 'vitest'
import {Lockfile} from '../../src/state/lock.js'

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/state.md')

test('the lock example in docs/state.md is a valid lock, written exactly as serialise() writes it', async () => {
  const text = await readFile(docs, 'utf8')
  const example = /```json\n([\s\S]*?)```/.exec(text)![1]!
  const lock = Lockfile.parse(example, 'docs/state.md')
  expect(lock.get('notes/a.md', 'de')?.segments).toEqual([
    {id: 'Qm9vdGluZy', target: 'LXEWQrcm'},
    {id: 'Zm9vYmFyYm', target: 'ofzkNjhU', glossary: 'Gg1234aB'},
    {id: 'Zm9vYmFyYm~2', target: '9aZ-xx01', human: true, reported: true}
  ])
  expect(lock.get('notes/a.md', 'fr')?.segments).toEqual([
    {id: 'Qm9vdGluZy', target: 'Aa0bB1cC', pseudo: true},
    {id: 'b2xkLXNlZ2', target: 'Dd2eE3fF'}
  ])
  expect(lock.get('notes/a.md', 'es')?.segments[2]).toEqual({id: 'Zm9vYmFyYm~2', target: 'mM0pq7Rt', reused: true})
  expect(lock.get('notes/a.md', 'fr')?.segments.map((segment) => segment.id)).toEqual(['Qm9vdGluZy', 'b2xkLXNlZ2'])
  expect(lock.serialise()).toBe(example)
})
