/**
 * Fixed-point encoding of weighted updates into Z_{2^32} (docs/PROTOCOL.md, "Inputs, weights and
 * overflow"). A participant with update x (clipped to [−c, c]) and weight w sends
 * round(w·x_i·S) mod 2^32 for each coordinate and w itself as one extra coordinate; the
 * decoded sum is Σ w·x and Σ w.
 *
 * The n-way sum cannot wrap iff n·(W·c·S + ½) < 2^31 (W = the largest weight a member may
 * declare), so S is the largest scale meeting that bound. A configuration where S < 1, or
 * where the worst-case error of the decoded weighted mean (½/S when every w ≥ 1) exceeds the
 * tolerance, is refused with an error naming the bound.
 *
 * With distributed DP noise (src/privacy; docs/PRIVACY.md) each member also adds an integer
 * noise share of standard deviation σ_share ring units to its words, after rounding. The noise
 * summed over up to n members is subgaussian with variance n·σ_share² (Canonne, Kamath,
 * Steinke 2020: N_Z(0, σ²) is σ-subgaussian), so it exceeds k·√n·σ_share on any of the d
 * coordinates with probability ≤ 2d·e^{−k²/2} ≤ 2^−40 for k = √(2 ln(2^41·d)). S is then the
 * largest scale with n·(W·c·S + ½) + k·√n·σ_share < 2^31 — the noise is never clipped, the
 * range is widened for it, and a configuration where it does not fit is refused.
 */
import { InvalidInputError, OverflowRiskError } from './errors.ts'

const HALF_RING = 2 ** 31

export interface QuantizationOptions {
  /** Clip bound c: coordinates are clipped to [−c, c]. */
  readonly clip: number
  /** Largest weight (sample count) a member may declare. */
  readonly maxWeight: number
  /** Number of consortium members n (the worst case of the sum). */
  readonly members: number
  /** Largest acceptable error of a decoded weighted-mean coordinate (default 1e-4). */
  readonly tolerance?: number
  /** Distributed DP noise every member adds (absent: no noise, the plan is unchanged). */
  readonly noise?: NoiseOptions
}

export interface NoiseOptions {
  /** Standard deviation of the summed noise, in units of x, when `survivors` members add a share (σ·C). */
  readonly stddev: number
  /** The t members whose shares alone carry the full noise. */
  readonly survivors: number
  /** Coordinates that get noise (the union bound of the tail is over them). */
  readonly coordinates: number
  /** The L2 clip C of each member's update (weight 1): the result's L2 norm is checked against n·C + the noise. */
  readonly l2Clip?: number
}

export interface NoisePlan {
  /** Each member's noise share: N_Z(0, shareStddev²) per coordinate, an integer number of ring units. */
  readonly shareStddev: number
  readonly survivors: number
  /** k: the summed noise of m members stays within k·√m·shareStddev except with probability ≤ 2^−40. */
  readonly tailFactor: number
  /** Each member's L2 clip C, when the updates are L2-clipped (result-bounds.ts checks the sum's L2 norm). */
  readonly l2Clip?: number
  /** Coordinates that carry noise. */
  readonly coordinates?: number
}

export interface QuantizationPlan {
  readonly clip: number
  readonly maxWeight: number
  readonly members: number
  /** Scale S: a unit of w·x becomes S ring units. */
  readonly scale: number
  /** Worst-case absolute error of one decoded coordinate of Σ w·x (n · ½ / S). */
  readonly sumError: number
  /** Present when every member adds a DP noise share. */
  readonly noise?: NoisePlan
}

export const DEFAULT_TOLERANCE = 1e-4

