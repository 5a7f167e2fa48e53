/**
 * `npm run sim:communication`: how many bytes a member sends per byte of its raw input, as
 * n grows, against Bonawitz et al.'s 1.73× (CCS'17) and the project's goal of ≤ 1.05×.
 * See simulations/README.md for what "raw input bytes" means here.
 */
import type { StudySize } from './lib/args.ts'
import { communicationCharts } from './lib/communication-charts.ts'
import { communicationGrid } from './lib/communication-grid.ts'
import type { CommunicationSeries } from './lib/communication-grid.ts'
import { communicationSummary } from './lib/communication-summary.ts'
import { runIfMain } from './lib/main.ts'
import type { StudyIo } from './lib/main.ts'
import { measureMemoryRound, neighboursFor, warmUp } from './lib/measure.ts'
import type { GraphKind } from './lib/measure.ts'
import { Progress } from './lib/progress.ts'
import { describeMachine } from './lib/results.ts'
import type { Machine } from './lib/results.ts'
import { runStudy } from './lib/run-study.ts'

export const COMMUNICATION_HELP = `Usage: npm run sim:communication -- [--out DIR] [--full | --smoke] [--replot]

Bytes one member sends in a round divided by its raw input bytes (M entries of 4 bytes,
the 32-bit words it masks; and of 2 bytes, Bonawitz et al.'s 16-bit inputs), against n,
for M = 10^4, 10^5 and 10^6.

  --out DIR   where results.json, summary.md and the charts go
              (default simulations/results/communication)
  --full      M = 10^6 up to n = 1000 (15 min on 2 cores; the process grew to 13 GB)
  --smoke     a seconds-long grid (M = 1000), for tests
  --replot    redraw the charts and summary.md from DIR/results.json of an
              earlier run, measuring nothing
`

/** Our inputs are quantized to 32-bit words before masking: 4 bytes per entry on the wire. */
export const WORD_BYTES = 4
/** Bonawitz et al.'s setting: 16-bit inputs. */
export const BONAWITZ_ENTRY_BYTES = 2

export interface CommunicationPoint {
  graph: GraphKind
  n: number
  /** M: entries per input vector. */
  dim: number
  neighbours: number | 'complete'
  completed: boolean
  /** Mean bytes one member sends in the round (protocol messages, framing excluded). */
  bytesPerPeer: number
  /** bytesPerPeer − 4 M: keys, shares, signatures, unmasking, framing of the masked vector. */
  overheadBytes: number
  /** bytesPerPeer ÷ (4 M). */
  expansion: number
  /** bytesPerPeer ÷ (2 M). */
  expansionVs16Bit: number
  wallMs: number
}

export interface CommunicationResults {
  study: 'communication'
  size: string
  machine: Machine
  elapsedMs: number
  grid: CommunicationSeries[]
  points: CommunicationPoint[]
}

function measureCommunication (size: StudySize, io: StudyIo): CommunicationResults {
  const grid = communicationGrid(size)
  warmUp()
  const progress = new Progress(grid.reduce((sum, s) => sum + s.peers.length, 0), io.stderr)
  const points: CommunicationPoint[] = []
  for (const series of grid) {
    for (const n of series.peers) {
      const m = measureMemoryRound({ peers: n, dim: series.dim, seed: '1', neighbours: neighboursFor(series.graph) })
      const point: CommunicationPoint = {
        graph: series.graph, n, dim: series.dim, neighbours: m.neighbours, completed: m.success,
        bytesPerPeer: m.bytesPerPeer, overheadBytes: m.bytesPerPeer - WORD_BYTES * series.dim,
        expansion: m.bytesPerPeer / (WORD_BYTES * series.dim), expansionVs16Bit: m.bytesPerPeer / (BONAWITZ_ENTRY_BYTES * series.dim),
        wallMs: m.wallMs
      }
      points.push(point)
      progress.cell(`${series.graph} M=${series.dim} n=${n}`, `k ${m.neighbours}, ${Math.round(m.bytesPerPeer)} B/peer, expansion ${point.expansion.toFixed(4)}×, wall ${(m.wallMs / 1000).toFixed(1)} s`)
    }
  }
  return { study: 'communication', size, machine: describeMachine(), elapsedMs: Math.round(progress.elapsedMs()), grid, points }
}

export async function runCommunicationStudy (argv: readonly string[], io: StudyIo): Promise<CommunicationResults | undefined> {
  return await runStudy({ name: 'communication', help: COMMUNICATION_HELP, measure: (args) => measureCommunication(args.size, io), charts: communicationCharts, summary: communicationSummary }, argv, io)
}

runIfMain(import.meta.url, runCommunicationStudy)
