import assert from 'node:assert/strict'
import { createCipheriv, createHash } from 'node:crypto'
import fc from 'fast-check'
import { randomInt, randomInts, randomIntsInto, seededRandom } from '../../src/crypto/index.ts'
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

  it('randomInts draws a vector in bulk: one call to the source per 64 KiB of values, in range', () => {
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

  it('randomIntsInto draws exactly what one whole-vector draw would, rejections redrawn afterwards in index order, over many 64 KiB calls', () => {
    // The old definition, drawn at once: 4 (or 6) bytes per value from one call, then each
    // rejected value redrawn by randomInt in index order.
    const oneShot = (seed: string, bound: number, count: number): number[] => {
      const rng = seededRandom(seed)
      const width = bound <= 2 ** 24 ? 4 : 6
      const bytes = rng(width * count)
      const limit = width === 4 ? Math.floor(2 ** 32 / bound) * bound : Math.floor(2 ** 48 / bound) * bound
      const raw = Array.from({ length: count }, (_, i) => width === 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(4 * i, true) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUIntBE(6 * i, 6)) // a view: no copy per value
      return raw.map((v) => v < limit ? v % bound : -1).map((v) => v >= 0 ? v : randomInt(rng, bound))
    }
    // Rejection rates ≈ 0.4 % (4-byte words) and ≈ 50 % (6-byte values): both paths redraw often.
    for (const [bound, count] of [[Math.floor(2 ** 32 / 256.99), 50_000], [2 ** 47 + 1, 30_000]] as const) {
      const expected = oneShot(`many-${bound}`, bound, count)
      assert.deepEqual([...randomIntsInto(seededRandom(`many-${bound}`), bound, new Float64Array(count))], expected, `bound ${bound}`)
    }
    const small = oneShot('f32', 2_000_001, 40_000)
    assert.deepEqual([...randomIntsInto(seededRandom('f32'), 2_000_001, new Float32Array(40_000))], small, 'float32 output')
    // The reduction by ⌊value / bound⌋ equals `%` for every bound up to 2^24, down to 1.
    for (const bound of [1, 2, 3, 7, 1000, 2 ** 24 - 1, 2 ** 24]) {
      assert.deepEqual([...randomIntsInto(seededRandom(`b${bound}`), bound, new Float64Array(20_000))], oneShot(`b${bound}`, bound, 20_000), `bound ${bound}`)
    }
    // A source whose bytes start off a 4-byte boundary (a view into a larger buffer): read as
    // little-endian words all the same.
    const offset = (rng: RandomSource): RandomSource => (length) => {
      const padded = new Uint8Array(length + 1)
      padded.set(rng(length), 1)
      return padded.subarray(1)
    }
    assert.deepEqual([...randomIntsInto(offset(seededRandom('f32')), 2_000_001, new Float32Array(40_000))], small, 'unaligned source')
  })

  it('randomIntsInto refuses a float32 output for bounds it cannot hold exactly (above 2^24)', () => {
    assert.throws(() => randomIntsInto(seededRandom('x'), 2 ** 24 + 1, new Float32Array(3)), (err: Error) => err.name === 'InvalidCryptoInputError' && /2\^24\] for a Float32Array/.test(err.message))
    assert.equal(randomIntsInto(seededRandom('x'), 2 ** 24, new Float32Array(3)).length, 3)
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
