/**
 * `secagg results --dir DIR`: the member's rounds as a table, from its round records
 * (DIR/rounds/<r>.json): who aggregated, how many members are in each sum, how the round
 * ended, the weight sum and, for the train task, the new model's validation accuracy and
 * AUC. `--csv` and `--json` for spreadsheets and scripts. A record that cannot be read is
 * reported with its path and skipped.
 */
import { existsSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConsortium } from '../config/consortium.ts'
import { readRoundRecords } from '../logs/round-records.ts'
import type { RoundView } from '../logs/round-records.ts'
import { shortId } from '../logs/timeline.ts'
import type { CliIo } from './main.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const RESULTS_HELP = `Usage: secagg results --dir DIR [--consortium FILE] [--csv | --json]

Lists the member's rounds from DIR/rounds/<r>.json, by round: attempt, aggregator, members
included, outcome (result, aborted: reason, skipped: reason), weight sum and, for the train
task, the new global model's validation accuracy and AUC on this member's split.

  --dir DIR          the member directory
  --consortium FILE  show aggregators by their names in the consortium file
  --csv              comma-separated, with a header row
  --json             one JSON array of the rows
`

const COLUMNS = ['round', 'attempt', 'aggregator', 'included', 'outcome', 'weightSum', 'accuracy', 'auc'] as const
type Row = Record<(typeof COLUMNS)[number], string | number | null>

function row (v: RoundView, name: (peer: string) => string): Row {
  return {
    round: v.round,
    attempt: v.attempt ?? null,
    aggregator: v.aggregator === undefined ? null : name(v.aggregator),
    included: v.included?.length ?? null,
    outcome: v.outcome === 'result' ? 'result' : `${v.outcome}${v.reason !== undefined ? `: ${v.reason}` : ''}`,
    weightSum: v.weightSum ?? null,
    accuracy: v.accuracy ?? null,
    auc: v.auc ?? null
  }
}

function csvCell (value: string | number | null): string {
  if (value === null) return ''
  const text = String(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Aligned columns; accuracy and AUC only when some round has them (the train task). */
function table (rows: readonly Row[]): string {
  const columns = COLUMNS.filter((c) => !['accuracy', 'auc'].includes(c) || rows.some((r) => r[c] !== null))
  const header: Record<string, string> = { round: 'round', attempt: 'attempt', aggregator: 'aggregator', included: 'included', outcome: 'outcome', weightSum: 'weight sum', accuracy: 'accuracy', auc: 'AUC' }
  const cell = (r: Row, c: (typeof COLUMNS)[number]): string => {
    const v = r[c]
    if (v === null) return '-'
    return typeof v === 'number' && (c === 'accuracy' || c === 'auc') ? v.toFixed(3) : String(v)
  }
  const body = rows.map((r) => columns.map((c) => cell(r, c)))
  const widths = columns.map((c, i) => Math.max(header[c]!.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: readonly string[]): string => cells.map((text, i) => i === cells.length - 1 ? text : text.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(columns.map((c) => header[c]!)), ...body.map(line)].join('\n')
}

function namesFrom (file: string | undefined): (peer: string) => string {
  if (file === undefined) return shortId
  try {
    const names = new Map(loadConsortium(file).file.members.flatMap((m) => m.name !== undefined ? [[m.peerId, m.name] as const] : []))
    return (peer) => names.get(peer) ?? shortId(peer)
  } catch (err) {
    if (isErrorNamed(err, 'ConsortiumFileError')) throw new UsageError((err as Error).message)
    throw err
  }
}

export async function runResultsCommand (argv: readonly string[], io: CliIo): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true,
      options: { dir: { type: 'string' }, consortium: { type: 'string' }, csv: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
    }))
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run 'secagg results --help'.`)
  }
  if (values.help === true) { io.stdout(RESULTS_HELP); return 0 }
  if (values.dir === undefined) throw new UsageError('--dir is required (the member directory given to \'secagg start\')')
  if (values.csv === true && values.json === true) throw new UsageError('--csv and --json cannot be combined; choose one')
  if (!existsSync(values.dir) || !statSync(values.dir).isDirectory()) throw new UsageError(`no member directory at ${values.dir}; give the directory made by 'secagg init'`)
  const name = namesFrom(values.consortium)
  const { rounds, bad } = readRoundRecords(values.dir)
  for (const b of bad) io.stderr(`${b.path}: not a readable round record (${b.why}); skipped`)
  const rows = rounds.map((v) => row(v, name))
  if (values.json === true) io.stdout(JSON.stringify(rows, null, 2))
  else if (values.csv === true) io.stdout([COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n'))
  else io.stdout(rows.length === 0 ? `no round records in ${values.dir}/rounds yet` : table(rows))
  return 0
}
