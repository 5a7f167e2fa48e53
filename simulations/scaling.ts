/**
 * `npm run sim:scaling`: per-peer and aggregator cost of one round against n, in memory
 * (n = 10 … 1,000) and over libp2p on loopback (n = 5 … 30), with the growth exponent fitted
 * on log–log; and the aggregator's slow-down from 0 % to 10 % dropout at n = 500, next to
 * the ~30× Bonawitz et al. (CCS'17) report. See simulations/README.md.
 */
import { choiceFlag } from './lib/args.ts'
import type { StudySize } from './lib/args.ts'
import { fitPowerLaw } from './lib/fit.ts'
import type { PowerLawFit } from './lib/fit.ts'
import { runIfMain } from './lib/main.ts'
import type { StudyIo } from './lib/main.ts'
import { GRAPH_KINDS, measureLibp2pRound, measureMemoryRound, neighboursFor, warmUp } from './lib/measure.ts'
import type { GraphKind, RoundMeasure } from './lib/measure.ts'
import { Progress } from './lib/progress.ts'
import { describeMachine } from './lib/results.ts'
import type { Machine } from './lib/results.ts'
import { runStudy } from './lib/run-study.ts'
import { scalingGrid } from './lib/scaling-grid.ts'
import type { ScalingGrid } from './lib/scaling-grid.ts'
import { scalingCharts } from './lib/scaling-charts.ts'
import { scalingSummary } from './lib/scaling-summary.ts'

export const SCALING_HELP = `Usage: npm run sim:scaling -- [--out DIR] [--full | --smoke] [--replot] [--transport memory|libp2p|both]

Cost of one round against n: in memory (n = 10..1000, complete graph and SecAgg+) and over
libp2p on 127.0.0.1 (n = 5..30), growth exponents fitted on log-log; and the aggregator's
slow-down from 0 % to 10 % dropout at n = 500 (Bonawitz et al., CCS'17: ~30x).

  --out DIR          where results.json, summary.md and the charts go
                     (default simulations/results/scaling)
  --transport T      memory, libp2p or both (default both); the n = 500 comparison
                     runs with memory
  --full             the complete graph up to n = 1000 too, and the comparison at
                     100,000 entries with 3 seeds (about an hour)
  --smoke            a seconds-long grid, for tests
  --replot           redraw the charts and summary.md from DIR/results.json of
                     an earlier run, measuring nothing
`

export type Transport = 'memory' | 'libp2p'
export type Metric = 'aggregatorMs' | 'participantMs' | 'bytesPerPeer' | 'roundMs'

/** What is fitted per transport: libp2p has no per-role CPU split, its cost is the round's wall time. */
export const METRICS: Record<Transport, readonly Metric[]> = {
  memory: ['aggregatorMs', 'participantMs', 'bytesPerPeer'],
  libp2p: ['roundMs', 'bytesPerPeer']
}

export interface ScalingPoint extends RoundMeasure { transport: Transport, graph: GraphKind, n: number }
export interface ScalingFit extends PowerLawFit { transport: Transport, graph: GraphKind, metric: Metric, fromN: number, toN: number }
export interface ComparisonRow {
  graph: GraphKind
  n: number
  dim: number
  neighbours: number | 'complete'
  seeds: number
  /** Mean aggregator CPU ms over the seeds, 0 % and 10 % dropout at the masked-input stage. */
  aggregatorMsNoDropout: number
  aggregatorMsDropout: number
  factor: number
  allCompleted: boolean
}

export interface ScalingResults {
  study: 'scaling'
  size: string
  dim: number
  machine: Machine
  elapsedMs: number
  grid: ScalingGrid
  points: ScalingPoint[]
  fits: ScalingFit[]
  comparison: ComparisonRow[]
}

function fitsOf (points: readonly ScalingPoint[]): ScalingFit[] {
  const fits: ScalingFit[] = []
  for (const transport of ['memory', 'libp2p'] as const) {
    for (const graph of GRAPH_KINDS) {
      const series = points.filter((p) => p.transport === transport && p.graph === graph && p.success)
      if (new Set(series.map((p) => p.n)).size < 2) continue
      for (const metric of METRICS[transport]) {
        const fit = fitPowerLaw(series.map((p) => ({ x: p.n, y: p[metric] ?? 0 })))
        fits.push({ ...fit, transport, graph, metric, fromN: Math.min(...series.map((p) => p.n)), toN: Math.max(...series.map((p) => p.n)) })
      }
    }
  }
  return fits
}

