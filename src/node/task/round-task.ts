/**
 * What a round is for. The node runs the same secure-aggregation rounds for every task; a
 * task supplies each round's input (possibly after local training), anything that must bind
 * the session besides the consortium file (the train task: the global model's hash, so members
 * on different models never mix), and what to do with a verified result.
 */
import type { RoundOutcome } from '../../round/signed-result.ts'
import type { ResultDecision, ResultView, RoundPolicy } from '../../round/coordinator-io.ts'
import type { ModelView } from '../../round/model-sync.ts'

/** Under DP, `noise` is this member's integer noise share (src/privacy), added in the ring. */
export interface RoundInput { readonly vector: ArrayLike<number>, readonly weight: number, readonly noise?: Int32Array }

/** A task whose state can be fetched from the other members (train: the global model). */
export interface StateSync extends ModelView {
  /** Installs state fetched from others (its hash already checked) as the start of `round`. */
  install (round: number, bytes: Uint8Array): void
}

/**
 * A task decides what a confirmed result means for it (RoundPolicy.decide: apply, record or
 * resynchronise); the round coordinator carries the decision out.
 */
export interface RoundTask extends RoundPolicy {
  readonly name: string
  /** The task's state, when others can hand it over (train: the global model). */
  readonly sync?: StateSync
  /** The first round the task's stored state is ready for (train: the checkpoint's round). */
  readonly resumeRound?: number
  /** Length of the summed vector (without the weight word). */
  readonly dim: number
  /** The input of `round`: now (vector-sum) or once local training is done (train). */
  input (round: number): RoundInput | Promise<RoundInput>
  /**
   * Applies a verified result of a round this member started from the same state as the
   * others; returns the fields for rounds/<r>.json.
   */
  apply (outcome: RoundOutcome, includedSelf: boolean): Promise<Record<string, unknown>>
  close (): void
}

/**
 * The decision of a task whose state moves with every result (train): apply only the result
 * of a session this member took part in — only then did it start from its own state — and
 * otherwise take the state the majority holds.
 */
export function stateFollowingDecision (_outcome: RoundOutcome, view: ResultView): ResultDecision {
  if (view.inSession && !view.late) return { kind: 'apply' }
  return { kind: 'resync', fields: { applied: false, reason: 'not in this session: the model is resynchronised from the other members' } }
}
