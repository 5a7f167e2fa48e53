/**
 * Rényi-DP accounting (Mironov 2017) for the (Poisson-subsampled) Gaussian mechanism, the
 * same computation as TensorFlow Privacy's `compute_rdp` and `get_privacy_spent`:
 *
 * - RDP of one step at order α: with sampling rate q = 1, α/(2z²) (z = noise std /
 *   L2 sensitivity); with 0 < q < 1, log(A_α)/(α − 1) where A_α is the series of Mironov,
 *   Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019):
 *   a finite binomial sum for integer α (§3.3) and a two-sided series with erfc terms for
 *   fractional α.
 * - Composition: RDP adds up over steps, order by order.
 * - Conversion to (ε, δ): `improved` is Proposition 12 of Canonne, Kamath, Steinke 2020
 *   (also Balle et al. 2020, and TF Privacy's conversion since 2021):
 *   ε = min_α [ rdp(α) + log((α − 1)/α) − (log δ + log α)/(α − 1) ];
 *   `classic` is Mironov 2017, Proposition 3: ε = min_α [ rdp(α) − log δ/(α − 1) ].
 *   The improved bound is never larger and is what the project reports.
 */
import { logAdd, logErfc, logSub } from './log-space.ts'

/**
 * The orders grid of TF Privacy's compute_dp_sgd_privacy (1.25 … 4.5, 5 … 63, 128, 256, 512):
 * dense where the optimum of typical training runs lies.
 */
export const DEFAULT_ORDERS: readonly number[] = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, ...Array.from({ length: 59 }, (_, i) => 5 + i), 128, 256, 512]

export type Conversion = 'improved' | 'classic'

/** log C(α, i) for a non-negative integer α. */
function logBinomial (alpha: number, i: number): number {
  let s = 0
  for (let k = 0; k < i; k++) s += Math.log((alpha - k) / (k + 1))
  return s
}

function logAInteger (q: number, sigma: number, alpha: number): number {
  let logA = -Infinity
  for (let i = 0; i <= alpha; i++) {
    const logCoef = logBinomial(alpha, i) + i * Math.log(q) + (alpha - i) * Math.log1p(-q)
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma))
  }
  return logA
}

function logAFractional (q: number, sigma: number, alpha: number): number {
  // The integral of A_α split at z0, where the two Gaussians' mixture ratio crosses 1.
  let logA0 = -Infinity
  let logA1 = -Infinity
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5
  let coef = 1 // C(α, i) for real α, by the running product
  for (let i = 0; ; i++) {
    if (i > 0) coef *= (alpha - i + 1) / i
    const logCoef = Math.log(Math.abs(coef))
    const j = alpha - i
    const logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q)
    const logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q)
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma))
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma))
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0)
      logA1 = logAdd(logA1, logS1)
    } else {
      logA0 = logSub(logA0, logS0)
      logA1 = logSub(logA1, logS1)
    }
    if (Math.max(logS0, logS1) < -30) break
  }
  return logAdd(logA0, logA1)
}

/** RDP at order α of one step of the Gaussian mechanism with noise multiplier z, sampled at rate q. */
export function gaussianRdp (q: number, noiseMultiplier: number, alpha: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling rate must be in [0, 1], got ${q}`)
  if (!(noiseMultiplier > 0)) throw new RangeError(`noise multiplier must be positive, got ${noiseMultiplier}`)
  if (!(alpha > 1)) throw new RangeError(`RDP order must be > 1, got ${alpha}`)
  if (q === 0) return 0
  if (q === 1) return alpha / (2 * noiseMultiplier * noiseMultiplier)
  if (alpha === Infinity) return Infinity
  const logA = Number.isInteger(alpha) ? logAInteger(q, noiseMultiplier, alpha) : logAFractional(q, noiseMultiplier, alpha)
  return logA / (alpha - 1)
}

/** RDP over `orders` of `steps` compositions of the sampled Gaussian mechanism. */
export function computeRdp (q: number, noiseMultiplier: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  return orders.map((a) => steps * gaussianRdp(q, noiseMultiplier, a))
}

export interface EpsilonAtDelta {
  readonly epsilon: number
  /** The order at which the minimum was reached. */
  readonly order: number
}

/** The smallest ε over the orders for which the composed RDP curve gives (ε, δ)-DP. */
export function epsilonFromRdp (orders: readonly number[], rdp: readonly number[], delta: number, conversion: Conversion = 'improved'): EpsilonAtDelta {
  if (orders.length !== rdp.length || orders.length === 0) throw new RangeError(`need one RDP value per order (${orders.length} orders, ${rdp.length} values)`)
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be in (0, 1), got ${delta}`)
  let best = { epsilon: Infinity, order: orders[0]! }
  orders.forEach((a, k) => {
    const r = rdp[k]!
    let eps: number
    if (conversion === 'classic') {
      eps = r - Math.log(delta) / (a - 1)
    } else if (delta * delta + Math.expm1(-r) >= 0) {
      eps = 0 // δ ≥ √(1 − e^{−KL}): the KL bound already gives ε = 0
    } else if (a > 1.01) {
      eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1)
    } else {
      eps = Infinity // numerically unstable as α → 1 (and never the optimum)
    }
    if (eps < best.epsilon) best = { epsilon: eps, order: a }
  })
  return { epsilon: Math.max(0, best.epsilon), order: best.order }
}
