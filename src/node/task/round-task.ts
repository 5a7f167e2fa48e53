/**
 * What a round is for. The node runs the same secure-aggregation rounds for every task; a
 * task supplies each round's input (possibly after local training), anything that must bind
 * the session besides the consortium file (the train task: the global model's hash, so members
 * on different models never mix), and what to do with a verified result.
 */
import type { RoundOutcome } from '../round/signed-result.ts'

export interface RoundInput { readonly vector: ArrayLike<number>, readonly weight: number }

/** A task whose state can be fetched from the other members (train: the global model). */
export interface StateSync {
  /** SHA-256 of the current state's bytes. */
  hash (): Uint8Array
  /** The state's bytes if its hash is `hash`. */
  bytesFor (hash: Uint8Array): Uint8Array | undefined
  /** Installs state fetched from others (its hash already checked) as the start of `round`. */
  install (round: number, bytes: Uint8Array): void
}

export interface RoundTask {
  readonly name: string
  /**
   * True when results change local state (train): such a task may only apply the result of
   * a session it took part in, and otherwise resynchronises through `sync`.
   */
  readonly needsSameState: boolean
  readonly sync?: StateSync
  /** The first round the task's stored state is ready for (train: the checkpoint's round). */
  readonly resumeRound?: number
  /** Length of the summed vector (without the weight word). */
  readonly dim: number
  /** Bytes bound into every session of the next round, or undefined. */
  binding (): Uint8Array | undefined
  /** The input of `round`: now (vector-sum) or once local training is done (train). */
  input (round: number): RoundInput | Promise<RoundInput>
  /**
   * Applies a verified result of a round this member started from the same state as the
   * others; returns the fields for rounds/<r>.json.
   */
  apply (outcome: RoundOutcome, includedSelf: boolean): Promise<Record<string, unknown>>
  /** Fields for rounds/<r>.json of a result that came too late to apply (vector-sum: all of it). */
  describeLate (outcome: RoundOutcome): Record<string, unknown> | undefined
  close (): void
}
