import assert from 'node:assert/strict'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import fc from 'fast-check'
import { aeadOpen, aeadSeal, chacha20Poly1305Decrypt, chacha20Poly1305Encrypt, seededRandom, encodeFields } from '../../src/crypto/index.ts'
import { hex, loadVectors, toHexString } from '../helpers/vectors.ts'

const v = loadVectors<{ key: string, nonce: string, aad: string, plaintextUtf8: string, ciphertext: string, tag: string }>('rfc8439-chacha20poly1305.json')

describe('crypto/aead (RFC 8439 ChaCha20-Poly1305)', () => {
  it('matches the §2.8.2 example', () => {
    const pt = new TextEncoder().encode(v.plaintextUtf8)
    const sealed = chacha20Poly1305Encrypt(hex(v.key), hex(v.nonce), pt, hex(v.aad))
    assert.equal(toHexString(sealed), v.ciphertext + v.tag)
    assert.deepEqual(chacha20Poly1305Decrypt(hex(v.key), hex(v.nonce), sealed, hex(v.aad)), pt)
  })

  it('agrees with @noble/ciphers', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 40 }), (key, nonce, pt, ad) => {
      assert.equal(toHexString(chacha20Poly1305Encrypt(key, nonce, pt, ad)), toHexString(chacha20poly1305(key, nonce, ad).encrypt(pt)))
    }), { numRuns: 100 })
  })

  const rng = seededRandom('aead')
  const key = rng(32)
  const ad = encodeFields(['share', 'session-1', 'alice', 'bob'])
  const pt = rng(70)

  it('round-trips with a fresh nonce each time', () => {
    const a = aeadSeal(key, pt, ad, rng)
    const b = aeadSeal(key, pt, ad, rng)
    assert.notDeepEqual(a, b)
    assert.deepEqual(aeadOpen(key, a, ad), pt)
  })

  it('rejects tampered, misaddressed, wrong-session and truncated boxes with DecryptionError', () => {
    const sealed = aeadSeal(key, pt, ad, rng)
    for (let i = 0; i < sealed.length; i += 7) {
      const t = sealed.slice(); t[i] = t[i]! ^ 0x01
      assert.throws(() => aeadOpen(key, t, ad), { name: 'DecryptionError' })
    }
    assert.throws(() => aeadOpen(key, sealed, encodeFields(['share', 'session-1', 'alice', 'carol'])), { name: 'DecryptionError', message: /misaddressed/ })
    assert.throws(() => aeadOpen(key, sealed, encodeFields(['share', 'session-2', 'alice', 'bob'])), { name: 'DecryptionError' })
    assert.throws(() => aeadOpen(rng(32), sealed, ad), { name: 'DecryptionError' })
    assert.throws(() => aeadOpen(key, sealed.subarray(0, 20), ad), { name: 'DecryptionError', message: /shorter than nonce \+ tag/ })
  })

  it('rejects keys and nonces of the wrong length', () => {
    assert.throws(() => aeadSeal(new Uint8Array(16), pt, ad), { name: 'InvalidCryptoInputError', message: /AEAD key must be 32 bytes/ })
    assert.throws(() => chacha20Poly1305Encrypt(key, new Uint8Array(8), pt, ad), { name: 'InvalidCryptoInputError', message: /nonce must be 12 bytes/ })
  })
})
