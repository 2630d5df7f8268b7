/**
 * Figure 5: prompt tokens sent, counted at the test server, per source prose token, for a full
 * sync of the corpus; and for a one-paragraph edit of a ~40-segment note, as a share of that
 * note's full-sync prompt tokens.
 *
 * Source tokens are those of the segments' Markdown as written (the translatable text of the
 * corpus, from the project's own analysis); the ratio per protected-text token (placeholders as
 * sent) and per prose-only token (placeholders removed) are printed beside it.
 */
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {countTokens} from '../../src/providers/tokens.js'
import {TOKEN_PATTERN} from '../../src/types.js'
import {type CorpusFile, readCorpus} from '../corpus.js'
import type {Figure} from '../figure.js'
import {NotMeasured} from '../figure.js'
import {type AnalysedNoteLike, analyse, loadPipeline} from '../pipeline.js'
import {chatRequests, promptTokens, startServer, syncThroughServer, systemTokens} from '../server.js'
import {summarise} from '../stats.js'
import {corpusProject, resetRunState} from '../tree.js'

const FULL_GOAL = 1.5
const EDIT_GOAL = 0.05
const EDIT_NOTE_SEGMENTS = 40

export const tokens: Figure = {
  id: 5,
  title: 'Prompt tokens',
  goal: `full sync ≤ ${FULL_GOAL} prompt tokens per source prose token; a one-paragraph edit of a ${EDIT_NOTE_SEGMENTS}-segment note ≤ ${EDIT_GOAL * 100}% of its full-sync prompt tokens`,
  async run(context) {
    const pipeline = await loadPipeline(context.repoRoot)
    const corpus = await readCorpus(context.corpusRoot)
    const analysed = corpus.map((file) => ({file, note: analyse(pipeline, file.name, file.bytes)}))
    const tokensOf = (measure: (segment: AnalysedNoteLike['segments'][number]) => string) =>
      analysed.reduce(
        (sum, {note}) => sum + note.segments.reduce((inner, segment) => inner + countTokens(measure(segment)), 0),
        0
      )
    const markdownTokens = tokensOf((segment) => segment.markdown)
    const protectedTokens = tokensOf((segment) => segment.text)
    const proseOnlyTokens = tokensOf((segment) => segment.text.replace(new RegExp(TOKEN_PATTERN.source, 'g'), ''))

    const edited = pickEditNote(analysed)
    const fullRoot = path.join(context.workRoot, 'corpus')
    const editRoot = path.join(context.workRoot, 'one-note')
    await corpusProject(fullRoot, corpus)
    await corpusProject(editRoot, [edited.file])

    const fullRatio: number[] = []
    const fullPrompt: number[] = []
    const editShare: number[] = []
    const editPrompt: number[] = []
    const notePrompt: number[] = []
    const instructions: number[] = []
    for (let run = 0; run < context.runs; run++) {
      await resetRunState(fullRoot)
      const {sent, systemPerRequest} = await promptTokensOfSync(context.repoRoot, fullRoot)
      fullPrompt.push(sent)
      fullRatio.push(sent / markdownTokens)
      instructions.push(systemPerRequest)

      await resetRunState(editRoot)
      const notePath = path.join(editRoot, 'notes', edited.file.name)
      await writeFile(notePath, edited.file.bytes)
      const whole = (await promptTokensOfSync(context.repoRoot, editRoot)).sent
      await writeFile(notePath, editParagraph(await readFile(notePath, 'utf8'), edited.paragraph))
      const edit = (await promptTokensOfSync(context.repoRoot, editRoot)).sent
      notePrompt.push(whole)
      editPrompt.push(edit)
      editShare.push(edit / whole)
      context.log(
        `run ${run + 1}/${context.runs}: full ${sent} prompt tokens (${fullRatio.at(-1)!.toFixed(2)} per prose token), edit ${edit} of ${whole}`
      )
    }

    const full = summarise(fullRatio)
    const share = summarise(editShare.map((value) => value * 100))
    return {
      runs: context.runs,
      headlines: [
        {
          label: 'full sync: prompt tokens per source token (segment Markdown)',
          value: full,
          goal: `≤ ${FULL_GOAL}`,
          met: full.median <= FULL_GOAL
        },
        {
          label: "one-paragraph edit: % of the note's full-sync prompt tokens",
          value: share,
          goal: `≤ ${EDIT_GOAL * 100}%`,
          met: share.median <= EDIT_GOAL * 100,
          digits: 1
        }
      ],
      rows: [
        {label: 'source tokens: segment Markdown (whole corpus)', value: markdownTokens},
        {label: 'source tokens: protected segment text (placeholders as sent)', value: protectedTokens},
        {label: 'source tokens: prose only (placeholders removed)', value: proseOnlyTokens},
        {label: 'prompt tokens sent, full sync', value: summarise(fullPrompt), digits: 0},
        {
          label: 'prompt tokens per protected-text token',
          value: summarise(fullPrompt.map((value) => value / protectedTokens))
        },
        {
          label: 'prompt tokens per prose-only token',
          value: summarise(fullPrompt.map((value) => value / proseOnlyTokens))
        },
        {
          label: 'system message tokens per request (median over the full sync)',
          value: summarise(instructions),
          digits: 0
        },
        {
          label: 'edited note',
          value: `${edited.file.name} (${edited.note.segments.length} segments; the corpus note closest to ${EDIT_NOTE_SEGMENTS})`
        },
        {label: 'edited note: full-sync prompt tokens', value: summarise(notePrompt), digits: 0},
        {label: 'edited note: prompt tokens after editing one paragraph', value: summarise(editPrompt), digits: 0}
      ],
      notes: [
        "Prompt tokens are counted from the requests the test server recorded, with the project's tokenizer (o200k_base) plus 4 per message, as the server bills them. The counts are deterministic; the runs only confirm it."
      ]
    }
  }
}

