/**
 * The distributed discrete Gaussian mechanism (Kairouz, Liu, Steinke, "The Distributed
 * Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation", ICML 2021) as
 * this project runs it; docs/PRIVACY.md derives every formula.
 *
 * Calibration. The target is noise of standard deviation σ·C on the sum (σ the noise
 * multiplier, C the L2 clip), in ring units σ·C·S (S the fixed-point scale). Each member adds
 * N_Z(0, σ_share²) with σ_share = ⌈σ·C·S/√t⌉ (protocol/quantize.ts plans S and σ_share
 * together so the noise never wraps): any m ≥ t surviving shares sum to variance
 * m·σ_share² ≥ (σ·C·S)², and more survivors only add noise.
 *
 * Accounting. Under zero-out adjacency (one member's update replaced by zeros; membership is
 * public) a member's rounded, clipped update moves the integer sum by at most
 * Δ = S·C + √d/2 in L2 (rounding adds at most ½ per coordinate). KLS 2021 (Theorem 1) bound
 * the Rényi divergence of the sum of m independent N_Z(0, σ_share²) vectors shifted by Δ by
 * α·ε²/2 with ε = Δ/(√m·σ_share) + τ·√d, τ = 10·Σ_{k=1}^{m−1} exp(−2π²σ_share²·k/(k+1)),
 * i.e. the RDP of a Gaussian mechanism with noise multiplier z = 1/ε. τ vanishes (underflows
 * to 0) for σ_share of a few units already; it is computed, not assumed.
 */
import type { RandomSource } from '../crypto/index.ts'
import type { NoiseOptions, QuantizationPlan } from '../protocol/index.ts'
import { bufferedRandom, sampleDiscreteGaussianWords } from './discrete-gaussian.ts'

/** What planQuantization needs to widen the range for the noise: σ·C on the sum of t shares. */
export function noiseOptions (clip: number, noiseMultiplier: number, survivors: number, coordinates: number): NoiseOptions {
  return { stddev: noiseMultiplier * clip, survivors, coordinates, l2Clip: clip }
}

/** One member's noise share for one round: `dim` draws from N_Z(0, σ_share²), from the injected source. */
export function sampleNoiseShare (plan: QuantizationPlan, dim: number, rng: RandomSource): Int32Array {
  if (plan.noise === undefined) throw new RangeError('the quantization plan has no DP noise (plan it with noiseOptions)')
  return sampleDiscreteGaussianWords(bufferedRandom(rng), plan.noise.shareStddev, dim)
}

/** KLS 2021's τ for m shares of N_Z(0, σ²): 10·Σ_{k=1}^{m−1} exp(−2π²σ²·k/(k+1)). */
export function sumDivergenceSlack (sigma: number, shares: number): number {
  let tau = 0
  for (let k = 1; k < shares; k++) tau += Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * k / (k + 1))
  return 10 * tau
}

/**
 * The noise multiplier z of the Gaussian mechanism whose RDP bounds one round in which
 * `survivors` members' shares were summed (z = 1/ε of KLS 2021, Theorem 1).
 */
export function effectiveNoiseMultiplier (plan: QuantizationPlan, clip: number, dim: number, survivors: number): number {
  if (plan.noise === undefined) throw new RangeError('the quantization plan has no DP noise')
  if (!Number.isInteger(survivors) || survivors < 1) throw new RangeError(`survivors must be a positive integer, got ${survivors}`)
  const sensitivity = plan.scale * clip + Math.sqrt(dim) / 2
  const sigma = plan.noise.shareStddev
  const eps = sensitivity / (Math.sqrt(survivors) * sigma) + sumDivergenceSlack(sigma, survivors) * Math.sqrt(dim)
  return 1 / eps
}
