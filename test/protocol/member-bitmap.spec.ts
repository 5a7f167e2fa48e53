import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  bitmapBytes, bitmapCount, bitmapIds, bitmapPositions, bitmapProblem, hasMember, isSubset, memberBitmap, packSignatures, unpackSignatures
} from '../../src/protocol/member-bitmap.ts'

const members = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${String(i).padStart(5, '0')}`)

describe('protocol/member-bitmap (member sets on the wire)', () => {
  it('round-trips any subset of any member list, in member order, with the exact length and no stray bits', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat()), (n, picks) => {
      const ids = members(n)
      const chosen = [...new Set(picks.map((p) => ids[p % n]!))]
      const bits = memberBitmap(ids, chosen)
      assert.equal(bits.length, bitmapBytes(n))
      assert.equal(bitmapProblem(n, bits), undefined)
      assert.deepEqual(bitmapIds(ids, bits), [...chosen].sort())
      assert.equal(bitmapCount(bits), chosen.length)
      for (let i = 0; i < n; i++) assert.equal(hasMember(bits, i), chosen.includes(ids[i]!))
      assert.ok(isSubset(bits, memberBitmap(ids, ids)))
    }), { numRuns: 200 })
  })

  it('names what is wrong with a bitmap that is not a set of these members', () => {
    assert.match(bitmapProblem(10, new Uint8Array(1))!, /10 is 2 bytes, got 1/)
    assert.match(bitmapProblem(10, new Uint8Array(3))!, /got 3/)
    assert.match(bitmapProblem(10, Uint8Array.of(0, 0b100))!, /past the last member/)
    assert.equal(bitmapProblem(10, Uint8Array.of(0xff, 0b11)), undefined)
    assert.equal(bitmapProblem(8, Uint8Array.of(0xff)), undefined)
    assert.throws(() => memberBitmap(members(3), ['nobody']), /not a member/)
  })

  it('subsets: a signer outside U3 is caught; equal-length bitmaps only', () => {
    const ids = members(12)
    const u3 = memberBitmap(ids, ids.slice(0, 9))
    assert.ok(isSubset(memberBitmap(ids, ids.slice(2, 9)), u3))
    assert.ok(!isSubset(memberBitmap(ids, [ids[9]!]), u3))
    assert.ok(!isSubset(Uint8Array.of(1), u3))
    assert.deepEqual(bitmapPositions(memberBitmap(ids, [ids[11]!, ids[0]!, ids[8]!])), [0, 8, 11])
  })

  it('packs signatures in member order whatever order they arrive in, and unpacks them to the same pairs', () => {
    const ids = members(20)
    const sigs = [7, 3, 15, 0].map((i) => ({ peer: ids[i]!, signature: new Uint8Array(64).fill(i) }))
    const packed = packSignatures(ids, sigs)
    assert.equal(packed.signatures.length, 4 * 64)
    assert.deepEqual(unpackSignatures(ids, packed).map((s) => [s.peer, s.signature[0]]), [[ids[0], 0], [ids[3], 3], [ids[7], 7], [ids[15], 15]])
  })
})
