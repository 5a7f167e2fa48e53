/**
 * Bounds every honest result obeys, checked by the aggregator before it announces a result
 * and by every member before it applies one. Without range proofs a malicious member can
 * still shift the sum within these bounds (docs/PROTOCOL.md, "Trust model"), but it cannot
 * wrap the weight sum or push a coordinate of the mean beyond what clipping allows.
 *
 * Each member encodes w·x with w ∈ [1, maxWeight] and |x| ≤ clip, so over |U3| members:
 *   Σw ∈ [|U3|, |U3|·maxWeight]   and   |Σ w·x_i| ≤ clip·Σw (+ the quantization error,
 *   + the DP noise tail when members add noise: exceeded with probability ≤ 2^−40).
 */
import { noiseBound } from './quantize.ts'
import type { QuantizationPlan } from './quantize.ts'

/** Why a decoded sum cannot be honest, or undefined when it is within bounds. */
export function resultBoundsViolation (plan: QuantizationPlan, included: number, sum: ArrayLike<number>, weightSum: number): string | undefined {
  if (!Number.isInteger(weightSum) || weightSum < included || weightSum > included * plan.maxWeight) {
    return `weight sum ${weightSum} is outside [${included}, ${included * plan.maxWeight}] for ${included} members of weight 1..${plan.maxWeight}`
  }
  // ½ ring unit of rounding per member and coordinate (quantize.ts).
  const limit = plan.clip * weightSum + (included * 0.5) / plan.scale + noiseBound(plan, included)
  for (let i = 0; i < sum.length; i++) {
    const v = sum[i]!
    if (!(Math.abs(v) <= limit)) return `coordinate ${i} of the weighted sum is ${v}, beyond ±clip·Σw = ±${limit}`
  }
  return undefined
}
