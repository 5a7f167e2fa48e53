/**
 * The communication study's charts: the overhead (expansion − 1, log scale, because it spans
 * decades as M grows) against n for every M; and the expansion itself at the largest M,
 * against both raw-input baselines, next to Bonawitz et al.'s point and the goal.
 */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import type { CommunicationResults } from '../communication.ts'
import { BONAWITZ_EXPANSION, EXPANSION_GOAL } from './reference-numbers.ts'
import { GRAPH_LABELS } from './scaling-charts.ts'

function powerOfTen (m: number): string {
  const e = Math.log10(m)
  return Number.isInteger(e) ? `10^${e}` : m.toLocaleString('en-US')
}

const X_AXIS = { field: 'n', type: 'quantitative', title: 'n (peers, log)', scale: { type: 'log', nice: false, padding: 12 }, axis: { values: [10, 20, 50, 100, 200, 500, 1000] } }

/** A dashed horizontal line at `y` (a layer of its own needs its own one-row data). */
function goalRule (y: number): Record<string, unknown> {
  return { data: { values: [{ y }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#777' }, encoding: { y: { field: 'y', type: 'quantitative' } } }
}

function overheadChart (r: CommunicationResults): ChartSpec {
  const rows = r.points.filter((p) => p.completed).map((p) => ({ n: p.n, series: `${GRAPH_LABELS[p.graph]}, M = ${powerOfTen(p.dim)}`, overhead: p.expansion - 1 }))
  return {
    title: { text: 'Overhead: bytes a member sends ÷ 4 M − 1', subtitle: ['(4 M = its M quantized 32-bit words)', `dashed grey: the goal, ${EXPANSION_GOAL}× (overhead ${(EXPANSION_GOAL - 1).toFixed(2)})`], anchor: 'start' },
    width: 460,
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 1.5 },
        encoding: {
          x: X_AXIS,
          y: { field: 'overhead', type: 'quantitative', title: 'overhead (expansion − 1, log)', scale: { type: 'log' }, axis: { format: '~g' } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'right', labelFontSize: 12, labelLimit: 300 } }
        }
      },
      goalRule(EXPANSION_GOAL - 1)
    ]
  } as unknown as ChartSpec
}

const BASELINES = ['÷ 4 B/entry (32-bit words)', '÷ 2 B/entry (16-bit inputs)']

function expansionChart (r: CommunicationResults): ChartSpec {
  const largest = Math.max(...r.points.map((p) => p.dim))
  const rows = r.points.filter((p) => p.completed && p.dim === largest).flatMap((p) => [
    { n: p.n, series: `${GRAPH_LABELS[p.graph]} ${BASELINES[0]}`, expansion: p.expansion },
    { n: p.n, series: `${GRAPH_LABELS[p.graph]} ${BASELINES[1]}`, expansion: p.expansionVs16Bit }
  ])
  const reference = [{ n: BONAWITZ_EXPANSION.users, expansion: BONAWITZ_EXPANSION.factor, text: `Bonawitz et al.: ${BONAWITZ_EXPANSION.factor}× (2^20 16-bit entries)` }]
  return {
    title: { text: `Expansion at M = ${powerOfTen(largest)}: bytes a member sends ÷ raw input bytes`, subtitle: [`diamond: Bonawitz et al.; dashed grey: the goal, ${EXPANSION_GOAL}×`], anchor: 'start' },
    width: 460,
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 1.5, clip: true },
        encoding: {
          x: X_AXIS,
          y: { field: 'expansion', type: 'quantitative', title: 'expansion (×)', scale: { domain: [0.9, Math.max(2.2, ...rows.map((row) => row.expansion * 1.05))] } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelFontSize: 12, labelLimit: 500 } }
        }
      },
      { data: { values: reference }, mark: { type: 'point', shape: 'diamond', size: 120, filled: true, color: 'black' }, encoding: { x: { field: 'n', type: 'quantitative' }, y: { field: 'expansion', type: 'quantitative' } } },
      { data: { values: reference }, mark: { type: 'text', align: 'right', dx: -8, dy: -10, fontSize: 11 }, encoding: { x: { field: 'n', type: 'quantitative' }, y: { field: 'expansion', type: 'quantitative' }, text: { field: 'text' } } },
      goalRule(EXPANSION_GOAL)
    ]
  } as unknown as ChartSpec
}

export function communicationCharts (r: CommunicationResults): Record<string, ChartSpec> {
  return { overhead: overheadChart(r), expansion: expansionChart(r) }
}
