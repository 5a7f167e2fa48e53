/**
 * Exact sampling from the discrete Gaussian N_Z(0, σ²) — P(x) ∝ exp(−x²/(2σ²)) on the
 * integers — by Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
 * Privacy" (NeurIPS 2020), Algorithms 1–3: Bernoulli(exp(−γ)) from Bernoulli(rational)
 * coins, a discrete Laplace proposal, and rejection. Every probability is an exact rational
 * compared against a uniform integer from the injected RandomSource, so there is no floating
 * point anywhere and no bias beyond the RandomSource's own.
 *
 * The scale σ is a positive integer (in ring units; noise-share.ts rounds it up, which only
 * adds noise). With an integer σ the Laplace scale can be σ itself and the acceptance
 * exponent (|Y| − σ)²/(2σ²) has integer numerator and denominator (TF Privacy's
 * discrete_gaussian_utils makes the same choice; CKS's algorithm is correct for any Laplace
 * scale, ~70% acceptance here).
 */
import { randomInt } from '../crypto/index.ts'
import type { RandomSource } from '../crypto/index.ts'

const NUMBER_LIMIT = 2 ** 48 // randomInt's largest bound

/** A uniform bigint in [0, bound) by rejection on whole bytes (no modulo bias). */
function uniformBig (rng: RandomSource, bound: bigint): bigint {
  if (bound <= BigInt(NUMBER_LIMIT)) return BigInt(randomInt(rng, Number(bound)))
  const bits = bound.toString(2).length
  const bytes = Math.ceil(bits / 8)
  const excess = BigInt(bytes * 8 - bits)
  for (;;) {
    let v = 0n
    for (const b of rng(bytes)) v = (v << 8n) | BigInt(b)
    v >>= excess // keep exactly `bits` bits: acceptance ≥ ½ per draw
    if (v < bound) return v
  }
}

/** Bernoulli(num/den), 0 ≤ num ≤ den. */
function bernoulli (rng: RandomSource, num: bigint, den: bigint): boolean {
  return uniformBig(rng, den) < num
}

/** Bernoulli(exp(−num/den)) for 0 ≤ num/den ≤ 1 (CKS Algorithm 1, first part). */
function bernoulliExpAtMostOne (rng: RandomSource, num: bigint, den: bigint): boolean {
  // K = 1, 2, …: stop at the first failure of Bernoulli(γ/K); success iff K is odd.
  let k = 1n
  while (bernoulli(rng, num, den * k)) k++
  return k % 2n === 1n
}

/** Bernoulli(exp(−num/den)) for any num/den ≥ 0 (CKS Algorithm 1). */
export function bernoulliExp (rng: RandomSource, num: bigint, den: bigint): boolean {
  if (num < 0n || den <= 0n) throw new RangeError(`bernoulliExp needs num ≥ 0 and den > 0, got ${num}/${den}`)
  // exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)).
  for (let whole = num / den; whole > 0n; whole--) {
    if (!bernoulliExpAtMostOne(rng, 1n, 1n)) return false
  }
  return bernoulliExpAtMostOne(rng, num % den, den)
}

/** Lap_Z(t): P(x) ∝ exp(−|x|/t), for an integer scale t ≥ 1 (CKS Algorithm 2 with s = 1). */
export function sampleDiscreteLaplace (rng: RandomSource, t: bigint): bigint {
  for (;;) {
    const u = uniformBig(rng, t)
    if (!bernoulliExpAtMostOne(rng, u, t)) continue
    let v = 0n
    while (bernoulliExpAtMostOne(rng, 1n, 1n)) v++
    const magnitude = u + t * v
    const negative = uniformBig(rng, 2n) === 1n
    if (negative && magnitude === 0n) continue // 0 would otherwise be counted twice
    return negative ? -magnitude : magnitude
  }
}

/** One draw from N_Z(0, σ²) for an integer σ ≥ 1 (CKS Algorithm 3, Laplace scale σ). */
export function sampleDiscreteGaussian (rng: RandomSource, sigma: bigint): bigint {
  if (sigma < 1n) throw new RangeError(`the discrete Gaussian sampler needs an integer σ ≥ 1, got ${sigma}`)
  const den = 2n * sigma * sigma
  for (;;) {
    const y = sampleDiscreteLaplace(rng, sigma)
    const d = (y < 0n ? -y : y) - sigma
    if (bernoulliExp(rng, d * d, den)) return y
  }
}

/**
 * `count` independent N_Z(0, σ²) draws as 32-bit two's complement words, ready to add to a
 * quantized input in Z_2^32 (the sum of the words is the sum of the draws mod 2^32).
 */
export function sampleDiscreteGaussianWords (rng: RandomSource, sigma: number, count: number): Int32Array {
  if (!Number.isSafeInteger(sigma) || sigma < 1) throw new RangeError(`σ must be an integer ≥ 1 (ring units), got ${sigma}`)
  const s = BigInt(sigma)
  const out = new Int32Array(count)
  for (let i = 0; i < count; i++) out[i] = Number(BigInt.asIntN(32, sampleDiscreteGaussian(rng, s)))
  return out
}

/**
 * A RandomSource that reads its parent in blocks: the sampler asks for a few bytes at a time,
 * tens of times per coordinate, and a block read costs the same as a small one. What it hands
 * out depends only on the parent's stream and the sizes asked for, so a seeded parent stays
 * reproducible (a request larger than a block goes straight to the parent).
 */
export function bufferedRandom (parent: RandomSource, blockBytes = 64 * 1024): RandomSource {
  let block = new Uint8Array(0)
  let at = 0
  return (length) => {
    if (length > blockBytes) return parent(length)
    if (at + length > block.length) {
      const rest = block.subarray(at)
      const next = parent(blockBytes)
      const merged = new Uint8Array(rest.length + next.length)
      merged.set(rest)
      merged.set(next, rest.length)
      block = merged
      at = 0
    }
    const out = block.slice(at, at + length)
    at += length
    return out
  }
}
