/**
 * `secagg simulate --task train`: federated training of an image classifier among N simulated
 * members, secure aggregation every round (or `--plain` FedAvg on the same schedule for
 * comparison). One line per round on stdout, progress on stderr; --out writes the JSON
 * report with per-round accuracy (mean and per member), AUC, sensitivity and specificity.
 */
import { writeFileSync } from 'node:fs'
import type { BackendName } from '../../train/backend.ts'
import { writeTrainingChart } from '../charts/training-chart.ts'
import { parseDatasetSpec } from '../../train/data/load.ts'
import { parsePartition } from '../../train/data/partition.ts'
import { MODEL_KINDS } from '../../train/model.ts'
import type { ModelKind } from '../../train/model.ts'
import { parseDropoutSpec } from '../../sim/dropout-schedule.ts'
import { runTrainingSimulation } from '../../sim/federated-training.ts'
import { privacyFromFlags } from './dp-flags.ts'
import type { RoundReport } from '../../sim/federated-training.ts'
import type { CliIo } from './main.ts'
import { intFlag, numFlag } from './number-flags.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'
import { besideProgress, progressDisplay } from './progress-display.ts'

export const SIMULATE_TRAIN_HELP = `Usage: secagg simulate --task train --dataset mnist|synthetic|DIR --peers N --rounds R [options]

Federated averaging of an image classifier among N simulated members. Each round every
member trains locally from the global model and the updates are summed by secure
aggregation over the in-memory swarm (the node's own state machines); the new global model
is evaluated on each member's validation split and on a held-out test set (20%).

  --dataset D            mnist (10,000 real digits), synthetic (seeded chest-X-ray-like
                         images, normal vs opacity), or DIR in the layout DIR/<class>/<image>
                         (PNG, JPEG, DICOM; unreadable files are reported and skipped)
  --peers N              members (3..100)
  --rounds R             federated rounds (1..1000)
  --partition P          iid (default) or dirichlet:ALPHA (label skew, e.g. dirichlet:0.5)
  --dropout SPEC         STAGE=COUNT|FRACTION[,...], drawn afresh each round
  --plain                unmasked FedAvg on the same schedule (the comparison baseline)
  --seed S               seed for the split, partition, initial model, batches, dropouts (1)
  --model M              cnn (default) or mlp
  --epochs E             local epochs per round (1)
  --batch-size B         local minibatch size (32)
  --lr LR                Adam learning rate (0.002)
  --clip C               updates are clipped to [-C, C] before aggregation (1)
  --image-size S         side of the model input for DIR data sets (64)
  --strict               refuse a DIR data set with any unreadable file
  --backend B            force tensorflow, wasm or cpu (default: the fastest available)
  --out FILE             write the JSON report to FILE
  --chart FILE.svg       draw test accuracy, AUC and mean validation accuracy per round to
                         FILE.svg and FILE.png
  --quiet                no progress on stderr (a live line on a terminal, else
                         one line per round)

Differential privacy (docs/PRIVACY.md; all four together, not with --plain or --clip):
  --dp-clip C            L2 clip of each member's update
  --dp-noise Z           noise multiplier: the sum carries noise of std Z·C with t survivors
  --dp-delta D           δ of the reported (ε, δ)
  --dp-budget E          stop before a round that could take ε past E
`

