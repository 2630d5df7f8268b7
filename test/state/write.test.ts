import {chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {isTempName, removeStaleTemps, writeFileAtomic} from '../../src/io/write.js'
import {UserError} from '../../src/types.js'
import {runChild} from './support/compiled.js'

let root: string
let outside: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'notes-l10n-write-'))
  outside = await mkdtemp(path.join(tmpdir(), 'notes-l10n-outside-'))
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
  await rm(outside, {recursive: true, force: true})
})

const at = (...parts: string[]) => path.join(root, ...parts)

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return error as UserError
  }
  throw new Error('expected a UserError')
}

describe('writeFileAtomic', () => {
  test('writes a new file, creating missing folders, and leaves no temp file', async () => {
    await writeFileAtomic(at('locales/es/deep/a.md'), 'hola\n', {root})
    expect(await readFile(at('locales/es/deep/a.md'), 'utf8')).toBe('hola\n')
    expect(await readdir(at('locales/es/deep'))).toEqual(['a.md'])
  })

  test('replaces an existing file by rename (new inode), keeping its permissions', async () => {
    await mkdir(at('locales'))
    await writeFile(at('locales/a.md'), 'old')
    await chmod(at('locales/a.md'), 0o640)
    const before = await stat(at('locales/a.md'))
    await writeFileAtomic(at('locales/a.md'), new TextEncoder().encode('new'), {root})
    const after = await stat(at('locales/a.md'))
    expect(await readFile(at('locales/a.md'), 'utf8')).toBe('new')
    expect(after.ino).not.toBe(before.ino)
    expect(after.mode & 0o777).toBe(0o640)
  })

  test('works without a root (parents created as needed)', async () => {
    await writeFileAtomic(at('x/y.md'), 'y')
    expect(await readFile(at('x/y.md'), 'utf8')).toBe('y')
  })

  test('refuses a symlinked target, writing nothing through it or next to it (S5)', async () => {
    await writeFile(path.join(outside, 'bashrc'), 'precious')
    await mkdir(at('locales/es'), {recursive: true})
    await symlink(path.join(outside, 'bashrc'), at('locales/es/a.md'))
    const error = await refusal(writeFileAtomic(at('locales/es/a.md'), 'evil', {root}))
    expect(error.message).toBe(
      'refusing to write locales/es/a.md: it is a symbolic link — notes-l10n never writes through symlinks; replace the link with a regular file'
    )
    expect(await readFile(path.join(outside, 'bashrc'), 'utf8')).toBe('precious')
    expect((await lstat(at('locales/es/a.md'))).isSymbolicLink()).toBe(true)
    expect(await readdir(at('locales/es'))).toEqual(['a.md'])
  })

  test('refuses a symlinked parent folder inside the root, writing nothing (S5)', async () => {
    await mkdir(at('locales'))
    await symlink(outside, at('locales/es'))
    const error = await refusal(writeFileAtomic(at('locales/es/sub/a.md'), 'evil', {root}))
    expect(error.message).toContain('refusing to write locales/es/sub/a.md: its folder locales/es is a symbolic link')
    expect(await readdir(outside)).toEqual([])
  })

  test('refuses a target outside the root', async () => {
    const error = await refusal(writeFileAtomic(path.join(outside, 'a.md'), 'x', {root}))
    expect(error.message).toMatch(/it is outside the project root/)
    expect(await readdir(outside)).toEqual([])
  })

  test('a parent that is a file: UserError naming it, nothing written', async () => {
    await mkdir(at('locales'))
    await writeFile(at('locales/es'), 'a file')
    const error = await refusal(writeFileAtomic(at('locales/es/a.md'), 'x', {root}))
    expect(error.message).toBe(
      'cannot write locales/es/a.md: locales/es is a file, not a folder — move that file out of the way and re-run `sync`; nothing was written'
    )
    expect(await readFile(at('locales/es'), 'utf8')).toBe('a file')
  })

  test('a target that is a folder is refused', async () => {
    await mkdir(at('a.md'))
    expect((await refusal(writeFileAtomic(at('a.md'), 'x', {root}))).message).toMatch(
      /^cannot write a\.md: it is not a regular file/
    )
  })

  test.each([
    [
      'ENOSPC',
      'cannot write locales/a.md: no space left on device — free space and re-run `sync`; nothing was half-written'
    ],
    [
      'EROFS',
      'cannot write locales/a.md: read-only file system — write to a writable checkout and re-run `sync`; nothing was half-written'
    ],
    [
      'EACCES',
      'cannot write locales/a.md: permission denied — make the file and its folder writable and re-run `sync`; nothing was half-written'
    ]
  ])('a failing write (%s) becomes a UserError; temp removed, original intact', async (code, message) => {
    await mkdir(at('locales'))
    await writeFile(at('locales/a.md'), 'original')
    let temp = ''
    const error = await refusal(
      writeFileAtomic(at('locales/a.md'), 'replacement', {
        root,
        beforeRename: async (file) => {
          temp = file
          expect(await readFile(file, 'utf8')).toBe('replacement')
          throw Object.assign(new Error(`${code}: simulated`), {code})
        }
      })
    )
    expect(error.message).toBe(message)
    expect(isTempName(path.basename(temp))).toBe(true)
    expect(await readFile(at('locales/a.md'), 'utf8')).toBe('original')
    expect(await readdir(at('locales'))).toEqual(['a.md'])
  })

  test('an unexpected error is rethrown as it is (a bug, not a user problem)', async () => {
    const failure = new Error('boom')
    await expect(writeFileAtomic(at('a.md'), 'x', {root, beforeRename: () => Promise.reject(failure)})).rejects.toBe(
      failure
    )
    expect(await readdir(root)).toEqual([])
  })

  test('temp files are recognisable and live in the target folder (never os.tmpdir, D3)', async () => {
    let temp = ''
    await writeFileAtomic(at('d/a.md'), 'x', {
      root,
      beforeRename: (file) => {
        temp = file
      }
    })
    expect(path.dirname(temp)).toBe(at('d'))
    expect(path.basename(temp)).toMatch(new RegExp(`^\\.a\\.md\\.notes-l10n-${process.pid}-[a-z0-9]+\\.tmp$`))
  })
})

