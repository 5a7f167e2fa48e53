/**
 * What goes into and out of the round coordinator (coordinator.ts). Like the session machines
 * it is sans-IO: frames, inputs and `now` in; actions (frames to send, records to write,
 * decisions for the task, log lines) and one deadline out. Actions are executed in order: a
 * record always comes before the frames that depend on it.
 */
import type { Ed25519Signer } from '../crypto/index.ts'
import type { QuantizationPlan, StageTimeouts } from '../protocol/index.ts'
import type { PromiseRecord } from './promise-book.ts'
import type { RoundOutcome } from './signed-result.ts'
import type { ModelSyncTimeouts, ModelView } from './model-sync.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** What a round record (rounds/<r>.json) holds besides the task's own fields. */
export type RoundRecord = Record<string, unknown>

export type CoordinatorAction =
  /** Send `frame` to `to`, retrying for up to `ttl` ms; `result`: a stopping node still finishes it. */
  | { readonly kind: 'send', readonly to: string, readonly frame: Uint8Array, readonly ttl: number, readonly result: boolean }
  /** Write the promise record durably (fsync) before executing the next action. */
  | { readonly kind: 'persist-promises', readonly record: PromiseRecord }
  | { readonly kind: 'save-round', readonly round: number, readonly record: RoundRecord }
  | { readonly kind: 'save-progress', readonly nextRound: number }
  /** The task's input of (round, attempt): answer with provideInput, or inputPending first when it takes time. */
  | { readonly kind: 'need-input', readonly round: number, readonly attempt: number }
  /** Apply a confirmed result to the task's state; answer with `applied`. */
  | { readonly kind: 'apply', readonly round: number, readonly outcome: RoundOutcome, readonly includedSelf: boolean, readonly record: RoundRecord }
  /** Install the model most members hold (hash checked) as the start of `round`; answer with `installed`. */
  | { readonly kind: 'install', readonly round: number, readonly bytes: Uint8Array }
  | { readonly kind: 'log', readonly level: LogLevel, readonly event: string, readonly fields: Record<string, unknown> }
  /** The last round asked for is done. */
  | { readonly kind: 'done' }
  /** This member cannot go on (its own input keeps failing, the members never came): the node stops and exits non-zero. */
  | { readonly kind: 'fatal', readonly reason: string }

/** How the task treats a confirmed result (the task decides, the coordinator carries it out). */
export type ResultDecision =
  | { readonly kind: 'apply' }
  | { readonly kind: 'record', readonly fields: RoundRecord }
  /** The task's state cannot take this result (train: a session this member was not in): resync. */
  | { readonly kind: 'resync', readonly fields: RoundRecord }

export interface ResultView {
  /** The round was already given up here (skipped, aborted) when its result was confirmed. */
  readonly late: boolean
  /** This member took part in the result's session (it started from its own state). */
  readonly inSession: boolean
}

/** What a task tells the coordinator (src/node/task): decisions, not branches in the node. */
export interface RoundPolicy {
  decide (outcome: RoundOutcome, view: ResultView): ResultDecision
  /**
   * Frames of the next round arrived while this member still waits for this round's result:
   * a task whose state moves with results (train) resynchronises if the result does not come.
   */
  readonly resyncWhenBehind: boolean
  /** Bytes bound into every session besides the consortium (train: the model's hash), or undefined. */
  binding (): Uint8Array | undefined
}

/** The coordinator's own deadlines (ms), besides the consortium's stage timeouts. */
export interface CoordinatorTimeouts extends ModelSyncTimeouts {
  /** Train: how long to wait for our round's result once others are in the next round. */
  readonly behindWait: number
  /** How long a RESULT, hint or echo frame keeps being retried. */
  readonly resultDelivery: number
  /** How long a result waits for a quorum of echoes before the round is given up. */
  readonly echoWait: number
  /**
   * How long a member that has not run a round yet in this run waits for enough members to be
   * reachable before it gives up (`fatal`); undefined: forever. Later it always waits.
   */
  readonly startupWait?: number
}

export interface CoordinatorConfig {
  readonly self: string
  readonly members: readonly string[]
  readonly signer: Ed25519Signer
  readonly signingKeys: ReadonlyMap<string, Uint8Array>
  /** SHA-256 of the consortium file: binds every session and seeds the aggregator ranking. */
  readonly consortiumHash: Uint8Array
  readonly maxCorrupt: number
  readonly neighbours: number | 'complete'
  readonly threshold: number
  readonly dim: number
  readonly quantization: QuantizationPlan
  readonly stageTimeouts: StageTimeouts
  readonly roundIntervalMs: number
  /** Stop before this round (an absolute round number: rounds finished before a restart count). */
  readonly rounds?: number
  /**
   * Or stop after this many more rounds, counted from the round this member starts in — or,
   * when it finds the swarm further on before finishing any round, from the round it catches
   * up to (a member back from a week away runs N rounds of today's swarm, not none).
   */
  readonly moreRounds?: number
  /** After this many consecutive rounds without a usable input of its own, the member stops (`fatal`). */
  readonly maxInputFailures?: number
  readonly timeouts: CoordinatorTimeouts
  readonly policy: RoundPolicy
  /** The task's model, when it keeps one (train): it is then resynchronised from the majority (model-sync.ts). */
  readonly model?: ModelView
}
