import assert from 'node:assert/strict'
import { createCipheriv } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { addMasks, addMasksReference, seededRandom } from '../../src/crypto/index.ts'
import { addMasksInParallel, PARALLEL_MASK_MIN_BYTES, parallelMasksUnavailable } from '../../src/crypto/parallel-masks.ts'

/** The keystream of `seed` from a 16-byte-aligned offset, independently of src/crypto. */
function streamAt (seed: Uint8Array) {
  return (start: number) => {
    const iv = Buffer.alloc(16)
    iv.writeUIntBE(start / 16, 10, 6)
    const c = createCipheriv('aes-256-ctr', seed, iv)
    return (into: Uint8Array): void => { into.set(c.update(Buffer.alloc(into.length))) }
  }
}

describe('crypto/parallel-masks (the upper half of a large vector on a second core)', () => {
  const rng = seededRandom('parallel-masks')
  const terms = Array.from({ length: 5 }, (_, i) => ({ seed: rng(32), sign: (i % 2 === 0 ? 1 : -1) as 1 | -1 }))

  it('large Z_2^32 and Z_2^64 vectors of odd lengths get exactly the masks of the one-thread reference', () => {
    for (const words of [PARALLEL_MASK_MIN_BYTES / 4 + 3, 1_000_001]) {
      const a = Uint32Array.from({ length: words }, (_, i) => i * 2654435761)
      const b = a.slice()
      addMasks(a, terms)
      addMasksReference(b, terms)
      assert.deepEqual(a, b, `Z_2^32, ${words} words`)
    }
    const c = BigUint64Array.from({ length: PARALLEL_MASK_MIN_BYTES / 8 + 5 }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n % (1n << 64n))
    const d = c.slice()
    addMasks(c, terms.slice(0, 3))
    addMasksReference(d, terms.slice(0, 3))
    assert.deepEqual(c, d, 'Z_2^64')
  })

  it('seeds given as Node Buffers (whose slice() is a view) are copied, not moved away from the caller', () => {
    const buffers = terms.map((t) => ({ seed: Buffer.from(t.seed), sign: t.sign }))
    const a = new Uint32Array(PARALLEL_MASK_MIN_BYTES / 4 + 1)
    const b = a.slice()
    addMasks(a, buffers)
    addMasksReference(b, terms)
    assert.deepEqual(a, b)
    buffers.forEach((x, i) => assert.deepEqual(new Uint8Array(x.seed), terms[i]!.seed, 'the caller keeps its seed'))
  })

  it('small vectors and single masks stay on one thread; non-ring vectors are left to the one-thread path to refuse', () => {
    assert.equal(addMasksInParallel(new Uint32Array(1000), terms.map((t) => ({ ...t, streamAt: streamAt(t.seed) }))), false)
    const one = [{ ...terms[0]!, streamAt: streamAt(terms[0]!.seed) }]
    assert.equal(addMasksInParallel(new Uint32Array(4 * PARALLEL_MASK_MIN_BYTES), one), false, 'one mask: the helper would cost more than it saves')
    const single = new Uint32Array(PARALLEL_MASK_MIN_BYTES / 4 + 9)
    const reference = single.slice()
    addMasks(single, terms.slice(0, 1))
    addMasksReference(reference, terms.slice(0, 1))
    assert.deepEqual(single, reference)
    assert.equal(addMasksInParallel(new Float64Array(PARALLEL_MASK_MIN_BYTES) as never, terms.map((t) => ({ ...t, streamAt: streamAt(t.seed) }))), false)
    assert.throws(() => addMasks(new Float64Array(PARALLEL_MASK_MIN_BYTES) as never, terms), { name: 'InvalidCryptoInputError' })
  })

  it('a helper that fails mid-job: this thread masks the upper half itself, the result is still exact, and the helper is not used again', function () {
    if (availableParallelism() < 2 || parallelMasksUnavailable()) this.skip() // one core: there is no helper to fail
    const words = PARALLEL_MASK_MIN_BYTES / 4 + 7
    const a = Uint32Array.from({ length: words }, (_, i) => i)
    const b = a.slice()
    // The helper gets a seed it cannot key AES-256 with; this thread's streams are the right ones.
    const broken = terms.map((t) => ({ seed: t.seed.subarray(0, 31), sign: t.sign, streamAt: streamAt(t.seed) }))
    assert.equal(addMasksInParallel(a, broken), true)
    addMasksReference(b, terms)
    assert.deepEqual(a, b)
    assert.equal(parallelMasksUnavailable(), true)
    const c = Uint32Array.from({ length: words }, (_, i) => i)
    assert.equal(addMasksInParallel(c, terms.map((t) => ({ ...t, streamAt: streamAt(t.seed) }))), false, 'one thread from now on')
  })
})
