/**
 * The API key never reaches an output or a file (README "No secret leaks"; docs/rules.md Q28, docs/providers.md).
 *
 * A secret is recognised in the forms a reply, a library message or an echoing server can carry
 * it: verbatim, base64 (standard and URL-safe, at each of the three byte alignments), hex,
 * percent-encoded byte by byte, and any run of {@link FRAGMENT} or more consecutive characters of
 * one of those (a truncated key). Anything shaped like an OpenAI key (`sk-…`, `sk-proj-…`) is
 * redacted whoever it belongs to.
 *
 * The CLI registers the key once ({@link registerSecret}); the io layer redacts everything it
 * writes with {@link redactSecrets}, and the pipeline rejects a translation that
 * {@link containsSecret}. Matching is linear: candidate runs are found with one character-class
 * scan, and each position of a run is looked up once in a set of fixed-length windows.
 */

/** Characters of a secret and of its encodings (base64, hex, percent-encoding). */
const RUN = /[A-Za-z0-9_+/=%.~-]+/g
/** Anything shaped like an OpenAI key, including truncated or elided ones (`sk-abc…`). */
const KEY_SHAPE = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_*.…-]{6,}/g
/** Consecutive characters of a secret (or of an encoding of it) that identify it. */
const FRAGMENT = 12
/** Below this length a secret is only matched whole: its fragments would be ordinary words. */
const MIN_FRAGMENT_SOURCE = 20

export const REDACTED = '[redacted]'

export interface Redactor {
  /**
   * `text` with every recognisable form of the secrets replaced by `[redacted]`, and with
   * key-shaped tokens too unless `shapes` is false (a note's own text may mention `sk-learn-…`:
   * notes and run state keep it, messages and reports do not).
   */
  redact(text: string, shapes?: boolean): string
  /**
   * Whether `text` holds a secret, an encoding of it, a fragment of one, or a key-shaped token
   * that `source` does not have (a note may well mention `sk-learn-contrib`).
   */
  contains(text: string, source?: string): boolean
}

/** A redactor for `secrets` (those shorter than 8 characters are ignored: they would match words). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = secrets.filter((secret) => secret.length >= 8).flatMap(encodings)
  const windows = new Set<string>()
  const whole = new Set<string>()
  for (const form of forms) {
    if (form.length < MIN_FRAGMENT_SOURCE) whole.add(form)
    else for (let index = 0; index + FRAGMENT <= form.length; index++) windows.add(form.slice(index, index + FRAGMENT))
  }

  /** Ranges of `text` that hold a secret form or fragment, merged, in order. */
  const ranges = (text: string, firstOnly: boolean, source?: string, shapes = true): Array<[number, number]> => {
    const found: Array<[number, number]> = []
    const add = (start: number, end: number) => found.push([start, end])
    for (const match of shapes ? text.matchAll(KEY_SHAPE) : []) {
      if (source?.includes(match[0])) continue
      add(match.index, match.index + match[0].length)
      if (firstOnly) return found
    }
    if (forms.length === 0) return found
    for (const match of text.matchAll(RUN)) {
      const run = match[0]
      if (whole.size > 0) {
        for (const form of whole) {
          for (let at = run.indexOf(form); at !== -1; at = run.indexOf(form, at + 1)) {
            add(match.index + at, match.index + at + form.length)
            if (firstOnly) return found
          }
        }
      }
      if (windows.size === 0 || run.length < FRAGMENT) continue
      for (let index = 0; index + FRAGMENT <= run.length; index++) {
        if (!windows.has(run.slice(index, index + FRAGMENT))) continue
        add(match.index + index, match.index + index + FRAGMENT)
        if (firstOnly) return found
      }
    }
    return found.sort((a, b) => a[0] - b[0])
  }

  return {
    redact(text, shapes = true) {
      const found = ranges(text, false, undefined, shapes)
      if (found.length === 0) return text
      let result = ''
      let cursor = 0
      for (const [start, end] of mergeSorted(found)) {
        if (end <= cursor) continue
        result += text.slice(cursor, Math.max(cursor, start)) + REDACTED
        cursor = end
      }
      return result + text.slice(cursor)
    },
    contains: (text, source) => ranges(text, true, source).length > 0
  }
}

function mergeSorted(ranges: Array<[number, number]>): Array<[number, number]> {
  const merged: Array<[number, number]> = []
  for (const [start, end] of ranges) {
    const last = merged.at(-1)
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return merged
}

/** The secret and the encodings a reply or a URL could carry it in. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms = new Set<string>([secret, bytes.toString('hex'), bytes.toString('hex').toUpperCase()])
  forms.add([...bytes].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''))
  forms.add([...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''))
  forms.add(encodeURIComponent(secret))
  // base64 at each alignment: the secret may sit after 0, 1 or 2 other bytes; the characters that
  // mix in those neighbours (the first one or two and the last one or two) are left out.
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes])
    const encoded = padded.toString('base64').replace(/=+$/, '')
    const start = offset === 0 ? 0 : offset + 1
    const stable = encoded.slice(start, encoded.length - 2)
    forms.add(stable)
    forms.add(stable.replaceAll('+', '-').replaceAll('/', '_'))
  }
  return [...forms].filter((form) => form.length >= 8)
}

let registered: Redactor = createRedactor([])
const registeredSecrets: string[] = []

/**
 * Register a secret for the whole process (the CLI does, once, with `OPENAI_API_KEY`): every file
 * the io layer writes from then on is redacted, and translations holding it are rejected.
 */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 8 || registeredSecrets.includes(secret)) return
  registeredSecrets.push(secret)
  registered = createRedactor(registeredSecrets)
}

/** {@link Redactor.redact} with the registered secrets. */
export function redactSecrets(text: string, shapes = true): string {
  return registered.redact(text, shapes)
}

/** {@link Redactor.contains} with the registered secrets (and the `sk-…` shape). */
export function containsSecret(text: string, source?: string): boolean {
  return registered.contains(text, source)
}
