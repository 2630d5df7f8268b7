/**
 * What a figure is and what it reports: the contract between `main.ts` and `figures/*.ts`.
 */
import type {Stats} from './stats.js'

/** Paths and settings shared by all figures of one bench run. */
export interface BenchContext {
  /** The project root (the folder holding `package.json`). */
  repoRoot: string
  /** `../shared/corpus` from the repo root. */
  corpusRoot: string
  /** Where figures build their trees (`bench/work/`, git-ignored). */
  workRoot: string
  /** Runs per measurement (≥ 5 for published numbers). */
  runs: number
  /** Smaller trees and volumes, for developing the bench itself; never published as results. */
  quick: boolean
  /** Progress for the person waiting (figures never print directly). */
  log(line: string): void
}

/** One measured or derived quantity of a figure. */
export interface Row {
  label: string
  /** A measured quantity (median, min–max), or a fixed value / text. */
  value: Stats | number | string
  unit?: string
  /** Decimals to print. */
  digits?: number
}

/** The one number a figure is judged by: a ratio against a same-run baseline. */
export interface Headline {
  label: string
  value: Stats
  /** `≤ 1.15×`, as printed. */
  goal: string
  /** Whether the median meets the goal. */
  met: boolean
  digits?: number
}

export interface FigureResult {
  headlines: Headline[]
  rows: Row[]
  /** How it was measured, and what limits it when a goal is missed. */
  notes: string[]
}

/** Thrown by a figure whose prerequisites are missing: reported as "not measured: <reason>". */
export class NotMeasured extends Error {
  override readonly name = 'NotMeasured'
}

export interface Figure {
  id: number
  title: string
  /** The goal as the issue states it. */
  goal: string
  run(context: BenchContext): Promise<FigureResult>
}
