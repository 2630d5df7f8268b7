/**
 * Contracts shared by the pipeline stages, the providers, the glossary and the state layer.
 *
 * Everything here is plain data so that every stage can be tested on its own with fixtures.
 * See docs/architecture.md for how the stages fit together.
 */

/** A BCP-47 language tag as written in config and on the command line (`es`, `zh-Hant`). */
export type Locale = string

/**
 * A placeholder token as it appears in protected text.
 *
 * Atoms are `⟦n⟧`; paired markup is `⟦n⟧ … ⟦/n⟧` (the open token of a pair looks like an atom —
 * the token table says which it is). `n` is a positive integer unique within one segment.
 * Shared and global: use only with `matchAll`/`replace`, never `.exec`/`.test` (they move `lastIndex`).
 */
export const TOKEN_PATTERN = /⟦(\/?)(\d+)⟧/g

/** What a placeholder stands for: the model never sees this, only `⟦n⟧`. */
export interface Token {
  /** The number used in `⟦n⟧`. */
  n: number
  /** `atom` stands alone; `pair` has an open and a close token around translatable text. */
  shape: 'atom' | 'pair'
  /**
   * What kind of source construct it protects: used in validation messages, glossary reports,
   * XLIFF/PO export (`<ph>`/`<pc>` types) and the instructions sent to the model.
   */
  kind:
    | 'code'
    | 'math'
    | 'html'
    | 'url'
    | 'autolink'
    | 'footnote'
    | 'reference'
    | 'charref'
    | 'break'
    | 'escape'
    | 'term'
    | 'link'
    | 'image'
    | 'emphasis'
    | 'strong'
    | 'delete'
    | 'htmlPair'
  /** Source text restored for an atom, or for the open side of a pair. */
  open: string
  /** Source text restored for the close side of a pair (empty for atoms). */
  close: string
  /**
   * Link or image destination (and definition URL for references), compared byte-for-byte by the
   * URL validator after restore.
   */
  url?: string
}

/** What a segment is, in the source document. */
export type SegmentKind =
  | 'paragraph'
  | 'heading'
  | 'tableCell'
  | 'imageAlt'
  | 'linkTitle'
  | 'definitionTitle'
  | 'jsxAttribute'
  | 'frontmatter'

/**
 * One unit of translation: a leaf block's phrasing content (or a title, alt text, or a
 * front-matter value), located in the source by character offsets.
 */
export interface Segment {
  /**
   * Content address: hash of the normalised protected text, plus `~k` for the k-th duplicate
   * (k ≥ 2) in one document. Stable when other segments are inserted, moved or removed.
   */
  id: string
  kind: SegmentKind
  /** For `frontmatter` segments: the key (`title`). */
  key?: string
  /** 1-based line of the segment's first character in the source file (as the user sees it). */
  line: number
  /** UTF-16 offsets into the document text (BOM removed) of the bytes this segment replaces. */
  start: number
  end: number
  /**
   * Logical Markdown of the segment: container prefixes (`> `, list indentation) removed from
   * continuation lines and line endings normalised to `\n`. Splicing re-adds both.
   */
  markdown: string
  /** `markdown` with protected constructs replaced by tokens: what the translator sees. */
  text: string
  /** The tokens occurring in `text`, by number. */
  tokens: Token[]
}

/** A deterministic finding: a QA rule violation, glossary violation, or state problem. */
export interface Finding {
  /** Rule id, e.g. `Q1`, `L7`, `G1` (glossary), or a state word (`stale`); every id is explained in docs/rules.md. */
  rule: string
  /** `error` blocks the segment or file (never written); `warning` is reported only. */
  severity: 'error' | 'warning'
  /** One line: what was received, what was expected. */
  message: string
  /** The segment concerned, when there is one. */
  segment?: string
  /** 1-based source line, when known. */
  line?: number
}

/** A glossary term that must be rendered a given way in this batch (only terms that occur in it). */
export interface RequiredTerm {
  source: string
  target: string
  /** Other accepted renderings (inflected forms). */
  variants?: string[]
  note?: string
}

/** A read-only piece of context sent with a batch: it is never translated or taken back. */
export interface ContextSegment {
  text: string
  /** Its existing translation, when there is one (helps keep tone and terms consistent). */
  translation?: string
}

/** One note's worth of work for a provider: the segments of one note for one target locale. */
export interface TranslateJob {
  /** Source path relative to the project root, for messages and reports. */
  note: string
  sourceLocale: Locale
  targetLocale: Locale
  /** Protected source text by segment id. Order is the document order. */
  segments: ReadonlyArray<{id: string; text: string}>
  /** The note's title (read-only context). */
  title?: string
  /**
   * Neighbouring segments by segment id: read-only context for that segment's batch. `title`
   * overrides the job's title for that segment (a job packed from several notes carries each
   * note's title per segment).
   */
  context?: ReadonlyMap<string, {before?: ContextSegment; after?: ContextSegment; title?: string}>
  /** Terms by segment id. Providers send only the terms of the segments in each request. */
  terms?: ReadonlyMap<string, readonly RequiredTerm[]>
  /**
   * Validates one candidate translation. Providers must call it before accepting a segment and
   * must never accept one with an `error` finding; error findings are fed back to the model on a
   * validation retry.
   */
  check(id: string, translation: string): Finding[]
  /** Called as soon as a request's segments are accepted, so they can be journaled (crash safety). */
  onAccepted?(accepted: ReadonlyMap<string, string>): void | Promise<void>
}

/** Tokens and requests spent, as reported by the provider (`usage`) or counted by us. */
export interface Usage {
  requests: number
  promptTokens: number
  completionTokens: number
  cachedTokens: number
  /** Estimated cost in USD from the price table; 0 when the model has no price. */
  costUsd: number
}

/** What a provider returns for one job. Every segment id of the job is in exactly one of the maps. */
export interface TranslateOutcome {
  /** Accepted translations (protected text, tokens intact) by segment id. */
  translations: Map<string, string>
  /** Segments that could not be translated, with a one-line reason. */
  failures: Map<string, string>
  /** Warning-level findings on accepted segments. */
  findings: Finding[]
  usage: Usage
  /**
   * Translations taken from another occurrence of the same segment in this run, without a
   * request: segment id → the note whose request paid for it (`src/providers/packer.ts`).
   */
  reused?: Map<string, string>
}

export interface Provider {
  /** `pseudo`, `openai`, … */
  readonly name: string
  /** The model recorded in the lock (`gpt-4o-mini`); `pseudo` for the pseudo provider. */
  readonly model: string
  translate(job: TranslateJob, options?: {signal?: AbortSignal}): Promise<TranslateOutcome>
}

/** Errors the user can fix. The CLI prints `message` as one line and exits with `exitCode`. */
export class UserError extends Error {
  override readonly name = 'UserError'
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2
  ) {
    super(message)
  }
}
