/**
 * A stand-in for the train task in the multi-round simulator: a global "model" (a float32
 * vector) that every verified result moves by the weighted mean update, checkpointed in the
 * member directory, bound into every session by its hash and resynchronised from the others
 * exactly like the real model (`needsSameState`, `sync`). Local "training" is a deterministic
 * function of the member, the round and the model, so every run is reproducible and fast,
 * and the node's round and resync logic for training is tested without TensorFlow.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeAtomic } from '../config/node-dir.ts'
import type { RoundOutcome } from '../../round/signed-result.ts'
import { stateFollowingDecision } from '../task/round-task.ts'
import type { RoundInput, RoundTask, StateSync } from '../task/round-task.ts'

function hashOf (weights: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)).digest('hex')
}

export class SimulatedModelTask implements RoundTask {
  readonly name = 'model'
  readonly resyncWhenBehind = true
  readonly decide = stateFollowingDecision
  readonly sync: StateSync = {
    hash: () => Buffer.from(this.hash, 'hex'),
    bytesFor: (hash) => (Buffer.from(hash).toString('hex') === this.hash ? new Uint8Array(this.global.buffer.slice(0)) : undefined),
    install: (round, bytes) => { this.commit(round, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))) }
  }

  private global: Float32Array
  private hash: string
  private modelRound: number

  constructor (private readonly dir: string, private readonly member: number, readonly dim: number) {
    const path = join(dir, 'model.json')
    if (existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { round: number, weights: number[] }
      this.global = Float32Array.from(saved.weights)
      this.modelRound = saved.round
    } else {
      this.global = new Float32Array(dim)
      this.modelRound = 0
    }
    this.hash = hashOf(this.global)
  }

  get resumeRound (): number { return this.modelRound }
  get modelHash (): string { return this.hash }
  get checkpoint (): { round: number, modelHash: string } { return { round: this.modelRound, modelHash: this.hash } }

  binding (): Uint8Array { return Buffer.from(this.hash, 'hex') }

  /** "Training": an update that depends on the member, the round and the model it starts from. */
  async input (round: number): Promise<RoundInput> {
    await Promise.resolve()
    const vector = Array.from({ length: this.dim }, (_, j) => 0.01 * (this.member + 1) * ((j % 3) - 1) + 0.001 * round - 0.1 * this.global[j]!)
    return { vector, weight: 1 + (this.member % 5) }
  }

  async apply (outcome: RoundOutcome): Promise<Record<string, unknown>> {
    const next = Float32Array.from(this.global, (w, j) => w + outcome.sum[j]! / outcome.weightSum)
    this.commit(outcome.round + 1, next)
    return { weightSum: outcome.weightSum, modelHash: this.hash }
  }

  close (): void {}

  private commit (round: number, weights: Float32Array): void {
    this.global = weights
    this.hash = hashOf(weights)
    this.modelRound = round
    writeAtomic(join(this.dir, 'model.json'), JSON.stringify({ round, weights: Array.from(weights) }))
  }
}
