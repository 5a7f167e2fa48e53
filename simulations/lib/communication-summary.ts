/** summary.md of the communication study: what "raw input bytes" means, then every point. */
import type { CommunicationResults } from '../communication.ts'
import { formatNumber, markdownTable } from './markdown.ts'
import { BONAWITZ_EXPANSION, EXPANSION_GOAL } from './reference-numbers.ts'
import { GRAPH_LABELS } from './scaling-charts.ts'

export function communicationSummary (r: CommunicationResults): string {
  const largest = Math.max(...r.points.map((p) => p.dim))
  return [
    '# Communication expansion',
    '',
    'Bytes one member sends in a round (every protocol message it sends: its keys, encrypted shares, masked input, consistency signature and unmasking shares; transport framing not counted; the aggregator\'s own node excluded; mean over members) divided by its raw input bytes. ' +
    'A member\'s input is M real numbers, quantized to M 32-bit words before masking, so **raw input = 4 M bytes** is what the masked vector itself costs on the wire; ' +
    `Bonawitz et al. (CCS'17) count 16-bit inputs, so for their setting we also divide by **2 M bytes** — the price of our 32-bit words shows there as a factor of about 2. ` +
    `They report ${BONAWITZ_EXPANSION.factor}× at ${BONAWITZ_EXPANSION.users} users and 2^20 entries; the goal here is ≤ ${EXPANSION_GOAL}× against 4 M. ` +
    `Grid: ${r.size}; ${formatNumber(r.elapsedMs / 1000)} s on ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}.`,
    '',
    `![expansion at M = ${largest}](expansion.png)`,
    '',
    `Expansion at M = ${largest.toLocaleString('en-US')} against n (log), divided by 4 bytes per entry and by 2 bytes per entry, with Bonawitz et al.'s point (diamond) and the ${EXPANSION_GOAL}× goal (dashed).`,
    '',
    '![overhead against n](overhead.png)',
    '',
    'The overhead, expansion − 1 against 4 M, for every M and graph (both axes log): it grows with the number of neighbours a member shares keys with and shrinks as 1/M.',
    '',
    markdownTable(['graph', 'M', 'n', 'k', 'completed', 'bytes per peer', 'overhead bytes', '÷ 4 M', '÷ 2 M', 'wall s'],
      r.points.map((p) => [GRAPH_LABELS[p.graph], p.dim, p.n, String(p.neighbours), p.completed ? 'yes' : 'no', p.bytesPerPeer, p.overheadBytes, p.expansion.toFixed(5), p.expansionVs16Bit.toFixed(4), p.wallMs / 1000])),
    ''
  ].join('\n')
}
