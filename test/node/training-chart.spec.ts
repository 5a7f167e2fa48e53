/**
 * The `--task train` chart: a hand-made report drawn as one line per series with the run's
 * settings in the title, and `secagg simulate --task train --chart` writing both files.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderChart } from '../../src/node/charts/render-chart.ts'
import { TRAINING_SERIES, trainingChartSpec } from '../../src/node/charts/training-chart.ts'
import type { RoundReport, TrainingReport } from '../../src/sim/federated-training.ts'
import { cli } from '../helpers/cli.ts'

function round (r: number, accuracy: number, auc: number | null, dropped: number[]): RoundReport {
  return {
    round: r, aborted: false, reason: null, included: [0, 1, 2, 3, 4].filter((i) => !dropped.includes(i)),
    droppedAt: dropped.length > 0 ? { masked: dropped } : {}, trainLoss: [0.5, 0.5, 0.5, 0.5, 0.5],
    accuracy: { mean: accuracy - 0.02, perPeer: [accuracy, accuracy, accuracy, accuracy, accuracy - 0.1] },
    test: { accuracy, auc, sensitivity: accuracy, specificity: accuracy, samples: 100 },
    maxDeviationFromPlain: 1e-10, quantizationStep: 1e-9, clippedCoordinates: 0, wallMs: 10
  }
}

const report: TrainingReport = {
  task: 'train', mode: 'secure', dataset: 'mnist', backend: 'wasm', model: 'cnn', parameters: 100, peers: 5,
  samplesPerPeer: [10, 10, 10, 10, 10], partition: 'dirichlet:0.5', seed: '7', epochs: 1, batchSize: 32, learningRate: 0.002, clip: 1,
  initialModelHash: 'a', finalModelHash: 'b', rounds: [round(0, 0.6, 0.8, [3]), round(1, 0.7, null, [1]), round(2, 0.8, 0.9, [2])],
  skippedFiles: [], wallMs: 30
}

describe('charts: the training run chart', () => {
  it('one line per series, the settings in the title and subtitle, both axis titles', async () => {
    const { svg } = await renderChart(trainingChartSpec(report))
    for (const text of ['Federated training on mnist: secure aggregation', '5 members', 'non-IID dirichlet α = 0.5', '1 member dropped at masked per round', 'seed 7', 'accuracy, AUC (0–1)', '>round<']) {
      assert.ok(svg.includes(text), `the SVG holds '${text}'`)
    }
    const lines = [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark"/g)].map((m) => m[1]!)
    assert.equal(lines.length, TRAINING_SERIES.length, 'one line per series')
    for (const series of TRAINING_SERIES) assert.equal(lines.filter((l) => l.includes(`series: ${series}`)).length, 1, `one line for ${series}`)
    const plain = await renderChart(trainingChartSpec({ ...report, mode: 'plain', partition: 'iid', rounds: report.rounds.map((r) => ({ ...r, droppedAt: {} })) }))
    for (const text of ['plain FedAvg', 'IID', 'no dropout']) assert.ok(plain.svg.includes(text), `the plain run's SVG holds '${text}'`)
  })

  it('a round without an AUC leaves that point out instead of drawing it at 0', () => {
    const values = (trainingChartSpec(report) as { data: { values: Array<{ round: number, series: string }> } }).data.values
    assert.deepEqual(values.filter((v) => v.series === 'test AUC').map((v) => v.round), [0, 2])
    assert.equal(values.filter((v) => v.series === 'test accuracy').length, 3)
  })

  describe('secagg simulate --task train --chart', () => {
    let dir: string
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-train-chart-')) })
    afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

    it('writes FILE.svg and FILE.png of the run it just trained', async () => {
      const r = await cli('simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '3', '--rounds', '1', '--model', 'mlp', '--chart', join(dir, 'run.svg'))
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /chart: .*run\.svg, .*run\.png/)
      const svg = readFileSync(join(dir, 'run.svg'), 'utf8')
      assert.ok(svg.includes('Federated training on synthetic: secure aggregation'))
      assert.ok(svg.includes('3 members · IID · no dropout'))
      assert.ok(svg.includes('mlp, 1 epoch/round, seed 1'))
      assert.deepEqual([...readFileSync(join(dir, 'run.png')).subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG')
    })

    it('refuses a chart path that is neither .svg nor .png before training', async () => {
      const r = await cli('simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '3', '--rounds', '1', '--chart', join(dir, 'run.pdf'))
      assert.equal(r.code, 2)
      assert.match(r.err, /--chart must name an \.svg \(or \.png\) file, got '.*run\.pdf'/)
    })
  })
})
