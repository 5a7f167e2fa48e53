/**
 * What a member has spent: the RDP curve of the rounds its update was in, composed order by
 * order, converted to (ε, δ) with the improved conversion (rdp-accountant.ts). A round is
 * only started if the ε after it stays within the budget — checked before the member
 * contributes, because ε cannot be un-spent.
 *
 * Rounds are not subsampled (every member takes part in every round it can; a dropout is not a
 * random sample the analysis could rely on), so each round is the Gaussian mechanism with
 * q = 1 and the round's effective noise multiplier (distributed-noise.ts).
 */
import { computeRdp, DEFAULT_ORDERS, epsilonFromRdp } from './rdp-accountant.ts'

export interface PrivacyBudget {
  readonly delta: number
  readonly epsilonBudget: number
}

export class PrivacyLedger {
  private readonly rdp: number[]
  private roundCount = 0

  constructor (private readonly budget: PrivacyBudget, private readonly orders: readonly number[] = DEFAULT_ORDERS) {
    this.rdp = orders.map(() => 0)
  }

  /** Rounds recorded so far. */
  get rounds (): number { return this.roundCount }

  /** ε spent so far at the budget's δ (0 before any round). */
  get epsilon (): number {
    return this.roundCount === 0 ? 0 : epsilonFromRdp(this.orders, this.rdp, this.budget.delta).epsilon
  }

  /** ε after one more round with effective noise multiplier z. */
  epsilonAfter (noiseMultiplier: number): number {
    const step = computeRdp(1, noiseMultiplier, 1, this.orders)
    return epsilonFromRdp(this.orders, this.rdp.map((r, i) => r + step[i]!), this.budget.delta).epsilon
  }

  /** Why one more round with multiplier z would exceed the budget, or undefined when it fits. */
  refusal (noiseMultiplier: number): string | undefined {
    const next = this.epsilonAfter(noiseMultiplier)
    if (next <= this.budget.epsilonBudget) return undefined
    return `privacy budget: one more round would spend ε = ${next.toFixed(3)} > epsilonBudget ${this.budget.epsilonBudget} ` +
      `at δ = ${this.budget.delta} (${this.roundCount} round${this.roundCount === 1 ? '' : 's'} spent ε = ${this.epsilon.toFixed(3)}); ` +
      'ε cannot be un-spent: stop here, or start a new consortium with a larger budget or more noise'
  }

  /** Records a round this member's update was in; returns ε spent so far. */
  record (noiseMultiplier: number): number {
    const step = computeRdp(1, noiseMultiplier, 1, this.orders)
    step.forEach((r, i) => { this.rdp[i]! += r })
    this.roundCount++
    return this.epsilon
  }
}
