/**
 * The study's charts (Vega-Lite specs, drawn by src/node/charts/render-chart.ts):
 *
 * - per data set, test accuracy and test AUC per round, one row of panels per scenario, the
 *   secure run drawn as a thin dark line with points over the plain run's wide light line —
 *   equal curves overlap, so a visible light edge on one side is a real difference;
 * - the protocol's own error: each secure round's `maxDeviationFromPlain` against its bound
 *   `quantizationStep` (docs/TRAINING.md, "A federated round").
 */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import type { RoundReport } from '../../src/sim/federated-training.ts'
import { scenarioLabel } from './accuracy-plan.ts'
import type { CellResult } from './accuracy-run.ts'

const MODES = { secure: 'secure aggregation', plain: 'plain FedAvg' } as const
const METRICS = [['test accuracy', (r: RoundReport) => r.test.accuracy], ['test AUC', (r: RoundReport) => r.test.auc]] as const
const SECURE_COLOUR = '#1f3b73'
const PLAIN_COLOUR = '#f4a259'

interface CurvePoint { scenario: string, metric: string, mode: string, round: number, value: number }

export function curvePoints (cells: readonly CellResult[]): CurvePoint[] {
  return cells.flatMap((cell) => (['plain', 'secure'] as const).flatMap((mode) => cell[mode].rounds.flatMap((r) => METRICS.flatMap(([metric, read]) => {
    const value = read(r)
    return value === null || !Number.isFinite(value) ? [] : [{ scenario: scenarioLabel(cell), metric, mode: MODES[mode], round: r.round, value }]
  }))))
}

/** Largest |secure − plain| test accuracy over every round of these cells, in percentage points. */
export function maxAccuracyGapPoints (cells: readonly CellResult[]): number {
  return 100 * Math.max(0, ...cells.map((c) => c.summary.maxAccuracyGap))
}

/** Exactly 0 is said so: "0.00" could hide a difference below the rounding. */
const gapText = (pointsGap: number): string => pointsGap === 0 ? '0 (identical in every round)' : `${pointsGap.toFixed(2)} points`

/** Secure (thin, dark, points) over plain (wide, light) for one data set's cells. */
export function curvesChartSpec (cells: readonly CellResult[]): ChartSpec {
  const first = cells[0]!
  const deviation = Math.max(0, ...cells.map((c) => c.summary.maxDeviationFromPlain ?? 0))
  const line = (mode: string, style: object): object => ({
    transform: [{ filter: { field: 'mode', equal: mode } }],
    mark: { type: 'line', ...style }
  })
  return {
    title: {
      text: `Secure aggregation vs plain FedAvg: ${first.dataset}`,
      // Short lines: without a canvas Vega estimates text widths generously, and a long line pads the chart.
      subtitle: [
        `${first.datasetLabel}.`,
        `${first.peers} members, ${first.model}, 1 local epoch per round, seed ${first.secure.seed}.`,
        'Thin dark line: secure aggregation. Wide light line: plain FedAvg.',
        'Same axes: where the two agree, the dark line lies inside the light one.',
        `Max |secure − plain| test accuracy: ${gapText(maxAccuracyGapPoints(cells))}.`,
        `Max |secure − plain| mean update: ${deviation.toExponential(1)} (maxDeviationFromPlain).`
      ],
      anchor: 'start'
    },
    data: { values: curvePoints(cells) },
    facet: {
      row: { field: 'scenario', type: 'nominal', sort: cells.map(scenarioLabel), header: { title: null, labelAngle: 0, labelOrient: 'top', labelAlign: 'left', labelAnchor: 'start', labelFontSize: 12, labelFontWeight: 'bold' } },
      column: { field: 'metric', type: 'nominal', sort: METRICS.map(([m]) => m), header: { title: null, labelFontSize: 12 } }
    },
    spec: {
      width: 300,
      height: 130,
      encoding: {
        x: { field: 'round', type: 'quantitative', title: 'round', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: '.3~f', tickCount: 4 } },
        color: {
          field: 'mode', type: 'nominal', title: null,
          scale: { domain: [MODES.secure, MODES.plain], range: [SECURE_COLOUR, PLAIN_COLOUR] },
          legend: { orient: 'top', direction: 'horizontal', symbolType: 'stroke', symbolStrokeWidth: 5, symbolSize: 600, labelFontSize: 12, labelLimit: 400 }
        }
      },
      layer: [
        line(MODES.plain, { strokeWidth: 7, opacity: 0.55, strokeCap: 'round' }),
        line(MODES.secure, { strokeWidth: 1.8, point: { size: 28, filled: true } })
      ]
    },
    resolve: { scale: { y: 'independent' } }
  } as ChartSpec
}

interface DeviationPoint { dataset: string, scenario: string, round: number, deviation: number, step: number }

export function deviationPoints (cells: readonly CellResult[]): DeviationPoint[] {
  return cells.flatMap((cell) => cell.secure.rounds.flatMap((r) => r.maxDeviationFromPlain === undefined || r.quantizationStep === undefined ? []
    : [{ dataset: cell.datasetLabel, scenario: scenarioLabel(cell), round: r.round, deviation: r.maxDeviationFromPlain, step: r.quantizationStep }]))
}

/** Each secure round's deviation from the plain mean (points) under its bound (dashed). */
export function deviationChartSpec (cells: readonly CellResult[]): ChartSpec {
  const scenarios = [...new Set(cells.map(scenarioLabel))]
  const colour = { field: 'scenario', type: 'nominal', title: null, sort: scenarios, legend: { orient: 'bottom', columns: 2, labelLimit: 400, labelFontSize: 12 } }
  return {
    title: {
      text: 'How far the secure mean is from the plain mean, per round',
      subtitle: [
        'Points: largest |secure mean − plain mean| of the same updates over',
        'the model\'s coordinates (maxDeviationFromPlain). Dashed, same colour:',
        'its bound, the quantization step. Every point under its line: the',
        'protocol adds no error beyond fixed-point rounding.'
      ],
      anchor: 'start'
    },
    data: { values: deviationPoints(cells) },
    facet: { column: { field: 'dataset', type: 'nominal', header: { title: null, labelFontSize: 12 } } },
    spec: {
      width: 300,
      height: 200,
      encoding: { x: { field: 'round', type: 'quantitative', title: 'round', axis: { tickMinStep: 1, format: 'd' } }, color: colour },
      layer: [
        { mark: { type: 'line', strokeDash: [5, 4], strokeWidth: 1.5 }, encoding: { y: { field: 'step', type: 'quantitative', title: '|secure − plain| (mean update)', axis: { format: '.1e' }, scale: { zero: true } } } },
        { mark: { type: 'point', filled: true, size: 50 }, encoding: { y: { field: 'deviation', type: 'quantitative' } } }
      ]
    }
  } as ChartSpec
}
