import assert from 'node:assert/strict'
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js'
import fc from 'fast-check'
import { forgetX25519Secret, x25519Agree, x25519KeyPair, x25519PublicKey, seededRandom } from '../../src/crypto/index.ts'
import { hex, loadVectors, toHexString } from '../helpers/vectors.ts'

interface X25519Vectors {
  scalarMult: Array<{ scalar: string, u: string, output: string }>
  iterated: { start: string, after1: string, after1000: string }
  diffieHellman: Record<'alicePrivate' | 'alicePublic' | 'bobPrivate' | 'bobPublic' | 'shared', string>
}

const vectors = loadVectors<X25519Vectors>('rfc7748-x25519.json')

describe('crypto/x25519 (RFC 7748)', () => {
  it('matches the §5.2 scalar multiplication vectors, including a u with its top bit set', () => {
    for (const v of vectors.scalarMult) {
      assert.equal(toHexString(x25519Agree(hex(v.scalar), hex(v.u))), v.output)
    }
  })

  it('matches the §5.2 iterated vector after 1 and 1,000 iterations', () => {
    let k = hex(vectors.iterated.start)
    let u = hex(vectors.iterated.start)
    for (let i = 1; i <= 1000; i++) {
      const r = x25519Agree(k, u)
      u = k
      k = r
      if (i === 1) assert.equal(toHexString(k), vectors.iterated.after1)
    }
    assert.equal(toHexString(k), vectors.iterated.after1000)
  })

  it('matches the §6.1 Diffie–Hellman example', () => {
    const d = vectors.diffieHellman
    assert.equal(toHexString(x25519PublicKey(hex(d.alicePrivate))), d.alicePublic)
    assert.equal(toHexString(x25519PublicKey(hex(d.bobPrivate))), d.bobPublic)
    assert.equal(toHexString(x25519Agree(hex(d.alicePrivate), hex(d.bobPublic))), d.shared)
    assert.equal(toHexString(x25519Agree(hex(d.bobPrivate), hex(d.alicePublic))), d.shared)
  })

  it('agrees with @noble/curves on random keys', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
      const pubB = nobleX25519.getPublicKey(b)
      assert.equal(toHexString(x25519PublicKey(a)), toHexString(nobleX25519.getPublicKey(a)))
      assert.equal(toHexString(x25519Agree(a, pubB)), toHexString(nobleX25519.getSharedSecret(a, pubB)))
    }), { numRuns: 200 })
  })

  it('gives both parties the same secret', () => {
    const rng = seededRandom('x25519')
    const a = x25519KeyPair(rng)
    const b = x25519KeyPair(rng)
    assert.deepEqual(x25519Agree(a.secretKey, b.publicKey), x25519Agree(b.secretKey, a.publicKey))
  })

  it('rejects low-order public keys (all-zero shared secret) with LowOrderPointError', () => {
    const sk = x25519KeyPair(seededRandom('low-order')).secretKey
    const lowOrder = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
    ]
    for (const point of lowOrder) {
      assert.throws(() => x25519Agree(sk, hex(point)), { name: 'LowOrderPointError' })
    }
  })

  it('rejects keys of the wrong length, naming the key', () => {
    assert.throws(() => x25519Agree(new Uint8Array(31), new Uint8Array(32)), { name: 'InvalidCryptoInputError', message: /secret key must be 32 bytes, got 31/ })
    assert.throws(() => x25519Agree(new Uint8Array(32), new Uint8Array(33)), { name: 'InvalidCryptoInputError', message: /public key must be 32 bytes, got 33/ })
  })

  it('reuses a parsed secret key only while its bytes are unchanged (rewritten or forgotten keys are re-read)', () => {
    const rng = seededRandom('x25519-prepared')
    const a = x25519KeyPair(rng)
    const b = x25519KeyPair(rng)
    const c = x25519KeyPair(rng)
    const secret = a.secretKey
    assert.deepEqual(x25519Agree(secret, b.publicKey), nobleX25519.getSharedSecret(a.secretKey, b.publicKey))
    secret.set(c.secretKey) // same array, new key: must not be served the old parsed key
    assert.deepEqual(x25519Agree(secret, b.publicKey), nobleX25519.getSharedSecret(c.secretKey, b.publicKey))
    forgetX25519Secret(secret)
    assert.deepEqual(x25519Agree(secret, b.publicKey), nobleX25519.getSharedSecret(c.secretKey, b.publicKey))
  })
})
