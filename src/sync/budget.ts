/**
 * The provider side of a run's plan: settings (flags over config), how requests are shaped and
 * priced, one provider per locale model, and the `--max-cost` refusal, all over the plan's
 * estimate rather than a second run.
 */

import type {Project} from '../project/project.js'
import {type Estimate, emptyEstimate} from '../providers/estimate.js'
import type {OpenAIProvider} from '../providers/openai.js'
import {type Price, priceFor} from '../providers/prices.js'
import {type RequestSettings, requestSettings} from '../providers/requests.js'
import {defaultModel, type ProviderMaker, type ProviderSettings} from '../providers/select.js'
import type {Provider, Usage} from '../types.js'
import {UserError} from '../types.js'
import type {SyncOptions} from './types.js'

/** Provider settings of a run: flags over config. */
export function providerSettings(project: Project, options: Pick<SyncOptions, 'provider'>): ProviderSettings {
  return {...project.config.provider, ...definedOnly(options.provider ?? {})}
}

/** How the configured provider's requests are shaped and priced. */
export interface Pricing {
  settings: RequestSettings
  price: Price | undefined
}

/** Request settings and price of the provider `settings` describe (no provider is created). */
export function pricingOf(settings: ProviderSettings, env: Readonly<Record<string, string | undefined>>): Pricing {
  const model = settings.model ?? (settings.name === 'pseudo' ? 'pseudo' : defaultModel)
  return {
    settings: requestSettings(model, settings.baseURL ?? env.OPENAI_BASE_URL, {
      maxBatchTokens: settings.maxBatchTokens
    }),
    price: settings.name === 'pseudo' ? {input: 0, output: 0} : priceFor(model, settings.prices)
  }
}

/** Refuse to start a run whose cost cannot be known under `--max-cost`. */
export function refuseUnpriced(options: SyncOptions, settings: ProviderSettings, pricing: Pricing): void {
  if (settings.name === 'pseudo' && !options.providerOverride) return
  if (!pricing.price) {
    throw new UserError(
      `--max-cost ${options.maxCostUsd}: the cost of model ${pricing.settings.model} is unknown — add its price to provider.prices in the config (USD per million tokens), or drop --max-cost`
    )
  }
}

/** Refuse to start a run whose plan is estimated above `maxCostUsd`: nothing is sent. */
export function refuseOverBudget(maxCostUsd: number, estimate: Estimate | undefined): void {
  const total = estimate ?? emptyEstimate()
  if (total.costUsd > maxCostUsd) {
    throw new UserError(
      `--max-cost ${maxCostUsd}: this run is estimated at $${total.costUsd.toFixed(4)} (${total.requests} requests, ${total.promptTokens} prompt + ${total.completionTokens} completion tokens); nothing was sent — raise --max-cost, or sync fewer notes or locales (see sync --dry-run)`,
      1
    )
  }
}

/**
 * Per-locale models (`provider.models` in the config, by locale tag): one provider a model, made
 * on first use. `--model` on the command line, a provider given by a test, and the pseudo
 * provider use one provider for every locale.
 */
export function perLocaleProviders(
  project: Project,
  options: SyncOptions,
  settings: ProviderSettings,
  provider: Provider | undefined,
  /** The maker `provider` came from (undefined for a provider given by a test, or none). */
  make: ProviderMaker | undefined
): (locale: string) => Provider | undefined {
  const models = project.config.provider.models
  if (
    !provider ||
    !make ||
    options.providerOverride ||
    options.provider?.model ||
    settings.name === 'pseudo' ||
    Object.keys(models).length === 0
  ) {
    return () => provider
  }
  const byModel = new Map<string, Provider>([[provider.model, provider]])
  return (locale) => {
    const model = models[locale]
    if (!model) return provider
    let chosen = byModel.get(model)
    if (!chosen) {
      chosen = make({...settings, model, maxCostUsd: options.maxCostUsd})
      byModel.set(model, chosen)
    }
    return chosen
  }
}

/** The run's usage so far and requests in flight, when the provider reports them. */
export function activityOf(provider: Provider | undefined): {usage?: Usage; inFlight?: number} {
  const reporting = provider as Partial<Pick<OpenAIProvider, 'usage' | 'activity'>> | undefined
  return {
    ...(typeof reporting?.usage === 'function' ? {usage: reporting.usage()} : {}),
    ...(typeof reporting?.activity === 'function' ? {inFlight: reporting.activity().inFlight} : {})
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
