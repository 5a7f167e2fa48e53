import assert from 'node:assert/strict'
import { hash } from 'node:crypto'
import fc from 'fast-check'
import { sha256Into } from '../../src/crypto/sha256.ts'

/** A fresh digest per call, through the in-place function. */
function sha256 (input: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  sha256Into(input, out)
  return out
}

const reference = (bytes: Uint8Array): Uint8Array => new Uint8Array(hash('sha256', bytes, 'buffer'))

describe('crypto/sha256 (in-place SHA-256 for Merkle nodes)', () => {
  it('matches the FIPS 180-4 examples', () => {
    // FIPS 180-4 / NIST CSRC example values: "abc", the empty string, and the two-block 448-bit message.
    assert.equal(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    assert.equal(Buffer.from(sha256(new Uint8Array(0))).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    assert.equal(Buffer.from(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toString('hex'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  })

  it('agrees with node:crypto on every length from 0 to 300 bytes (padding across block boundaries)', () => {
    for (let length = 0; length <= 300; length++) {
      const input = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff)
      assert.deepEqual(sha256(input), reference(input), `length ${length}`)
    }
  })

  it('property: agrees with node:crypto on views at any offset, and writes only its 32 bytes of the output', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1100 }), fc.nat(9), fc.nat(40), (bytes, inOffset, outOffset) => {
      const backing = new Uint8Array(bytes.length + inOffset + 3).fill(0xee)
      backing.set(bytes, inOffset)
      const input = backing.subarray(inOffset, inOffset + bytes.length)
      const out = new Uint8Array(outOffset + 40).fill(0xaa)
      sha256Into(input, out, outOffset)
      assert.deepEqual(out.subarray(outOffset, outOffset + 32), reference(bytes))
      assert.ok(out.subarray(0, outOffset).every((b) => b === 0xaa) && out.subarray(outOffset + 32).every((b) => b === 0xaa))
      assert.deepEqual(input, bytes, 'the input is not changed')
    }), { numRuns: 300 })
  })

  it('refuses an output without room for 32 bytes at the offset instead of writing part of a digest', () => {
    const input = Uint8Array.of(1, 2, 3)
    assert.throws(() => sha256Into(input, new Uint8Array(16)), { name: 'InvalidCryptoInputError', message: /32 bytes at offset 0 of a 16-byte array/ })
    assert.throws(() => sha256Into(input, new Uint8Array(32), 16), { name: 'InvalidCryptoInputError' })
    assert.throws(() => sha256Into(input, new Uint8Array(40), -1), { name: 'InvalidCryptoInputError' })
    assert.throws(() => sha256Into(input, new Uint8Array(40), 1.5), { name: 'InvalidCryptoInputError' })
  })

  it('shares no memory with its caller: a later hash leaves an earlier output untouched', () => {
    const a = new Uint8Array(32)
    sha256Into(Uint8Array.of(1), a)
    const copy = a.slice()
    sha256Into(Uint8Array.of(2), new Uint8Array(32))
    assert.deepEqual(a, copy)
    assert.deepEqual(a, reference(Uint8Array.of(1)))
  })
})
