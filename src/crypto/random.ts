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

/** Values per call to the source in bulk draws: 64 KiB of 4-byte words, or 65,532 bytes of 6-byte ones. */
const WORD_VALUES_PER_DRAW = KEYSTREAM_CHUNK / 4
const WIDE_VALUES_PER_DRAW = Math.floor(KEYSTREAM_CHUNK / 6)

/**
 * `count` uniform integers in [0, bound), drawn in bulk (4 bytes each below 2^24, else 6):
 * rejection sampling as in `randomInt`.
 */
export function randomInts (rng: RandomSource, bound: number, count: number): Float64Array {
  if (!Number.isSafeInteger(count) || count < 0) throw new InvalidCryptoInputError(`randomInts count must be a non-negative integer, got ${count}`)
  return randomIntsInto(rng, bound, new Float64Array(count))
}

/**
 * Fills `out` with uniform integers in [0, bound). The values are drawn in 64 KiB calls to the
 * source — the same bytes, in the same order, as one call for the whole vector, but without a
 * temporary as large as the vector (4 MB of fresh memory per simulated input at M = 10^6) —
 * and a rejected value is redrawn afterwards, one `randomInt` each, in index order. A
 * Float32Array holds integers exactly only below 2^24, so larger bounds are refused for it.
 */
export function randomIntsInto<T extends Float64Array | Float32Array> (rng: RandomSource, bound: number, out: T): T {
  const maxBound = out instanceof Float32Array ? 2 ** 24 : 2 ** 48
  if (!Number.isSafeInteger(bound) || bound < 1 || bound > maxBound) {
    throw new InvalidCryptoInputError(`randomInts bound must be an integer in [1, 2^${Math.log2(maxBound)}] for a ${out.constructor.name}, got ${bound}`)
  }
  const rejected: number[] = []
  if (bound <= 2 ** 24) {
    // Small bounds (simulated inputs): 4 bytes per value, rejection probability < 2^-8.
    const limit = Math.floor(2 ** 32 / bound) * bound
    for (let from = 0; from < out.length; from += WORD_VALUES_PER_DRAW) {
      const to = Math.min(out.length, from + WORD_VALUES_PER_DRAW)
      const b = rng(4 * (to - from))
      const words = littleEndianWords(b)
      // value − ⌊value / bound⌋·bound is value % bound exactly here (value < 2^32, bound ≤ 2^24:
      // the quotient's rounding error stays below 1/bound), and 2–3× faster than `%` on doubles.
      for (let i = from; i < to; i++) {
        const value = words[i - from]!
        if (value < limit) out[i] = value - Math.floor(value / bound) * bound
        else rejected.push(i)
      }
      if (words.buffer !== b.buffer) words.fill(0) // the copy of an unaligned draw: wiped too
      wipeAndRelease(b) // the draw is ours: freed now, the next draw reuses its memory
    }
  } else {
    const limit = Math.floor(2 ** 48 / bound) * bound
    for (let from = 0; from < out.length; from += WIDE_VALUES_PER_DRAW) {
      const to = Math.min(out.length, from + WIDE_VALUES_PER_DRAW)
      const b = rng(6 * (to - from))
      for (let i = from, o = 0; i < to; i++, o += 6) {
        const value = b[o]! * 2 ** 40 + b[o + 1]! * 2 ** 32 + ((b[o + 2]! << 24) >>> 0) + (b[o + 3]! << 16) + (b[o + 4]! << 8) + b[o + 5]!
        if (value < limit) out[i] = value % bound
        else rejected.push(i)
      }
      wipeAndRelease(b)
    }
  }
  for (const i of rejected) out[i] = randomInt(rng, bound)
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
