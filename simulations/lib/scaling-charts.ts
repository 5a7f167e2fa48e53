/**
 * The scaling study's charts: measured cost against n on log–log axes with the fitted power
 * law drawn dashed and its exponent b written at the line's end; and the aggregator's
 * 0 % → 10 % dropout slow-down at n = 500 as bars next to Bonawitz et al.'s.
 */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import type { Metric, ScalingResults, Transport } from '../scaling.ts'
import { METRICS } from '../scaling.ts'
import { evaluateFit } from './fit.ts'
import { BONAWITZ_DROPOUT_FACTOR, DROPOUT_FACTOR_GOAL } from './reference-numbers.ts'

export const METRIC_LABELS: Record<Metric, string> = {
  aggregatorMs: 'aggregator CPU ms',
  participantMs: 'participant CPU ms (mean)',
  bytesPerPeer: 'bytes sent per peer',
  roundMs: 'round wall-clock ms'
}

export const GRAPH_LABELS = { complete: 'complete graph', 'secagg+': 'SecAgg+' } as const

interface Row { metric: string, graph: string, n: number, value: number, kind: 'measured' | 'fit' | 'label', text?: string }

function costChart (r: ScalingResults, transport: Transport, title: string): ChartSpec {
  const rows: Row[] = []
  for (const p of r.points.filter((p) => p.transport === transport && p.success)) {
    for (const metric of METRICS[transport]) {
      const value = p[metric]
      if (value !== null && value > 0) rows.push({ metric: METRIC_LABELS[metric], graph: GRAPH_LABELS[p.graph], n: p.n, value, kind: 'measured' })
    }
  }
  for (const f of r.fits.filter((f) => f.transport === transport)) {
    const base = { metric: METRIC_LABELS[f.metric], graph: GRAPH_LABELS[f.graph] }
    rows.push({ ...base, n: f.fromN, value: evaluateFit(f, f.fromN), kind: 'fit' }, { ...base, n: f.toN, value: evaluateFit(f, f.toN), kind: 'fit' })
    rows.push({ ...base, n: f.toN, value: evaluateFit(f, f.toN), kind: 'label', text: `${base.graph}: b = ${f.exponent.toFixed(2)}` })
  }
  const color = { field: 'graph', type: 'nominal', title: null, sort: Object.values(GRAPH_LABELS), legend: { orient: 'top', labelFontSize: 12, symbolType: 'circle' } }
  const ns = [...new Set(rows.map((row) => row.n))]
  const ticks = (Math.max(...ns) <= 30 ? [5, 10, 20, 30] : [10, 20, 50, 100, 200, 500, 1000]).filter((t) => t >= Math.min(...ns) && t <= Math.max(...ns))
  const x = { field: 'n', type: 'quantitative', title: 'n (peers, log)', scale: { type: 'log', nice: false, padding: 16 }, axis: { values: ticks, labelFlush: false, labelOverlap: false, format: '~d' } }
  const y = { field: 'value', type: 'quantitative', title: null, scale: { type: 'log' } }
  return {
    title: { text: title, subtitle: 'points: measured; dashed: least-squares power law a · n^b on log–log', anchor: 'start' },
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: METRICS[transport].map((m) => METRIC_LABELS[m]), header: { labelFontSize: 13 } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 220,
      height: 220,
      layer: [
        { transform: [{ filter: "datum.kind === 'measured'" }], mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color } },
        { transform: [{ filter: "datum.kind === 'fit'" }], mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x, y, color } },
        // The exponents in the panel's top-left corner, one line per graph, so they never sit on a point.
        { transform: [{ filter: `datum.kind === 'label' && datum.graph === '${GRAPH_LABELS.complete}'` }], mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 12, fontWeight: 'bold' }, encoding: { x: { value: 6 }, y: { value: 6 }, color, text: { field: 'text' } } },
        { transform: [{ filter: `datum.kind === 'label' && datum.graph === '${GRAPH_LABELS['secagg+']}'` }], mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 12, fontWeight: 'bold' }, encoding: { x: { value: 6 }, y: { value: 22 }, color, text: { field: 'text' } } }
      ]
    }
  } as ChartSpec
}

const FACTOR_AXIS_MIN = 0.25

function factorChart (r: ScalingResults): ChartSpec {
  const c = r.comparison
  const rows = [
    { bar: 'Bonawitz et al. 2017, complete graph', factor: BONAWITZ_DROPOUT_FACTOR, who: 'published' },
    ...c.map((row) => ({ bar: `ours, ${GRAPH_LABELS[row.graph]}${row.graph === 'secagg+' ? ` (k = ${row.neighbours})` : ''}`, factor: row.factor, who: 'measured here' }))
  ].map((row) => ({ ...row, factor: Math.max(FACTOR_AXIS_MIN, row.factor), text: `${row.factor.toFixed(2)}×` }))
  const n = c[0]?.n ?? 500
  const dim = c[0]?.dim ?? 0
  return {
    title: { text: `Aggregator time at 10 % dropout ÷ at 0 %, n = ${n}`, subtitle: [`ours: CPU ms in the aggregator's machine, dim ${dim.toLocaleString('en-US')}, members dropping before sending masked input`, `dashed: the goal for SecAgg+, ${DROPOUT_FACTOR_GOAL}×`], anchor: 'start' },
    data: { values: rows },
    width: 420,
    height: 60 * rows.length,
    layer: [
      {
        mark: { type: 'bar', height: 30 },
        encoding: {
          y: { field: 'bar', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400, labelFontSize: 12 } },
          // A log axis has no zero: the bars start at its left edge.
          x: { field: 'factor', type: 'quantitative', title: 'slow-down factor (log)', scale: { type: 'log', domain: [FACTOR_AXIS_MIN, 100], nice: false }, axis: { values: [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100] } },
          x2: { datum: FACTOR_AXIS_MIN },
          color: { field: 'who', type: 'nominal', title: null, legend: { orient: 'top', labelFontSize: 12 } }
        }
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 12 },
        encoding: { y: { field: 'bar', type: 'nominal', sort: null, axis: { labelLimit: 400, labelFontSize: 12 } }, x: { field: 'factor', type: 'quantitative' }, text: { field: 'text' } }
      },
      { data: { values: [{ goal: DROPOUT_FACTOR_GOAL }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#444' }, encoding: { x: { field: 'goal', type: 'quantitative' } } }
    ]
  } as ChartSpec
}

export function scalingCharts (r: ScalingResults): Record<string, ChartSpec> {
  const charts: Record<string, ChartSpec> = {}
  if (r.points.some((p) => p.transport === 'memory')) charts['memory-cost'] = costChart(r, 'memory', `Cost of one round against n, in memory (dim ${r.dim})`)
  if (r.points.some((p) => p.transport === 'libp2p')) charts['libp2p-cost'] = costChart(r, 'libp2p', `Cost of one round against n, libp2p on 127.0.0.1 (dim ${r.dim})`)
  if (r.comparison.length > 0) charts['dropout-factor'] = factorChart(r)
  return charts
}
