/**
 * Process checks: whether the owner of a run lock or temp file is still running.
 */
import {errnoCode} from './errno.js'

/** Whether a process with this pid exists on this host (a process owned by another user counts). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}
