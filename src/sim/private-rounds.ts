/**
 * The differential-privacy side of `secagg simulate --task train` (docs/PRIVACY.md): each
 * member's update is L2-clipped and gets its discrete-Gaussian noise share before the secure
 * sum; the ledger refuses a round that could exceed the budget and records the ε that held
 * for the survivors each round actually had.
 */
import { seededRandom } from '../crypto/index.ts'
import type { QuantizationPlan } from '../protocol/index.ts'
import { clipL2, effectiveNoiseMultiplier, PrivacyLedger, sampleNoiseShare } from '../privacy/index.ts'
import type { PrivacyConfig } from '../privacy/index.ts'

export interface RoundPrivacy {
  /** ε spent so far (this round included) at δ, every member counted as in every summed round. */
  epsilon: number
  /** Members whose noise shares are in the sum: the ε above is computed for this many. */
  survivors: number
  /** The noise multiplier this round's sum actually carried (KLS 2021 bound; ≤ σ·√(survivors/t)). */
  effectiveNoiseMultiplier: number
  /** Members whose update was longer than the clip and was scaled down. */
  clippedMembers: number
  /** Simulation only: RMS of (secure sum − plain sum of the clipped updates), and the noise std it should be. */
  observedNoiseRms: number
  expectedNoiseStddev: number
}

export class PrivateRounds {
  readonly ledger: PrivacyLedger

  constructor (readonly config: PrivacyConfig, private readonly seed: string) {
    this.ledger = new PrivacyLedger(config)
  }

  /** Why round r must not run (it could push ε past the budget with only t survivors), or undefined. */
  refusal (plan: QuantizationPlan, dim: number): string | undefined {
    return this.ledger.refusal(effectiveNoiseMultiplier(plan, this.config.clip, dim, plan.noise!.survivors))
  }

  /** The clipped updates and each member's noise share (seeded per round and member). */
  inputs (plan: QuantizationPlan, updates: readonly Float32Array[], round: number): { vectors: Float64Array[], noise: Int32Array[], clippedMembers: number } {
    const clipped = updates.map((u) => clipL2(u, this.config.clip))
    return {
      vectors: clipped.map((c) => c.update),
      noise: updates.map((u, i) => sampleNoiseShare(plan, u.length, seededRandom(`${this.seed}/round-${round}/peer-${i}/dp-noise`))),
      clippedMembers: clipped.filter((c) => c.clipped).length
    }
  }

  /** Records a summed round and reports it. */
  record (plan: QuantizationPlan, survivors: number, secureSum: ArrayLike<number>, plainSum: ArrayLike<number>, clippedMembers: number): RoundPrivacy {
    const z = effectiveNoiseMultiplier(plan, this.config.clip, secureSum.length, survivors)
    const epsilon = this.ledger.record(z)
    let sq = 0
    for (let j = 0; j < secureSum.length; j++) sq += (secureSum[j]! - plainSum[j]!) ** 2
    return {
      epsilon, survivors, effectiveNoiseMultiplier: z, clippedMembers,
      observedNoiseRms: Math.sqrt(sq / Math.max(1, secureSum.length)),
      expectedNoiseStddev: plan.noise!.shareStddev * Math.sqrt(survivors) / plan.scale
    }
  }
}
