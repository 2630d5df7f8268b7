/**
 * The machine a result was measured on: results are only comparable on the same one.
 */
import os from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  platform: string
  node: string
  date: string
  /** 1-minute load average when the bench started: a loaded machine explains noisy numbers. */
  load: number
}

export function describeMachine(now = new Date()): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: now.toISOString(),
    load: os.loadavg()[0] ?? 0
  }
}
