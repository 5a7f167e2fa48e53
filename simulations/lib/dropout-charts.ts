/**
 * The dropout sweep's charts: success rate and aggregator CPU time against the dropout
 * fraction, one line per n, one panel per (graph, stage). The 0 % cell is shared by every
 * stage, so it is drawn at x = 0 in each stage's panel.
 */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import { STAGES } from '../../src/protocol/index.ts'
import type { DropoutResults } from '../dropout.ts'

interface Row { n: string, graph: string, stage: string, dropoutPct: number, successRate: number, aggregatorMs: number | null }

function rows (results: DropoutResults): Row[] {
  const out: Row[] = []
  for (const c of results.cells) {
    const stages = c.stage === null ? [...new Set(results.blocks.filter((b) => b.n === c.n && b.graph === c.graph).flatMap((b) => b.stages))] : [c.stage]
    for (const stage of stages) {
      out.push({ n: `n = ${c.n}`, graph: c.graph === 'complete' ? 'complete graph' : 'SecAgg+', stage, dropoutPct: Math.round(c.dropout * 100), successRate: c.successRate, aggregatorMs: c.aggregatorMs })
    }
  }
  return out
}

function facetted (results: DropoutResults, title: string, y: Record<string, unknown>, filter?: string): ChartSpec {
  const nOrder = [...new Set(results.cells.map((c) => c.n))].sort((a, b) => a - b).map((n) => `n = ${n}`)
  const stageOrder = STAGES.filter((s) => results.cells.some((c) => c.stage === s))
  return {
    title: { text: title, anchor: 'start' },
    data: { values: rows(results) },
    ...(filter !== undefined ? { transform: [{ filter }] } : {}),
    facet: {
      row: { field: 'graph', type: 'nominal', title: null, sort: ['complete graph', 'SecAgg+'], header: { labelFontSize: 13, labelOrient: 'right', labelAngle: 90, labelPadding: 8 } },
      column: { field: 'stage', type: 'nominal', title: 'stage at which members drop', sort: stageOrder, header: { labelFontSize: 12, titleFontSize: 12 } }
    },
    spec: {
      width: 150,
      height: 140,
      mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'dropoutPct', type: 'quantitative', title: 'dropout (% of n)', scale: { domain: [0, 50] }, axis: { values: [0, 10, 20, 30, 40, 50] } },
        y,
        color: { field: 'n', type: 'nominal', sort: nOrder, title: null, legend: { orient: 'top', labelFontSize: 12 } },
        shape: { field: 'n', type: 'nominal', sort: nOrder, title: null }
      }
    }
  } as ChartSpec
}

export function dropoutCharts (results: DropoutResults): Record<string, ChartSpec> {
  return {
    'success-rate': facetted(results, `Share of seeded rounds that complete, dim ${results.dim}`,
      { field: 'successRate', type: 'quantitative', title: 'success rate', scale: { domain: [0, 1] }, axis: { format: '.0%' } }),
    'aggregator-time': facetted(results, `Aggregator CPU time per completed round (mean over seeds), dim ${results.dim}`,
      { field: 'aggregatorMs', type: 'quantitative', title: 'ms (log scale)', scale: { type: 'log' } }, 'datum.aggregatorMs !== null')
  }
}
