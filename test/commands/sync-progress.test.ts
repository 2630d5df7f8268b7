import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {etaText, progressPlan, startLiveProgress} from '../../src/cli/progress.js'

/** A stream that says it is a terminal, collecting what is drawn. */
function terminal(): {stream: NodeJS.WriteStream; text(): string} {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & {isTTY: boolean; columns: number}
  let text = ''
  stream.isTTY = true
  stream.columns = 200
  Object.assign(stream, {
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true
  })
  ;(stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  return {stream, text: () => text}
}

const usage = {requests: 2, promptTokens: 900, completionTokens: 300, cachedTokens: 0, costUsd: 0.0123}
const counts = {translated: 5, reused: 0, human: 0, 'needs-review': 0, failed: 1, pending: 0}

describe('live progress', () => {
  it('draws one bar per locale: segments done/total (failed ones count as done), in flight, tokens, cost', () => {
    const {stream, text} = terminal()
    const progress = startLiveProgress(stream, {
      locales: [
        {locale: 'es', total: 6},
        {locale: 'fr', total: 4}
      ],
      notes: new Map([
        ['notes/a.md\0es', 6],
        ['notes/a.md\0fr', 4]
      ])
    })
    progress.onEvent({type: 'note-started', note: 'notes/a.md', locale: 'es', output: 'locales/es/a.md', segments: 6})
    progress.onEvent({type: 'note-started', note: 'notes/a.md', locale: 'fr', output: 'locales/fr/a.md', segments: 4})
    progress.onEvent({
      type: 'segment-batch',
      note: 'notes/a.md',
      locale: 'es',
      accepted: 5,
      usage,
      inFlight: 3,
      priced: true
    })
    progress.onEvent({
      type: 'note-finished',
      note: 'notes/a.md',
      locale: 'es',
      output: 'locales/es/a.md',
      status: 'failed',
      counts
    })
    progress.stop()
    expect(text()).toMatch(/es +\[[^\]]*\] 6\/6 segments \| 3 in flight \| 1200 tokens \| \$0\.0123/)
    expect(text()).toMatch(/fr +\[[^\]]*\] 0\/4 segments/)
  })

  it('says cost unknown for an unpriced model', () => {
    const {stream, text} = terminal()
    const progress = startLiveProgress(stream, {
      locales: [{locale: 'es', total: 2}],
      notes: new Map([['notes/a.md\0es', 2]])
    })
    progress.onEvent({type: 'note-started', note: 'notes/a.md', locale: 'es', output: 'locales/es/a.md', segments: 2})
    progress.onEvent({
      type: 'segment-batch',
      note: 'notes/a.md',
      locale: 'es',
      accepted: 2,
      usage: {...usage, costUsd: 0},
      priced: false
    })
    progress.stop()
    expect(text()).toMatch(/2\/2 segments .*\| cost unknown/)
    expect(text()).not.toMatch(/\$0\.0000/)
  })

  it('totals come from the plan: every pending segment per locale and per note', () => {
    const note = (file: string, locale: string, pending: number) => ({
      note: file,
      locale,
      output: '',
      status: 'pending' as const,
      counts: {...counts, pending},
      segments: [],
      findings: []
    })
    const plan = progressPlan({
      notes: [
        note('notes/a.md', 'es', 3),
        note('notes/b.md', 'es', 0),
        note('notes/b.md', 'fr', 2),
        note('notes/c.md', 'es', 4)
      ]
    })
    expect(plan.locales).toEqual([
      {locale: 'es', total: 7},
      {locale: 'fr', total: 2}
    ])
    expect(plan.notes.get('notes/c.md\0es')).toBe(4)
    expect(plan.notes.has('notes/b.md\0es')).toBe(false)
  })

  it('the ETA is a number of seconds (or minutes and seconds), or absent', () => {
    expect(etaText(0, 10, 5000)).toBe('')
    expect(etaText(10, 10, 5000)).toBe('')
    expect(etaText(5, 10, 0)).toBe('')
    expect(etaText(5, 10, 5000)).toBe(' | ETA 5s')
    expect(etaText(1, 100, 2000)).toBe(' | ETA 3m18s')
  })
})
