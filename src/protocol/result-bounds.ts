/**
 * Bounds every honest result obeys, checked by the aggregator before it announces a result
 * and by every member before it applies one. Without range proofs a malicious member can
 * still shift the sum within these bounds (docs/PROTOCOL.md, "Trust model"), but it cannot
 * wrap the weight sum or push a coordinate of the mean beyond what clipping allows.
 *
 * Each member encodes w·x with w ∈ [1, maxWeight] and |x| ≤ clip, so over |U3| members:
 *   Σw ∈ [|U3|, |U3|·maxWeight]   and   |Σ w·x_i| ≤ clip·Σw (+ the quantization error,
 *   + the DP noise tail when members add noise: exceeded with probability ≤ 2^−40).
 * Under DP every update is also L2-clipped to C with weight 1, so ‖Σ x_i‖₂ ≤ |U3|·C, plus
 * the rounding and the L2 tail of the summed noise. Without that check the per-coordinate
 * slack the noise needs let an aggregator push every coordinate the same way at once — a
 * shift of about k·√d noise standard deviations along one direction, which honest members
 * applied (an attacker review). The L2 tail: each coordinate of the summed noise is
 * s-sub-Gaussian with s = √m·σ_share/S (a discrete Gaussian is σ-sub-Gaussian, Canonne,
 * Kamath, Steinke 2020), and ‖X‖² ≤ s²·(d + 2√(dL) + 2L) except with probability e^−L
 * (Laurent and Massart 2000, for Gaussians); L = 2·41·ln 2 doubles the exponent to cover
 * the sub-Gaussian case. A corrupt member can still send an update beyond C (no range
 * proofs): the round is then refused as out of bounds — a lost round, not a forged result.
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
  let squares = 0
  for (let i = 0; i < sum.length; i++) {
    const v = sum[i]!
    if (!(Math.abs(v) <= limit)) return `coordinate ${i} of the weighted sum is ${v}, beyond ±clip·Σw = ±${limit}`
    squares += v * v
  }
  const l2 = l2Limit(plan, included, sum.length)
  if (l2 !== undefined && !(Math.sqrt(squares) <= l2)) return `the sum's L2 norm ${Math.sqrt(squares).toPrecision(6)} is beyond ${included} members × the L2 clip + the noise tail = ${l2.toPrecision(6)}`
  return undefined
}

const L2_TAIL_LOG = 2 * 41 * Math.LN2

/** Under DP with L2-clipped updates: the largest L2 norm an honest sum over `included` members has. */
function l2Limit (plan: QuantizationPlan, included: number, dim: number): number | undefined {
  const noise = plan.noise
  if (noise?.l2Clip === undefined) return undefined
  const d = noise.coordinates ?? dim
  const s = Math.sqrt(included) * noise.shareStddev / plan.scale
  const rounding = (included * 0.5 / plan.scale) * Math.sqrt(dim)
  return included * noise.l2Clip + rounding + s * Math.sqrt(d + 2 * Math.sqrt(d * L2_TAIL_LOG) + 2 * L2_TAIL_LOG)
}
