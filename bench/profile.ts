/**
 * `node bench/work/build/bench/profile.js <file.cpuprofile> [top]`: a `.cpuprofile` (from
 * `node --cpu-prof`) summarised by self time, per function and per source file, so a hot spot can
 * be named precisely (file, function, share of time) without opening DevTools.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

interface ProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number}
  hitCount?: number
}

interface Profile {
  nodes: ProfileNode[]
  samples?: number[]
  timeDeltas?: number[]
}

export interface HotSpot {
  name: string
  /** Share of all sampled time, 0–1. */
  share: number
}

/** Self time by function (`name file:line`) and by file, largest first. */
export function summariseProfile(profile: Profile, repoRoot: string): {functions: HotSpot[]; files: HotSpot[]} {
  const selfTime = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  samples.forEach((id, index) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (deltas[index] ?? 0))
  })
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0) || 1
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  for (const node of profile.nodes) {
    const time = selfTime.get(node.id) ?? 0
    if (time === 0) continue
    const file = shorten(node.callFrame.url, repoRoot) || `(${node.callFrame.functionName || 'native'})`
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + time)
    byFile.set(file, (byFile.get(file) ?? 0) + time)
  }
  const ranked = (map: Map<string, number>) =>
    [...map].map(([name, time]) => ({name, share: time / total})).sort((a, b) => b.share - a.share)
  return {functions: ranked(byFunction), files: ranked(byFile)}
}

function shorten(url: string, repoRoot: string): string {
  const file = url.startsWith('file://') ? fileURLToPath(url) : url
  return file.startsWith(repoRoot) ? path.relative(repoRoot, file) : file
}

const invokedAs = process.argv[1] ? path.resolve(process.argv[1]) : ''
if (invokedAs === fileURLToPath(import.meta.url)) {
  const [file, top = '25'] = process.argv.slice(2)
  if (!file) {
    console.error('usage: node bench/work/build/bench/profile.js <file.cpuprofile> [top]')
    process.exit(2)
  }
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const {functions, files} = summariseProfile(profile, repoRoot)
  const show = (spots: HotSpot[]) =>
    spots
      .slice(0, Number(top))
      .map((spot) => `${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.name}`)
      .join('\n')
  console.log(`self time by file:\n${show(files)}\n\nself time by function:\n${show(functions)}`)
}
