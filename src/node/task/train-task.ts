/**
 * The train task (federated averaging, McMahan et al. 2017) inside the node: each round this
 * member trains E local epochs from the global model on its own images — while the keys are
 * being exchanged; the masked-stage deadline covers it — and contributes the update weighted
 * by its sample count. A verified result moves the global model; the model is checkpointed
 * (weights, round, hash) so a restart resumes, evaluated on the local validation split, and
 * its metrics logged. The global model's hash binds every session, so members on different
 * models never mix; a member that falls off the common model resynchronises (swarm-node).
 */
import { initBackend } from '../../train/backend.ts'
import type { tf } from '../../train/backend.ts'
import { seededOrder, subset } from '../../train/data/image-set.ts'
import type { ImageSet } from '../../train/data/image-set.ts'
import { loadImageFolder } from '../../train/data/image-folder.ts'
import { loadMnist } from '../../train/data/mnist.ts'
import { partitionIndices } from '../../train/data/partition.ts'
import { generateSyntheticCxr } from '../../train/data/synthetic-cxr.ts'
import { applyMeanUpdate } from '../../train/fedavg.ts'
import { evaluateWeights, trainLocal } from '../../train/local-train.ts'
import { buildModel, initialWeights, modelHash } from '../../train/model.ts'
import { loadCheckpoint, saveCheckpoint } from '../config/checkpoint.ts'
import type { Consortium } from '../config/consortium.ts'
import { datasetChoice, NodeDirError } from '../config/node-dir.ts'
import type { NodeConfig } from '../config/node-dir.ts'
import type { Logger } from '../logger.ts'
import type { RoundOutcome } from '../../round/signed-result.ts'
import type { RandomSource } from '../../crypto/index.ts'
import type { QuantizationPlan } from '../../protocol/index.ts'
import type { PrivacyConfig } from '../../privacy/index.ts'
import { MemberPrivacy } from './member-privacy.ts'
import { memberObfuscator } from './member-obfuscation.ts'
import { stateFollowingDecision } from './round-task.ts'
import type { RoundInput, RoundTask, StateSync } from './round-task.ts'

type TrainSpec = Extract<Consortium['task'], { type: 'train' }>

export interface TrainTaskOptions {
  readonly dir: string
  readonly spec: TrainSpec
  readonly config: NodeConfig
  readonly peerId: string
  readonly maxWeight: number
  readonly logger: Logger
  readonly signal?: AbortSignal
  /** The consortium's `privacy` section, the plan for the model's length, and the noise source. */
  readonly privacy?: { readonly config: PrivacyConfig, readonly plan: (dim: number) => QuantizationPlan, readonly rng: RandomSource, readonly maxCorrupt: number }
}

async function loadMemberData (o: TrainTaskOptions): Promise<ImageSet> {
  const { spec, config, logger } = o
  const choice = datasetChoice(config)
  if (choice === undefined) throw new NodeDirError(`the consortium's task is "train" but ${o.dir}/config.json names no "dataset" (an image folder DIR/<class>/<image>, or "mnist"/"synthetic" for demos)`)
  const { source } = choice
  let set: ImageSet
  if (source === 'mnist') {
    if (spec.imageSize !== 28) throw new NodeDirError(`dataset "mnist" is 28×28: the consortium's task.imageSize must be 28, not ${spec.imageSize}`)
    set = loadMnist()
  } else if (source === 'synthetic') {
    set = generateSyntheticCxr({ count: 1_200, size: spec.imageSize, seed: config.datasetShard?.seed ?? o.peerId })
  } else {
    const loaded = await loadImageFolder(source, { size: spec.imageSize, strict: config.strictDataset, ...(o.signal !== undefined ? { signal: o.signal } : {}) })
    for (const s of loaded.skipped) logger.warn('image-skipped', { file: s.path, why: s.why })
    set = loaded.set
  }
  if (config.datasetShard !== undefined) {
    const { index, count, seed } = config.datasetShard
    set = subset(set, partitionIndices(set.labels, count, { kind: 'iid' }, seed)[index]!)
  }
  if (set.classes.join('\u0000') !== spec.classes.join('\u0000')) {
    throw new NodeDirError(`this member's data has classes [${set.classes.join(', ')}] but the consortium trains [${spec.classes.join(', ')}]; every member needs the same class folders`)
  }
  if (!choice.obfuscate) return set
  // Popescu et al. 2022: the classifier is trained on obfuscated images only. The VAE is
  // trained on this member's own images on first use and kept, so restarts obfuscate alike.
  const obfuscator = await memberObfuscator(o.dir, set, { logger, ...(o.signal !== undefined ? { signal: o.signal } : {}) })
  try {
    return obfuscator.obfuscate(set)
  } finally {
    obfuscator.vae.dispose()
  }
}

