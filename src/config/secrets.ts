/**
 * API keys do not belong in a committed config file (docs/rules.md S2): they come from
 * `OPENAI_API_KEY` only. This finds anything that looks like one, anywhere in the JSON.
 *
 * Messages name where the secret is, never the secret itself.
 */

/** Key names that can only mean a credential. */
const SECRET_KEY =
  /^(?:(?:openai)?[-_]?api[-_]?key|secret|secret[-_]?key|password|token|access[-_]?token|auth|authorization|bearer)$/i

/** OpenAI-style keys (`sk-…`, `sk-proj-…`) and bearer headers. */
const SECRET_VALUE = /(?:^|[^A-Za-z\d])sk-[A-Za-z\d_-]{16,}|^Bearer\s+\S{16,}/

/** Whether a string looks like a credential (used to redact values shown in messages). */
export function looksLikeSecret(value: string): boolean {
  return SECRET_VALUE.test(value)
}

/**
 * Every place in `json` holding a credential, as JSON paths (`provider.apiKey`).
 */
export function findSecrets(json: unknown, at = ''): string[] {
  const found: string[] = []

  if (typeof json === 'string') {
    if (looksLikeSecret(json)) found.push(at || '(root)')
  } else if (Array.isArray(json)) {
    json.forEach((item, index) => {
      found.push(...findSecrets(item, `${at}[${index}]`))
    })
  } else if (json !== null && typeof json === 'object') {
    for (const [key, value] of Object.entries(json)) {
      const where = at ? `${at}.${key}` : key
      // Front-matter policy keys are the user's own field names (a note may well have `token:`).
      const namesAreFieldNames = at === 'frontmatter' || at.startsWith('frontmatter.perLocale.')
      if (!namesAreFieldNames && SECRET_KEY.test(key) && value !== '' && value !== null && value !== false)
        found.push(where)
      else found.push(...findSecrets(value, where))
    }
  }

  return found
}
