/**
 * Randomness is injected everywhere (as in noble's `randomBytes` option and fcp's
 * SecureBatchPrng): production uses the OS CSPRNG, tests and the simulator a seeded DRBG
 * so runs are reproducible from one seed.
 */
import { createCipheriv, createHash, randomFillSync } from 'node:crypto'
import { InvalidCryptoInputError } from './errors.ts'
import { wipeAndRelease } from './release-buffer.ts'

/** Returns `length` fresh random bytes, which the caller owns (and may wipe or free). */
export type RandomSource = (length: number) => Uint8Array

/** The operating system's CSPRNG. */
export const systemRandom: RandomSource = (length) => randomFillSync(new Uint8Array(length)) // filled in place: no second copy to wipe

const KEYSTREAM_CHUNK = 64 * 1024
const ZERO_CHUNK = Buffer.alloc(KEYSTREAM_CHUNK)

/**
 * A deterministic random source: the AES-256-CTR keystream under SHA-256(domain ‖ seed).
 * Cryptographically strong as long as the seed is secret; used by tests and the simulator,
 * never to generate a production member's keys unless the operator asked for it.
 */
export function seededRandom (seed: Uint8Array | string): RandomSource {
  const key = createHash('sha256').update('secagg-swarm/seeded-random/v1').update(seed).digest()
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  return (length) => {
    if (length <= KEYSTREAM_CHUNK) {
      const out = cipher.update(ZERO_CHUNK.subarray(0, length)) // a fresh buffer per call: a view is safe to hand out
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
    }
    // A long draw (a simulated input: 4 MB per member at M = 10^6) in cache-sized calls into
    // one output, the same bytes as one call: a single call would also allocate and zero a
    // plaintext and a keystream buffer of the whole length, fresh pages each time.
    const out = new Uint8Array(length)
    for (let offset = 0; offset < length; offset += KEYSTREAM_CHUNK) {
      const chunk = cipher.update(ZERO_CHUNK.subarray(0, Math.min(KEYSTREAM_CHUNK, length - offset)))
      out.set(chunk, offset)
      wipeAndRelease(chunk) // the caller may wipe what it draws (key material): leave no other copy
    }
    return out
  }
}

/** A uniform integer in [0, bound) by rejection sampling (no modulo bias). */
export function randomInt (rng: RandomSource, bound: number): number {
  if (!Number.isSafeInteger(bound) || bound < 1 || bound > 2 ** 48) {
    throw new InvalidCryptoInputError(`randomInt bound must be an integer in [1, 2^48], got ${bound}`)
  }
  const limit = Math.floor(2 ** 48 / bound) * bound
  for (;;) {
    const b = rng(6)
    const value = b[0]! * 2 ** 40 + b[1]! * 2 ** 32 + ((b[2]! << 24) >>> 0) + (b[3]! << 16) + (b[4]! << 8) + b[5]!
    if (value < limit) return value % bound
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** The bytes as little-endian 32-bit words: a view where the platform allows, else a copy. */
function littleEndianWords (bytes: Uint8Array): Uint32Array {
  const count = bytes.byteLength >>> 2
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, count)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Uint32Array.from({ length: count }, (_, i) => view.getUint32(4 * i, true))
}

/** Values per call to the source in bulk draws: 64 KiB of 4-byte words. */
const WORD_VALUES_PER_DRAW = KEYSTREAM_CHUNK / 4

/** Step of randomUnitSignedInto's values: 2^23 of them in [−1, 1). */
const UNIT_SIGNED_STEP = 2 ** -22

/**
 * Fills `out` with uniform multiples of 2^−22 in [−1, 1) — exact in float32 — one 32-bit word
 * of the source per value, from its top 23 bits. A power-of-two range needs no rejection and
 * no division: 2.4 ns per value here, against ~6 for a uniform integer in [0, 2·10^6] by
 * rejection, scaled to six decimals. Drawn in 64 KiB calls, each wiped and freed at once, so
 * `out` is the only memory it touches.
 */
export function randomUnitSignedInto (rng: RandomSource, out: Float32Array): Float32Array {
  for (let from = 0; from < out.length; from += WORD_VALUES_PER_DRAW) {
    const to = Math.min(out.length, from + WORD_VALUES_PER_DRAW)
    const b = rng(4 * (to - from))
    const words = littleEndianWords(b)
    for (let i = from; i < to; i++) out[i] = (words[i - from]! >>> 9) * UNIT_SIGNED_STEP - 1
    if (words.buffer !== b.buffer) words.fill(0) // the copy of an unaligned draw: wiped too
    wipeAndRelease(b)
  }
  return out
}

/** A uniform float in [0, 1) with 48 random bits. */
export function randomFloat (rng: RandomSource): number {
  return randomInt(rng, 2 ** 48) / 2 ** 48
}

/** Fisher–Yates shuffle of a copy, driven by the injected source. */
export function shuffled<T> (rng: RandomSource, items: readonly T[]): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1)
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
  return out
}
