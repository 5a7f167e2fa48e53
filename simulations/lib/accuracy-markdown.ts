/**
 * The study's write-up (simulations/accuracy.md): what it measures, how to run it, the
 * machine, the measured numbers of this very run and each chart with its caption. Generated
 * from results.json so the text and the numbers cannot drift apart.
 */
import { relative } from 'node:path'
import { maxAccuracyGapPoints } from './accuracy-charts.ts'
import { scenarioLabel, studyCells, studyPlan } from './accuracy-plan.ts'
import { privacyArms, privacyMarkdown } from './accuracy-privacy.ts'
import type { StudyPlan, StudySize } from './accuracy-plan.ts'
import type { CellResult, StudyResults } from './accuracy-run.ts'

export interface StudyChart {
  kind: 'curves' | 'deviation' | 'privacy'
  dataset: string | null
  cells: readonly CellResult[]
  svg: string
  png: string
}

const pct = (x: number | null): string => x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`
const auc = (x: number | null): string => x === null ? 'n/a' : x.toFixed(4)
const sci = (x: number | null): string => x === null ? 'n/a' : x.toExponential(1)
const minutes = (ms: number): string => ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 90_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`
/** A gap of exactly 0 is said so: "0.00" alone could hide a difference below the rounding. */
const points = (gap: number): string => gap === 0 ? '0 (identical)' : `${(100 * gap).toFixed(2)} points`
const aucGap = (gap: number): string => gap === 0 ? '0 (identical)' : gap < 1e-3 ? gap.toExponential(1) : gap.toFixed(4)

function resultsTable (cells: readonly CellResult[]): string {
  const head = '| data set | scenario | final test accuracy, secure / plain | final AUC, secure / plain | max \\|secure − plain\\| accuracy | max \\|secure − plain\\| AUC | max `maxDeviationFromPlain` (bound) | members left out | time secure / plain |\n|---|---|---|---|---|---|---|---|---|'
  const rows = cells.map((c) => {
    const s = c.summary
    const aborted = s.abortedRounds.secure + s.abortedRounds.plain > 0 ? `; aborted rounds ${s.abortedRounds.secure} / ${s.abortedRounds.plain}` : ''
    return `| ${c.dataset} | ${scenarioLabel(c)} | ${pct(s.finalAccuracy.secure)} / ${pct(s.finalAccuracy.plain)} | ${auc(s.finalAuc.secure)} / ${auc(s.finalAuc.plain)} | ` +
      `${points(s.maxAccuracyGap)} | ${aucGap(s.maxAucGap)} | ${sci(s.maxDeviationFromPlain)} (${sci(s.maxQuantizationStep)}) | ` +
      `${s.excludedMemberRounds} member-rounds${aborted} | ${minutes(s.wallMs.secure)} / ${minutes(s.wallMs.plain)} |`
  })
  return [head, ...rows].join('\n')
}

/**
 * Observations read off the numbers, so the write-up stays true for any run: how much one
 * test image weighs, and runs whose final model puts every test image in one class
 * (sensitivity 1 and specificity 0, or the reverse), where accuracy measures that collapse.
 */
function notes (cells: readonly CellResult[]): string[] {
  const out: string[] = []
  const perImage = [...new Map(cells.map((c) => [c.dataset, c.secure.rounds.at(-1)!.test.samples])).entries()]
  out.push(`One test image is ${perImage.map(([d, n]) => `${(100 / n).toFixed(2)} points on ${d} (${n.toLocaleString('en')} test images)`).join(' and ')}, so a gap of that size is one image classified differently.`)
  for (const c of cells) {
    const t = c.secure.rounds.at(-1)!.test
    const p = c.plain.rounds.at(-1)!.test
    const collapsed = (m: typeof t): boolean => (m.sensitivity === 1 && m.specificity === 0) || (m.sensitivity === 0 && m.specificity === 1)
    if (collapsed(t) || collapsed(p)) {
      out.push(`${c.dataset}, ${scenarioLabel(c)}: after the last round the model puts every test image in one class ` +
        `(sensitivity ${pct(t.sensitivity)}, specificity ${pct(t.specificity)} secure; ${pct(p.sensitivity)}, ${pct(p.specificity)} plain), ` +
        `so its accuracy is that class's share of the test set; the AUC (${auc(t.auc)}) still shows how well it ranks the images. ` +
        'Both runs do this: it comes from the skewed members, not from secure aggregation.')
    }
  }
  return out.map((n) => `- ${n}`)
}

