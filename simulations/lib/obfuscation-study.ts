/**
 * The obfuscation study as a StudyDefinition: each data set measured (obfuscation-measure.ts),
 * the grid of held-out images written beside the results, and the summary table.
 */
import { join } from 'node:path'
import { initBackend } from '../../src/train/backend.ts'
import type { BackendName } from '../../src/train/backend.ts'
import type { StudyIo } from './main.ts'
import { writeObfuscationGrid } from './obfuscation-grid.ts'
import { obfuscationSummary } from './obfuscation-markdown.ts'
import { measureDataset } from './obfuscation-measure.ts'
import type { DatasetResult, DatasetSamples } from './obfuscation-measure.ts'
import { obfuscationPlan } from './obfuscation-plan.ts'
import type { ObfuscationPlan } from './obfuscation-plan.ts'
import { describeMachine } from './results.ts'
import type { Machine } from './results.ts'
import { runStudy } from './run-study.ts'
import type { StudyDefinition } from './run-study.ts'

export const OBFUSCATION_HELP = `Usage: npm run sim:obfuscation -- [--out DIR] [--full | --smoke] [--replot]

Popescu et al. 2022's evaluation of image obfuscation (VAE + random non-bijective intensity
map) on the synthetic chest X-rays and MNIST: classifier accuracy/AUC on originals vs
obfuscated images, SSIM/PSNR of obfuscated and attacker-reconstructed images against the
originals (attacker knowing the algorithm only; with pairs made with another key; with pairs
made with the same key), and grid.png of held-out examples.

  --out DIR   where results.json, summary.md and grid.png go
              (default simulations/results/obfuscation)
  --full      5,000 images per data set, longer training (not timed here)
  --smoke     seconds: 300 synthetic images, an epoch or two, for tests
  --replot    rewrite summary.md from DIR/results.json (the grid needs a run)
`

export interface ObfuscationResults {
  study: 'obfuscation'
  size: string
  machine: Machine
  backend: BackendName
  plan: ObfuscationPlan
  elapsedMs: number
  datasets: DatasetResult[]
}

export const obfuscationStudy: StudyDefinition<ObfuscationResults> = {
  name: 'obfuscation',
  help: OBFUSCATION_HELP,
  async measure (args, io) {
    const started = performance.now()
    const backend = await initBackend()
    const plan = obfuscationPlan(args.size)
    const datasets: DatasetResult[] = []
    const samples: DatasetSamples[] = []
    for (const name of plan.datasets) {
      const measured = await measureDataset(name, plan, (text) => io.stderr(`${text} (${((performance.now() - started) / 1000).toFixed(0)} s)`))
      datasets.push(measured.result)
      samples.push(measured.samples)
    }
    io.stdout(`sim:obfuscation: wrote ${await writeObfuscationGrid(join(args.out, 'grid.png'), samples)}`)
    return { study: 'obfuscation', size: args.size, machine: describeMachine(), backend, plan, elapsedMs: Math.round(performance.now() - started), datasets }
  },
  charts: () => ({}),
  summary: obfuscationSummary
}

export async function runObfuscationStudy (argv: readonly string[], io: StudyIo): Promise<ObfuscationResults | undefined> {
  return await runStudy(obfuscationStudy, argv, io)
}
