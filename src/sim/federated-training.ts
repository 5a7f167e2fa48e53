/**
 * `secagg simulate --task train`: federated averaging of a real image classifier among N
 * simulated members, each round's updates summed by the secure-aggregation protocol over the
 * in-memory swarm (the same state machines as the node), with the same dropout schedule
 * language. `plain: true` runs the identical schedule with unmasked FedAvg — the baseline the
 * secure run is compared against.
 */
import { STAGES } from '../protocol/index.ts'
import type { AbortReason, Stage } from '../protocol/index.ts'
import { initBackend, tf } from '../train/backend.ts'
import type { BackendName } from '../train/backend.ts'
import { loadTrainingData } from '../train/data/load.ts'
import type { DatasetSpec } from '../train/data/load.ts'
import { subset } from '../train/data/image-set.ts'
import type { ImageSet } from '../train/data/image-set.ts'
import { partitionIndices } from '../train/data/partition.ts'
import type { PartitionSpec } from '../train/data/partition.ts'
import { applyMeanUpdate, plainWeightedSum } from '../train/fedavg.ts'
import { evaluateWeights, trainLocal } from '../train/local-train.ts'
import type { Metrics } from '../train/metrics.ts'
import { buildModel, initialWeights, modelHash } from '../train/model.ts'
import type { ModelKind } from '../train/model.ts'
import { runSimulation } from './memory-swarm.ts'
import { prepareScenario } from './scenario.ts'
import type { SimulationOptions } from './scenario.ts'
import type { DropoutSpec } from './dropout-schedule.ts'
import { PrivateRounds } from './private-rounds.ts'
import type { RoundPrivacy } from './private-rounds.ts'
import type { PrivacyConfig } from '../privacy/index.ts'
import type { ProgressSink } from './progress.ts'

export interface TrainingSimulationOptions {
  readonly dataset: DatasetSpec
  readonly peers: number
  readonly rounds: number
  readonly partition: PartitionSpec
  readonly dropout?: DropoutSpec
  readonly plain?: boolean
  readonly seed?: string
  readonly model?: ModelKind
  readonly epochs?: number
  readonly batchSize?: number
  readonly learningRate?: number
  /** Updates are clipped to [−clip, clip] before aggregation (secure and plain alike). */
  readonly clip?: number
  readonly backend?: BackendName
  /** Distributed DP (docs/PRIVACY.md): L2 clip + discrete-Gaussian noise shares, ε per round. */
  readonly privacy?: PrivacyConfig
  readonly signal?: AbortSignal
  readonly onRound?: (round: RoundReport) => void
  readonly onEpoch?: (round: number, peer: number, epoch: number, loss: number) => void
  /** Told each round and stage (load, train: members done, the secure round's stages, evaluate). */
  readonly progress?: ProgressSink
}

export interface RoundReport {
  round: number
  aborted: boolean
  reason: AbortReason | null
  /** Members whose update is in this round's mean. */
  included: number[]
  droppedAt: Partial<Record<Stage, number[]>>
  /** Mean training loss of the last local epoch, per member that trained (null: did not). */
  trainLoss: Array<number | null>
  /** Validation accuracy of the new global model on each member's local split. */
  accuracy: { mean: number, perPeer: number[] }
  /** The new global model on the held-out test set. */
  test: Metrics
  /** Secure runs: largest |secure mean − plain mean| over the coordinates, and its bound. */
  maxDeviationFromPlain?: number
  quantizationStep?: number
  clippedCoordinates: number
  /** With DP: ε spent so far and the survivors it was computed for. */
  privacy?: RoundPrivacy
  wallMs: number
}

export interface TrainingReport {
  task: 'train'
  mode: 'secure' | 'plain'
  dataset: string
  backend: BackendName
  model: ModelKind
  parameters: number
  peers: number
  samplesPerPeer: number[]
  partition: string
  seed: string
  epochs: number
  batchSize: number
  learningRate: number
  clip: number
  initialModelHash: string
  finalModelHash: string
  rounds: RoundReport[]
  /** With DP: the configuration and, when the budget stopped the run, where and why. */
  privacy?: PrivacyConfig & { epsilon: number, stopped?: { round: number, reason: string } }
  /** Image-folder files that could not be read, by path and why (skipped, not trained on). */
  skippedFiles: Array<{ path: string, why: string }>
  wallMs: number
}

