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
}

export interface QuantizationPlan {
  readonly clip: number
  readonly maxWeight: number
  readonly members: number
  /** Scale S: a unit of w·x becomes S ring units. */
  readonly scale: number
  /** Worst-case absolute error of one decoded coordinate of Σ w·x (n · ½ / S). */
  readonly sumError: number
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

export interface EncodedInput {
  /** M + 1 words: the M scaled coordinates, then the weight. */
  readonly words: Uint32Array
  /** Coordinates clipped to [−c, c]. Kept locally, never sent. */
  readonly clipped: number
}

/**
 * Clips, scales by w, quantizes and appends w. Refuses NaN/∞ and out-of-range weights.
 * `into` (M + 1 words) receives the result in place, e.g. a message frame's vector field.
 */
export function encodeInput (plan: QuantizationPlan, x: ArrayLike<number>, weight: number, into?: Uint32Array): EncodedInput {
  if (!Number.isInteger(weight) || weight < 1 || weight > plan.maxWeight) {
    // The value itself is not quoted: a member's weight (its sample count) is part of its
    // input, and this message may reach a log.
    throw new InvalidInputError(`weight must be an integer sample count in [1, ${plan.maxWeight}] (the consortium's maxWeight); this one is ${Number.isInteger(weight) ? (weight < 1 ? 'below 1' : 'above it') : 'not an integer'}`)
  }
  if (into !== undefined && into.length !== x.length + 1) throw new InvalidInputError(`encoding target has ${into.length} words, needs ${x.length + 1}`)
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
    signed[i] = Math.floor(v * factor + 0.5)
  }
  words[m] = weight
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
