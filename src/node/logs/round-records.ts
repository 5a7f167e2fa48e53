/**
 * Reading a member's round records (DIR/rounds/<r>.json, written by the coordinator when a
 * round ends — docs/CLI.md, "Files in DIR") for `secagg results` and `secagg logs --summary`.
 * The record is the member's last word on a round (a late result overwrites a skipped
 * round), so it settles what a restarted or truncated log leaves open. A file that cannot be
 * read is reported with its path and skipped, never fatal.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What `secagg` shows of one round record; fields a record lacks stay undefined. */
export interface RoundView {
  readonly round: number
  readonly attempt?: number
  readonly aggregator?: string
  readonly outcome: 'result' | 'aborted' | 'skipped'
  /** Why the round was aborted or skipped (the record's reason, "skipped: " removed). */
  readonly reason?: string
  /** Peer ids whose inputs are in the sum. */
  readonly included?: readonly string[]
  readonly includedSelf?: boolean
  readonly weightSum?: number
  /** Train task: the new global model on this member's validation split. */
  readonly accuracy?: number
  readonly auc?: number
  /** The file it came from. */
  readonly path: string
}

export interface RoundRecords {
  readonly rounds: RoundView[]
  /** Files that were not readable round records, with why. */
  readonly bad: Array<{ path: string, why: string }>
}

const ROUND_FILE = /^(\d+)\.json$/

const num = (v: unknown): number | undefined => typeof v === 'number' && Number.isFinite(v) ? v : undefined

/** The view of one parsed record, or why it is not a round record. */
export function roundView (round: number, json: unknown, path: string): RoundView | string {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'not a JSON object'
  const r = json as Record<string, unknown>
  const aborted = r.aborted === true
  if (!aborted && !Array.isArray(r.included)) return 'neither a result ("included") nor an aborted round'
  const reason = typeof r.reason === 'string' ? r.reason : undefined
  const skipped = aborted && reason?.startsWith('skipped') === true
  const validation = (r.validation ?? {}) as Record<string, unknown>
  return {
    round,
    path,
    outcome: !aborted ? 'result' : skipped ? 'skipped' : 'aborted',
    ...(num(r.attempt) !== undefined ? { attempt: num(r.attempt) } : {}),
    ...(typeof r.aggregator === 'string' ? { aggregator: r.aggregator } : {}),
    ...(aborted && reason !== undefined ? { reason: skipped ? reason.replace(/^skipped:?\s*/, '') : reason } : {}),
    ...(Array.isArray(r.included) ? { included: r.included.filter((p): p is string => typeof p === 'string') } : {}),
    ...(typeof r.includedSelf === 'boolean' ? { includedSelf: r.includedSelf } : {}),
    ...(num(r.weightSum) !== undefined ? { weightSum: num(r.weightSum) } : {}),
    ...(num(validation.accuracy) !== undefined ? { accuracy: num(validation.accuracy) } : {}),
    ...(num(validation.auc) !== undefined ? { auc: num(validation.auc) } : {})
  }
}

/** Every DIR/rounds/<r>.json, sorted by round (none when the directory has no rounds yet). */
export function readRoundRecords (dir: string): RoundRecords {
  const roundsDir = join(dir, 'rounds')
  const rounds: RoundView[] = []
  const bad: Array<{ path: string, why: string }> = []
  if (!existsSync(roundsDir)) return { rounds, bad }
  for (const name of readdirSync(roundsDir)) {
    const m = ROUND_FILE.exec(name) // temporary files of an atomic write in progress are not records yet
    if (m === null) continue
    const path = join(roundsDir, name)
    let json: unknown
    try {
      json = JSON.parse(readFileSync(path, 'utf8'))
    } catch (err) {
      bad.push({ path, why: (err as Error).message })
      continue
    }
    const view = roundView(Number(m[1]), json, path)
    if (typeof view === 'string') bad.push({ path, why: view })
    else rounds.push(view)
  }
  rounds.sort((a, b) => a.round - b.round)
  return { rounds, bad }
}
