import assert from 'node:assert/strict'
import { hkdfSync } from 'node:crypto'
import fc from 'fast-check'
import { deriveKey, hkdfSha256, encodeFields } from '../../src/crypto/index.ts'
import { hex, loadVectors, toHexString } from '../helpers/vectors.ts'

const vectors = loadVectors<{ tests: Array<{ case: string, ikm: string, salt: string, info: string, length: number, okm: string }> }>('rfc5869-hkdf-sha256.json')

describe('crypto/hkdf (RFC 5869)', () => {
  for (const v of vectors.tests) {
    it(`matches test case ${v.case}`, () => {
      assert.equal(toHexString(hkdfSha256(hex(v.ikm), hex(v.salt), hex(v.info), v.length)), v.okm)
    })
  }

  it('property: agrees with node:crypto hkdfSync for any key material, salt (shorter and longer than a block), info and length', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (ikm, salt, info, length) => {
      assert.deepEqual(hkdfSha256(ikm, salt, info, length), new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)))
    }), { numRuns: 300 })
  })

  it('separates purposes, sessions and peer pairs', () => {
    const ikm = new Uint8Array(32).fill(7)
    const base = { ikm, purpose: 'pairwise-mask', context: ['session-1', 3, 'peerA', 'peerB'] }
    const k = toHexString(deriveKey(base))
    assert.notEqual(toHexString(deriveKey({ ...base, purpose: 'share-encryption' })), k)
    assert.notEqual(toHexString(deriveKey({ ...base, context: ['session-2', 3, 'peerA', 'peerB'] })), k)
    assert.notEqual(toHexString(deriveKey({ ...base, context: ['session-1', 3, 'peerB', 'peerA'] })), k)
    assert.equal(toHexString(deriveKey(base)), k)
  })

  it('encodes fields unambiguously', () => {
    assert.notDeepEqual(encodeFields(['ab', 'c']), encodeFields(['a', 'bc']))
    assert.notDeepEqual(encodeFields(['1']), encodeFields([1]))
  })

  it('rejects bad lengths and labels with typed errors', () => {
    assert.throws(() => hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 0), { name: 'InvalidCryptoInputError', message: /1\.\.8160/ })
    assert.throws(() => hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 8161), { name: 'InvalidCryptoInputError' })
    assert.throws(() => deriveKey({ ikm: new Uint8Array(1), purpose: '', context: [] }), { name: 'InvalidCryptoInputError', message: /purpose/ })
    assert.throws(() => encodeFields([-1]), { name: 'InvalidCryptoInputError' })
  })
})
