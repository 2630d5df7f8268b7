import {describe, expect, it} from 'vitest'
import {formatStats, ratios, summarise} from '../../bench/stats.js'

describe('bench statistics', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    expect(summarise([9, 1, 5, 3, 7])).toMatchObject({median: 5, min: 1, max: 9, samples: [9, 1, 5, 3, 7]})
  })

  it('averages the two middle samples of an even count', () => {
    expect(summarise([4, 1, 3, 2]).median).toBe(2.5)
  })

  it('refuses an empty sample list instead of reporting NaN', () => {
    expect(() => summarise([])).toThrow(/no samples/)
  })

  it('pairs ratios run by run, never across runs', () => {
    expect(ratios([10, 30], [5, 10])).toEqual([2, 3])
  })

  it('prints median then range, and a single value without a range', () => {
    expect(formatStats(summarise([1.234, 2, 1.5]), 2, 's')).toBe('1.50 s (1.23–2.00)')
    expect(formatStats(summarise([3, 3]), 1)).toBe('3.0')
  })
})
