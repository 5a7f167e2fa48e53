/**
 * The node's logger: JSON lines (time, level, event, fields) to a file for `secagg logs` and
 * operators, and one readable line per event to stderr. Injected everywhere; callers never
 * pass secrets (seeds, shares, keys, an individual update) — only ids, counts and reasons.
 */
import { appendFileSync } from 'node:fs'

export type Level = 'debug' | 'info' | 'warn' | 'error'
export type Fields = Record<string, string | number | boolean | null | undefined | readonly string[]>

export interface Logger {
  debug(event: string, fields?: Fields): void
  info(event: string, fields?: Fields): void
  warn(event: string, fields?: Fields): void
  error(event: string, fields?: Fields): void
}

export const LEVEL_ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 }
const ORDER = LEVEL_ORDER

/** One record of node.log. */
export interface LogRecord { readonly time: string, readonly level: Level, readonly event: string, readonly [field: string]: unknown }

/** The readable one-line form (stderr and `secagg logs`). */
export function formatLogLine (record: LogRecord): string {
  const { time, level, event, ...fields } = record
  const rest = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join(' ')
  return `${time} ${level.padEnd(5)} ${event}${rest.length > 0 ? ' ' + rest : ''}`
}

export function createLogger (options: { file?: string, level?: Level, stderr?: (line: string) => void, now?: () => Date }): Logger {
  const min = ORDER[options.level ?? 'info']
  const now = options.now ?? (() => new Date())
  const write = (level: Level, event: string, fields: Fields = {}): void => {
    const time = now().toISOString()
    if (options.file !== undefined) appendFileSync(options.file, JSON.stringify({ time, level, event, ...fields }) + '\n')
    if (ORDER[level] < min || options.stderr === undefined) return
    options.stderr(formatLogLine({ time, level, event, ...fields }))
  }
  return {
    debug: (e, f) => write('debug', e, f),
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f)
  }
}
