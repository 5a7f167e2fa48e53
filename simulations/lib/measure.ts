/**
 * One simulated round reduced to what the studies compare. The in-memory swarm reports CPU
 * time spent inside each role's state machine (src/sim/scenario.ts `cpuMs`): the time one
 * member's own machine would spend, without the simulator's queue. Over libp2p there is no
 * per-role CPU split; the round's wall-clock time (sum of the aggregator's stage times) is
 * the cost there.
 */
import { runSimulation } from '../../src/sim/memory-swarm.ts'
import type { SimulationOptions, SimulationReport } from '../../src/sim/memory-swarm.ts'

export interface RoundMeasure {
  readonly success: boolean
  /** The aggregator's abort reason, null when the sum came out. */
  readonly reason: string | null
  readonly neighbours: number | 'complete'
  readonly threshold: number
  /** CPU ms in the aggregator's machine (memory transport only). */
  readonly aggregatorMs: number | null
  /** Mean CPU ms in one surviving participant's machine, the aggregator's own excluded (memory only). */
  readonly participantMs: number | null
  /**
   * Mean protocol-message bytes sent by one member that did not drop, the aggregator's own
   * node excluded (its count includes what it sends as aggregator). Transport framing (Noise,
   * Yamux) is not counted.
   */
  readonly bytesPerPeer: number
  readonly maxBytesPerPeer: number
  /** Sum of the aggregator's stage times: virtual ms (memory) or wall-clock ms (libp2p). */
  readonly roundMs: number
  readonly wallMs: number
}

export function measureReport (report: SimulationReport): RoundMeasure {
  const dropped = new Set(Object.values(report.droppedAt).flat())
  const members = report.bytesSent.filter((_, i) => i !== report.aggregator && !dropped.has(i))
  return {
    success: !report.aborted,
    reason: report.reason,
    neighbours: report.neighbours,
    threshold: report.threshold,
    aggregatorMs: report.cpuMs?.aggregator ?? null,
    participantMs: report.cpuMs?.participantMean ?? null,
    bytesPerPeer: members.reduce((a, b) => a + b, 0) / Math.max(1, members.length),
    maxBytesPerPeer: Math.max(0, ...members),
    roundMs: Object.values(report.stageMs).reduce((a, b) => a + b, 0),
    wallMs: report.wallMs
  }
}

export function measureMemoryRound (options: SimulationOptions): RoundMeasure {
  return measureReport(runSimulation(options).report)
}

/**
 * One small round whose numbers are thrown away: the first round in a process pays for
 * compiling the code paths (JIT, WebAssembly), which would inflate the first cell's CPU times.
 */
export function warmUp (): void {
  runSimulation({ peers: 10, dim: 100, seed: 'warm-up', neighbours: 'complete' })
}

export async function measureLibp2pRound (options: SimulationOptions): Promise<RoundMeasure> {
  // Loaded on demand: libp2p is most of the start-up time and the memory studies need none of it.
  const { runLibp2pSimulation } = await import('../../src/node/sim/libp2p-swarm.ts')
  return measureReport((await runLibp2pSimulation(options)).report)
}

/** 'complete' or 'secagg+' (k from the parameter finder, as `secagg simulate` picks it). */
export type GraphKind = 'complete' | 'secagg+'

export const GRAPH_KINDS: readonly GraphKind[] = ['complete', 'secagg+']

/** The simulator's `neighbours` option for a graph kind: undefined lets the finder choose k. */
export function neighboursFor (graph: GraphKind): 'complete' | undefined {
  return graph === 'complete' ? 'complete' : undefined
}
