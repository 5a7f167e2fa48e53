/**
 * Before `secagg simulate` starts: the cost estimate for these flags (simulate-cost.ts), the
 * line that announces a long run, and the refusal of a run this machine cannot hold, naming
 * the largest --peers that fits and how to allow more.
 */
import { resolveGraph } from '../../sim/scenario.ts'
import type { SimulationOptions } from '../../sim/scenario.ts'
import { uniformStageTimeouts } from '../../protocol/index.ts'
import type { StageTimeouts } from '../../protocol/index.ts'
import { estimateCost, exceededLimit, formatBytes, formatSeconds, largestFitting, waitedDeadlinesMs } from './simulate-cost.ts'
import type { CostEstimate, MemoryLimits } from './simulate-cost.ts'
import { MAX_LIBP2P_PEERS } from '../sim/libp2p-limits.ts'
import { UsageError } from './usage-error.ts'

/** Runs estimated below this need no announcement. */
const ANNOUNCE_SECONDS = 5

export type Transport = 'memory' | 'libp2p'

function costFor (options: SimulationOptions, transport: Transport, defaultStageMs: number, workers: number): CostEstimate {
  const { neighbours } = resolveGraph(options)
  const timeouts: StageTimeouts = options.stageTimeouts ?? uniformStageTimeouts(defaultStageMs)
  const dropping = [...(options.dropout ?? new Map()).entries()].filter(([, count]) => count > 0).map(([stage]) => stage)
  return estimateCost({
    peers: options.peers,
    dim: options.dim,
    degree: neighbours === 'complete' ? options.peers - 1 : neighbours,
    transport,
    workers,
    ...(transport === 'libp2p' ? { waitedMs: waitedDeadlinesMs(dropping, timeouts) } : {})
  })
}

function graphName (options: SimulationOptions): string {
  if (options.neighbours === 'complete') return 'the complete graph'
  if (typeof options.neighbours === 'number') return `--neighbours ${options.neighbours}`
  return 'the default SecAgg+ graph'
}

/**
 * The estimate, or a UsageError (exit 2) when the run would not fit `limits` and `force` is
 * not set. A graph the flags make invalid for some n (k ≥ n) does not fit that n.
 */
export function preflight (options: SimulationOptions, transport: Transport, defaultStageMs: number, limits: MemoryLimits, force: boolean, workers = 1): CostEstimate {
  const cost = costFor(options, transport, defaultStageMs, workers)
  const over = exceededLimit(cost, limits)
  if (over === undefined || force) return cost
  const fits = (n: number): boolean => {
    if (typeof options.neighbours === 'number' && options.neighbours >= n) return false
    try {
      return exceededLimit(costFor({ ...options, peers: n }, transport, defaultStageMs, workers), limits) === undefined
    } catch {
      return false // no valid graph at this n (the parameter finder refused it)
    }
  }
  const largest = largestFitting(3, transport === 'libp2p' ? MAX_LIBP2P_PEERS : options.peers - 1, fits)
  const need = over === 'heap'
    ? `an estimated ${formatBytes(cost.heapBytes)} of V8 heap, above this process's limit of ${formatBytes(limits.heapBytes)}`
    : `an estimated ${formatBytes(cost.peakBytes)} of memory, above the ${formatBytes(limits.availableBytes)} this machine has free`
  const room = largest === undefined ? `no --peers fits at --dim ${options.dim} with ${graphName(options)}` : `at --dim ${options.dim} with ${graphName(options)} at most --peers ${largest} fits`
  const fix = over === 'heap'
    ? `raise the limit (NODE_OPTIONS=--max-old-space-size=${Math.ceil(cost.heapBytes * 1.2 / 1024 / 1024)}) or pass --force to run anyway`
    : `free memory, lower --dim${workers > 1 ? ', use fewer --workers (each adds memory)' : ''}, or pass --force to run anyway`
  throw new UsageError(`--peers ${options.peers} needs ${need}: ${room}; ${fix}`)
}

/** `estimated 48 s, 1.1 GB peak` for runs long enough to be worth announcing. */
export function estimateLine (cost: CostEstimate): string | undefined {
  if (cost.seconds < ANNOUNCE_SECONDS) return undefined
  return `estimated ${formatSeconds(cost.seconds)}, ${formatBytes(cost.peakBytes)} peak`
}

/**
 * Worker threads for a memory run when --workers is not given: the default for its size, or 1
 * when the extra memory of the workers would not fit where a one-thread run does.
 */
export function chooseWorkers (options: SimulationOptions, defaultStageMs: number, limits: MemoryLimits, wanted: number): number {
  if (wanted <= 1) return 1
  try {
    return exceededLimit(costFor(options, 'memory', defaultStageMs, wanted), limits) === undefined ? wanted : 1
  } catch {
    return 1
  }
}
