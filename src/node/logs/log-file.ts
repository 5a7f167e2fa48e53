/**
 * Reading a node's log (DIR/node.log, JSON lines written by logger.ts): parse and filter for
 * `secagg logs` (round-summary.ts summarizes it per round). A line that is not a log record
 * (a node killed in the middle of a write leaves half a line) is reported by number and
 * skipped, never fatal.
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

/** A field names the peer: it is the id, a list holding it, or lists by key holding it (`aggregated`'s droppedAt). */
function mentions (v: unknown, peer: string): boolean {
  if (v === peer) return true
  if (Array.isArray(v)) return v.includes(peer)
  return v !== null && typeof v === 'object' && Object.values(v).some((w) => Array.isArray(w) && w.includes(peer))
}

export function matches (r: LogRecord, f: LogFilter): boolean {
  if (f.minLevel !== undefined && LEVEL_ORDER[r.level] < LEVEL_ORDER[f.minLevel]) return false
  if (f.round !== undefined && r.round !== f.round) return false
  if (f.events !== undefined && !f.events.has(r.event)) return false
  if (f.peer !== undefined && !Object.values(r).some((v) => mentions(v, f.peer!))) return false
  if (f.since !== undefined && r.time < f.since) return false
  return true
}
