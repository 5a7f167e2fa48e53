/**
 * The mask PRG: a 32-byte seed expands into a vector over Z_{2^32} or Z_{2^64} with
 * AES-256-CTR (key = seed, initial counter block = 0), as fcp/secagg's AesCtrPrng does.
 * Element i is keystream bytes [w·i, w·i + w) little-endian, w = 4 or 8.
 *
 * Why not anything weaker: Flower's SecAgg+ folds seeds to 32 bits and feeds Mersenne
 * Twister, leaving 2^32 possible masks that an aggregator can enumerate. Here a seed is
 * always the full 256 bits of an HKDF output and the generator is a block cipher in counter
 * mode. A seed must be used for exactly one vector (one session, one purpose): the protocol
 * derives every seed with HKDF bound to the session, so none is reused.
 */
import { createCipheriv } from 'node:crypto'
import { assertLength } from './bytes.ts'
import { InvalidCryptoInputError } from './errors.ts'
import { addMasksInParallel } from './parallel-masks.ts'
import { wipeAndRelease } from './release-buffer.ts'
import { addStreamsInPlace } from './simd-add.ts'
import type { ByteStreamTerm, RingVector } from './simd-add.ts'

export const PRG_SEED_BYTES = 32
/** Supported ring widths in bits: Z_{2^32} or Z_{2^64}; narrower moduli reduce a 32-bit sum. */
export type RingBits = 32 | 64

const ZERO_IV = Buffer.alloc(16)
const ZERO_BLOCK = Buffer.alloc(64 * 1024)

/** One mask to add (+1) or subtract (−1). */
export interface MaskTerm {
  readonly seed: Uint8Array
  readonly sign: 1 | -1
}

/**
 * The keystream of `seed` from byte `startByte` (a multiple of 16): AES-CTR is seekable, the
 * counter block of byte b is b / 16 as a 128-bit big-endian integer (counter block 0 at b = 0).
 */
function keystream (seed: Uint8Array, startByte = 0): ByteStreamTerm['fill'] {
  assertLength(seed, PRG_SEED_BYTES, 'PRG seed')
  if (!Number.isSafeInteger(startByte) || startByte < 0 || startByte % 16 !== 0) throw new InvalidCryptoInputError(`keystream offset must be a multiple of 16, got ${startByte}`)
  const iv = Buffer.alloc(16)
  iv.writeUIntBE(startByte / 16, 10, 6)
  const cipher = createCipheriv('aes-256-ctr', seed, startByte === 0 ? ZERO_IV : iv)
  return (into) => {
    if (into.length > ZERO_BLOCK.length) throw new InvalidCryptoInputError('keystream block larger than 64 KiB')
    const block = cipher.update(ZERO_BLOCK.subarray(0, into.length))
    into.set(block)
    wipeAndRelease(block) // mask material; freed now, so the next block reuses this memory
  }
}

/** A zero vector of `length` elements in Z_{2^bits}. */
export function zeroVector (length: number, bits: RingBits): RingVector {
  if (!Number.isSafeInteger(length) || length < 0) throw new InvalidCryptoInputError(`vector length must be a non-negative integer, got ${length}`)
  if (bits === 32) return new Uint32Array(length)
  if (bits === 64) return new BigUint64Array(length)
  throw new InvalidCryptoInputError(`ring width must be 32 or 64 bits, got ${String(bits)}`)
}

/**
 * target += Σ sign · PRG(seed), streaming: the keystreams are produced and added block by
 * block, so k masks on an M-element vector cost O(64 KiB) of extra memory, not O(k·M).
 */
export function addMasks (target: RingVector, terms: readonly MaskTerm[]): void {
  for (const t of terms) {
    if (t.sign !== 1 && t.sign !== -1) throw new InvalidCryptoInputError(`mask sign must be +1 or -1, got ${String(t.sign)}`)
    assertLength(t.seed, PRG_SEED_BYTES, 'PRG seed')
  }
  // Large vectors: the upper half on a second core (parallel-masks.ts).
  if (addMasksInParallel(target, terms.map((t) => ({ seed: t.seed, sign: t.sign, streamAt: (start: number) => keystream(t.seed, start) })))) return
  addStreamsInPlace(target, terms.map((t) => ({ sign: t.sign, fill: keystream(t.seed) })))
}

/** PRG(seed) as a new vector of `length` elements in Z_{2^bits}. */
export function expandMask (seed: Uint8Array, length: number, bits: RingBits = 32): RingVector {
  const out = zeroVector(length, bits)
  addMasks(out, [{ seed, sign: 1 }])
  return out
}

/**
 * The slow, obviously-correct definition, for cross-checking the fast path: the whole
 * keystream at once, then element-wise BigInt arithmetic mod 2^bits.
 */
export function addMasksReference (target: RingVector, terms: readonly MaskTerm[]): void {
  const width = target.BYTES_PER_ELEMENT
  const modulus = 1n << BigInt(width * 8)
  for (const { seed, sign } of terms) {
    assertLength(seed, PRG_SEED_BYTES, 'PRG seed')
    const stream = createCipheriv('aes-256-ctr', seed, ZERO_IV).update(Buffer.alloc(target.length * width))
    for (let i = 0; i < target.length; i++) {
      const k = width === 4 ? BigInt(stream.readUInt32LE(i * 4)) : stream.readBigUInt64LE(i * 8)
      const v = (BigInt(target[i]!) + (sign === 1 ? k : modulus - k)) % modulus
      if (target instanceof Uint32Array) target[i] = Number(v)
      else target[i] = v
    }
  }
}
