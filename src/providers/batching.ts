/**
 * Group a note's segments into requests.
 *
 * Pure: the caller supplies the cost of each item (tokens, from `tokens.ts`), so this module can be
 * tested with plain numbers.
 */

/** Limits of one request. */
export interface BatchLimits {
  /** Sum of item costs allowed per batch. An item that alone exceeds it gets a batch of its own. */
  maxTokens: number
  /**
   * Items allowed per batch. Each item is one required property of the strict JSON schema, and
   * endpoints cap the number of schema properties; small batches also keep a retry cheap.
   */
  maxItems: number
}

/**
 * Cut `items` into consecutive batches, keeping their order (document order gives the model the
 * most coherent context), each within `limits`.
 *
 * Greedy and order-preserving rather than bin-packing: re-ordering would mix distant parts of a
 * note into one request and make the requests of a re-run differ more than the text did.
 *
 * @param items
 *   Items in document order.
 * @param cost
 *   Cost of one item (prompt tokens of its text).
 * @param limits
 *   Budget per batch.
 * @returns
 *   Non-empty batches whose concatenation is `items`.
 */
export function batchByTokens<T>(items: readonly T[], cost: (item: T) => number, limits: BatchLimits): T[][] {
  const batches: T[][] = []
  let current: T[] = []
  let currentCost = 0

  for (const item of items) {
    const itemCost = cost(item)
    const fits = currentCost + itemCost <= limits.maxTokens && current.length < limits.maxItems

    if (current.length > 0 && !fits) {
      batches.push(current)
      current = []
      currentCost = 0
    }

    current.push(item)
    currentCost += itemCost
  }

  if (current.length > 0) batches.push(current)
  return batches
}

/**
 * Split a batch in two halves (the first gets the extra item), for a reply cut at the token limit.
 *
 * @returns
 *   Two non-empty halves; callers only split batches of two or more items.
 */
export function halve<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2)
  return [items.slice(0, middle), items.slice(middle)]
}
