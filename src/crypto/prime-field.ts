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

/** A uniform element of [0, p) by rejection sampling from the injected source. */
export function randomFieldElement (field: PrimeField, rng: RandomSource): bigint {
  const topBits = field.bitLength % 8
  for (;;) {
    const bytes = rng(field.byteLength)
    if (topBits !== 0) bytes[0] = bytes[0]! & ((1 << topBits) - 1)
    const value = bytesToBigInt(bytes)
    if (value < field.p) return value
  }
}

export function bytesToBigInt (bytes: Uint8Array): bigint {
  let value = 0n
  for (const b of bytes) value = (value << 8n) | BigInt(b)
  return value
}

export function bigIntToBytes (value: bigint, length: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new InvalidCryptoInputError(`value does not fit in ${length} bytes`)
  }
  const out = new Uint8Array(length)
  let v = value
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}
