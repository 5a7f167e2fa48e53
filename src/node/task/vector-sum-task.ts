/**
 * The vector-sum task: each round, each member contributes the vector in its input file;
 * the round file records the sum — secure federated statistics, and the network's test task.
 */
import { readVectorInput } from '../config/node-dir.ts'
import type { NodeConfig } from '../config/node-dir.ts'
import type { RoundOutcome } from '../round/signed-result.ts'
import type { RoundInput, RoundTask } from './round-task.ts'

export class VectorSumTask implements RoundTask {
  readonly name = 'vector-sum'
  readonly needsSameState = false
  constructor (private readonly dir: string, private readonly config: NodeConfig, readonly dim: number) {}
  binding (): undefined { return undefined }
  input (round: number): RoundInput { return readVectorInput(this.dir, this.config, this.dim, round) }
  async apply (outcome: RoundOutcome): Promise<Record<string, unknown>> { return this.describeLate(outcome) }
  describeLate (outcome: RoundOutcome): Record<string, unknown> { return { weightSum: outcome.weightSum, sum: Array.from(outcome.sum) } }
  close (): void {}
}