describe('a process killed between temp write and rename (D1)', () => {
  test('leaves the old file intact; removeStaleTemps cleans the temp up', async () => {
    await mkdir(at('locales'))
    await writeFile(at('locales/a.md'), 'old version\n')
    const child = await runChild(
      `import {writeFileAtomic} from './src/io/write.js'
       const [file, root] = process.argv.slice(2)
       await writeFileAtomic(file, 'new version\\n'.repeat(1000), {root, beforeRename: async (temp) => {
         console.log('ready ' + temp)
         await new Promise(() => {})
       }})`,
      [at('locales/a.md'), root]
    )
    const ready = await child.line('ready ')
    const temp = ready.slice('ready '.length)
    expect(await readFile(temp, 'utf8')).toBe('new version\n'.repeat(1000))
    child.process.kill('SIGKILL')
    await child.exited

    expect(await readFile(at('locales/a.md'), 'utf8')).toBe('old version\n')
    const live = path.join(at('locales'), `.b.md.notes-l10n-${process.pid}-abc.tmp`)
    await writeFile(live, 'this process is alive')
    await writeFile(at('locales/.notes.md.swp'), 'not ours')

    expect(await removeStaleTemps(at('locales'))).toEqual([path.basename(temp)])
    expect((await readdir(at('locales'))).sort()).toEqual(
      [`.b.md.notes-l10n-${process.pid}-abc.tmp`, '.notes.md.swp', 'a.md'].sort()
    )
    expect(await removeStaleTemps(at('missing'))).toEqual([])
  })
})
