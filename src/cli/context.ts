import type {Output} from './output.js'

/** What every command registration gets: where to print, where it runs, and how to set the exit code. */
export interface CommandContext {
  out: Output
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  setExit: (code: number) => void
  /** Whether the terminal shows live output (progress bars); tests force it either way. */
  isTTY: boolean
  /**
   * When the CLI is its own process (`MainOptions.ownsProcess`): the heap size from which a sync
   * slows V8's heap growth (src/cli/heap-growth.ts). Undefined: process-wide settings are left alone.
   */
  slowHeapGrowthFrom: number | undefined
}
