/**
 * The line chart of one `secagg simulate --task train` run: the global model's test accuracy
 * and ROC AUC after each round and the members' mean validation accuracy, with the run's
 * settings (data set, secure or plain, members, partition, dropouts) in the title and
 * subtitle, so a chart read on its own says which run it is. The dropouts are read from the
 * report's rounds (who actually dropped where), not from the flag.
 */
import type { RoundReport, TrainingReport } from '../../sim/federated-training.ts'
import { writeChart } from './render-chart.ts'
import type { ChartSpec } from './render-chart.ts'

/** The series, in legend order. */
export const TRAINING_SERIES = ['test accuracy', 'test AUC', 'member validation accuracy (mean)'] as const

export interface TrainingPoint { round: number, series: typeof TRAINING_SERIES[number], value: number }

/** One point per round and series; a metric that is undefined for a round (AUC: null) is left out. */
export function trainingPoints (report: TrainingReport): TrainingPoint[] {
  const values = (r: RoundReport): Array<number | null> => [r.test.accuracy, r.test.auc, r.accuracy.mean]
  return report.rounds.flatMap((r) => values(r).flatMap((value, k) =>
    value === null || !Number.isFinite(value) ? [] : [{ round: r.round, series: TRAINING_SERIES[k]!, value }]))
}

/** "no dropout", "1 member dropped at masked per round", or the range when rounds differ. */
export function dropoutSummary (rounds: readonly RoundReport[]): string {
  const counts = new Map<string, number[]>()
  for (const [k, r] of rounds.entries()) {
    for (const [stage, peers] of Object.entries(r.droppedAt)) {
      const perRound = counts.get(stage) ?? new Array<number>(rounds.length).fill(0)
      perRound[k] = peers?.length ?? 0
      counts.set(stage, perRound)
    }
  }
  if (counts.size === 0) return 'no dropout'
  return [...counts].map(([stage, perRound]) => {
    const lo = Math.min(...perRound)
    const hi = Math.max(...perRound)
    const n = lo === hi ? `${lo}` : `${lo}–${hi}`
    return `${n} member${hi === 1 ? '' : 's'} dropped at ${stage} per round`
  }).join(', ')
}

export function trainingChartSpec (report: TrainingReport): ChartSpec {
  const aborted = report.rounds.filter((r) => r.aborted).length
  // Two short lines rather than one long one: without a canvas Vega estimates text widths
  // (0.8 × font size per character, wider than DejaVu Sans), and a long line pads the chart.
  const subtitle = [
    [`${report.peers} members`, report.partition === 'iid' ? 'IID' : `non-IID ${report.partition.replace(':', ' α = ')}`, dropoutSummary(report.rounds)].join(' · '),
    [`${report.model}, ${report.epochs} epoch${report.epochs === 1 ? '' : 's'}/round, seed ${report.seed}`,
      ...(aborted > 0 ? [`${aborted} round${aborted === 1 ? '' : 's'} aborted (model unchanged)`] : [])].join(' · ')
  ]
  return {
    title: {
      text: `Federated training on ${report.dataset}: ${report.mode === 'secure' ? 'secure aggregation' : 'plain FedAvg'}`,
      subtitle,
      anchor: 'start'
    },
    width: 640,
    height: 300,
    data: { values: trainingPoints(report) },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'round', type: 'quantitative', title: 'round', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: 'accuracy, AUC (0–1)', scale: { zero: false }, axis: { format: '.2f' } },
      color: { field: 'series', type: 'nominal', title: null, sort: [...TRAINING_SERIES], legend: { orient: 'bottom', direction: 'horizontal', symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 500, labelLimit: 400 } },
      strokeDash: { field: 'series', type: 'nominal', title: null, sort: [...TRAINING_SERIES] }
    }
  } as ChartSpec
}

/** `--chart FILE.svg`: the run's chart as FILE.svg and FILE.png; returns both paths. */
export async function writeTrainingChart (path: string, report: TrainingReport): Promise<{ svg: string, png: string }> {
  return await writeChart(path, trainingChartSpec(report))
}