const BEFORE_MASKED: ReadonlySet<Stage> = new Set(STAGES.slice(0, STAGES.indexOf('masked') + 1))

/** Each member's training and validation split (the last 10% of its seeded share). */
function memberSplits (train: ImageSet, parts: number[][]): Array<{ train: ImageSet, validation: ImageSet }> {
  return parts.map((part) => {
    const cut = part.length >= 10 ? Math.floor(part.length * 0.9) : part.length
    return { train: subset(train, part.slice(0, cut)), validation: subset(train, part.slice(cut)) }
  })
}

export async function runTrainingSimulation (options: TrainingSimulationOptions): Promise<TrainingReport> {
  const wallStart = performance.now()
  const seed = options.seed ?? '1'
  const epochs = options.epochs ?? 1
  const batchSize = options.batchSize ?? 32
  const learningRate = options.learningRate ?? 2e-3
  const dp = options.privacy === undefined ? undefined : new PrivateRounds(options.privacy, seed)
  if (dp !== undefined && options.plain === true) throw new RangeError('DP noise is added before the secure sum: it cannot be combined with plain FedAvg')
  // Under DP every coordinate of an L2-clipped update lies in [−C, C]: that is the range to quantize.
  const clip = dp?.config.clip ?? options.clip ?? 1
  let stopped: { round: number, reason: string } | undefined
  const kind = options.model ?? 'cnn'
  const progress = options.progress
  const backend = await initBackend(options.backend !== undefined ? { prefer: options.backend } : {})
  progress?.stage('load data', 0)
  const { train, test, name, skipped } = await loadTrainingData(options.dataset, seed, options.signal)
  const parts = partitionIndices(train.labels, options.peers, options.partition, seed)
  const members = memberSplits(train, parts)
  const model = buildModel(kind, train, train.classes.length)
  let global = initialWeights(model, seed)
  const initialModelHash = modelHash(global)
  const dim = global.length
  // Under DP the mean is unweighted: a sample-count weight would multiply one member's influence (the sensitivity).
  const weights = members.map((m) => dp !== undefined ? 1 : Math.max(1, m.train.labels.length))
  const rounds: RoundReport[] = []
  try {
    for (let r = 0; r < options.rounds; r++) {
      options.signal?.throwIfAborted()
      progress?.round(r, options.rounds)
      const roundStart = performance.now()
      const simOptions: SimulationOptions = {
        peers: options.peers, dim, seed: `${seed}/round-${r}`, clip, emitSum: true,
        dropout: options.dropout ?? new Map(), inputs: { vectors: [], weights }, ...(dp !== undefined ? { dpNoise: { stddev: dp.config.noiseMultiplier * clip } } : {})
      }
      // The schedule first (cheap), so members that drop before MaskedInput do not train.
      const schedule = prepareScenario({ ...simOptions, inputs: { vectors: weights.map(() => [0]), weights }, dim: dp !== undefined ? dim : 1 })
      const refusal = dp?.refusal(schedule.config.quantization, dim)
      if (refusal !== undefined) { stopped = { round: r, reason: refusal }; break }
      const trains = members.map((_, i) => !BEFORE_MASKED.has(schedule.dropouts.get(i) as Stage))
      const updates: Float32Array[] = []
      const trainLoss: Array<number | null> = []
      progress?.stage('train', trains.filter(Boolean).length, 'members')
      for (const [i, m] of members.entries()) {
        if (!trains[i]) { updates.push(new Float32Array(dim)); trainLoss.push(null); continue }
        const local = await trainLocal(model, global, m.train, {
          epochs, batchSize, learningRate, seed: `${seed}/round-${r}/peer-${i}`,
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
          onEpoch: (e, loss) => options.onEpoch?.(r, i, e, loss)
        })
        if (!local.update.every(Number.isFinite)) throw new RangeError(`member ${i}'s update has non-finite values in round ${r} (lower the learning rate)`)
        updates.push(local.update)
        trainLoss.push(local.loss)
        progress?.advance(trainLoss.filter((l) => l !== null).length)
      }
      const droppedAt: Partial<Record<Stage, number[]>> = {}
      for (const [peer, stage] of [...schedule.dropouts].sort((a, b) => a[0] - b[0])) (droppedAt[stage] ??= []).push(peer)
      const trainers = members.map((_, i) => i).filter((i) => trains[i])
      const plainSum = plainWeightedSum(trainers.map((i) => updates[i]!), trainers.map((i) => weights[i]!), clip)
      const plainWeight = trainers.reduce((s, i) => s + weights[i]!, 0)
      let round: Omit<RoundReport, 'accuracy' | 'test' | 'wallMs'>
      if (options.plain === true) {
        // The same rule as the secure round: each member needs t others, and no sum over
        // fewer than c + 3 members.
        const aborted = trainers.length < Math.max(schedule.threshold + 1, schedule.maxCorrupt + 3)
        if (!aborted) global = applyMeanUpdate(global, plainSum, plainWeight)
        const clipped = trainers.reduce((n, i) => n + updates[i]!.reduce((c, x) => c + (Math.abs(x) > clip ? 1 : 0), 0), 0)
        round = { round: r, aborted, reason: aborted ? 'not-enough-peers' : null, included: aborted ? [] : trainers, droppedAt, trainLoss, clippedCoordinates: clipped }
      } else {
        const privateInputs = dp?.inputs(schedule.config.quantization, updates, r)
        const { report } = runSimulation({ ...simOptions, inputs: { vectors: privateInputs?.vectors ?? updates, weights, ...(privateInputs !== undefined ? { noise: privateInputs.noise } : {}) } }, progress !== undefined ? { progress } : {})
        round = { round: r, aborted: report.aborted, reason: report.reason, included: report.included, droppedAt, trainLoss, clippedCoordinates: report.clippedCoordinates }
        if (!report.aborted) {
          // Compared in float64, before the float32 model rounds them: the protocol's own error.
          let deviation = 0
          for (let j = 0; j < dim; j++) deviation = Math.max(deviation, Math.abs(report.sum![j]! / report.weightSum! - plainSum[j]! / plainWeight))
          global = applyMeanUpdate(global, report.sum!, report.weightSum!)
          round = { ...round, maxDeviationFromPlain: deviation, quantizationStep: schedule.config.quantization.sumError / report.weightSum! }
          if (dp !== undefined) {
            const noiseless = plainWeightedSum(report.included.map((i) => privateInputs!.vectors[i]!), report.included.map(() => 1), clip)
            round = { ...round, privacy: dp.record(schedule.config.quantization, report.included.length, report.sum!, noiseless, privateInputs!.clippedMembers) }
          }
        }
      }
      progress?.stage('evaluate', 0)
      const perPeer = members.map((m) => m.validation.labels.length > 0 ? evaluateWeights(model, global, m.validation).accuracy : Number.NaN)
      const valid = perPeer.filter((a) => !Number.isNaN(a))
      const full: RoundReport = {
        ...round,
        accuracy: { mean: valid.reduce((a, b) => a + b, 0) / Math.max(1, valid.length), perPeer },
        test: evaluateWeights(model, global, test),
        wallMs: Math.round(performance.now() - roundStart)
      }
      rounds.push(full)
      options.onRound?.(full)
    }
  } finally {
    model.dispose()
    tf.disposeVariables()
  }
  return {
    task: 'train', mode: options.plain === true ? 'plain' : 'secure', dataset: name, backend, model: kind, parameters: dim, peers: options.peers,
    samplesPerPeer: members.map((m) => m.train.labels.length), partition: options.partition.kind === 'iid' ? 'iid' : `dirichlet:${options.partition.alpha}`,
    seed, epochs, batchSize, learningRate, clip, initialModelHash, finalModelHash: modelHash(global), rounds,
    ...(dp !== undefined ? { privacy: { ...dp.config, epsilon: dp.ledger.epsilon, ...(stopped !== undefined ? { stopped } : {}) } } : {}),
    skippedFiles: skipped, wallMs: Math.round(performance.now() - wallStart)
  }
}