export function planQuantization (options: QuantizationOptions): QuantizationPlan {
  const { clip, maxWeight, members } = options
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE
  if (!(clip > 0) || !Number.isFinite(clip)) throw new OverflowRiskError(`clip range must be a positive finite number, got ${clip}`)
  if (!Number.isInteger(maxWeight) || maxWeight < 1) throw new OverflowRiskError(`maxWeight must be a positive integer (a sample count), got ${maxWeight}`)
  if (!Number.isInteger(members) || members < 1) throw new OverflowRiskError(`member count must be a positive integer, got ${members}`)
  if (!(tolerance > 0)) throw new OverflowRiskError(`tolerance must be positive, got ${tolerance}`)
  if (members * maxWeight >= HALF_RING) {
    throw new OverflowRiskError(`members × maxWeight = ${members * maxWeight} must stay below 2^31 for the weight sum to fit Z_2^32; lower maxWeight`)
  }
  if (options.noise !== undefined) return planWithNoise({ clip, maxWeight, members, tolerance, noise: options.noise })
  // Largest S with n·(W·c·S + ½) ≤ 2^31 − 1.
  const scale = ((HALF_RING - 1) / members - 0.5) / (maxWeight * clip)
  if (scale < 1) {
    throw new OverflowRiskError(
      `n·W·c = ${members}·${maxWeight}·${clip} leaves a fixed-point scale S = ${scale.toPrecision(3)} < 1 in Z_2^32 ` +
      `(the sum must satisfy n·(W·c·S + ½) < 2^31): lower the clip range or maxWeight`)
  }
  if (0.5 / scale > tolerance) {
    throw new OverflowRiskError(
      `with n = ${members}, maxWeight = ${maxWeight}, clip = ${clip} the scale is S = ${scale.toPrecision(4)}, so a decoded mean ` +
      `could be off by ½/S = ${(0.5 / scale).toExponential(2)} > tolerance ${tolerance}: lower the clip range or maxWeight, or raise the tolerance`)
  }
  return { clip, maxWeight, members, scale, sumError: (members * 0.5) / scale }
}

/** log(2^41): the tail of every coordinate together stays below 2^−40. */
const TAIL_LOG = 41 * Math.LN2

function planWithNoise (o: Required<Omit<QuantizationOptions, 'noise'>> & { noise: NoiseOptions }): QuantizationPlan {
  const { clip, maxWeight, members, tolerance } = o
  const { stddev, survivors, coordinates } = o.noise
  if (!(stddev > 0) || !Number.isFinite(stddev)) throw new OverflowRiskError(`DP noise standard deviation must be a positive finite number, got ${stddev}`)
  if (!Number.isInteger(survivors) || survivors < 1 || survivors > members) throw new OverflowRiskError(`DP noise survivors t must be an integer in [1, ${members}], got ${survivors}`)
  if (!Number.isInteger(coordinates) || coordinates < 1) throw new OverflowRiskError(`DP noise coordinates must be a positive integer, got ${coordinates}`)
  const k = Math.sqrt(2 * (TAIL_LOG + Math.log(coordinates)))
  const rootN = Math.sqrt(members)
  // shareStddev = ⌈stddev·S/√t⌉ ≤ stddev·S/√t + 1, so the noise tail is at most k·√n·(stddev·S/√t + 1).
  const scale = (HALF_RING - 1 - members / 2 - k * rootN) / (members * maxWeight * clip + k * rootN * stddev / Math.sqrt(survivors))
  const what = `n = ${members} members, maxWeight = ${maxWeight}, clip = ${clip} and DP noise σ·C = ${stddev} carried by t = ${survivors} (tail k = ${k.toFixed(2)} over ${coordinates} coordinates)`
  if (!(scale >= 1)) {
    throw new OverflowRiskError(`${what} leave a fixed-point scale S = ${scale.toPrecision(3)} < 1 in Z_2^32 ` +
      '(n·(W·c·S + ½) + k·√n·σ_share must stay below 2^31): lower the noise multiplier, the clip or maxWeight')
  }
  if (0.5 / scale > tolerance) {
    throw new OverflowRiskError(`${what} leave a scale S = ${scale.toPrecision(4)}, so a decoded mean could be off by ½/S = ${(0.5 / scale).toExponential(2)} > tolerance ${tolerance}: ` +
      'lower the noise multiplier, the clip or maxWeight, or raise the tolerance')
  }
  const shareStddev = Math.ceil(stddev * scale / Math.sqrt(survivors))
  const l2 = o.noise.l2Clip !== undefined ? { l2Clip: o.noise.l2Clip, coordinates } : {}
  return { clip, maxWeight, members, scale, sumError: (members * 0.5) / scale, noise: { shareStddev, survivors, tailFactor: k, ...l2 } }
}

/** The bound |Σ noise| stays within on every coordinate (units of x) when `included` members added a share. */
export function noiseBound (plan: QuantizationPlan, included: number): number {
  if (plan.noise === undefined) return 0
  return plan.noise.tailFactor * Math.sqrt(included) * plan.noise.shareStddev / plan.scale
}

export interface EncodedInput {
  /** M + 1 words: the M scaled coordinates, then the weight. */
  readonly words: Uint32Array
  /** Coordinates clipped to [−c, c]. Kept locally, never sent. */
  readonly clipped: number
}

