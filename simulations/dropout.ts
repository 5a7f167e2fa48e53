/**
 * `npm run sim:dropout`: success rate and cost of one secure-aggregation round as members
 * drop out at each stage, for the complete graph and SecAgg+ (k from the parameter finder,
 * as `secagg simulate` chooses it), over several seeds per cell. See simulations/README.md.
 */
import type { Stage } from '../src/protocol/index.ts'
import type { StudySize } from './lib/args.ts'
import { blockCells, dropoutGrid } from './lib/dropout-grid.ts'
import type { DropoutBlock } from './lib/dropout-grid.ts'
import { dropoutCharts } from './lib/dropout-charts.ts'
import { dropoutSummary } from './lib/dropout-summary.ts'
import { runIfMain } from './lib/main.ts'
import type { StudyIo } from './lib/main.ts'
import { measureMemoryRound, neighboursFor, warmUp } from './lib/measure.ts'
import type { GraphKind, RoundMeasure } from './lib/measure.ts'
import { Progress } from './lib/progress.ts'
import { describeMachine } from './lib/results.ts'
import type { Machine } from './lib/results.ts'
import { runStudy } from './lib/run-study.ts'

export const DROPOUT_HELP = `Usage: npm run sim:dropout -- [--out DIR] [--full | --smoke] [--replot]

Dropout 0-50 % at each stage x n x complete graph / SecAgg+, several seeds per cell:
success rate, aggregator and participant CPU time, bytes per peer.

  --out DIR   where results.json, summary.md and the charts go
              (default simulations/results/dropout)
  --full      every n (10, 50, 200, 1000) x graph x stage x level, more seeds (hours)
  --smoke     a seconds-long grid (n = 10), for tests
  --replot    redraw the charts and summary.md from DIR/results.json of an
              earlier run, measuring nothing
`

/** One (n, graph, stage, level) cell over its seeds. */
export interface DropoutCell {
  n: number
  graph: GraphKind
  /** null: the 0 % level, shared by every stage. */
  stage: Stage | null
  dropout: number
  neighbours: number | 'complete'
  threshold: number
  seeds: number
  successRate: number
  /** Abort reasons seen, with counts. */
  reasons: Record<string, number>
  /** Means over the seeds whose round completed (null when none did). */
  aggregatorMs: number | null
  participantMs: number | null
  bytesPerPeer: number | null
  /** Wall-clock ms the cell took, all seeds. */
  cellWallMs: number
}

export interface DropoutResults {
  study: 'dropout'
  size: string
  dim: number
  machine: Machine
  elapsedMs: number
  blocks: DropoutBlock[]
  cells: DropoutCell[]
}

function mean (values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null)
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length
}

function summarizeCell (block: DropoutBlock, stage: Stage | null, level: number, runs: RoundMeasure[], cellWallMs: number): DropoutCell {
  const ok = runs.filter((r) => r.success)
  const reasons: Record<string, number> = {}
  for (const r of runs) if (r.reason !== null) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1
  return {
    n: block.n, graph: block.graph, stage, dropout: level,
    neighbours: runs[0]!.neighbours, threshold: runs[0]!.threshold, seeds: runs.length,
    successRate: ok.length / runs.length, reasons,
    aggregatorMs: mean(ok.map((r) => r.aggregatorMs)),
    participantMs: mean(ok.map((r) => r.participantMs)),
    bytesPerPeer: mean(ok.map((r) => r.bytesPerPeer)),
    cellWallMs: Math.round(cellWallMs)
  }
}

function measureDropout (size: StudySize, io: StudyIo): DropoutResults {
  const grid = dropoutGrid(size)
  warmUp()
  const progress = new Progress(grid.blocks.reduce((sum, b) => sum + blockCells(b).length, 0), io.stderr)
  const cells: DropoutCell[] = []
  for (const block of grid.blocks) {
    for (const { stage, level } of blockCells(block)) {
      const started = performance.now()
      const runs: RoundMeasure[] = []
      for (let s = 1; s <= block.seeds; s++) {
        runs.push(measureMemoryRound({
          peers: block.n, dim: grid.dim, seed: String(s),
          neighbours: neighboursFor(block.graph),
          dropout: new Map(stage === null ? [] : [[stage, level]])
        }))
      }
      const cell = summarizeCell(block, stage, level, runs, performance.now() - started)
      cells.push(cell)
      progress.cell(`n=${block.n} ${block.graph} ${stage ?? 'any stage'} ${Math.round(level * 100)}%`,
        `success ${cell.successRate.toFixed(2)} over ${block.seeds} seed(s), ${(cell.cellWallMs / 1000).toFixed(1)} s`)
    }
  }
  return { study: 'dropout', size, dim: grid.dim, machine: describeMachine(), elapsedMs: Math.round(progress.elapsedMs()), blocks: [...grid.blocks], cells }
}

export async function runDropoutStudy (argv: readonly string[], io: StudyIo): Promise<DropoutResults | undefined> {
  return await runStudy({ name: 'dropout', help: DROPOUT_HELP, measure: (args) => measureDropout(args.size, io), charts: dropoutCharts, summary: dropoutSummary }, argv, io)
}

runIfMain(import.meta.url, runDropoutStudy)
