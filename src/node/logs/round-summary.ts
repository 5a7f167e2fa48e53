/**
 * One member's rounds as its log and its round records tell them: per round, the aggregator
 * of each attempt, every failover and why, how the round ended and what the result was; and
 * where the node restarted. The log says how a round went; the round record
 * (DIR/rounds/<r>.json) is the member's last word on how it ended, so it fills in what a log
 * cut by a restart or a truncation lacks (round-records.ts).
 */
import type { LogRecord } from '../logger.ts'
import type { RoundView } from './round-records.ts'

export type Outcome = 'result' | 'skipped' | 'aborted' | 'unfinished'

export interface RoundSummary {
  round: number
  /** Aggregator of each attempt, in order. */
  attempts: Array<{ attempt: number, aggregator: string, role: string }>
  failovers: Array<{ attempt: number, silent: string, next: string, why: string }>
  outcome: Outcome
  /** How many members' inputs are in the sum, and (from the round record) which. */
  included?: number
  includedIds?: readonly string[]
  includedSelf?: boolean
  aggregatedBy?: string
  weightSum?: number
  /** Train task: validation accuracy of the new global model on this member's split. */
  accuracy?: number
  reason?: string
  warnings: number
  /** This member aggregated: who dropped at which stage (its `aggregated` record). */
  droppedAt?: Readonly<Record<string, readonly string[]>>
  /** Time of this member's first record of the round (undefined: known from the round record only). */
  firstTime?: string
  lastTime?: string
  /** The outcome or the aggregator came from the round record, not the log. */
  fromRecord?: string
}

export interface Restart {
  readonly time: string
  readonly pid?: number
  readonly addresses: readonly string[]
  readonly resumeRound?: number
}

const str = (v: unknown): string => String(v)

function stageLists (v: unknown): Record<string, readonly string[]> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined
  const out: Record<string, readonly string[]> = {}
  for (const [stage, peers] of Object.entries(v as Record<string, unknown>)) if (Array.isArray(peers)) out[stage] = peers.map(str)
  return out
}

/** Per round: who aggregated each attempt and why it moved on, and how the round ended. */
export function summarizeRounds (records: readonly LogRecord[]): RoundSummary[] {
  const rounds = new Map<number, RoundSummary>()
  for (const r of records) {
    if (typeof r.round !== 'number') continue
    let s = rounds.get(r.round)
    if (s === undefined) { s = { round: r.round, attempts: [], failovers: [], outcome: 'unfinished', warnings: 0, firstTime: r.time }; rounds.set(r.round, s) }
    s.lastTime = r.time
    if (r.level === 'warn' || r.level === 'error') s.warnings++
    switch (r.event) {
      case 'round-start':
        s.attempts.push({ attempt: Number(r.attempt), aggregator: str(r.aggregator), role: str(r.role) })
        break
      case 'aggregator-failover':
        s.failovers.push({ attempt: Number(r.attempt), silent: str(r.silent), next: str(r.next), why: str(r.why) })
        break
      case 'aggregated': {
        const dropped = stageLists(r.droppedAt)
        if (dropped !== undefined) s.droppedAt = dropped
        break
      }
      case 'round-result':
        s.outcome = 'result'
        s.reason = undefined
        s.included = Number(r.included)
        s.includedSelf = r.includedSelf === true
        s.aggregatedBy = str(r.aggregator)
        if (typeof r.weightSum === 'number') s.weightSum = r.weightSum
        break
      case 'round-metrics':
        if (typeof r.accuracy === 'number') s.accuracy = r.accuracy
        break
      case 'round-skipped':
        if (s.outcome !== 'result') { s.outcome = 'skipped'; s.reason = str(r.reason) }
        break
      case 'round-given-up':
        if (s.outcome !== 'result') { s.outcome = 'aborted'; s.reason = str(r.reason) }
        break
      case 'participant-aborted':
        if (r.reason === 'aggregator-aborted' && s.outcome === 'unfinished') { s.outcome = 'aborted'; s.reason = str(r.detail) }
        break
      case 'input-unavailable':
        s.outcome = 'aborted'
        s.reason = `input unavailable: ${str(r.error)}`
        break
    }
  }
  return [...rounds.values()].sort((a, b) => a.round - b.round)
}

/**
 * Fills in each round from the member's round record: its outcome (the record is written
 * when the round ends, so it wins over a log that stops earlier), the aggregator when the log
 * names none, the included members and the result's figures. Rounds the log does not
 * mention at all are added (a log truncated or cut short before the record was written).
 */
export function withRoundRecords (rounds: readonly RoundSummary[], records: readonly RoundView[]): RoundSummary[] {
  const byRound = new Map(rounds.map((s) => [s.round, { ...s }]))
  for (const v of records) {
    let s = byRound.get(v.round)
    if (s === undefined) { s = { round: v.round, attempts: [], failovers: [], outcome: 'unfinished', warnings: 0 }; byRound.set(v.round, s) }
    const source = `rounds/${v.round}.json`
    if (s.attempts.length === 0 && v.aggregator !== undefined) {
      s.attempts.push({ attempt: v.attempt ?? 0, aggregator: v.aggregator, role: 'unknown' })
      s.fromRecord = source
    }
    if (s.outcome !== v.outcome) {
      // The log stopped before the end, or told an earlier part (an attempt aborted before a failover).
      s.fromRecord = source
      s.reason = v.reason
      s.outcome = v.outcome
    }
    if (v.outcome === 'result') {
      s.includedIds = v.included
      s.included = v.included?.length ?? s.included
      if (v.includedSelf !== undefined) s.includedSelf = v.includedSelf
      if (v.aggregator !== undefined) s.aggregatedBy = v.aggregator
      if (v.weightSum !== undefined) s.weightSum = v.weightSum
      if (v.accuracy !== undefined) s.accuracy = v.accuracy
    } else {
      s.reason ??= v.reason
    }
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round)
}

/** Every `node-started` after the first one in a log (the node was restarted there) that `keep` selects. */
export function findRestarts (records: readonly LogRecord[], keep: (r: LogRecord) => boolean = () => true): Restart[] {
  const starts = records.filter((r) => r.event === 'node-started')
  return starts.slice(1).filter(keep).map((r) => ({
    time: r.time,
    addresses: Array.isArray(r.addresses) ? r.addresses.map(str) : [],
    ...(typeof r.pid === 'number' ? { pid: r.pid } : {}),
    ...(typeof r.resumeRound === 'number' ? { resumeRound: r.resumeRound } : {})
  }))
}

/** The member's own peer id, as its node logged it at start (the log holds no secret to read it from). */
export function selfPeer (records: readonly LogRecord[]): string | undefined {
  const started = records.find((r) => r.event === 'node-started' && typeof r.peer === 'string')
  return started?.peer as string | undefined
}
