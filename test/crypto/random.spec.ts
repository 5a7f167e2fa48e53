import assert from 'node:assert/strict'
import { createCipheriv, createHash } from 'node:crypto'
import { randomInt, randomUnitSignedInto, seededRandom } from '../../src/crypto/index.ts'
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

  it('randomInt redraws a rejected value instead of reducing it with a modulo bias', () => {
    // bound 3 on 6-byte values: the largest multiple of 3 below 2^48 is 2^48 − 1, so the value
    // 0xffffffffffff is rejected and the next 6 bytes are drawn.
    assert.equal(randomInt(scripted([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 5], seededRandom('rest')), 3), 5 % 3)
    const counts = new Array<number>(6).fill(0)
    const rng = seededRandom('uniform')
    for (let i = 0; i < 60_000; i++) counts[randomInt(rng, 6)]!++
    for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`)
    assert.throws(() => randomInt(rng, 0), /bound/)
    assert.throws(() => randomInt(rng, 2 ** 49), /bound/)
  })

  it('randomUnitSignedInto is one little-endian word per value, (w >>> 9) · 2^−22 − 1, the same over many 64 KiB calls and from an unaligned source', () => {
    const count = 50_003 // four calls to the source, the last one short
    const bytes = seededRandom('unit')(4 * count)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const expected = Array.from({ length: count }, (_, i) => (view.getUint32(4 * i, true) >>> 9) / 2 ** 22 - 1)
    const calls: number[] = []
    const counted = (rng: RandomSource): RandomSource => (length) => { calls.push(length); return rng(length) }
    assert.deepEqual([...randomUnitSignedInto(counted(seededRandom('unit')), new Float32Array(count))], expected)
    assert.deepEqual(calls, [65_536, 65_536, 65_536, 4 * count - 3 * 65_536])
    const offset = (rng: RandomSource): RandomSource => (length) => {
      const padded = new Uint8Array(length + 1)
      padded.set(rng(length), 1)
      return padded.subarray(1)
    }
    assert.deepEqual([...randomUnitSignedInto(offset(seededRandom('unit')), new Float32Array(count))], expected, 'unaligned source')
  })

  it('randomUnitSignedInto leaves no keystream behind: each draw is freed, or zeroed where it cannot be', () => {
    for (const unaligned of [false, true]) {
      const handed: Uint8Array[] = []
      const base = seededRandom('wipe')
      const source: RandomSource = (length) => {
        const bytes = unaligned ? (() => { const padded = new Uint8Array(length + 1); padded.set(base(length), 1); return padded.subarray(1) })() : base(length)
        handed.push(bytes)
        return bytes
      }
      randomUnitSignedInto(source, new Float32Array(40_000))
      assert.equal(handed.length, 3)
      for (const bytes of handed) {
        if (unaligned) assert.ok(bytes.length > 0 && bytes.every((b) => b === 0), 'a view it cannot free is zeroed')
        else assert.equal(bytes.buffer.byteLength, 0, 'a whole buffer is freed (detached) after it is zeroed')
      }
    }
  })

  it('randomUnitSignedInto covers [−1, 1) evenly, both ends included as far as the grid allows', () => {
    assert.deepEqual([...randomUnitSignedInto(scripted([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80], seededRandom('x')), new Float32Array(3))], [-1, 1 - 2 ** -22, 0])
    const v = randomUnitSignedInto(seededRandom('spread'), new Float32Array(200_000))
    const buckets = new Array<number>(8).fill(0)
    for (const x of v) {
      assert.ok(x >= -1 && x < 1 && Number.isInteger((x + 1) * 2 ** 22), `${x} is not a multiple of 2^−22 in [−1, 1)`)
      buckets[Math.floor((x + 1) * 4)]!++
    }
    for (const c of buckets) assert.ok(Math.abs(c - 25_000) < 1_000, `bucket count ${c}`)
  })
})
