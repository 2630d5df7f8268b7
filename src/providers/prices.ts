/**
 * Estimated prices, in USD per one million tokens, for the run summary's cost figure.
 *
 * Figures are the list prices (standard tier, pay-as-you-go, no batch discount) as published on
 * the vendors' pricing pages — platform.openai.com/docs/pricing, api-docs.deepseek.com/quick_start/pricing
 * and alibabacloud.com/help/en/model-studio/models (international/Singapore region) — as known on
 * 2025-10-01 (recorded without re-checking the pages online when this table was written). Prices
 * change: they are an estimate only, and config can override or add models.
 * Where a vendor publishes no cached-input price, `cachedInput` equals `input` (no discount);
 * DashScope bills implicit-cache hits at 20 % of the input price.
 */

import type {Usage} from '../types.js'

/** USD per one million tokens. */
export interface Price {
  input: number
  /** Cached prompt tokens; absent → priced as `input` (no cache discount). */
  cachedInput?: number
  output: number
}

/** Prices by model name; a name also prices its dated snapshots (`gpt-4o-mini-2024-07-18`). */
export type PriceTable = Readonly<Record<string, Price>>

export const defaultPrices: PriceTable = {
  // OpenAI
  'gpt-5': {input: 1.25, cachedInput: 0.125, output: 10},
  'gpt-5-mini': {input: 0.25, cachedInput: 0.025, output: 2},
  'gpt-5-nano': {input: 0.05, cachedInput: 0.005, output: 0.4},
  'gpt-4.1': {input: 2, cachedInput: 0.5, output: 8},
  'gpt-4.1-mini': {input: 0.4, cachedInput: 0.1, output: 1.6},
  'gpt-4.1-nano': {input: 0.1, cachedInput: 0.025, output: 0.4},
  'gpt-4o': {input: 2.5, cachedInput: 1.25, output: 10},
  'gpt-4o-mini': {input: 0.15, cachedInput: 0.075, output: 0.6},
  o3: {input: 2, cachedInput: 0.5, output: 8},
  'o4-mini': {input: 1.1, cachedInput: 0.275, output: 4.4},
  'gpt-3.5-turbo': {input: 0.5, cachedInput: 0.5, output: 1.5},
  // DeepSeek (V3.2 prices, both modes)
  'deepseek-chat': {input: 0.28, cachedInput: 0.028, output: 0.42},
  'deepseek-reasoner': {input: 0.28, cachedInput: 0.028, output: 0.42},
  // Alibaba Cloud Model Studio (DashScope), lowest input tier
  'qwen-max': {input: 1.6, cachedInput: 0.32, output: 6.4},
  'qwen-plus': {input: 0.4, cachedInput: 0.08, output: 1.2},
  'qwen-flash': {input: 0.05, cachedInput: 0.01, output: 0.4},
  'qwen-turbo': {input: 0.05, cachedInput: 0.01, output: 0.2},
  'qwen-mt-plus': {input: 2.46, cachedInput: 2.46, output: 7.37},
  'qwen-mt-turbo': {input: 0.16, cachedInput: 0.16, output: 0.49}
}

/**
 * Find the price of `model`: an exact entry, else the longest entry that is a prefix of the name
 * followed by `-` (so `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`, not as `gpt-4o`).
 *
 * @param model
 *   Model name as sent to the API.
 * @param overrides
 *   Config prices, consulted before the defaults.
 * @returns
 *   The price, or `undefined` for an unknown model (its cost is then reported as 0 and flagged).
 */
export function priceFor(model: string, overrides: PriceTable = {}): Price | undefined {
  for (const table of [overrides, defaultPrices]) {
    const exact = table[model]
    if (exact) return exact
    let best: string | undefined
    for (const name of Object.keys(table)) {
      if (model.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) {
        best = name
      }
    }
    if (best !== undefined) return table[best]
  }
  return undefined
}

/**
 * Cost in USD of the tokens in `usage` (its `costUsd` is ignored). Cached prompt tokens are part of
 * `promptTokens` and priced at the cached rate.
 */
export function costOf(usage: Omit<Usage, 'costUsd'>, price: Price | undefined): number {
  if (!price) return 0
  const uncached = Math.max(0, usage.promptTokens - usage.cachedTokens)
  return (
    (uncached * price.input +
      usage.cachedTokens * (price.cachedInput ?? price.input) +
      usage.completionTokens * price.output) /
    1_000_000
  )
}

/** A fresh all-zero usage (callers add into it). */
export function emptyUsage(): Usage {
  return {requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, costUsd: 0}
}

/** Add `add` into `total`, every field (cost included) as is: pricing is {@link costOf}'s job. */
export function addUsage(total: Usage, add: Usage): void {
  total.requests += add.requests
  total.promptTokens += add.promptTokens
  total.completionTokens += add.completionTokens
  total.cachedTokens += add.cachedTokens
  total.costUsd += add.costUsd
}
