/**
 * The vector-sum task: each round, each member contributes the vector in its input file;
 * the round file records the sum — secure federated statistics, and the network's test task.
 */
import { readVectorInput } from '../config/node-dir.ts'
import type { NodeConfig } from '../config/node-dir.ts'
import type { RoundOutcome } from '../../round/signed-result.ts'
import type { ResultDecision, ResultView } from '../../round/coordinator-io.ts'
import type { RoundInput, RoundTask } from './round-task.ts'

export class VectorSumTask implements RoundTask {
  readonly name = 'vector-sum'
  readonly resyncWhenBehind = false
  constructor (private readonly dir: string, private readonly config: NodeConfig, readonly dim: number) {}
  binding (): undefined { return undefined }
  input (round: number): RoundInput { return readVectorInput(this.dir, this.config, this.dim, round) }
  async apply (outcome: RoundOutcome): Promise<Record<string, unknown>> { return this.fields(outcome) }
  /** Any confirmed sum is recorded, late ones too: there is no state for it to disagree with. */
  decide (outcome: RoundOutcome, view: ResultView): ResultDecision { return view.late ? { kind: 'record', fields: this.fields(outcome) } : { kind: 'apply' } }
  private fields (outcome: RoundOutcome): Record<string, unknown> { return { weightSum: outcome.weightSum, sum: Array.from(outcome.sum) } }
  close (): void {}
}
