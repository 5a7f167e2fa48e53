import assert from 'node:assert/strict'
import { createCipheriv, createHash } from 'node:crypto'
import fc from 'fast-check'
import { randomInt, randomInts, seededRandom } from '../../src/crypto/index.ts'
import type { RandomSource } from '../../src/crypto/index.ts'

/** A source that replays fixed bytes, then falls back to a seeded stream. */
function scripted (bytes: number[], rest: RandomSource): RandomSource {
  let queue = bytes.slice()
  return (length) => {
    if (queue.length >= length) {
      const out = Uint8Array.from(queue.slice(0, length))
      queue = queue.slice(length)
      return out
    }
    return rest(length)
  }
}

describe('crypto/random', () => {
  it('seededRandom is reproducible from its seed and differs between seeds', () => {
    assert.deepEqual(seededRandom('a')(64), seededRandom('a')(64))
    assert.notDeepEqual(seededRandom('a')(64), seededRandom('b')(64))
  })

  it('seededRandom gives the same stream however it is drawn: a long draw in chunks equals short draws and the one-shot keystream', () => {
    const seed = 'chunks'
    const long = seededRandom(seed)(200_003)
    const short = seededRandom(seed)
    const pieces = [65_536, 65_536, 1, 65_535, 3_395].map((n) => short(n))
    assert.deepEqual(long, Uint8Array.from(pieces.flatMap((p) => [...p])))
    const key = createHash('sha256').update('secagg-swarm/seeded-random/v1').update(seed).digest()
    const oneShot = createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(200_003))
    assert.deepEqual(long, new Uint8Array(oneShot))
    // And a later draw continues the stream after a long one.
    const after = seededRandom(seed)
    after(200_003)
    assert.deepEqual(after(16), new Uint8Array(createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(200_019)).subarray(200_003)))
  })

  it('randomInts draws every value of a vector with one call to the source, in range', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 48 }), fc.integer({ min: 0, max: 500 }), fc.string(), (bound, count, seed) => {
      let calls = 0
      const base = seededRandom(seed)
      const counted: RandomSource = (length) => { calls++; return base(length) }
      const values = randomInts(counted, bound, count)
      assert.equal(values.length, count)
      for (const v of values) assert.ok(Number.isInteger(v) && v >= 0 && v < bound, `${v} outside [0, ${bound})`)
      // Rejections (probability < 2^-8 per value below 2^24) are redrawn one call each.
      if (bound <= 2 ** 24 && count > 0) assert.ok(calls <= 1 + Math.ceil(count / 16), `${calls} calls for ${count} values`)
    }), { numRuns: 200 })
  })

  it('randomInts redraws a rejected value instead of reducing it with a modulo bias', () => {
    // bound 3 on 4-byte words: the largest multiple of 3 below 2^32 is 2^32 − 1, so the word
    // 0xffffffff is rejected and redrawn through randomInt on the same source.
    const rest = seededRandom('rest')
    const values = randomInts(scripted([0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0], rest), 3, 2)
    assert.equal(values[1], 5 % 3)
    assert.equal(values[0], randomInt(seededRandom('rest'), 3))
  })

  it('randomInts is uniform enough: 60,000 draws over 6 values within 5% of the mean each', () => {
    const counts = new Array<number>(6).fill(0)
    for (const v of randomInts(seededRandom('uniform'), 6, 60_000)) counts[v]!++
    for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`)
  })

  it('randomInts refuses a bound or count it cannot honour', () => {
    const rng = seededRandom('x')
    assert.throws(() => randomInts(rng, 0, 3), /bound/)
    assert.throws(() => randomInts(rng, 2 ** 49, 3), /bound/)
    assert.throws(() => randomInts(rng, 10, -1), /count/)
  })
})
