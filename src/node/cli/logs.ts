/**
 * `secagg logs`: an operator's view of one or more members' logs (DIR/node.log): filtered
 * readable lines, raw JSON lines, a per-round summary (who aggregated, failovers and why,
 * outcome, who was absent, restarts) or following the files as the nodes write them. Several
 * member directories merge into one timeline, each line labelled with its member.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadConsortium } from '../config/consortium.ts'
import { formatLogLine } from '../logger.ts'
import type { Level, LogRecord } from '../logger.ts'
import { matches, parseLogLines } from '../logs/log-file.ts'
import type { LogFilter } from '../logs/log-file.ts'
import { logPath, mergeByTime, readMemberLogs } from '../logs/member-logs.ts'
import type { MemberLog } from '../logs/member-logs.ts'
import { findRestarts, summarizeRounds, withRoundRecords } from '../logs/round-summary.ts'
import { formatTimeline } from '../logs/timeline.ts'
import type { MemberView } from '../logs/timeline.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const LOGS_HELP = `Usage: secagg logs [DIR ...] [--dir DIR ...] [options]

Shows members' logs (DIR/node.log, JSON lines written by 'secagg start'). Several member
directories are merged into one timeline, each line labelled with its member.

  DIR, --dir DIR     a member directory (repeatable)
  --consortium FILE  label members with their names in the consortium file, and name the
                     members absent from each round (default: the directories' names)
  --round R          only records of round R
  --level L          only L and above: debug (default), info, warn, error
  --event E[,E...]   only these events (e.g. aggregator-failover,round-result)
  --peer ID          only records that mention this peer id
  --since TIME       only records at or after TIME (ISO 8601, e.g. 2026-11-23T10:00)
  --summary          one line per round: aggregator(s), failovers and why, outcome, result,
                     absent members; restarts marked (round records fill in what logs lack)
  --json             print matching records as JSON lines instead of readable lines
  --follow, -f       keep printing new records as the nodes write them (Ctrl-C stops)
`

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error']

function parseFilter (values: Record<string, string | string[] | boolean | undefined>): LogFilter {
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

/** Peer id -> name, and the member list, from --consortium. */
function rosterFrom (file: string | undefined): { names: Map<string, string>, members?: string[] } {
  if (file === undefined) return { names: new Map() }
  try {
    const { file: c } = loadConsortium(file)
    return { names: new Map(c.members.flatMap((m) => m.name !== undefined ? [[m.peerId, m.name] as const] : [])), members: c.members.map((m) => m.peerId) }
  } catch (err) {
    if (isErrorNamed(err, 'ConsortiumFileError')) throw new UsageError((err as Error).message)
    throw err
  }
}

/** Each member's rounds (its log, filled in from its round records) and restarts, as the filter selects them. */
function memberViews (members: readonly MemberLog[], filter: LogFilter): MemberView[] {
  const roundFilter = { ...filter, minLevel: 'debug' as const, events: undefined }
  const views = members.map((m) => {
    const logged = summarizeRounds(m.records.filter((r) => matches(r, roundFilter)))
    // --since and --peer select rounds by their records: a round record only fills those in.
    const seen = new Set(logged.map((s) => s.round))
    const records = m.rounds.filter((v) => filter.since !== undefined || filter.peer !== undefined ? seen.has(v.round) : filter.round === undefined || v.round === filter.round)
    const restarts = findRestarts(m.records, (r) => matches(r, { ...roundFilter, round: undefined }))
    return { label: m.label, rounds: withRoundRecords(logged, records), restarts, ...(m.peer !== undefined ? { peer: m.peer } : {}) }
  })
  const round = filter.round
  if (round === undefined) return views
  // --round R: only restarts from R's first record until the first record of a later round.
  const records = members.flatMap((m) => m.records)
  const from = records.filter((r) => r.round === round).map((r) => r.time).sort()[0]
  const until = records.filter((r) => typeof r.round === 'number' && r.round > round).map((r) => r.time).sort()[0]
  const during = (time: string): boolean => from !== undefined && time >= from && (until === undefined || time < until)
  return views.map((v) => ({ ...v, restarts: v.restarts.filter((r) => during(r.time)) }))
}

export async function runLogsCommand (argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    dir: { type: 'string', multiple: true }, consortium: { type: 'string' }, round: { type: 'string' }, level: { type: 'string' }, event: { type: 'string' }, peer: { type: 'string' },
    since: { type: 'string' }, summary: { type: 'boolean' }, json: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' }, help: { type: 'boolean', short: 'h' }
  }, 'logs', { words: true })
  if (values.help === true) { io.stdout(LOGS_HELP); return 0 }
  // A directory given twice is read once.
  const dirs = [...new Map([...values.dir ?? [], ...positionals].map((d) => [resolve(d), d])).values()]
  if (dirs.length === 0) throw new UsageError('--dir is required (the member directory given to \'secagg start\'), or several: secagg logs m0 m1 m2')
  if (values.summary === true && (values.json === true || values.follow === true)) throw new UsageError('--summary cannot be combined with --json or --follow')
  const filter = parseFilter(values)
  const roster = rosterFrom(values.consortium)
  for (const dir of dirs) if (!existsSync(logPath(dir))) throw new UsageError(`no log at ${logPath(dir)}; has 'secagg start --dir ${dir}' run yet?`)
  const { members, problems } = readMemberLogs(dirs, roster.names, values.follow === true)
  for (const p of problems) io.stderr(`${p.where}: ${p.why}; skipped`)
  const single = members.length === 1
  if (values.summary === true) {
    // Several members: each is named by its label wherever its peer id would appear.
    const names = new Map(single ? roster.names : [...members.flatMap((m) => m.peer !== undefined ? [[m.peer, m.label] as const] : []), ...roster.names])
    io.stdout(formatTimeline(memberViews(members, filter), { names, ...(roster.members !== undefined ? { members: roster.members } : {}) }))
    return 0
  }
  const width = Math.max(...members.map((m) => m.label.length))
  const print = (label: string, r: LogRecord): void => {
    if (values.json === true) io.stdout(JSON.stringify(single ? r : { member: label, ...r }))
    else io.stdout(single ? formatLogLine(r) : `${label.padEnd(width)} ${formatLogLine(r)}`)
  }
  for (const { label, record } of mergeByTime(members)) if (matches(record, filter)) print(label, record)
  if (values.follow !== true) return 0
  const stop = new AbortController()
  const onSignal = (): void => stop.abort()
  process.once('SIGINT', onSignal)
  const until = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal])
  try {
    // Each member's new records are printed as they are read: in order per member, and across
    // members as they arrive (within one poll of each other).
    await Promise.all(members.map((m) => followLog(m.path, m.offset, (r) => { if (matches(r, filter)) print(m.label, r) }, (why) => io.stderr(`${m.path}: ${why}; skipped`), until)))
  } finally {
    process.off('SIGINT', onSignal)
  }
  return 0
}
