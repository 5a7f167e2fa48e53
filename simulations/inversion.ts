/**
 * `npm run study:inversion`: what a gradient-inversion attack (Geiping et al., NeurIPS 2020;
 * labels known, as in iDLG's setting) recovers from each view of a round — one member's plain
 * update, the masked input the aggregator receives, the unmasked sum over n members, and the
 * sum under distributed DP — on MNIST and synthetic chest X-rays. See simulations/README.md
 * and docs/PRIVACY.md ("Gradient inversion").
 */
import { initBackend } from '../src/train/backend.ts'
import type { BackendName } from '../src/train/backend.ts'
import type { InversionSettings } from '../src/train/eval/gradient-inversion.ts'
import { inversionCharts } from './lib/inversion-charts.ts'
import { caseLabel, inversionPlan } from './lib/inversion-plan.ts'
import type { InversionPlan } from './lib/inversion-plan.ts'
import { prepareDataset, runCase, sameClassBaseline } from './lib/inversion-run.ts'
import type { CaseResult, DatasetBaseline } from './lib/inversion-run.ts'
import { inversionSummary } from './lib/inversion-summary.ts'
import { runIfMain } from './lib/main.ts'
import type { StudyIo } from './lib/main.ts'
import { Progress } from './lib/progress.ts'
import { describeMachine } from './lib/results.ts'
import type { Machine } from './lib/results.ts'
import { runStudy } from './lib/run-study.ts'
import type { StudyArgs } from './lib/args.ts'

export const INVERSION_HELP = `Usage: npm run study:inversion -- [--out DIR] [--full | --smoke] [--replot]

Gradient inversion (cosine loss + total variation, Adam; labels known) against the project's
MLP on MNIST and synthetic chest X-rays: (a) one member's plain FedSGD update, (b) its masked
input as the aggregator receives it, (c) the unmasked sum of n = 2, 4, 8 members, (d) the sum
with distributed DP noise (σ = 1, C = 1). SSIM/PSNR against the target's images, PNG grids.

  --out DIR   where results.json, summary.md, the chart and the grids go
              (default simulations/results/inversion)
  --full      2,000 iterations x 4 restarts per attack (default 500 x 1; ~16x longer)
  --smoke     MNIST, cases (a) and (b) only, 120 iterations: seconds, for tests
  --replot    redraw the chart and summary.md from DIR/results.json (the grids stay)
`

export interface InversionResults {
  study: 'inversion'
  size: string
  backend: BackendName
  machine: Machine
  elapsedMs: number
  model: string
  attack: InversionSettings
  learningRate: number
  privacy: InversionPlan['privacy']
  seed: string
  baselines: DatasetBaseline[]
  cases: CaseResult[]
}

async function measureInversion (args: StudyArgs, io: StudyIo): Promise<InversionResults> {
  const plan = inversionPlan(args.size)
  const backend = await initBackend()
  const progress = new Progress(plan.datasets.length * plan.cases.length, io.stderr)
  const cases: CaseResult[] = []
  const baselines: DatasetBaseline[] = []
  for (const dataset of plan.datasets) {
    const prepared = prepareDataset(dataset, plan)
    baselines.push(sameClassBaseline(prepared, dataset))
    for (const c of plan.cases) {
      const result = await runCase(prepared, dataset, plan, c, args.out)
      cases.push(result)
      progress.cell(`${dataset} ${caseLabel(c)}`, `SSIM ${result.ssim.toFixed(3)}, PSNR ${result.psnr.toFixed(1)} dB, 1 − cos ${result.gradientDistance.toExponential(1)}, ${(result.wallMs / 1000).toFixed(1)} s`)
    }
  }
  const elapsedMs = Math.round(progress.elapsedMs())
  io.stderr(`study:inversion: wall time ${(elapsedMs / 1000).toFixed(0)} s on the ${backend} backend`)
  return {
    study: 'inversion', size: args.size, backend, machine: describeMachine(), elapsedMs,
    model: 'mlp (flatten → dense 128 ReLU → dense softmax), seeded initial weights', attack: plan.attack,
    learningRate: plan.learningRate, privacy: plan.privacy, seed: plan.seed, baselines, cases
  }
}

export async function runInversionStudy (argv: readonly string[], io: StudyIo): Promise<InversionResults | undefined> {
  return await runStudy({ name: 'inversion', help: INVERSION_HELP, measure: (args) => measureInversion(args, io), charts: inversionCharts, summary: inversionSummary }, argv, io)
}

runIfMain(import.meta.url, runInversionStudy)