/** Prompt tokens of one sync, and the median size of its system message (the per-request overhead). */
async function promptTokensOfSync(repoRoot: string, root: string): Promise<{sent: number; systemPerRequest: number}> {
  const server = await startServer({})
  try {
    const result = await syncThroughServer(repoRoot, root, server)
    if (result.code !== 0)
      throw new NotMeasured(`sync through the test server exited ${result.code}: ${result.stderr.slice(0, 300)}`)
    const requests = chatRequests(server)
    if (requests.length === 0) throw new NotMeasured('sync made no requests to the test server')
    return {
      sent: requests.reduce((sum, request) => sum + promptTokens(request), 0),
      systemPerRequest: summarise(requests.map(systemTokens)).median
    }
  } finally {
    await server.close()
  }
}

interface EditTarget {
  file: CorpusFile
  note: AnalysedNoteLike
  /** Source offsets of the paragraph to edit. */
  paragraph: {start: number; end: number}
}

/** The corpus note whose segment count is closest to 40, and a paragraph in its middle. */
function pickEditNote(analysed: ReadonlyArray<{file: CorpusFile; note: AnalysedNoteLike}>): EditTarget {
  const candidates = analysed.filter(({note}) => note.segments.some((segment) => segment.kind === 'paragraph'))
  const best = [...candidates].sort(
    (a, b) =>
      Math.abs(a.note.segments.length - EDIT_NOTE_SEGMENTS) - Math.abs(b.note.segments.length - EDIT_NOTE_SEGMENTS) ||
      a.file.name.localeCompare(b.file.name)
  )[0]
  if (!best) throw new NotMeasured('no corpus note has a paragraph segment to edit')
  const paragraphs = best.note.segments.filter((segment) => segment.kind === 'paragraph')
  const paragraph = paragraphs[paragraphs.length >> 1]!
  return {...best, paragraph: {start: paragraph.start, end: paragraph.end}}
}

/** A one-paragraph edit: a sentence added at the end of the paragraph. */
function editParagraph(text: string, paragraph: {start: number; end: number}): string {
  // Segment offsets exclude a byte order mark.
  const end = paragraph.end + (text.startsWith('\uFEFF') ? 1 : 0)
  return `${text.slice(0, end)} This sentence was added in an edit.${text.slice(end)}`
}
