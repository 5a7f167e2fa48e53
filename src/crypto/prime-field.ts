/**
 * Arithmetic in a prime field F_p with bigint, for Shamir secret sharing. Generic over p
 * so the tests can run the same code over a tiny field and enumerate it.
 */
import { InvalidCryptoInputError } from './errors.ts'
import type { RandomSource } from './random.ts'

/**
 * The default field: p = 2^256 + 297, the smallest prime above 2^256 (checked by
 * test/crypto/shamir.spec.ts with Miller–Rabin and by `openssl prime`). Any 32-byte secret is
 * a field element as is, so no chunking into sub-secrets is needed (fcp instead splits
 * secrets into 31-bit pieces over p = 2^31 − 1); a share value is 33 bytes.
 */
export const SHAMIR_PRIME = (1n << 256n) + 297n

export interface PrimeField {
  readonly p: bigint
  /** Bytes of a big-endian field element. */
  readonly byteLength: number
  readonly bitLength: number
}

export function primeField (p: bigint): PrimeField {
  if (p < 3n) throw new InvalidCryptoInputError(`field prime must be at least 3, got ${p}`)
  const bitLength = p.toString(2).length
  return { p, bitLength, byteLength: Math.ceil(bitLength / 8) }
}

export function mod (a: bigint, p: bigint): bigint {
  const r = a % p
  return r < 0n ? r + p : r
}

/** a^-1 mod p by the extended Euclidean algorithm; a must be non-zero mod p. */
export function invert (a: bigint, p: bigint): bigint {
  let [oldR, r] = [mod(a, p), p]
  let [oldS, s] = [1n, 0n]
  if (oldR === 0n) throw new InvalidCryptoInputError('cannot invert zero in a prime field')
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s]
  }
  return mod(oldS, p)
}

/** Inverts every element with one modular inversion (Montgomery's trick). */
export function batchInvert (values: readonly bigint[], p: bigint): bigint[] {
  const prefix: bigint[] = new Array(values.length)
  let acc = 1n
  for (let i = 0; i < values.length; i++) {
    prefix[i] = acc
    acc = (acc * values[i]!) % p
  }
  let inv = invert(acc, p)
  const out: bigint[] = new Array(values.length)
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]!) % p
    inv = (inv * values[i]!) % p
  }
  return out
}

/**
 * `count` uniform elements of F_p from one call to the source. Each is an integer of
 * L = byteLength + 16 bytes reduced mod p, RFC 9380 §5.2's hash_to_field construction with
 * k = 128: its distance from uniform is below 2^-128, so Shamir's secrecy holds up to that
 * distance. One draw for all of a polynomial's coefficients replaces a rejection loop that,
 * for p = 2^256 + 297 (257 bits), threw away half of its 33-byte draws and made one
 * keystream call (and one off-heap buffer) per try.
 */
export function randomFieldElements (field: PrimeField, rng: RandomSource, count: number): bigint[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new InvalidCryptoInputError(`element count must be a non-negative integer, got ${count}`)
  const width = field.byteLength + 16
  const bytes = rng(width * count)
  // A short draw would leave coefficients at 0: a polynomial of lower degree, rebuilt from
  // fewer than t shares. No source here truncates, but an injected one might.
  if (!(bytes instanceof Uint8Array) || bytes.length !== width * count) {
    throw new InvalidCryptoInputError(`the random source returned ${bytes?.length} bytes for a draw of ${width * count}`)
  }
  const out: bigint[] = new Array(count)
  for (let i = 0; i < count; i++) out[i] = bytesToBigInt(bytes.subarray(i * width, (i + 1) * width)) % field.p
  bytes.fill(0) // the coefficients are secret: no copy of their source outlives this call
  return out
}

/** Big-endian bytes to an integer, eight bytes per BigInt step (a 33-byte share: 5 steps, not 33). */
export function bytesToBigInt (bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const head = bytes.length % 8
  let value = 0n
  for (let i = 0; i < head; i++) value = (value << 8n) | BigInt(bytes[i]!)
  for (let i = head; i < bytes.length; i += 8) value = (value << 64n) | view.getBigUint64(i, false)
  return value
}

const WORD = (1n << 64n) - 1n

export function bigIntToBytes (value: bigint, length: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new InvalidCryptoInputError(`value does not fit in ${length} bytes`)
  }
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  let v = value
  let i = length - 8
  for (; i >= 0; i -= 8) {
    view.setBigUint64(i, v & WORD, false)
    v >>= 64n
  }
  for (i += 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}
