/**
 * The offline view of a project's translations, shared by `check`, `status` and `diff`: for every
 * note and target locale, whether the target is missing, current, stale or broken, segment by
 * segment. No provider, no key, no network (docs/decisions.md §9).
 *
 * Notes whose source and target hashes both match the lock are current without being parsed
 * (parsing is the expensive step); the stat cache makes those hashes cheap on warm runs.
 */

import {plannedOutput} from '../config/load.js'
import {errnoMessage, isErrno} from '../io/errno.js'
import {contentHash} from '../io/hash.js'
import type {AnalysedNote} from '../pipeline/analyse.js'
import {
  glossaryVersion,
  loadLock,
  openProjectWithoutLock,
  type Problem,
  type Project,
  type ProjectBase,
  type ProjectOptions
} from '../project/project.js'
import {configInputs, inputsFingerprint, keysOf} from '../project/provenance.js'
import {type Orphan, OrphanPool} from '../project/renames.js'
import {
  type PlannedSegment,
  provenByHashes,
  staleAgainst,
  type TargetPlan,
  type TargetVerdict
} from '../project/target-plan.js'
import {LOCK_FILE} from '../state/lock.js'
import type {StatCache} from '../state/stat-cache.js'
import type {Finding} from '../types.js'
import {UserError} from '../types.js'

/** `check`'s view of a target: the plan's verdict, or `broken` when a current target has QA errors. */
export type TargetState = TargetVerdict | 'broken'

/** One source segment as the plan has it (src/project/target-plan.ts), with its line in the target. */
export interface SegmentReport extends PlannedSegment {
  /** Line of the segment in the target, when it has one. */
  targetLine?: number
}

export interface TargetReport {
  note: string
  locale: string
  output: string
  /** What the next sync does to it: the one plan every command reports (src/project/target-plan.ts). */
  plan: Omit<TargetPlan, 'segments'> & {segments?: SegmentReport[]}
  state: TargetState
  /** Source segment count (for status percentages); undefined on the fast path for copies. */
  total?: number
  /** QA and glossary findings on the committed target, with target lines. */
  findings: Finding[]
}

export interface Inspection {
  /** The project; its lock is read only if a target needed it (`loadLock` reads it otherwise). */
  project: ProjectBase
  targets: TargetReport[]
  /** Lock entries whose source note no longer exists. */
  orphaned: Array<{note: string; locale: string}>
  problems: Problem[]
}

export interface InspectOptions extends ProjectOptions {
  /** Parse every note even when hashes match (for `diff` and full QA re-runs). */
  deep?: boolean
  strictGlossary?: boolean
}

