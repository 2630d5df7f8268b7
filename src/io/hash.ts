import {createHash} from 'node:crypto'

/**
 * Short content hash: base64url of SHA-256, cut to `length` characters (6 bits each).
 *
 * The default of 10 characters (60 bits) is plenty for ids compared within one note, and keeps
 * the committed lock small (see docs/architecture.md, "Lock size").
 */
export function contentHash(text: string | Uint8Array, length = 10): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length)
}