/** This member's training and validation split (90/10, seeded by its peer id). */
function split (set: ImageSet, peerId: string): { train: ImageSet, validation: ImageSet } {
  const order = seededOrder(set.labels.length, `validation-split/${peerId}`)
  const cut = Math.max(1, Math.floor(order.length * 0.9))
  return { train: subset(set, order.slice(0, cut)), validation: subset(set, order.slice(cut)) }
}

export class TrainTask implements RoundTask {
  readonly name = 'train'
  readonly resyncWhenBehind = true
  readonly decide = stateFollowingDecision
  readonly sync: StateSync = {
    hash: () => Buffer.from(this.hash, 'hex'),
    bytesFor: (hash) => Buffer.from(hash).toString('hex') === this.hash ? new Uint8Array(this.global.buffer, this.global.byteOffset, this.global.byteLength) : undefined,
    install: (round, bytes) => { this.install(round, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))) }
  }
  private training: { round: number, update: Promise<RoundInput> } | undefined
  private modelQueue: Promise<unknown> = Promise.resolve()
  private readonly closing = new AbortController()

  private constructor (
    private readonly o: TrainTaskOptions,
    private readonly model: tf.Sequential,
    private readonly data: { train: ImageSet, validation: ImageSet },
    private global: Float32Array,
    private hash: string,
    /** The round this global model is the starting point of. */
    private modelRound: number,
    private readonly privacy?: MemberPrivacy
  ) {}

  get dim (): number { return this.global.length }
  get resumeRound (): number { return this.modelRound }

  static async create (o: TrainTaskOptions): Promise<TrainTask> {
    const backend = await initBackend()
    o.logger.info('tf-backend', { backend })
    const set = await loadMemberData(o)
    const data = split(set, o.peerId)
    // Under DP every member's weight is 1 (member-privacy.ts): its sample count need not fit maxWeight.
    if (o.privacy === undefined && data.train.labels.length > o.maxWeight) {
      throw new NodeDirError(`this member has ${data.train.labels.length} training images but the consortium's protocol.maxWeight is ${o.maxWeight}; raise maxWeight (every member's sample count must fit)`)
    }
    const model = buildModel(o.spec.model, { height: o.spec.imageSize, width: o.spec.imageSize, channels: 1 }, o.spec.classes.length)
    const checkpoint = loadCheckpoint(o.dir)
    let global = initialWeights(model, o.spec.seed)
    let round = 0
    if (checkpoint !== undefined) {
      if (checkpoint.parameters !== global.length || checkpoint.model !== o.spec.model) throw new NodeDirError(`${o.dir}/model holds a ${checkpoint.model} model of ${checkpoint.parameters} parameters, the consortium trains a ${o.spec.model} of ${global.length}; move DIR/model away to start over`)
      global = checkpoint.weights
      round = checkpoint.round
    }
    const hash = modelHash(global)
    o.logger.info('model-loaded', { from: checkpoint === undefined ? 'initial (consortium seed)' : 'checkpoint', round, modelHash: hash, parameters: global.length, trainImages: data.train.labels.length, validationImages: data.validation.labels.length })
    const privacy = o.privacy === undefined ? undefined : new MemberPrivacy(o.dir, o.privacy.config, o.privacy.plan(global.length), global.length, o.privacy.rng, o.privacy.maxCorrupt)
    if (privacy !== undefined) o.logger.info('privacy-loaded', { epsilon: privacy.epsilon, epsilonBudget: o.privacy!.config.epsilonBudget, delta: o.privacy!.config.delta })
    return new TrainTask(o, model, data, global, hash, round, privacy)
  }

  binding (): Uint8Array { return Buffer.from(this.hash, 'hex') }

  input (round: number): Promise<RoundInput> {
    // One training run per round and model, whatever the attempt: a failover reuses it.
    if (this.training?.round !== round) {
      const { spec, peerId, logger } = this.o
      try {
        this.privacy?.assertRoundFits()
      } catch (err) {
        // Refused before training: the member sits this round out (the coordinator logs it).
        logger.warn('privacy-budget-exhausted', { round, reason: (err as Error).message })
        throw err
      }
      const update = this.exclusive(async () => {
        const started = performance.now()
        const u = await trainLocal(this.model, this.global, this.data.train, {
          epochs: spec.epochs, batchSize: spec.batchSize, learningRate: spec.learningRate, seed: `${peerId}/round-${round}`, signal: this.closing.signal,
          onEpoch: (epoch, loss) => logger.info('local-epoch', { round, epoch: epoch + 1, of: spec.epochs, loss: Number(loss.toFixed(5)) })
        })
        logger.info('local-training-done', { round, samples: u.samples, loss: Number(u.loss.toFixed(5)), ms: Math.round(performance.now() - started) })
        if (this.privacy === undefined) return { vector: u.update, weight: u.samples }
        const { clipped, ...input } = this.privacy.privatize(round, u.update)
        if (clipped) logger.info('update-clipped', { round, clip: this.privacy.config.clip })
        return input
      })
      update.catch(() => { if (this.training?.update === update) this.training = undefined })
      this.training = { round, update }
    }
    return this.training.update
  }

  async apply (outcome: RoundOutcome, includedSelf = true): Promise<Record<string, unknown>> {
    // After any training still running on the shared tf model: evaluation resets its weights.
    return await this.exclusive(async () => {
      // The round was charged when its input was made (member-privacy.ts); this reports it.
      const privacy = includedSelf ? this.privacy?.spend(outcome.round, outcome.included.length) : undefined
      if (privacy !== undefined) this.o.logger.info('privacy-spent', { round: outcome.round, ...privacy })
      this.commit(outcome.round + 1, applyMeanUpdate(this.global, outcome.sum, outcome.weightSum))
      const m = evaluateWeights(this.model, this.global, this.data.validation)
      this.o.logger.info('round-metrics', { round: outcome.round, accuracy: m.accuracy, auc: m.auc, sensitivity: m.sensitivity, specificity: m.specificity, samples: m.samples, modelHash: this.hash, ...(privacy !== undefined ? { epsilon: privacy.epsilon } : {}) })
      return { weightSum: outcome.weightSum, modelHash: this.hash, validation: m, ...(privacy !== undefined ? { privacy } : {}) }
    })
  }

  /** A result this member cannot apply (it was not in that session): the model must be resynchronised. */

  /** Installs the common model fetched from the other members (its hash already checked). */
  install (round: number, weights: Float32Array): void {
    if (weights.length !== this.global.length) throw new RangeError(`model has ${weights.length} parameters, expected ${this.global.length}`)
    this.commit(round, weights)
  }

  /** The new global model: kept, hashed and checkpointed; an update trained on the old one is dropped. */
  private commit (round: number, weights: Float32Array): void {
    this.global = weights
    this.hash = modelHash(weights)
    this.modelRound = round
    this.training = undefined
    saveCheckpoint(this.o.dir, { round, modelHash: this.hash, parameters: weights.length, model: this.o.spec.model, weights })
  }

  /** Runs `fn` after everything queued before it: one tf model, one user at a time. */
  private exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.modelQueue.then(fn)
    this.modelQueue = run.catch(() => {})
    return run
  }

  close (): void {
    this.closing.abort()
    void this.modelQueue.then(() => this.model.dispose())
  }
}
