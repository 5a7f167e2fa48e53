/**
 * `secagg logs --dir DIR`: an operator's view of a node's log (DIR/node.log): filtered
 * readable lines, raw JSON lines, a per-round summary (who aggregated, failovers and why,
 * outcome), or following the file as the node writes it.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { formatLogLine } from '../logger.ts'
import type { Level, LogRecord } from '../logger.ts'
import { formatSummary, matches, parseLogLines, summarizeRounds } from '../logs/log-file.ts'
import type { LogFilter } from '../logs/log-file.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { UsageError } from './usage-error.ts'

export const LOGS_HELP = `Usage: secagg logs --dir DIR [options]

Shows a node's log (DIR/node.log, JSON lines written by 'secagg start').

  --dir DIR          the member directory
  --round R          only records of round R
  --level L          only L and above: debug (default), info, warn, error
  --event E[,E...]   only these events (e.g. aggregator-failover,round-result)
  --peer ID          only records that mention this peer id
  --since TIME       only records at or after TIME (ISO 8601, e.g. 2026-11-23T10:00)
  --summary          one line per round: aggregator(s), failovers and why, outcome
  --json             print matching records as JSON lines instead of readable lines
  --follow, -f       keep printing new records as the node writes them (Ctrl-C stops)
`

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error']

function parseFilter (values: Record<string, string | boolean | undefined>): LogFilter {
  const filter: { -readonly [K in keyof LogFilter]: LogFilter[K] } = {}
  if (typeof values.round === 'string') {
    const r = Number(values.round)
    if (!Number.isSafeInteger(r) || r < 0) throw new UsageError(`--round must be a non-negative integer, got '${values.round}'`)
    filter.round = r
  }
  if (typeof values.level === 'string') {
    if (!LEVELS.includes(values.level as Level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}, got '${values.level}'`)
    filter.minLevel = values.level as Level
  }
  if (typeof values.event === 'string') filter.events = new Set(values.event.split(',').map((e) => e.trim()).filter((e) => e.length > 0))
  if (typeof values.peer === 'string') filter.peer = values.peer
  if (typeof values.since === 'string') {
    const t = new Date(values.since)
    if (Number.isNaN(t.getTime())) throw new UsageError(`--since must be an ISO 8601 time such as 2026-11-23T10:00, got '${values.since}'`)
    filter.since = t.toISOString()
  }
  return filter
}

/**
 * Prints records appended to `path` after byte `offset` until `signal` aborts. A partial last
 * line waits for the rest of its bytes.
 */
export async function followLog (path: string, offset: number, onRecord: (r: LogRecord) => void, onBad: (why: string) => void, signal: AbortSignal, pollMs = 250): Promise<void> {
  let pending = ''
  let position = offset
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs)
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
    if (!existsSync(path)) continue
    const size = statSync(path).size
    if (size < position) { position = 0; pending = '' } // the log was replaced: start over
    if (size === position) continue
    const fd = openSync(path, 'r')
    try {
      const buffer = Buffer.alloc(size - position)
      readSync(fd, buffer, 0, buffer.length, position)
      position = size
      const text = pending + buffer.toString('utf8')
      const cut = text.lastIndexOf('\n')
      pending = text.slice(cut + 1)
      const { records, bad } = parseLogLines(text.slice(0, cut + 1))
      for (const b of bad) onBad(b.why)
      for (const r of records) onRecord(r)
    } finally {
      closeSync(fd)
    }
  }
}

export async function runLogsCommand (argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { values } = parseFlags(argv, {
    dir: { type: 'string' }, round: { type: 'string' }, level: { type: 'string' }, event: { type: 'string' }, peer: { type: 'string' },
    since: { type: 'string' }, summary: { type: 'boolean' }, json: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' }, help: { type: 'boolean', short: 'h' }
  }, 'logs')
  if (values.help === true) { io.stdout(LOGS_HELP); return 0 }
  if (values.dir === undefined) throw new UsageError('--dir is required (the member directory given to \'secagg start\')')
  if (values.summary === true && (values.json === true || values.follow === true)) throw new UsageError('--summary cannot be combined with --json or --follow')
  const filter = parseFilter(values)
  const path = join(values.dir, 'node.log')
  if (!existsSync(path)) throw new UsageError(`no log at ${path}; has 'secagg start --dir ${values.dir}' run yet?`)
  const bytes = readFileSync(path)
  const complete = bytes.lastIndexOf(0x0a) + 1
  const { records, bad } = parseLogLines(bytes.subarray(0, values.follow === true ? complete : bytes.length).toString('utf8'))
  for (const b of bad) io.stderr(`${path}:${b.line}: ${b.why}; skipped`)
  const print = (r: LogRecord): void => io.stdout(values.json === true ? JSON.stringify(r) : formatLogLine(r))
  if (values.summary === true) {
    const wanted = records.filter((r) => matches(r, { ...filter, minLevel: 'debug', events: undefined }))
    io.stdout(formatSummary(summarizeRounds(wanted)))
    return 0
  }
  for (const r of records) if (matches(r, filter)) print(r)
  if (values.follow !== true) return 0
  const stop = new AbortController()
  const onSignal = (): void => stop.abort()
  process.once('SIGINT', onSignal)
  try {
    await followLog(path, complete, (r) => { if (matches(r, filter)) print(r) }, (why) => io.stderr(`${path}: ${why}; skipped`), signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]))
  } finally {
    process.off('SIGINT', onSignal)
  }
  return 0
}
