import assert from 'node:assert/strict'
import { ctr } from '@noble/ciphers/aes.js'
import fc from 'fast-check'
import { addMasks, addMasksReference, expandMask, seededRandom, zeroVector, addVectorInPlace } from '../../src/crypto/index.ts'
import type { MaskTerm, RingBits } from '../../src/crypto/index.ts'

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
const bitsArb = fc.constantFrom<RingBits>(32, 64)
const BLOCK_ELEMENTS_32 = 16 * 1024

function copy<T extends Uint32Array | BigUint64Array> (v: T): T {
  return v.slice() as T
}

describe('crypto/prg (AES-256-CTR mask expansion)', () => {
  it('is AES-256-CTR keystream under key = seed, counter block 0 (cross-checked with @noble/ciphers)', () => {
    fc.assert(fc.property(seedArb, fc.integer({ min: 1, max: 3000 }), (seed, n) => {
      const mask = expandMask(seed, n, 32)
      const stream = ctr(seed, new Uint8Array(16)).encrypt(new Uint8Array(n * 4))
      assert.deepEqual(new Uint8Array(mask.buffer), stream)
    }), { numRuns: 50 })
  })

  it('matches the slow reference for random terms, signs, widths and lengths across block boundaries', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ seed: seedArb, sign: fc.constantFrom<1 | -1>(1, -1) }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 3 * BLOCK_ELEMENTS_32 + 5 }),
      bitsArb,
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (terms: MaskTerm[], length, bits, fill) => {
        const start = zeroVector(length, bits)
        addMasks(start, [{ seed: fill, sign: 1 }]) // a non-zero starting vector
        const fast = copy(start)
        const slow = copy(start)
        addMasks(fast, terms)
        addMasksReference(slow, terms)
        assert.deepEqual(fast, slow)
      }), { numRuns: 25 })
  })

  it('+PRG(s) and −PRG(s) cancel mod 2^32 and 2^64', () => {
    fc.assert(fc.property(fc.array(seedArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 40_000 }), bitsArb, (seeds, length, bits) => {
      const rng = seededRandom(seeds[0]!)
      const input = zeroVector(length, bits)
      addMasks(input, [{ seed: rng(32), sign: 1 }])
      const masked = copy(input)
      addMasks(masked, seeds.map((seed) => ({ seed, sign: 1 as const })))
      if (length >= 4) assert.notDeepEqual(masked, input)
      addMasks(masked, seeds.map((seed) => ({ seed, sign: -1 as const })))
      assert.deepEqual(masked, input)
    }), { numRuns: 40 })
  })

  it('gives different streams for different seeds', () => {
    fc.assert(fc.property(seedArb, seedArb, (a, b) => {
      fc.pre(Buffer.compare(a, b) !== 0)
      assert.notDeepEqual(expandMask(a, 8), expandMask(b, 8))
    }), { numRuns: 200 })
  })

  it('adds whole vectors in Z_2^32 with wrap-around', () => {
    const a = Uint32Array.from([0xffffffff, 1, 2, 0x80000000, 5])
    addVectorInPlace(a, Uint32Array.from([1, 0xffffffff, 3, 0x80000000, 0]))
    assert.deepEqual(a, Uint32Array.from([0, 0, 5, 0, 5]))
    addVectorInPlace(a, Uint32Array.from([1, 0, 6, 0, 5]), -1)
    assert.deepEqual(a, Uint32Array.from([0xffffffff, 0, 0xffffffff, 0, 0]))
    const w = BigUint64Array.from([(1n << 64n) - 1n])
    addVectorInPlace(w, BigUint64Array.from([2n]))
    assert.deepEqual(w, BigUint64Array.from([1n]))
  })

  it('refuses short seeds, bad signs and mismatched vectors with typed errors', () => {
    const v = new Uint32Array(4)
    assert.throws(() => addMasks(v, [{ seed: new Uint8Array(16), sign: 1 }]), { name: 'InvalidCryptoInputError', message: /PRG seed must be 32 bytes, got 16/ })
    assert.throws(() => addMasks(v, [{ seed: new Uint8Array(32), sign: 2 as 1 }]), { name: 'InvalidCryptoInputError', message: /sign must be \+1 or -1/ })
    assert.throws(() => addVectorInPlace(v, new Uint32Array(5)), { name: 'InvalidCryptoInputError', message: /cannot add/ })
    assert.throws(() => zeroVector(3, 16 as RingBits), { name: 'InvalidCryptoInputError', message: /32 or 64/ })
  })
})
