/**
 * Shamir t-of-n secret sharing (Shamir 1979) over a prime field, as used by Bonawitz et al.
 * §4 (SecretShare.share / SecretShare.recon) for the masking key s^SK and the self-mask seed b.
 *
 * A share of index x is f(x) for a random polynomial f of degree t − 1 with f(0) = secret;
 * any t shares determine f(0) by Lagrange interpolation and any t − 1 are uniformly
 * distributed whatever the secret. Indices run 1..n (x = 0 would be the secret itself).
 */
import {
  InvalidShareError, InvalidThresholdError, DuplicateShareIndexError, NotEnoughSharesError, InvalidCryptoInputError
} from './errors.ts'
import { batchInvert, bigIntToBytes, bytesToBigInt, primeField, randomFieldElements, SHAMIR_PRIME } from './prime-field.ts'
import type { PrimeField } from './prime-field.ts'
import { BoundedCache } from './bounded-cache.ts'
import type { RandomSource } from './random.ts'

/** Largest share count supported; indices are encoded as unsigned 16-bit on the wire. */
export const MAX_SHARES = 65_535
export const SHAMIR_SECRET_BYTES = 32

/** One share as a field element. */
export interface FieldShare {
  readonly index: number
  readonly value: bigint
}

/** One share of a 32-byte secret: its index (1..n) and f(index) as big-endian bytes. */
export interface Share {
  readonly index: number
  readonly value: Uint8Array
}

const DEFAULT_FIELD = primeField(SHAMIR_PRIME)
/** Bytes of a share value in the default field (33). */
export const SHAMIR_SHARE_BYTES = DEFAULT_FIELD.byteLength

function checkThreshold (threshold: number, count: number, field: PrimeField): void {
  if (!Number.isInteger(count) || count < 2 || count > MAX_SHARES || BigInt(count) >= field.p) {
    throw new InvalidThresholdError(`share count n must be an integer in [2, ${MAX_SHARES}] and below the field size, got ${count}`)
  }
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new InvalidThresholdError(`threshold t must be an integer ≥ 2 (t = 1 would hand the secret to every holder), got ${threshold}`)
  }
  if (threshold > count) {
    throw new InvalidThresholdError(`threshold t = ${threshold} exceeds the share count n = ${count}: the secret could never be rebuilt`)
  }
}

/** Splits a field element into `count` shares (indices 1..count), any `threshold` of which rebuild it. */
export function splitFieldElement (secret: bigint, threshold: number, count: number, rng: RandomSource, field: PrimeField = DEFAULT_FIELD): FieldShare[] {
  checkThreshold(threshold, count, field)
  return splitFieldElementAt(secret, threshold, Array.from({ length: count }, (_, i) => i + 1), rng, field)
}

/**
 * Splits a field element into shares at the given distinct indices. SecAgg+ uses this: a
 * peer shares only with its graph neighbours, each at its consortium-wide member index, so
 * evaluating the polynomial at all n indices would be wasted work.
 */
export function splitFieldElementAt (secret: bigint, threshold: number, indices: readonly number[], rng: RandomSource, field: PrimeField = DEFAULT_FIELD): FieldShare[] {
  checkThreshold(threshold, indices.length, field)
  const seen = new Set<number>()
  for (const x of indices) {
    if (!Number.isInteger(x) || x < 1 || x > MAX_SHARES) throw new InvalidShareError(`share index must be an integer in [1, ${MAX_SHARES}], got ${x}`)
    // An index ≡ 0 mod p would be f(0), the secret itself (possible only in small test fields).
    if (BigInt(x) >= field.p) throw new InvalidShareError(`share index ${x} is not below the field prime ${field.p}`)
    if (seen.has(x)) throw new DuplicateShareIndexError(`share index ${x} requested twice`)
    seen.add(x)
  }
  if (secret < 0n || secret >= field.p) throw new InvalidCryptoInputError('secret is not an element of the field')
  // f(x) = secret + a_1 x + ... + a_{t-1} x^{t-1}, coefficients uniform in F_p.
  const coefficients: bigint[] = [secret, ...randomFieldElements(field, rng, threshold - 1)]
  const shares: FieldShare[] = []
  const p = field.p
  for (const x of indices) {
    const bx = BigInt(x)
    let y = 0n
    // Horner, reduced mod p every 8 steps rather than every step: x < 2^16, so y grows by at
    // most 16 bits a step, and one division of a ~390-bit number costs about what one of a
    // ~270-bit number does. Measured 2.5× faster at t = 501 (the complete graph at n = 1,000).
    for (let i = coefficients.length - 1, k = 1; i >= 0; i--, k++) {
      y = y * bx + coefficients[i]!
      if ((k & 7) === 0) y %= p
    }
    shares.push({ index: x, value: y % p })
  }
  return shares
}

/**
 * Rebuilds f(0) from shares by Lagrange interpolation at 0:
 *   f(0) = Σ_i y_i · Π_{j≠i} x_j / (x_j − x_i).
 * Every supplied share is validated; the first `threshold` are used.
 */
