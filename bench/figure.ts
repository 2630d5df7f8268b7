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
  /**
   * Whether figures may do fewer runs (never fewer than {@link MIN_RUNS}) when the requested
   * number would not fit their share of the ten minutes the whole bench may take.
   */
  budgeted: boolean
  /** Trees one figure leaves for a later one (figure 2's synced 10k tree for figure 3), by name. */
  handoff: Map<string, string>
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
  /** Runs actually done (see {@link BenchContext.budgeted}). */
  runs: number
  headlines: Headline[]
  rows: Row[]
  /** How it was measured, and what limits it when a goal is missed. */
  notes: string[]
}

/** Thrown by a figure whose prerequisites are missing: reported as "not measured: <reason>". */
export class NotMeasured extends Error {
  override readonly name = 'NotMeasured'
}

/**
 * A command of the project under measurement failed (a bug or unfinished work there, not in the
 * bench): reported as "not measured: <command> exited <code>: <its message>", without a stack.
 */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed'
}

export interface Figure {
  id: number
  title: string
  /** The goal as the issue states it. */
  goal: string
  /** Runs without `../shared/corpus` (its material ships with the repo or its dependencies). */
  corpusFree?: boolean
  run(context: BenchContext): Promise<FigureResult>
}

/** The fewest runs a figure may do under a time budget. */
export const MIN_RUNS = 3

/**
 * How many runs fit: all requested ones when unbudgeted or when they fit `budgetSeconds` at the
 * pace of the first run, else as many as fit, but at least {@link MIN_RUNS}.
 */
export function runsWithin(
  context: Pick<BenchContext, 'runs' | 'budgeted'>,
  firstRunSeconds: number,
  budgetSeconds: number
): number {
  if (!context.budgeted) return context.runs
  const fitting = Math.floor(budgetSeconds / Math.max(firstRunSeconds, 1e-3))
  return Math.min(context.runs, Math.max(MIN_RUNS, fitting))
}