/** Throws InvalidInputError unless `noise` is there exactly when the plan adds noise, one word per coordinate. */
export function checkNoiseShare (plan: QuantizationPlan, length: number, noise: Int32Array | undefined): void {
  if ((plan.noise !== undefined) !== (noise !== undefined)) {
    throw new InvalidInputError(plan.noise !== undefined ? 'this consortium adds differential-privacy noise: the input needs its noise share' : 'a noise share was given but the quantization plan has no DP noise')
  }
  if (noise !== undefined && noise.length !== length) throw new InvalidInputError(`noise share has ${noise.length} coordinates, the input ${length}`)
}

/**
 * Clips, scales by w, quantizes and appends w. Refuses NaN/∞ and out-of-range weights.
 * `into` (M + 1 words) receives the result in place, e.g. a message frame's vector field.
 * `noise` (M integers, the member's DP noise share) is added in the ring after rounding; a
 * plan with noise refuses an input without it, so a member cannot forget its share.
 */
export function encodeInput (plan: QuantizationPlan, x: ArrayLike<number>, weight: number, into?: Uint32Array, noise?: Int32Array): EncodedInput {
  return encodeOrAdd(plan, x, weight, into, noise, false)
}

/**
 * encodeInput added (mod 2^32) to the words `into` already holds instead of replacing them:
 * an input put onto a mask sum computed before the input existed (a participant masks while
 * its member trains). The ring sum is the same as masking after encoding. On an error `into`
 * holds part of the input: the caller wipes it.
 */
export function addEncodedInput (plan: QuantizationPlan, x: ArrayLike<number>, weight: number, into: Uint32Array, noise?: Int32Array): EncodedInput {
  return encodeOrAdd(plan, x, weight, into, noise, true)
}

function encodeOrAdd (plan: QuantizationPlan, x: ArrayLike<number>, weight: number, into: Uint32Array | undefined, noise: Int32Array | undefined, add: boolean): EncodedInput {
  if (!Number.isInteger(weight) || weight < 1 || weight > plan.maxWeight) {
    // The value itself is not quoted: a member's weight (its sample count) is part of its
    // input, and this message may reach a log.
    throw new InvalidInputError(`weight must be an integer sample count in [1, ${plan.maxWeight}] (the consortium's maxWeight); this one is ${Number.isInteger(weight) ? (weight < 1 ? 'below 1' : 'above it') : 'not an integer'}`)
  }
  if (into !== undefined && into.length !== x.length + 1) throw new InvalidInputError(`encoding target has ${into.length} words, needs ${x.length + 1}`)
  checkNoiseShare(plan, x.length, noise)
  const words = into ?? new Uint32Array(x.length + 1)
  // Written through a signed view: same bits as the two's complement mod 2^32, and V8 keeps
  // the loop in small-integer stores (2.5× faster than Math.round(...) >>> 0 into the
  // Uint32Array). floor(v + ½) is Math.round's rounding (half towards +∞).
  const signed = new Int32Array(words.buffer, words.byteOffset, words.length)
  const factor = weight * plan.scale
  const clip = plan.clip
  const m = x.length
  let clipped = 0
  for (let i = 0; i < m; i++) {
    let v = x[i]!
    if (v > clip || v < -clip || v !== v) { // rare path: out of range or NaN
      if (!Number.isFinite(v)) throw new InvalidInputError(`input coordinate ${i} is ${v}; only finite numbers can be aggregated`)
      v = v > clip ? clip : -clip
      clipped++
    }
    const q = Math.floor(v * factor + 0.5)
    signed[i] = add ? signed[i]! + q : q
  }
  // Int32Array stores wrap mod 2^32: the ring addition, never a clip of the noise.
  if (noise !== undefined) for (let i = 0; i < m; i++) signed[i] = signed[i]! + noise[i]!
  words[m] = add ? (words[m]! + weight) >>> 0 : weight
  return { words, clipped }
}

export interface DecodedSum {
  /** Σ w·x per coordinate. */
  readonly sum: Float64Array
  /** Σ w. */
  readonly weightSum: number
}

/** Decodes an unmasked sum (words as signed 32-bit values, the last as the weight sum). */
export function decodeSum (plan: QuantizationPlan, words: Uint32Array): DecodedSum {
  const m = words.length - 1
  const sum = new Float64Array(m)
  for (let i = 0; i < m; i++) sum[i] = (words[i]! | 0) / plan.scale
  return { sum, weightSum: words[m]! }
}