function curvesCaption (chart: StudyChart): string {
  const first = chart.cells[0]!
  const per = chart.cells.map((c) => `${scenarioLabel(c)}: ${points(c.summary.maxAccuracyGap)} (accuracy), ${aucGap(c.summary.maxAucGap)} (AUC)`).join('; ')
  return `**${first.datasetLabel}, ${first.peers} members, ${first.rounds} rounds.** Test accuracy (left) and test ROC AUC (right) of the global model ` +
    'after each round, one row per scenario (rounds numbered from 0 as in the report: round 0 is the model after the first aggregation). Both runs of a row are drawn on the same axes: the secure run as a thin dark line with ' +
    'points, the plain run as a wide light line under it — where they agree the dark line lies inside the light one, and a ' +
    'difference shows as the light line coming out from under the dark one. Each panel has its own y range, zoomed to ' +
    'the data; a gap narrower than the light line (a few percent of the panel\'s range) cannot be seen, so here are the ' +
    `exact ones. Largest |secure − plain| over the rounds — ${per}. ` +
    'The largest difference between the two runs\' mean updates in any round (`maxDeviationFromPlain`, from the report) was ' +
    `${sci(Math.max(0, ...chart.cells.map((c) => c.summary.maxDeviationFromPlain ?? 0)))}.`
}

const DEVIATION_CAPTION = '**The protocol\'s own error, per round.** For each secure round, the largest difference over the model\'s ' +
  'coordinates between the mean update secure aggregation produced and the plain mean of the very same updates (points, ' +
  '`maxDeviationFromPlain`), and its bound, the quantization step n·½/S / Σw of the fixed-point encoding (dashed line in the same ' +
  'colour; docs/TRAINING.md, "A federated round"). One colour per scenario, one panel per data set. Points at or below their line ' +
  'mean the masked sum decoded to the plain sum up to fixed-point rounding, so any accuracy difference can only come from that rounding ' +
  '(carried into the float32 model, which a later round of training may amplify).'

/** The `--full` time, estimated from this run's per-round times (members and cells scaled; not measured). */
function fullEstimateMs (results: StudyResults): number {
  const full = studyPlan('full', results.seed)
  let total = 0
  for (const dataset of full.datasets) {
    const cells = results.cells.filter((c) => c.dataset === dataset.id)
    if (cells.length === 0) return Number.NaN
    const perRound = cells.reduce((s, c) => s + c.summary.wallMs.secure + c.summary.wallMs.plain, 0) / cells.reduce((n, c) => n + 2 * c.rounds, 0)
    const fullCells = studyCells(full).filter((c) => c.dataset.id === dataset.id)
    const arms = privacyArms('full')
    const runs = 2 * fullCells.length + arms.noiseMultipliers.length * fullCells.filter((c) => arms.partitions.includes(c.partition)).length
    total += perRound * dataset.rounds * runs
  }
  return total
}

/** "mnist, synthetic; 5 members, 5 rounds; iid, dirichlet:0.5; dropout none, masked=1". */
function describe (size: StudySize): string {
  const plan = studyPlan(size, '1')
  const d = plan.datasets[0]!
  return `${plan.datasets.map((x) => x.id).join(', ')}; ${d.peers} members, ${d.rounds} rounds; ${plan.partitions.join(', ')}; dropout ${plan.dropouts.join(', ')}`
}

