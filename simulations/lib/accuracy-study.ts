/**
 * `npm run sim:accuracy [-- --smoke | --full] [--out DIR] [--seed S]`: runs the grid
 * (accuracy-plan.ts), then writes DIR/results.json, the charts as SVG and PNG, and the
 * write-up with the charts embedded (simulations/accuracy.md for the default run into the
 * default folder, DIR/accuracy.md otherwise, so a smoke or full run never overwrites it).
 * `--redraw` skips the training and draws from DIR/results.json — hours of `--full` runs
 * need not be repeated to change a chart.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { writeChart } from '../../src/node/charts/render-chart.ts'
import { parseFlags } from '../../src/node/cli/parse-flags.ts'
import { UsageError } from '../../src/node/cli/usage-error.ts'
import { curvesChartSpec, deviationChartSpec } from './accuracy-charts.ts'
import { accuracyMarkdown } from './accuracy-markdown.ts'
import type { StudyChart } from './accuracy-markdown.ts'
import { studyPlan } from './accuracy-plan.ts'
import { privacyArms, privacyChartSpec, privateCells } from './accuracy-privacy.ts'
import type { StudySize } from './accuracy-plan.ts'
import { runStudy } from './accuracy-run.ts'
import type { StudyIo, StudyResults } from './accuracy-run.ts'

const SIMULATIONS = resolve(import.meta.dirname, '..')
export const DEFAULT_OUT = join(SIMULATIONS, 'results', 'accuracy')
export const DEFAULT_DOC = join(SIMULATIONS, 'accuracy.md')

export const ACCURACY_HELP = `Usage: npm run sim:accuracy -- [--smoke | --full] [--out DIR] [--seed S]

Secure aggregation vs plain FedAvg (and secure + DP on the IID cells), accuracy and AUC per round, on MNIST and the synthetic
chest X-rays, IID and Dirichlet non-IID, with and without dropout. See simulations/accuracy.md.

  --smoke      the same grid on 150 tiny synthetic images, 2 rounds (seconds; for tests)
  --full       10 members, 20 rounds, α = 0.5 and 0.1; DP at σ = 1, 0.3, 0.1 (a few hours)
  --out DIR    where results.json and the charts go (default simulations/results/accuracy)
  --seed S     seed of every run (1)
  --redraw     no training: redraw the charts and the write-up from DIR/results.json
`

/** Temp file + rename, so an interrupted run never leaves a half-written file behind. */
function writeAtomic (path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, text)
  renameSync(temp, path)
}

async function writeCharts (results: StudyResults, out: string): Promise<StudyChart[]> {
  const charts: StudyChart[] = []
  for (const dataset of [...new Set(results.cells.map((c) => c.dataset))]) {
    const cells = results.cells.filter((c) => c.dataset === dataset)
    charts.push({ kind: 'curves', dataset, cells, ...await writeChart(join(out, `accuracy-${dataset}.svg`), curvesChartSpec(cells)) })
  }
  charts.push({ kind: 'deviation', dataset: null, cells: results.cells, ...await writeChart(join(out, 'deviation.svg'), deviationChartSpec(results.cells)) })
  for (const dataset of [...new Set(privateCells(results.cells).map((c) => c.dataset))]) {
    const cells = privateCells(results.cells).filter((c) => c.dataset === dataset)
    charts.push({ kind: 'privacy', dataset, cells, ...await writeChart(join(out, `privacy-${dataset}.svg`), privacyChartSpec(cells, privacyArms(results.size))) })
  }
  return charts
}

/** `--redraw`: the results of an earlier run of the same size. */
function readResults (path: string, size: StudySize): StudyResults {
  let results: StudyResults
  try {
    results = JSON.parse(readFileSync(path, 'utf8')) as StudyResults
  } catch (err) {
    throw new UsageError(`--redraw needs the results of an earlier run: cannot read ${path} (${(err as Error).message}); run without --redraw first`)
  }
  if (results.study !== 'accuracy' || !Array.isArray(results.cells)) throw new UsageError(`--redraw: ${path} is not the results of sim:accuracy`)
  if (results.size !== size) throw new UsageError(`--redraw: ${path} holds a '${results.size}' run; add --${results.size === 'default' ? 'out DIR' : results.size} to redraw it`)
  return results
}

export async function runAccuracyStudy (argv: readonly string[], io: StudyIo): Promise<number> {
  const { values } = parseFlags(argv, {
    smoke: { type: 'boolean' }, full: { type: 'boolean' }, out: { type: 'string' }, seed: { type: 'string' }, redraw: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }
  }, 'sim:accuracy')
  if (values.help === true) { io.log(ACCURACY_HELP); return 0 }
  if (values.smoke === true && values.full === true) throw new UsageError('--smoke and --full exclude each other; pick one (or neither for the default size)')
  const size: StudySize = values.smoke === true ? 'smoke' : values.full === true ? 'full' : 'default'
  const out = resolve(values.out ?? (size === 'default' ? DEFAULT_OUT : join(SIMULATIONS, 'results', `accuracy-${size}`)))
  const doc = size === 'default' && out === DEFAULT_OUT ? DEFAULT_DOC : join(out, 'accuracy.md')
  let results: StudyResults
  if (values.redraw === true) {
    results = readResults(join(out, 'results.json'), size)
  } else {
    const plan = studyPlan(size, values.seed ?? '1')
    io.log(`accuracy study (${size}): ${plan.datasets.map((d) => d.id).join(', ')} × ${plan.partitions.join(', ')} × dropout ${plan.dropouts.join(', ')} × secure, plain (+ secure+DP on IID) → ${relative(process.cwd(), out) || '.'}`)
    results = await runStudy(plan, io)
    writeAtomic(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  }
  const plan = studyPlan(results.size, results.seed)
  const charts = await writeCharts(results, out)
  writeAtomic(doc, accuracyMarkdown(results, plan, charts, dirname(doc)))
  const wrote = `${charts.length} charts (SVG + PNG) and ${relative(process.cwd(), doc)}`
  io.log(values.redraw === true ? `redrew ${wrote} from ${relative(process.cwd(), join(out, 'results.json'))}` : `wrote ${relative(process.cwd(), join(out, 'results.json'))}, ${wrote}; the study took ${(results.wallMs / 1000).toFixed(0)} s`)
  return 0
}
