/** summary.md of the scaling study: points, fitted exponents and the n = 500 dropout comparison. */
import type { ScalingResults } from '../scaling.ts'
import { formatNumber, markdownTable } from './markdown.ts'
import { GRAPH_LABELS, METRIC_LABELS } from './scaling-charts.ts'
import { BONAWITZ_DROPOUT_FACTOR, BONAWITZ_SERVER_SECONDS, DROPOUT_FACTOR_GOAL } from './reference-numbers.ts'

export function scalingSummary (r: ScalingResults): string {
  const memory = r.points.filter((p) => p.transport === 'memory')
  const libp2p = r.points.filter((p) => p.transport === 'libp2p')
  const out = [
    '# Scaling',
    '',
    `One round at 0 % dropout, dim ${r.dim}, seed 1. In memory the costs are CPU ms inside each role's state machine (one member's own work); over libp2p (one host per peer on 127.0.0.1, all in one process) the cost is the round's wall-clock time, since every host shares the same ${r.machine.cpus} cores. ` +
    `Bytes are protocol messages one member sends (the aggregator's own node excluded). Grid: ${r.size}; ${formatNumber(r.elapsedMs / 1000)} s on ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}.`,
    ''
  ]
  if (r.fits.length > 0) {
    out.push('## Growth exponents', '', 'b in cost ≈ a · n^b, least squares on log–log over the completed rounds.', '',
      markdownTable(['transport', 'graph', 'cost', 'b', 'r²', 'n range'],
        r.fits.map((f) => [f.transport, GRAPH_LABELS[f.graph], METRIC_LABELS[f.metric], f.exponent, f.r2, `${f.fromN}–${f.toN}`])), '')
  }
  if (memory.length > 0) {
    out.push('## In memory', '', '![cost against n in memory](memory-cost.png)', '',
      'Left to right: the aggregator\'s CPU ms, a participant\'s mean CPU ms and the bytes one member sends, against n (both axes log). Points are measured; the dashed line is the fitted power law a · n^b, its exponent b written in the panel\'s top-left corner.', '',
      markdownTable(['graph', 'n', 'k', 't', 'completed', 'aggregator CPU ms', 'participant CPU ms', 'bytes per peer', 'wall s'],
        memory.map((p) => [GRAPH_LABELS[p.graph], p.n, String(p.neighbours), p.threshold, p.success ? 'yes' : `no (${p.reason})`, p.aggregatorMs, p.participantMs, p.bytesPerPeer, p.wallMs / 1000])), '')
  }
  if (libp2p.length > 0) {
    out.push('## Over libp2p on loopback', '', '![cost against n over libp2p](libp2p-cost.png)', '',
      'The round\'s wall-clock ms (sum of the aggregator\'s stage times, connections already open) and the bytes one member sends, against n (log–log), with fitted power laws.', '',
      markdownTable(['graph', 'n', 'k', 'completed', 'round wall ms', 'bytes per peer'],
        libp2p.map((p) => [GRAPH_LABELS[p.graph], p.n, String(p.neighbours), p.success ? 'yes' : `no (${p.reason})`, p.roundMs, p.bytesPerPeer])), '')
  }
  if (r.comparison.length > 0) {
    const c = r.comparison[0]!
    out.push(`## 0 % → 10 % dropout at n = ${c.n}`, '', '![dropout slow-down factor](dropout-factor.png)', '',
      `The aggregator's time with 10 % of the members dropping after sharing their keys but before sending their masked input (the aggregator must then rebuild their masks), divided by its time with no dropout. Bonawitz et al. (CCS'17) report ${BONAWITZ_SERVER_SECONDS.noDropout} s → ${BONAWITZ_SERVER_SECONDS.tenPercentDropout} s (${BONAWITZ_DROPOUT_FACTOR}×) for 500 users and 100,000 entries on the complete graph; the goal for SecAgg+ is ≤ ${DROPOUT_FACTOR_GOAL}×. Bars on a log scale.`, '',
      markdownTable(['', 'n', 'entries', 'k', 'seeds', 'aggregator 0 %', 'aggregator 10 %', 'factor'], [
        ['Bonawitz et al. 2017, complete', 500, 100_000, 'complete', '—', `${BONAWITZ_SERVER_SECONDS.noDropout} s`, `${BONAWITZ_SERVER_SECONDS.tenPercentDropout} s`, BONAWITZ_DROPOUT_FACTOR],
        ...r.comparison.map((row) => [`ours, ${GRAPH_LABELS[row.graph]}${row.allCompleted ? '' : ' (some rounds aborted)'}`, row.n, row.dim, String(row.neighbours), row.seeds,
          `${formatNumber(row.aggregatorMsNoDropout)} ms`, `${formatNumber(row.aggregatorMsDropout)} ms`, row.factor])
      ]), '')
  }
  return out.join('\n')
}
