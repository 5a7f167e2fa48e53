/**
 * What a `secagg simulate` run will cost before it starts: wall time, V8 heap and peak RSS
 * from n, dim, the graph degree k and the transport, with constants fitted to runs on the
 * project's 2-core benchmark machine (docs/BENCHMARKS.md, "Simulator cost model", has the
 * measurements and `bench/sim-cost.ts` repeats them). The run is refused when its heap would
 * not fit V8's limit or its RSS the memory the machine has free: a run that dies of
 * "JavaScript heap out of memory" after ten minutes helps nobody.
 *
 * Fit (least squares over the measured runs; ± 30% on this machine, which is shared):
 * - time, memory transport: t = 0.4 s + 3.3e-4 s · n·k + 1.9e-6 s · n² + 3.2e-9 s · n·(k+1)·dim.
 *   n·k is each participant's O(k) crypto (X25519, Shamir, AEAD boxes, Merkle proofs), n² the
 *   n/8-byte member bitmaps each participant scans and the aggregator's per-peer work over
 *   all peers, n·(k+1)·dim the masks every participant expands.
 * - heap = 27 MB + 4.3 kB · n·k (each neighbour pair: keys, two held shares, proofs).
 * - peak RSS = 75 MB + 1.5 × heap + 17 B · n·dim (typed arrays live outside the V8 heap:
 *   the Float64 inputs, the quantized and masked frames, the aggregator's sums).
 * - libp2p: 0.35 s per host started and connected, plus the memory time, plus every stage
 *   deadline a dropout makes the aggregator wait out on the wall clock; 9 MB of RSS per host.
 */
import { STAGES } from '../../protocol/index.ts'
import type { Stage, StageTimeouts } from '../../protocol/index.ts'

const MB = 1024 * 1024

export const COST_MODEL = {
  baseSeconds: 0.4,
  pairSeconds: 3.3e-4,
  peerSquaredSeconds: 1.9e-6,
  maskWordSeconds: 3.2e-9,
  heapBaseBytes: 27 * MB,
  pairHeapBytes: 4300,
  rssBaseBytes: 75 * MB,
  rssPerHeapByte: 1.5,
  coordinateBytes: 17,
  hostSeconds: 0.35,
  hostBytes: 9 * MB
}

export interface RunShape {
  readonly peers: number
  readonly dim: number
  /** The graph degree k (n − 1 for the complete graph). */
  readonly degree: number
  readonly transport: 'memory' | 'libp2p'
  /** libp2p: the deadlines of the stages at which peers drop (each is waited out in real time). */
  readonly waitedMs?: number
}

export interface CostEstimate {
  readonly seconds: number
  readonly heapBytes: number
  readonly peakBytes: number
}

export function estimateCost (run: RunShape): CostEstimate {
  const m = COST_MODEL
  const n = run.peers
  const k = run.degree
  const pairs = n * k
  const heapBytes = m.heapBaseBytes + m.pairHeapBytes * pairs
  let seconds = m.baseSeconds + m.pairSeconds * pairs + m.peerSquaredSeconds * n * n + m.maskWordSeconds * n * (k + 1) * run.dim
  let peakBytes = m.rssBaseBytes + m.rssPerHeapByte * heapBytes + m.coordinateBytes * n * run.dim
  if (run.transport === 'libp2p') {
    seconds += m.hostSeconds * n + (run.waitedMs ?? 0) / 1000
    peakBytes += m.hostBytes * n
  }
  return { seconds, heapBytes, peakBytes }
}

/** The deadlines a dropout schedule makes the aggregator wait out: one per stage at which someone drops. */
export function waitedDeadlinesMs (dropStages: Iterable<Stage>, timeouts: StageTimeouts): number {
  const stages = new Set(dropStages)
  return STAGES.filter((s) => stages.has(s)).reduce((sum, s) => sum + (timeouts as unknown as Record<string, number>)[s]!, 0)
}

export interface MemoryLimits {
  /** V8's heap_size_limit. */
  readonly heapBytes: number
  /** Memory the process can still get (process.availableMemory: free memory, or the cgroup's limit). */
  readonly availableBytes: number
}

/** Which limit a run would exceed, or undefined when it fits. */
export function exceededLimit (cost: CostEstimate, limits: MemoryLimits): 'heap' | 'memory' | undefined {
  if (cost.heapBytes > limits.heapBytes) return 'heap'
  if (cost.peakBytes > limits.availableBytes) return 'memory'
  return undefined
}

/** The largest n in [lo, hi] for which `fits(n)` holds, assuming it holds up to some n and not after; undefined if not even lo. */
export function largestFitting (lo: number, hi: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(lo)) return undefined
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fits(mid)) lo = mid
    else hi = mid - 1
  }
  return lo
}

export function formatBytes (bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / 1024 / MB).toFixed(1)} GB` : `${Math.round(bytes / MB)} MB`
}

export function formatSeconds (seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}
