/**
 * Reading a node's log (DIR/node.log, JSON lines written by logger.ts): parse, filter and
 * summarize per round for `secagg logs`. A line that is not a log record (a node killed in
 * the middle of a write leaves half a line) is reported by number and skipped, never fatal.
 */
import { LEVEL_ORDER } from '../logger.ts'
import type { Level, LogRecord } from '../logger.ts'

export interface ParsedLog {
  readonly records: LogRecord[]
  /** 1-based line numbers that were not log records, with why. */
  readonly bad: Array<{ line: number, why: string }>
}

const LEVELS = new Set(Object.keys(LEVEL_ORDER))

export function parseLogLines (text: string, firstLine = 1): ParsedLog {
  const records: LogRecord[] = []
  const bad: Array<{ line: number, why: string }> = []
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      bad.push({ line: firstLine + i, why: 'not JSON (a write cut short?)' })
      return
    }
    const r = value as Partial<LogRecord> | null
    if (r === null || typeof r !== 'object' || typeof r.time !== 'string' || typeof r.event !== 'string' || !LEVELS.has(r.level as string)) {
      bad.push({ line: firstLine + i, why: 'not a log record (needs time, level, event)' })
      return
    }
    records.push(r as LogRecord)
  })
  return { records, bad }
}

export interface LogFilter {
  readonly minLevel?: Level
  readonly round?: number
  readonly events?: ReadonlySet<string>
  readonly peer?: string
  /** ISO time: records at or after it. */
  readonly since?: string
}

export function matches (r: LogRecord, f: LogFilter): boolean {
  if (f.minLevel !== undefined && LEVEL_ORDER[r.level] < LEVEL_ORDER[f.minLevel]) return false
  if (f.round !== undefined && r.round !== f.round) return false
  if (f.events !== undefined && !f.events.has(r.event)) return false
  if (f.peer !== undefined && !Object.values(r).some((v) => v === f.peer || (Array.isArray(v) && v.includes(f.peer)))) return false
  if (f.since !== undefined && r.time < f.since) return false
  return true
}

export interface RoundSummary {
  round: number
  /** Aggregator of each attempt, in order. */
  attempts: Array<{ attempt: number, aggregator: string, role: string }>
  failovers: string[]
  outcome: 'result' | 'skipped' | 'aborted' | 'unfinished'
  included?: number
  includedSelf?: boolean
  aggregatedBy?: string
  reason?: string
  warnings: number
}

/** Per round: who aggregated each attempt and why it moved on, and how the round ended. */
export function summarizeRounds (records: readonly LogRecord[]): RoundSummary[] {
  const rounds = new Map<number, RoundSummary>()
  const get = (round: number): RoundSummary => {
    let s = rounds.get(round)
    if (s === undefined) { s = { round, attempts: [], failovers: [], outcome: 'unfinished', warnings: 0 }; rounds.set(round, s) }
    return s
  }
  for (const r of records) {
    if (typeof r.round !== 'number') continue
    const s = get(r.round)
    if (r.level === 'warn' || r.level === 'error') s.warnings++
    switch (r.event) {
      case 'round-start':
        s.attempts.push({ attempt: Number(r.attempt), aggregator: String(r.aggregator), role: String(r.role) })
        break
      case 'aggregator-failover':
        s.failovers.push(`attempt ${String(r.attempt)}: ${String(r.silent)} → ${String(r.next)} (${String(r.why)})`)
        break
      case 'round-result':
        s.outcome = 'result'
        s.included = Number(r.included)
        s.includedSelf = r.includedSelf === true
        s.aggregatedBy = String(r.aggregator)
        break
      case 'round-skipped':
        if (s.outcome !== 'result') { s.outcome = 'skipped'; s.reason = String(r.reason) }
        break
      case 'participant-aborted':
        if (r.reason === 'aggregator-aborted' && s.outcome === 'unfinished') { s.outcome = 'aborted'; s.reason = String(r.detail) }
        break
      case 'input-unavailable':
        s.outcome = 'aborted'
        s.reason = `input unavailable: ${String(r.error)}`
        break
    }
  }
  return [...rounds.values()].sort((a, b) => a.round - b.round)
}

export function formatSummary (rounds: readonly RoundSummary[]): string {
  if (rounds.length === 0) return 'no rounds in this log yet'
  const short = (id: string): string => id.length > 16 ? `…${id.slice(-8)}` : id
  return rounds.map((s) => {
    const aggregators = s.attempts.map((a) => `${short(a.aggregator)}${a.role === 'aggregator' ? ' (this node)' : ''}`).join(' → ') || '?'
    let outcome: string
    if (s.outcome === 'result') outcome = `result over ${s.included} members${s.includedSelf === true ? ', this node included' : ', this node NOT included'}`
    else if (s.outcome === 'unfinished') outcome = 'not finished'
    else outcome = `${s.outcome}: ${s.reason}`
    const lines = [`round ${s.round}: aggregator ${aggregators}; ${outcome}${s.warnings > 0 ? `; ${s.warnings} warning${s.warnings === 1 ? '' : 's'}` : ''}`]
    for (const f of s.failovers) lines.push(`  failover ${f}`)
    return lines.join('\n')
  }).join('\n')
}