export function roundLine (r: RoundReport, mode: string): string {
  const pct = (x: number | null): string => x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`
  const head = `round ${r.round}: ${mode}`
  if (r.aborted) return `${head} ABORTED (${r.reason}); global model unchanged; test accuracy ${pct(r.test.accuracy)}`
  return `${head} over ${r.included.length} members; test accuracy ${pct(r.test.accuracy)}, AUC ${r.test.auc?.toFixed(4) ?? 'n/a'}, ` +
    `sensitivity ${pct(r.test.sensitivity)}, specificity ${pct(r.test.specificity)}; member validation accuracy mean ${pct(r.accuracy.mean)} ` +
    `[${r.accuracy.perPeer.map((a) => Number.isNaN(a) ? '-' : (100 * a).toFixed(1)).join(' ')}]; ` +
    (r.privacy !== undefined ? `ε = ${r.privacy.epsilon.toFixed(3)} so far (${r.privacy.survivors} survivors); ` : '') + `${(r.wallMs / 1000).toFixed(1)} s`
}

export async function runSimulateTrainCommand (argv: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values } = parseFlags(argv, {
    task: { type: 'string' }, dataset: { type: 'string' }, peers: { type: 'string' }, rounds: { type: 'string' }, partition: { type: 'string' },
    dropout: { type: 'string' }, plain: { type: 'boolean' }, seed: { type: 'string' }, model: { type: 'string' }, epochs: { type: 'string' },
    'batch-size': { type: 'string' }, lr: { type: 'string' }, clip: { type: 'string' }, 'image-size': { type: 'string' }, strict: { type: 'boolean' },
    backend: { type: 'string' }, out: { type: 'string' }, chart: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    'dp-clip': { type: 'string' }, 'dp-noise': { type: 'string' }, 'dp-delta': { type: 'string' }, 'dp-budget': { type: 'string' }
  }, 'simulate --task train')
  if (values.help === true) { io.stdout(SIMULATE_TRAIN_HELP); return 0 }
  if (values.dataset === undefined || values.peers === undefined || values.rounds === undefined) throw new UsageError('--dataset, --peers and --rounds are required with --task train. Run \'secagg simulate --task train --help\'.')
  const model = (values.model ?? 'cnn') as ModelKind
  if (!MODEL_KINDS.includes(model)) throw new UsageError(`--model must be one of ${MODEL_KINDS.join(', ')}, got '${values.model}'`)
  const backend = values.backend as BackendName | undefined
  if (backend !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend must be tensorflow, wasm or cpu, got '${backend}'`)
  let partition
  try { partition = parsePartition(values.partition ?? 'iid') } catch (err) { throw new UsageError(`--partition: ${(err as Error).message}`) }
  const dataset = parseDatasetSpec(values.dataset)
  const imageSize = intFlag(values['image-size'], 'image-size', 8, 512) ?? 64
  if (values.chart !== undefined && !/\.(svg|png)$/i.test(values.chart)) throw new UsageError(`--chart must name an .svg (or .png) file, got '${values.chart}'; the chart is written as both`)
  const privacy = privacyFromFlags(values)
  const mode = values.plain === true ? 'plain FedAvg' : 'secure aggregation'
  const progress = progressDisplay(io, { quiet: values.quiet === true, env })
  const out = besideProgress(io, progress)
  try {
    const report = await runTrainingSimulation({
      dataset: dataset.kind === 'folder' ? { ...dataset, size: imageSize, strict: values.strict === true } : dataset,
      peers: intFlag(values.peers, 'peers', 3, 100)!,
      rounds: intFlag(values.rounds, 'rounds', 1, 1000)!,
      partition,
      dropout: parseDropoutSpec(values.dropout ?? ''),
      plain: values.plain === true,
      seed: values.seed ?? '1',
      model,
      epochs: intFlag(values.epochs, 'epochs', 1, 1000) ?? 1,
      batchSize: intFlag(values['batch-size'], 'batch-size', 1, 65_536) ?? 32,
      learningRate: numFlag(values.lr, 'lr', 1e-9, 10) ?? 2e-3,
      clip: numFlag(values.clip, 'clip', 1e-6, 1e6) ?? 1,
      ...(backend !== undefined ? { backend } : {}),
      ...(privacy !== undefined ? { privacy } : {}),
      progress,
      onEpoch: (_r, peer, epoch, loss) => progress.note(`member ${peer} epoch ${epoch + 1} loss ${loss.toFixed(4)}`),
      onRound: (r) => out.stdout(roundLine(r, mode))
    })
    progress.end()
    for (const s of report.skippedFiles) io.stderr(`skipped ${s.why}`)
    if (report.privacy?.stopped !== undefined) io.stdout(`round ${report.privacy.stopped.round}: not run — ${report.privacy.stopped.reason}`)
    io.stdout(`${report.dataset}: ${report.peers} members × ${report.samplesPerPeer.join('/')} images, ${report.model} (${report.parameters.toLocaleString('en')} parameters) on the ${report.backend} backend, ${report.partition}; ${(report.wallMs / 1000).toFixed(1)} s`)
    if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n')
    if (values.chart !== undefined) {
      const chart = await writeTrainingChart(values.chart, report)
      io.stdout(`chart: ${chart.svg}, ${chart.png}`)
    }
    return 0
  } catch (err) {
    if (isErrorNamed(err, 'DatasetError', 'OverflowRiskError', 'ProtocolConfigError', 'BackendUnavailableError', 'DropoutSpecError')) throw new UsageError((err as Error).message)
    throw err
  } finally {
    progress.end()
  }
}