function compareDropout (grid: ScalingGrid, progress: Progress): ComparisonRow[] {
  const { n, dim, dropout, seeds } = grid.comparison
  const rows: ComparisonRow[] = []
  for (const graph of GRAPH_KINDS) {
    const at = (level: number): RoundMeasure[] => Array.from({ length: seeds[graph] }, (_, s) => {
      const m = measureMemoryRound({ peers: n, dim, seed: String(s + 1), neighbours: neighboursFor(graph), dropout: new Map(level > 0 ? [['masked', level]] : []) })
      progress.cell(`comparison n=${n} ${graph} dim ${dim} masked ${Math.round(level * 100)}% seed ${s + 1}`, `aggregator ${m.aggregatorMs} ms, ${m.success ? 'completed' : `aborted (${m.reason})`}, wall ${(m.wallMs / 1000).toFixed(1)} s`)
      return m
    })
    const none = at(0)
    const some = at(dropout)
    const mean = (runs: RoundMeasure[]): number => runs.reduce((a, r) => a + (r.aggregatorMs ?? 0), 0) / runs.length
    rows.push({
      graph, n, dim, neighbours: none[0]!.neighbours, seeds: seeds[graph],
      aggregatorMsNoDropout: mean(none), aggregatorMsDropout: mean(some), factor: mean(some) / mean(none),
      allCompleted: [...none, ...some].every((r) => r.success)
    })
  }
  return rows
}

async function measureScaling (size: StudySize, transports: readonly Transport[], io: StudyIo): Promise<ScalingResults> {
  const grid = scalingGrid(size)
  warmUp()
  const cellCount = transports.reduce((sum, t) => sum + GRAPH_KINDS.reduce((s, g) => s + grid[t][g].length, 0), 0) +
    (transports.includes('memory') ? 2 * (grid.comparison.seeds.complete + grid.comparison.seeds['secagg+']) : 0)
  const progress = new Progress(cellCount, io.stderr)
  const points: ScalingPoint[] = []
  for (const transport of transports) {
    for (const graph of GRAPH_KINDS) {
      for (const n of grid[transport][graph]) {
        const options = { peers: n, dim: grid.dim, seed: '1', neighbours: neighboursFor(graph) }
        const m = transport === 'memory' ? measureMemoryRound(options) : await measureLibp2pRound(options)
        points.push({ ...m, transport, graph, n })
        progress.cell(`${transport} ${graph} n=${n}`, `k ${m.neighbours}, ${m.success ? 'completed' : `aborted (${m.reason})`}, aggregator ${m.aggregatorMs ?? '-'} ms, round ${m.roundMs.toFixed(0)} ms, ${Math.round(m.bytesPerPeer)} B/peer, wall ${(m.wallMs / 1000).toFixed(1)} s`)
      }
    }
  }
  const fits = fitsOf(points)
  for (const f of fits) io.stderr(`fit ${f.transport} ${f.graph} ${f.metric}: exponent ${f.exponent.toFixed(2)} (r² ${f.r2.toFixed(3)}, n ${f.fromN}..${f.toN})`)
  const comparison = transports.includes('memory') ? compareDropout(grid, progress) : []
  for (const c of comparison) io.stderr(`0 % -> 10 % dropout at n=${c.n}, ${c.graph}: aggregator ${c.aggregatorMsNoDropout.toFixed(0)} -> ${c.aggregatorMsDropout.toFixed(0)} ms, factor ${c.factor.toFixed(2)}`)
  return { study: 'scaling', size, dim: grid.dim, machine: describeMachine(), elapsedMs: Math.round(progress.elapsedMs()), grid, points, fits, comparison }
}

export async function runScalingStudy (argv: readonly string[], io: StudyIo): Promise<ScalingResults | undefined> {
  return await runStudy({
    name: 'scaling', help: SCALING_HELP, flags: ['transport'], charts: scalingCharts, summary: scalingSummary,
    measure: async (args) => {
      const which = choiceFlag(args.extra.transport, 'transport', ['memory', 'libp2p', 'both'] as const, 'both')
      return await measureScaling(args.size, which === 'both' ? ['memory', 'libp2p'] : [which], io)
    }
  }, argv, io)
}

runIfMain(import.meta.url, runScalingStudy)