export async function inspect(options: InspectOptions): Promise<Inspection> {
  const project = await openProjectWithoutLock({...options, verifyCache: true})
  const cache = project.statCache
  const inspection: Inspection = {project, targets: [], orphaned: [], problems: [...project.problems]}
  await cache.refresh(
    project.plans.flatMap((plan) => [plan.source, ...plan.targets.map((target) => target.output)]),
    {
      // A cold run: the cache vouches for nothing, so the lock will be needed; parse it meanwhile.
      meanwhile: () => loadLock(project)
    }
  )
  // What a current target was last found current against: while the lock, the source, the
  // target and the glossary are unchanged, so is the answer, and the lock need not be read.
  const lockHash = hashOf(cache, LOCK_FILE)
  const checkedAgainst = `current with ${LOCK_FILE} ${lockHash ?? 'none'}`

  let deep: typeof import('./inspect-target.js') | undefined
  // Lock entries of gone notes, for renamed notes to claim (read only when a target is missing).
  let renames: {pool: OrphanPool; locales: Set<string>} | undefined
  const claimed = new Set<string>()
  // A config that names a real provider holds translations to it: pseudo output is not current.
  const real = project.config.provider.named === true && project.config.provider.name !== 'pseudo'
  for (const plan of project.plans) {
    let source: AnalysedNote | undefined
    let sourceHash: string | undefined
    for (const target of plan.targets) {
      try {
        sourceHash ??= hashOf(cache, plan.source)
        const targetHash = hashOf(cache, target.output)
        const report: TargetReport = {
          note: plan.source,
          locale: target.locale,
          output: target.output,
          plan: {verdict: 'current', pending: 0, needsReview: 0, removed: 0},
          state: 'current',
          findings: []
        }
        inspection.targets.push(report)
        const settle = (verdict: TargetVerdict, message?: string) => {
          report.plan = {...report.plan, verdict, ...(message === undefined ? {} : {message})}
          report.state = verdict
        }

        /**
         * The lock entry of a gone note this one is a rename of, as sync claims it (the orphan
         * is then not reported as deleted): sync moves its translation and pays for nothing.
         */
        const claimRename = async (): Promise<Orphan | undefined> => {
          renames ??= renamePool(await loadLock(project), Boolean(options.paths?.length))
          if (!renames.locales.has(target.locale) || target.copy) return undefined
          deep ??= await import('./inspect-target.js')
          source ??= await deep.load(project, plan.source)
          const ids = source.segments.map((segment) => segment.id)
          const orphan = renames.pool.claim(target.locale, sourceHash ?? '', ids)
          if (orphan) claimed.add(`${orphan.note}\0${orphan.locale}`)
          return orphan
        }
        /** Inspects the renamed note's translation (at `file`) against the entry it claimed. */
        const inspectRenamed = async (orphan: Orphan, file: string) => {
          deep ??= await import('./inspect-target.js')
          source ??= await deep.load(project, plan.source)
          const translation = await deep.load(project, file, keysOf(project.config, orphan.entry))
          deep.inspectTarget(project, plan, target, orphan.entry, source, translation, report, {
            ...options,
            replaceMachine: real && orphan.entry.provider === 'pseudo',
            config: configInputs(project.config, target, real),
            renamedFrom: orphan.note
          })
        }

        if (targetHash === undefined) {
          // The translation is still at the old note's path (or gone: then it is missing).
          const orphan = await claimRename()
          if (orphan?.output !== undefined && hashOf(cache, orphan.output) !== undefined) {
            await inspectRenamed(orphan, orphan.output)
            continue
          }
          settle('missing')
          continue
        }
        // What besides the source a current target is current with: the glossary, the config
        // that shapes the output and whether pseudo output is acceptable (docs/state.md).
        const glossary = `${glossaryVersion(project, target.locale) ?? '-'}/${inputsFingerprint(project.config, target)}/${real ? 'real' : 'any'}`
        const remembered = options.deep ? undefined : cache.memo(target.output, checkedAgainst)
        const count =
          remembered === undefined
            ? undefined
            : rememberedCount(remembered, `${target.locale} ${plan.source}`, sourceHash, glossary)
        if (count !== undefined) {
          if (!target.copy) report.total = count
          continue
        }

        const {lock} = await loadLock(project)
        const entry = lock.head(plan.source, target.locale)
        if (!entry) {
          // Moved along with its note (`git mv` of both): sync reads it against the old entry.
          const orphan = await claimRename()
          if (orphan) await inspectRenamed(orphan, target.output)
          else settle('untracked', untrackedMessage)
          continue
        }
        const config = configInputs(project.config, target, real)
        const hashes = {
          source: sourceHash,
          target: targetHash,
          glossary: target.copy ? undefined : glossaryVersion(project, target.locale),
          copy: Boolean(target.copy)
        }
        const inputs = staleAgainst(entry, config)
        if (target.copy) {
          // A copy has no segments to look into: its hashes are the whole story.
          if (provenByHashes(entry, hashes, config))
            cache.remember(target.output, checkedAgainst, `${sourceHash} ${glossary} 0 ${target.locale} ${plan.source}`)
          else
            settle(
              'stale',
              inputs === undefined
                ? 'the source or the copy changed since it was made: run notes-l10n sync'
                : `${inputs} since it was written: run notes-l10n sync (no translation is requested for this)`
            )
          continue
        }
        // Pseudo output under a config that names a real provider is re-translated (looked into
        // below); any other input change is re-assembled for free. (Keying this on the entry's
        // provider alone called pseudo output "not translated" after a config edit in a project
        // whose config names pseudo — found by the simulation.)
        const replaceMachine = real && entry.provider === 'pseudo'
        const unchanged = entry.source === sourceHash && entry.target === targetHash
        if (!options.deep && unchanged && entry.glossary === hashes.glossary) {
          const proven = provenByHashes(entry, hashes, config)
          // A human segment without the source's markup is reported from inside the note.
          if (proven && !entry.reported) {
            report.total = entry.segmentCount
            cache.remember(
              target.output,
              checkedAgainst,
              `${sourceHash} ${glossary} ${entry.segmentCount} ${target.locale} ${plan.source}`
            )
            continue
          }
          if (!proven && !replaceMachine) {
            // Only the config changed: every segment is what it was (the plan says so without a
            // parse), and sync re-assembles the target for free.
            report.total = entry.segmentCount
            report.plan.inputs = inputs
            settle(
              'stale',
              `${inputs} since it was written: run notes-l10n sync (no translation is requested for this)`
            )
            continue
          }
        }

        // Only now is the Markdown parser needed: a check of current targets never loads it.
        deep ??= await import('./inspect-target.js')
        source ??= await deep.load(project, plan.source)
        const full = lock.get(plan.source, target.locale)!
        const translation = await deep.load(project, target.output, keysOf(project.config, full))
        deep.inspectTarget(project, plan, target, full, source, translation, report, {
          ...options,
          replaceMachine,
          config
        })
      } catch (error) {
        if (!(error instanceof UserError)) throw error
        inspection.problems.push({file: target.output, message: error.message})
      }
    }
  }

  if (!options.paths?.length)
    inspection.orphaned = (await orphans(project, cache, lockHash !== undefined)).filter(
      (orphan) => !claimed.has(`${orphan.note}\0${orphan.locale}`)
    )

  // A run over everything looked at every file the cache should know: the rest are gone.
  await cache.save({prune: !options.paths?.length && !options.locales?.length})
  return inspection
}

