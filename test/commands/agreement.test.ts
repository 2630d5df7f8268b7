/**
 * `sync --dry-run`, `status`, `check`, `diff` and `export` take their verdicts from one plan
 * (src/project/target-plan.ts): the places where they disagreed before.
 */
import {describe, expect, it} from 'vitest'
import {tempProject} from '../support/project.js'

/** The last line of `sync --json`: the run's summary. */
function summaryOf(stdout: string): {notes: Array<{note: string; status: string; counts: {pending: number}}>} {
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

describe('disagreements the one plan fixed', () => {
  const note = '---\ntitle: A note\n---\n\nFirst paragraph.\n\nSecond paragraph.\n'
  const config = (extra: object = {}) => JSON.stringify({locales: ['es'], provider: {name: 'pseudo'}, ...extra})

  it('a config change alone: check said stale, sync --dry-run said unchanged (sync re-assembles it)', async () => {
    const project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': config()})
    try {
      expect((await project.run(['sync'])).code).toBe(0)
      await project.write('notes-l10n.config.json', config({links: {rebase: false}}))
      expect((await project.run(['check'])).code).toBe(1)
      const dry = summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout)
      expect(dry.notes).toEqual([
        expect.objectContaining({note: 'notes/a.md', status: 'pending', counts: expect.objectContaining({pending: 0})})
      ])
      expect((await project.run(['sync'])).code).toBe(0)
      expect(summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout).notes[0]!.status).toBe('unchanged')
      expect((await project.run(['check'])).code).toBe(0)
    } finally {
      await project.remove()
    }
  })

  it('a removed paragraph: check said stale, sync --dry-run said unchanged (sync takes its translation out)', async () => {
    const project = await tempProject({'notes/a.md': note, 'notes-l10n.config.json': config()})
    try {
      expect((await project.run(['sync'])).code).toBe(0)
      await project.write('notes/a.md', note.replace('Second paragraph.\n', ''))
      expect((await project.run(['check'])).stdout).toMatch(/whose source was removed/)
      expect(summaryOf((await project.run(['sync', '--dry-run', '--json'])).stdout).notes[0]!.status).toBe('pending')
    } finally {
      await project.remove()
    }
  })
})
