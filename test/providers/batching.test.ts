import {describe, expect, it} from 'vitest'
import {batchByTokens, halve} from '../../src/providers/batching.js'
import {costOf, defaultPrices, priceFor} from '../../src/providers/prices.js'
import {countTokens} from '../../src/providers/tokens.js'

describe('batchByTokens', () => {
  const cost = (n: number) => n

  it('fills batches in order up to the budget', () => {
    expect(batchByTokens([3, 3, 3, 1, 5, 2], cost, {maxTokens: 6, maxItems: 10})).toEqual([[3, 3], [3, 1], [5], [2]])
  })

  it('puts an item over the budget alone, without dropping or splitting it', () => {
    expect(batchByTokens([1, 50, 1, 1], cost, {maxTokens: 10, maxItems: 10})).toEqual([[1], [50], [1, 1]])
  })

  it('caps the items per batch', () => {
    expect(batchByTokens([1, 1, 1, 1, 1], cost, {maxTokens: 100, maxItems: 2})).toEqual([[1, 1], [1, 1], [1]])
  })

  it('returns no batch for no items', () => {
    expect(batchByTokens([], cost, {maxTokens: 10, maxItems: 10})).toEqual([])
  })

  it('halves with the extra item first', () => {
    expect(halve([1, 2, 3])).toEqual([[1, 2], [3]])
    expect(halve([1, 2])).toEqual([[1], [2]])
  })
})

describe('countTokens', () => {
  it('counts with the o200k encoding, offline, treating special-token text as text', () => {
    expect(countTokens('')).toBe(0)
    expect(countTokens('hello')).toBe(1)
    expect(countTokens('<|endoftext|>')).toBeGreaterThan(1)
    expect(countTokens('通义千问 ⟦1⟧Qwen⟦/1⟧')).toBeGreaterThan(4)
  })
})

describe('prices', () => {
  it('prices a dated snapshot as its model, by the longest matching name', () => {
    expect(priceFor('gpt-4o-mini-2024-07-18')).toBe(defaultPrices['gpt-4o-mini'])
    expect(priceFor('gpt-4o-2024-08-06')).toBe(defaultPrices['gpt-4o'])
    expect(priceFor('gpt-4o')).toBe(defaultPrices['gpt-4o'])
    expect(priceFor('gpt-4omni')).toBeUndefined()
    expect(priceFor('llama3.1:8b')).toBeUndefined()
  })

  it('covers OpenAI, DashScope Qwen and DeepSeek models', () => {
    for (const model of ['gpt-4.1-mini', 'gpt-5-mini', 'qwen-plus', 'qwen-mt-turbo', 'deepseek-chat']) {
      expect(priceFor(model), model).toBeDefined()
    }
  })

  it('lets overrides win over the defaults', () => {
    const override = {input: 9, output: 9}
    expect(priceFor('gpt-4o', {'gpt-4o': override})).toBe(override)
    expect(priceFor('my-model-v2', {'my-model': override})).toBe(override)
  })

  it('prices cached prompt tokens separately, and at the input rate when no cached rate is given', () => {
    const usage = {requests: 1, promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 100_000}
    expect(costOf(usage, {input: 2, cachedInput: 0.5, output: 8})).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8, 10)
    expect(costOf(usage, {input: 2, output: 8})).toBeCloseTo(2 + 0.8, 10)
    expect(costOf(usage, undefined)).toBe(0)
  })
})
