/**
 * Runs the study's grid: each cell once with secure aggregation and once with plain FedAvg
 * on the same seed, dropout schedule and clipping (docs/TRAINING.md, "A federated round"),
 * and reduces each pair to the numbers the charts and tables show.
 */
import { cpus, platform } from 'node:os'
import { runTrainingSimulation } from '../../src/sim/federated-training.ts'
import type { RoundReport, TrainingReport } from '../../src/sim/federated-training.ts'
import { studyCells } from './accuracy-plan.ts'
import { privacyArms, runPrivateArms } from './accuracy-privacy.ts'
import type { PrivateRun } from './accuracy-privacy.ts'
import type { StudyCell, StudyPlan, StudySize } from './accuracy-plan.ts'

/** How one cell's secure run compares with its plain run. */
export interface CellSummary {
  finalAccuracy: { secure: number, plain: number }
  finalAuc: { secure: number | null, plain: number | null }
  /** Largest |secure − plain| test accuracy over the rounds (0–1). */
  maxAccuracyGap: number
  /** Largest |secure − plain| test AUC over the rounds where both have one. */
  maxAucGap: number
  /** Largest `maxDeviationFromPlain` of the secure run's rounds: its sum against the plain sum of the same updates. */
  maxDeviationFromPlain: number | null
  /** Largest `quantizationStep` (the bound on that deviation). */
  maxQuantizationStep: number | null
  abortedRounds: { secure: number, plain: number }
  /** Members left out of a round's mean, summed over rounds (the same in both runs). */
  excludedMemberRounds: number
  wallMs: { secure: number, plain: number }
}

export interface CellResult {
  id: string
  dataset: string
  datasetLabel: string
  partition: string
  dropout: string
  peers: number
  rounds: number
  model: string
  summary: CellSummary
  secure: TrainingReport
  plain: TrainingReport
  /** Secure + DP runs on the same seed, one per noise multiplier (IID cells; accuracy-privacy.ts). */
  private?: PrivateRun[]
}

export interface StudyResults {
  study: 'accuracy'
  size: StudySize
  seed: string
  startedAt: string
  machine: { cpus: number, cpuModel: string, platform: string, node: string, backend: string | null }
  wallMs: number
  /** CPU time of this process (user + system): what the study costs on an otherwise idle machine, whatever else was running. */
  cpuMs: number
  cells: CellResult[]
}

const gap = (a: readonly RoundReport[], b: readonly RoundReport[], metric: (r: RoundReport) => number | null): number =>
  a.reduce((worst, r, k) => {
    const x = metric(r)
    const y = metric(b[k]!)
    return x === null || y === null ? worst : Math.max(worst, Math.abs(x - y))
  }, 0)

const maxOf = (values: Array<number | undefined>): number | null => {
  const present = values.filter((v): v is number => v !== undefined)
  return present.length === 0 ? null : Math.max(...present)
}

export function summarize (secure: TrainingReport, plain: TrainingReport): CellSummary {
  const last = (r: TrainingReport): RoundReport => r.rounds.at(-1)!
  return {
    finalAccuracy: { secure: last(secure).test.accuracy, plain: last(plain).test.accuracy },
    finalAuc: { secure: last(secure).test.auc, plain: last(plain).test.auc },
    maxAccuracyGap: gap(secure.rounds, plain.rounds, (r) => r.test.accuracy),
    maxAucGap: gap(secure.rounds, plain.rounds, (r) => r.test.auc),
    maxDeviationFromPlain: maxOf(secure.rounds.map((r) => r.maxDeviationFromPlain)),
    maxQuantizationStep: maxOf(secure.rounds.map((r) => r.quantizationStep)),
    abortedRounds: { secure: secure.rounds.filter((r) => r.aborted).length, plain: plain.rounds.filter((r) => r.aborted).length },
    excludedMemberRounds: secure.rounds.reduce((n, r) => n + (r.aborted ? 0 : secure.peers - r.included.length), 0),
    wallMs: { secure: secure.wallMs, plain: plain.wallMs }
  }
}

export interface StudyIo {
  readonly log: (line: string) => void
}

async function runCell (cell: StudyCell, plan: StudyPlan, io: StudyIo): Promise<CellResult> {
  const { dataset } = cell
  const reports: Partial<Record<'secure' | 'plain', TrainingReport>> = {}
  for (const mode of ['secure', 'plain'] as const) {
    reports[mode] = await runTrainingSimulation({
      dataset: dataset.spec, peers: dataset.peers, rounds: dataset.rounds, partition: cell.partitionSpec, dropout: cell.dropoutSpec,
      plain: mode === 'plain', seed: plan.seed, model: dataset.model,
      onRound: (r) => io.log(`  ${cell.id} ${mode} round ${r.round}: test accuracy ${(100 * r.test.accuracy).toFixed(2)}%${r.aborted ? ' (aborted)' : ''}, ${(r.wallMs / 1000).toFixed(1)} s`)
    })
  }
  const secure = reports.secure!
  const plain = reports.plain!
  const privateRuns = await runPrivateArms(cell, plan, privacyArms(plan.size), io.log)
  const summary = summarize(secure, plain)
  io.log(`${cell.id}: final test accuracy secure ${(100 * summary.finalAccuracy.secure).toFixed(2)}%, plain ${(100 * summary.finalAccuracy.plain).toFixed(2)}%; ` +
    `max |secure − plain| accuracy ${(100 * summary.maxAccuracyGap).toFixed(2)} points, mean deviation ≤ ${summary.maxDeviationFromPlain?.toExponential(2) ?? 'n/a'}`)
  return {
    id: cell.id, dataset: dataset.id, datasetLabel: dataset.label, partition: cell.partition, dropout: cell.dropout,
    peers: dataset.peers, rounds: dataset.rounds, model: dataset.model, summary, secure, plain,
    ...(privateRuns.length > 0 ? { private: privateRuns } : {})
  }
}

export async function runStudy (plan: StudyPlan, io: StudyIo): Promise<StudyResults> {
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  const startedAt = new Date().toISOString()
  const cells: CellResult[] = []
  for (const cell of studyCells(plan)) cells.push(await runCell(cell, plan, io))
  return {
    study: 'accuracy', size: plan.size, seed: plan.seed, startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', platform: platform(), node: process.version, backend: cells[0]?.secure.backend ?? null },
    wallMs: Math.round(performance.now() - start),
    cpuMs: Math.round((({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpuStart))),
    cells
  }
}