export function combineFieldShares (shares: readonly FieldShare[], threshold: number, field: PrimeField = DEFAULT_FIELD): bigint {
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new InvalidThresholdError(`threshold t must be an integer ≥ 2, got ${threshold}`)
  }
  if (shares.length < threshold) {
    throw new NotEnoughSharesError(`need ${threshold} shares to rebuild the secret, got ${shares.length}`)
  }
  const seen = new Set<number>()
  for (const s of shares) {
    if (!Number.isInteger(s.index) || s.index < 1 || s.index > MAX_SHARES || BigInt(s.index) >= field.p) {
      throw new InvalidShareError(`share index must be an integer in [1, ${MAX_SHARES}], got ${s.index}`)
    }
    if (seen.has(s.index)) throw new DuplicateShareIndexError(`two shares carry index ${s.index}`)
    seen.add(s.index)
    if (s.value < 0n || s.value >= field.p) throw new InvalidShareError(`share ${s.index} is not a field element`)
  }
  // The first t shares, ordered by index: the coefficients depend only on the index set.
  const used = shares.slice(0, threshold).sort((a, b) => a.index - b.index)
  const p = field.p
  const lambdas = lagrangeAtZero(used.map((s) => s.index), p)
  let secret = 0n
  for (let i = 0; i < used.length; i++) secret = (secret + used[i]!.value * lambdas[i]!) % p
  return secret
}

/**
 * Lagrange coefficients at 0 for the sorted, distinct indices xs: λ_i = Π_{j≠i} x_j / (x_j − x_i).
 * They cost O(t²) field multiplications and depend only on public indices, while the secret
 * is a cheap O(t) sum over them. An aggregator rebuilding the self-mask seeds of n survivors
 * from the same t holders would otherwise pay O(n·t²) — cubic in n on the complete graph,
 * where t ≈ n/2 — so the coefficients of recent index sets are memoized (public data only).
 */
const lagrangeCache = new BoundedCache<readonly bigint[]>(64)

function lagrangeAtZero (indices: readonly number[], p: bigint): readonly bigint[] {
  return lagrangeCache.get(`${p}:${indices.join(',')}`, () => {
    const xs = indices.map(BigInt)
    let numerator = 1n
    for (const x of xs) numerator = (numerator * x) % p
    // Denominator of λ_i times x_i, so that the numerator Π x_j is shared: x_i · Π_{j≠i}(x_j − x_i).
    const denominators = indices.map((xi, i) => {
      // The factors x_j − x_i are below 2^16 in size, so three of them multiply exactly in a
      // double (< 2^48) and the BigInt product is reduced mod p only every fourth step: one
      // BigInt multiplication per three factors instead of a multiply and a division per
      // factor (5× faster at t = 501; the aggregator rebuilds one set per dealer's holders).
      let d = BigInt(xi)
      let small = 1
      for (let j = 0, k = 0; j < indices.length; j++) {
        if (j === i) continue
        small *= indices[j]! - xi
        if (++k % 3 === 0) {
          d *= BigInt(small)
          small = 1
          if (k % 12 === 0) d %= p
        }
      }
      d = (d * BigInt(small)) % p
      return d < 0n ? d + p : d
    })
    return batchInvert(denominators, p).map((inv) => (inv * numerator) % p)
  })
}

/** Splits a 32-byte secret into `count` shares (indices 1..count) over F_{2^256+297}. */
export function shamirSplit (secret: Uint8Array, threshold: number, count: number, rng: RandomSource): Share[] {
  checkThreshold(threshold, count, DEFAULT_FIELD)
  return shamirSplitAt(secret, threshold, Array.from({ length: count }, (_, i) => i + 1), rng)
}

/** Splits a 32-byte secret into shares at the given distinct indices in [1, 65535]. */
export function shamirSplitAt (secret: Uint8Array, threshold: number, indices: readonly number[], rng: RandomSource): Share[] {
  if (!(secret instanceof Uint8Array) || secret.length !== SHAMIR_SECRET_BYTES) {
    throw new InvalidCryptoInputError(`secret must be ${SHAMIR_SECRET_BYTES} bytes, got ${secret?.length}`)
  }
  return splitFieldElementAt(bytesToBigInt(secret), threshold, indices, rng).map((s) => ({
    index: s.index, value: bigIntToBytes(s.value, SHAMIR_SHARE_BYTES)
  }))
}

/** Rebuilds a 32-byte secret from at least `threshold` shares. */
export function shamirCombine (shares: readonly Share[], threshold: number): Uint8Array {
  const fieldShares = shares.map((s) => {
    if (!(s.value instanceof Uint8Array) || s.value.length !== SHAMIR_SHARE_BYTES) {
      throw new InvalidShareError(`share ${s.index} value must be ${SHAMIR_SHARE_BYTES} bytes, got ${s.value?.length}`)
    }
    return { index: s.index, value: bytesToBigInt(s.value) }
  })
  const secret = combineFieldShares(fieldShares, threshold)
  if (secret >= 1n << BigInt(8 * SHAMIR_SECRET_BYTES)) {
    // Shares of a 32-byte secret always rebuild a value below 2^256. This catches only 297 of
    // p values; mixed-up shares are caught by the protocol, which checks a rebuilt masking key
    // against its advertised public key.
    throw new InvalidShareError('shares are inconsistent: they rebuild a value that is not a 32-byte secret')
  }
  return bigIntToBytes(secret, SHAMIR_SECRET_BYTES)
}