export function accuracyMarkdown (results: StudyResults, plan: StudyPlan, charts: readonly StudyChart[], docDir: string): string {
  const link = (path: string): string => relative(docDir, path).split('\\').join('/')
  const gap = maxAccuracyGapPoints(results.cells)
  const deviation = Math.max(0, ...results.cells.map((c) => c.summary.maxDeviationFromPlain ?? 0))
  const withinBound = results.cells.every((c) => c.secure.rounds.every((r) => r.maxDeviationFromPlain === undefined || r.maxDeviationFromPlain <= r.quantizationStep! * (1 + 1e-9)))
  const estimate = fullEstimateMs(results)
  const m = results.machine
  const sizes = plan.datasets.map((d) => `| ${d.label} | ${d.peers} | ${d.rounds} | ${d.model} |`).join('\n')
  const chartSections = charts.filter((chart) => chart.kind !== 'privacy').map((chart) => [
    `### ${chart.kind === 'curves' ? chart.cells[0]!.datasetLabel : 'Secure mean against plain mean'}`,
    '',
    `![${chart.kind === 'curves' ? `accuracy and AUC per round on ${chart.dataset}, secure over plain` : 'maxDeviationFromPlain per round under the quantization step'}](${link(chart.png)})`,
    '',
    chart.kind === 'curves' ? curvesCaption(chart) : DEVIATION_CAPTION,
    '',
    `SVG: [${link(chart.svg)}](${link(chart.svg)})`
  ].join('\n')).join('\n\n')
  return `# Accuracy over rounds: secure vs plain federated averaging

Generated by \`npm run sim:accuracy${results.size === 'default' ? '' : ` -- --${results.size}`}\` on ${results.startedAt.slice(0, 10)} (size \`${results.size}\`, seed ${results.seed});
running it again rewrites this file, \`results.json\` and the charts.

## What it measures

Secure aggregation replaces the server's sum in federated averaging (McMahan et al. 2017)
with the masked sum of docs/PROTOCOL.md. Its only numerical effect is the fixed-point
encoding of the clipped updates, so the global model — and its accuracy — should follow
plain FedAvg round for round. This study checks that where federated learning is hard: with
non-IID members (label skew drawn from Dirichlet(α), Hsu et al. 2019) and with a member
dropping at the masked stage every round (left out of both means; docs/TRAINING.md).

For every data set × partition × dropout, two runs of the code behind
\`secagg simulate --task train\` (\`src/sim/federated-training.ts\`): one with secure
aggregation, one plain (\`--plain\`), on the same seed — the same split, partition, initial
model, batch order and dropouts. After each round the new global model is scored on the
held-out test set (20%, never trained on): accuracy and ROC AUC (macro one-vs-rest for the
ten digits). Each secure round also reports \`maxDeviationFromPlain\`, the largest
|secure mean − plain mean| of the same updates, and its bound \`quantizationStep\`.

## How to run

\`\`\`sh
npm run sim:accuracy              # ${describe('default')}
npm run sim:accuracy -- --smoke   # ${describe('smoke')} (seconds)
npm run sim:accuracy -- --full    # ${describe('full')}
npm run sim:accuracy -- --out DIR --seed S
npm run sim:accuracy -- --redraw  # charts and this file again from results.json, no training
\`\`\`

The default run writes \`simulations/results/accuracy/\` (\`results.json\` with every
round of every run, the charts as SVG and PNG) and this file; \`--smoke\`/\`--full\` write
\`simulations/results/accuracy-smoke|full/\` with their own \`accuracy.md\`.

This run (\`${results.size}\`) took ${minutes(results.wallMs)} (${minutes(results.cpuMs)} of CPU time). Its grid (${results.cells.length} cells × secure and plain = ${2 * results.cells.length} runs, plus ${results.cells.reduce((k, c) => k + (c.private?.length ?? 0), 0)} secure+DP runs on the IID cells, 1 local epoch per round, batch 32, Adam 0.002, clip 1):

| data set | members | rounds | model |
|---|---|---|---|
${sizes}

Partitions: ${plan.partitions.join(', ')}. Dropout: ${plan.dropouts.map((d) => d === 'none' ? 'none' : `\`${d}\` (drawn afresh each round from the seed)`).join(', ')}.
${Number.isFinite(estimate) ? `\`--full\` (${studyCells(studyPlan('full', results.seed)).length} cells) should take about ${(estimate / 3_600_000).toFixed(1)} h here — an estimate from this run's time per round, not measured.\n` : ''}
## Machine

${m.cpus} cores (${m.cpuModel}), ${m.platform}, Node ${m.node}, TensorFlow.js backend \`${m.backend ?? 'n/a'}\`,
shared with other work while it ran. Whole study: ${minutes(results.wallMs)} wall-clock, ${minutes(results.cpuMs)} of CPU
time in the study's process (what it needs when it has the machine to itself; the training
runs on one thread).

## Results

Over all ${results.cells.length} cells and every round, secure and plain test accuracy differ by at most
${gap === 0 ? '0 percentage points (identical in every round)' : `${gap.toFixed(2)} percentage points`}; the secure mean update was never more than ${sci(deviation)} from the
plain mean${withinBound ? ', always within the quantization step' : ' — NOT always within the quantization step (see the table)'}.

${resultsTable(results.cells)}

"Members left out" counts, over all rounds, the members whose update was not in the round's
mean (they dropped before sending their masked input), the same in both runs.

${notes(results.cells).join('\n')}

## Charts

${chartSections}

${privacyMarkdown(results.cells, privacyArms(results.size), charts.filter((c) => c.kind === 'privacy').map((c) => ({ dataset: c.dataset!, png: c.png, svg: c.svg })), link)}`
}
