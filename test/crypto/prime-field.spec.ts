import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bigIntToBytes, bytesToBigInt, primeField, randomFieldElements } from '../../src/crypto/prime-field.ts'
import { seededRandom, SHAMIR_PRIME } from '../../src/crypto/index.ts'

/** The byte-at-a-time definitions the word-at-a-time conversions must agree with. */
function referenceToBigInt (bytes: Uint8Array): bigint {
  let value = 0n
  for (const b of bytes) value = (value << 8n) | BigInt(b)
  return value
}

function referenceToBytes (value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let v = value
  for (let i = length - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n }
  return out
}

describe('crypto/prime-field', () => {
  it('property: bytes ↔ integer conversions agree with the byte-at-a-time definition, at every length and offset', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.nat(7), (bytes, offset) => {
      // A view at an odd offset of a larger buffer, as a share inside a message is.
      const backing = new Uint8Array(bytes.length + offset)
      backing.set(bytes, offset)
      const view = backing.subarray(offset)
      const value = bytesToBigInt(view)
      assert.equal(value, referenceToBigInt(bytes))
      assert.deepEqual(bigIntToBytes(value, bytes.length), referenceToBytes(value, bytes.length))
    }), { numRuns: 500 })
  })

  it('refuses a value that does not fit', () => {
    assert.throws(() => bigIntToBytes(1n << 256n, 32), { name: 'InvalidCryptoInputError', message: /does not fit in 32 bytes/ })
    assert.throws(() => bigIntToBytes(-1n, 33), { name: 'InvalidCryptoInputError' })
    assert.deepEqual(bigIntToBytes((1n << 256n) - 1n, 32), new Uint8Array(32).fill(0xff))
  })

  it('draws all elements from one call of (byteLength + 16) bytes each, reduces them mod p and wipes the draw', () => {
    const field = primeField(SHAMIR_PRIME)
    const draws: Uint8Array[] = []
    const source = seededRandom('field-elements')
    const rng = (length: number): Uint8Array => { const b = source(length); draws.push(b); return b }
    const values = randomFieldElements(field, rng, 40)
    assert.equal(draws.length, 1)
    assert.equal(draws[0]!.length, 40 * 49)
    assert.ok(draws[0]!.every((b) => b === 0), 'the draw is wiped')
    for (const v of values) assert.ok(v >= 0n && v < field.p)
    assert.equal(new Set(values).size, 40)
    assert.deepEqual(randomFieldElements(field, rng, 0), [])
    assert.throws(() => randomFieldElements(field, rng, -1), { name: 'InvalidCryptoInputError' })
  })

  it('refuses a source that returns a short draw (the missing coefficients would be 0: fewer than t shares would rebuild)', () => {
    const field = primeField(SHAMIR_PRIME)
    const capped = (length: number): Uint8Array => seededRandom('capped')(Math.min(length, 65_536))
    assert.throws(() => randomFieldElements(field, capped, 2_000), { name: 'InvalidCryptoInputError', message: /returned 65536 bytes for a draw of 98000/ })
  })

  it('is uniform over a small field (chi-square over F_13, fixed seed)', () => {
    const field = primeField(13n)
    const counts = new Array<number>(13).fill(0)
    for (const v of randomFieldElements(field, seededRandom('uniform-13'), 13_000)) counts[Number(v)]!++
    const chi2 = counts.reduce((acc, o) => acc + (o - 1000) ** 2 / 1000, 0)
    assert.ok(chi2 < 32.9, `chi-square ${chi2} over 12 degrees of freedom (p < 0.001 bound)`)
  })
})
