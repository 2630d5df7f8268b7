/**
 * What the CLI says about the openai SDK's own logging, in a module of its own so that checking
 * the environment does not load the SDK (a pseudo run never needs it: issue 19).
 */

/**
 * Warn when the SDK will log request and response bodies (docs/rules.md S1).
 *
 * @param env
 *   The environment (`process.env` at the CLI).
 * @returns
 *   A one-line warning, or `undefined` when logging is not at debug level.
 */
export function debugLogWarning(env: Record<string, string | undefined>): string | undefined {
  if (env.OPENAI_LOG?.trim().toLowerCase() !== 'debug') return undefined
  return 'OPENAI_LOG=debug makes the openai SDK log every request and response body (your notes and their translations); unset OPENAI_LOG unless you are debugging, and never share that log.'
}
