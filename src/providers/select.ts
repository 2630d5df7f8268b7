import type {Provider} from '../types.js'
import {UserError} from '../types.js'
import type {OpenAIProviderOptions} from './openai.js'
import {createPackingProvider, type NoteGate} from './packer.js'
import {createPseudoProvider} from './pseudo.js'

/** Provider settings after config and flags are merged (the key is never part of them). */
export interface ProviderSettings {
  name: string
  model?: string
  baseURL?: string
  concurrency?: number
  responseFormat?: 'auto' | 'json_schema' | 'json_object'
  prices?: OpenAIProviderOptions['prices']
  timeoutMs?: number
  maxReplyBytes?: number
  maxRetries?: number
  validationRetries?: number
  maxBatchTokens?: number
  /** Wait this long at most for a `retry-after` over 60 s before stopping the run (default: stop). */
  maxLongRetryAfterMs?: number
  /** Stop before a request that would bring the run's estimated cost over this many USD (`--max-cost`). */
  maxCostUsd?: number
}

/**
 * The endpoint a run talks to — `--base-url` or `provider.baseURL`, else `OPENAI_BASE_URL`, else
 * `undefined` (OpenAI) — checked to be an absolute http(s) URL.
 *
 * @throws {UserError}
 *   One line naming where the value came from, with `http://` suggested when the scheme is
 *   missing (`127.0.0.1:8080/v1`, `localhost:11434/v1`).
 */
export function endpointOf(
  settings: Pick<ProviderSettings, 'baseURL'>,
  env: Readonly<Record<string, string | undefined>>
): string | undefined {
  const fromEnv = settings.baseURL === undefined
  const value = settings.baseURL ?? env.OPENAI_BASE_URL
  if (value === undefined || (fromEnv && value.trim() === '')) return undefined
  const source = fromEnv ? 'OPENAI_BASE_URL' : '--base-url (or provider.baseURL in the config)'
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return value
  const shown = JSON.stringify(value.length > 200 ? `${value.slice(0, 199)}…` : value)
  // `localhost:8080/v1` parses as a URL with the scheme `localhost:`: look at the text, not the parse.
  const schemeless = /^(localhost|[\w-]+(\.[\w-]+)+|\[[\da-f:]+\])(:\d+)?(\/|$)/i.test(value)
  const hint = schemeless
    ? `: did you mean http://${value} (or https://${value})?`
    : ': expected an http(s) URL such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1'
  throw new UserError(`${source} ${shown} is not an http(s) URL${hint}`)
}

/** A provider plus what the run summary needs to know about its costs. */
export type SelectedProvider = Provider & {
  /** False when the model has no price in the table: costs are reported as unknown. */
  readonly priced: boolean
}

export const defaultModel = 'gpt-4.1-mini'

const providerNames = ['openai', 'pseudo'] as const

/** Makes the provider a run uses, for one model's settings (`provider.models` makes one a model). */
export type ProviderMaker = (settings: ProviderSettings) => SelectedProvider

/**
 * Loads what the provider named `name` needs and returns its maker.
 *
 * The `openai` provider's modules (the SDK: ~150 modules, ~0.2 s and ~15 MB before the first
 * request) are imported here, only by runs that use it: a pseudo run, a dry run and every other
 * command never load them (issue 19; bench/limits.md section 7, "Start-up").
 *
 * The API key is read by the maker, from the environment only (docs/rules.md S2), and handed to the
 * provider; it is never stored in settings, results or messages.
 *
 * @throws {UserError} for an unknown provider name.
 */
export async function providerMaker(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  /** The run's notes in flight, so requests are packed across all of them (`packer.ts`). */
  gate?: NoteGate
): Promise<ProviderMaker> {
  switch (name) {
    case 'pseudo':
      return () => Object.assign(createPseudoProvider(), {priced: true})
    case 'openai': {
      const {createOpenAIProvider} = await import('./openai.js')
      return (settings) => {
        const apiKey = env.OPENAI_API_KEY
        if (!apiKey) {
          throw new UserError(
            'OPENAI_API_KEY is not set: export it (export OPENAI_API_KEY=…) for OpenAI or any OpenAI-compatible endpoint (with OPENAI_BASE_URL or --base-url), or run with --provider pseudo to try the pipeline offline'
          )
        }
        const {name: _name, model, baseURL: _baseURL, ...rest} = settings
        const chosen = model ?? defaultModel
        // Jobs of many notes share requests and exact duplicates are sent once (`packer.ts`).
        return createPackingProvider(
          createOpenAIProvider({...rest, apiKey, baseURL: endpointOf(settings, env), model: chosen}),
          {
            maxBatchTokens: rest.maxBatchTokens,
            pack: !chosen.startsWith('qwen-mt'),
            ...(gate ? {gate} : {})
          }
        )
      }
    }
    default:
      throw new UserError(
        `unknown provider "${name}": expected one of ${providerNames.join(', ')} (--provider or provider.name in the config)`
      )
  }
}
