/**
 * What a `secagg simulate` run will cost before it starts: wall time, V8 heap and peak RSS
 * from n, dim, the graph degree k and the transport, with constants fitted to runs on the
 * project's 2-core benchmark machine (docs/BENCHMARKS.md, "Simulator cost model", has the
 * measurements and `bench/sim-cost.ts` repeats them). The run is refused when its heap would
 * not fit V8's limit or its RSS the memory the machine has free: a run that dies of
 * "JavaScript heap out of memory" after ten minutes helps nobody.
 *
 * Fit (least squares, relative error, over 10 runs measured here and the n = 3,000 and 10,000
 * scale runs of the same document; every run within 17% of the fit but two at 0.83×; two runs
 * left out of the fit came within 30%, the heap peak being the least predictable):
 * - time (the process's CPU time: on an idle machine its wall time; the simulator is one
 *   thread), memory transport:
 *   t = 0.43 s + 3.2e-4 s · n·k + 1.8e-6 s · n² + 4.7e-7 s · n·k² + 3.5e-9 s · n·(k+1)·dim.
 *   n·k is each participant's O(k) crypto (X25519, Shamir, AEAD boxes, Merkle proofs); n² the
 *   member bitmaps of n/8 bytes every participant reads and the aggregator's work over all
 *   peers; n·k² the shares of k neighbours checked and rebuilt at degree ~k (it matters for
 *   the complete graph, k = n − 1); n·(k+1)·dim the masks every participant expands.
 * - heap = 24 MB + 3,860 B · n·k + 4.3 B · n·k² (per neighbour pair: keys, held shares, proofs).
 * - peak RSS = 82 MB + 1.42 × heap + 17 B · n·dim (typed arrays live outside the V8 heap:
 *   the Float64 inputs, the masked frames, the aggregator's sums).
 * - libp2p adds 0.5 s and 18 MB of heap for loading libp2p, 45 ms and 1.2 MB of heap per host
 *   started and connected, and every stage deadline a dropout makes the aggregator wait out
 *   on the wall clock.
 */
import { STAGES } from '../../protocol/index.ts'
import type { Stage, StageTimeouts } from '../../protocol/index.ts'

const MB = 1024 * 1024

export const COST_MODEL = {
  baseSeconds: 0.43,
  pairSeconds: 3.2e-4,
  peerSquaredSeconds: 1.8e-6,
  pairDegreeSeconds: 4.7e-7,
  maskWordSeconds: 3.5e-9,
  heapBaseBytes: 24 * MB,
  pairHeapBytes: 3860,
  pairDegreeHeapBytes: 4.3,
  rssBaseBytes: 82 * MB,
  rssPerHeapByte: 1.42,
  coordinateBytes: 17,
  libp2pSeconds: 0.5,
  libp2pHeapBytes: 18 * MB,
  hostSeconds: 0.045,
  hostHeapBytes: 1.2 * MB
}

export interface RunShape {
  readonly peers: number
  readonly dim: number
  /** The graph degree k (n − 1 for the complete graph). */
  readonly degree: number
  readonly transport: 'memory' | 'libp2p'
  /** libp2p: the deadlines of the stages at which peers drop (each is waited out in real time). */
  readonly waitedMs?: number
  /** Memory transport: worker threads for the members (src/sim/parallel-swarm.ts); 1 when absent. */
  readonly workers?: number
}

/**
 * Peak RSS grows by this fraction of the one-thread peak per worker thread: each worker holds
 * its own scenario, its members and copies of the broadcasts it delivers, in its own V8 heap.
 * Measured with 2 workers: 1.6× at n = 1,000 (490 → 790 MB) and 1.7× at n = 10,000
 * (≈ 3.9 → 6.7 GB), SecAgg+, dim 1,000.
 */
export const PARALLEL_RSS_PER_WORKER = 0.35

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
  const libp2p = run.transport === 'libp2p'
  const heapBytes = m.heapBaseBytes + m.pairHeapBytes * pairs + m.pairDegreeHeapBytes * pairs * k +
    (libp2p ? m.libp2pHeapBytes + m.hostHeapBytes * n : 0)
  const seconds = m.baseSeconds + m.pairSeconds * pairs + m.peerSquaredSeconds * n * n + m.pairDegreeSeconds * pairs * k +
    m.maskWordSeconds * n * (k + 1) * run.dim + (libp2p ? m.libp2pSeconds + m.hostSeconds * n + (run.waitedMs ?? 0) / 1000 : 0)
  const workers = run.workers ?? 1
  const peakBytes = (m.rssBaseBytes + m.rssPerHeapByte * heapBytes + m.coordinateBytes * n * run.dim) * (workers > 1 ? 1 + PARALLEL_RSS_PER_WORKER * workers : 1)
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
