/** summary.md of the dropout sweep: the 0 % baseline, then success rate and aggregator time per level. */
import type { DropoutCell, DropoutResults } from '../dropout.ts'
import { formatNumber, markdownTable } from './markdown.ts'
import type { Cell } from './markdown.ts'

function pct (f: number): string {
  return `${Math.round(f * 100)} %`
}

/** Rows (graph, n, stage) × columns (levels > 0) of `value`. */
function levelTable (results: DropoutResults, value: (c: DropoutCell) => Cell): string {
  const levels = [...new Set(results.cells.map((c) => c.dropout))].sort((a, b) => a - b)
  const rows: Cell[][] = []
  const keys = [...new Set(results.cells.filter((c) => c.stage !== null).map((c) => `${c.graph}|${c.n}|${c.stage}`))]
  for (const key of keys) {
    const [graph, n, stage] = key.split('|')
    const at = (level: number): DropoutCell | undefined => results.cells.find((c) => c.graph === graph && String(c.n) === n && (level === 0 ? c.stage === null : c.stage === stage) && c.dropout === level)
    rows.push([graph!, Number(n), stage!, ...levels.map((l) => { const c = at(l); return c === undefined ? '' : value(c) })])
  }
  return markdownTable(['graph', 'n', 'stage', ...levels.map(pct)], rows)
}

export function dropoutSummary (r: DropoutResults): string {
  const baseline = r.cells.filter((c) => c.stage === null)
  return [
    '# Dropout sweep',
    '',
    `One round of secure aggregation, dim ${r.dim}, members dropping at one stage (a fraction of all n, drawn from the seed; the aggregator never drops). ` +
    `SecAgg+ uses the degree k the parameter finder picks for 5 % expected dropout and 5 % corrupt members, as \`secagg simulate\` does. ` +
    `Grid: ${r.size}; ${r.cells.length} cells in ${formatNumber(r.elapsedMs / 1000)} s on ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}.`,
    '',
    '## At 0 % dropout',
    '',
    'CPU ms are spent inside the state machines (one member\'s own work); bytes are protocol messages one surviving member sends (the aggregator\'s own node excluded), means over the seeds.',
    '',
    markdownTable(['graph', 'n', 'k', 't', 'seeds', 'success', 'aggregator CPU ms', 'participant CPU ms', 'bytes per peer'],
      baseline.map((c) => [c.graph, c.n, String(c.neighbours), c.threshold, c.seeds, c.successRate, c.aggregatorMs, c.participantMs, c.bytesPerPeer])),
    '',
    '## Success rate',
    '',
    '![success rate against dropout](success-rate.png)',
    '',
    'Share of seeds whose round produced the sum, against the fraction of members dropping at the stage named above each panel; one line per n, top row complete graph, bottom row SecAgg+. Empty cells were not run in this grid.',
    '',
    levelTable(r, (c) => c.successRate),
    '',
    '## Aggregator time',
    '',
    '![aggregator CPU time against dropout](aggregator-time.png)',
    '',
    'Aggregator CPU ms per completed round (mean over the seeds that completed; log scale), same panels. A missing point means no seed completed.',
    '',
    levelTable(r, (c) => c.aggregatorMs),
    '',
    '## Participant time and bytes',
    '',
    'Mean participant CPU ms / bytes per surviving member, per completed round.',
    '',
    levelTable(r, (c) => c.participantMs === null ? null : `${formatNumber(c.participantMs)} / ${formatNumber(c.bytesPerPeer)}`),
    ''
  ].join('\n')
}