const untrackedMessage =
  'the target exists but the lock has no record of it: run `notes-l10n sync` to adopt it (its prose is kept as human work; if sync reports code or URLs that differ from the source, make them match or run sync --force to take them from the source)'

/**
 * The segment count of a target remembered as current (`<source hash> <glossary> <count> <locale>
 * <note>`) when it was made for this locale and note, from this source and with this glossary;
 * else undefined.
 */
function rememberedCount(
  remembered: string,
  localeAndNote: string,
  sourceHash: string | undefined,
  glossary: string
): number | undefined {
  // Compared in place, not split: this runs for every target of a warm check.
  const head = `${sourceHash} ${glossary} `
  if (!remembered.startsWith(head) || !remembered.endsWith(` ${localeAndNote}`)) return undefined
  const count = remembered.slice(head.length, remembered.length - localeAndNote.length - 1)
  return /^\d+$/.test(count) ? Number(count) : undefined
}

/** The lock entries of gone notes (renames.ts), like sync's pool; empty for a project inspected by paths, as sync's is. */
function renamePool(project: Project, byPaths: boolean): {pool: OrphanPool; locales: Set<string>} {
  const known = new Set([
    ...project.plans.map((plan) => plan.source),
    ...project.problems.map((problem) => problem.file)
  ])
  const found: Orphan[] = []
  if (!byPaths) {
    for (const [note, locale] of project.lock.keys()) {
      if (known.has(note)) continue
      const entry = project.lock.get(note, locale)!
      found.push({note, locale, entry, output: entry.output ?? plannedOutput(project.config, note, locale)})
    }
  }
  return {pool: new OrphanPool(found), locales: new Set(found.map((orphan) => orphan.locale))}
}

/**
 * Lock entries whose source note no longer exists, for the locales inspected. Remembered with
 * the lock's hash for this set of sources and locales, so that an unchanged project does not
 * read the lock for it.
 */
async function orphans(project: ProjectBase, cache: StatCache, lockExists: boolean): Promise<Inspection['orphaned']> {
  // A note skipped for a problem is reported as that problem, not as gone.
  const known = new Set([
    ...project.plans.map((plan) => plan.source),
    ...project.problems.map((problem) => problem.file)
  ])
  const locales = new Set(project.plans.flatMap((plan) => plan.targets.map((target) => target.locale)))
  const name = `orphans among ${contentHash(JSON.stringify([[...known], [...locales].sort()]))}`
  const remembered = lockExists ? cache.memo(LOCK_FILE, name) : '[]'
  if (remembered !== undefined) return JSON.parse(remembered) as Inspection['orphaned']

  const found: Inspection['orphaned'] = []
  for (const [note, locale] of (await loadLock(project)).lock.keys()) {
    if (!known.has(note) && (locales.size === 0 || locales.has(locale))) found.push({note, locale})
  }
  cache.remember(LOCK_FILE, name, JSON.stringify(found))
  return found
}

/** Hash of the file's bytes (what the lock records), or undefined when it does not exist. */
function hashOf(cache: StatCache, file: string): string | undefined {
  try {
    return cache.hashSync(file)
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined
    throw new UserError(`${file}: cannot be read (${errnoMessage(error)})`)
  }
}
