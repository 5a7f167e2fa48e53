import assert from 'node:assert/strict'
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js'
import fc from 'fast-check'
import {
  assertEd25519Signature, createEd25519Signer, ed25519KeyPair, ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyBatch, ed25519VerifyPackedBatch, seededRandom, concatBytes
} from '../../src/crypto/index.ts'
import { hex, loadVectors, toHexString } from '../helpers/vectors.ts'

const vectors = loadVectors<{ tests: Array<{ secretKey: string, publicKey: string, message: string, signature: string }> }>('rfc8032-ed25519.json')

describe('crypto/ed25519 (RFC 8032)', () => {
  it('matches the §7.1 test vectors', () => {
    for (const v of vectors.tests) {
      assert.equal(toHexString(ed25519PublicKey(hex(v.secretKey))), v.publicKey)
      assert.equal(toHexString(ed25519Sign(hex(v.secretKey), hex(v.message))), v.signature)
      assert.equal(ed25519Verify(hex(v.publicKey), hex(v.message), hex(v.signature)), true)
    }
  })

  it('accepts the 64-byte seed ‖ public key form of a libp2p identity key', () => {
    const v = vectors.tests[1]!
    const libp2pRaw = concatBytes(hex(v.secretKey), hex(v.publicKey))
    assert.equal(toHexString(createEd25519Signer(libp2pRaw).sign(hex(v.message))), v.signature)
    const corrupted = libp2pRaw.slice()
    corrupted[40] = corrupted[40]! ^ 1
    assert.throws(() => createEd25519Signer(corrupted), { name: 'InvalidCryptoInputError', message: /public half does not match/ })
  })

  it('agrees with @noble/curves on random keys and messages', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (seed, msg) => {
      const sig = ed25519Sign(seed, msg)
      assert.equal(toHexString(sig), toHexString(nobleEd25519.sign(msg, seed)))
      assert.ok(nobleEd25519.verify(sig, msg, ed25519PublicKey(seed)))
    }), { numRuns: 100 })
  })

  it('rejects a modified message, signature or key', () => {
    const { secretKey, publicKey } = ed25519KeyPair(seededRandom('ed'))
    const msg = new TextEncoder().encode('round 7, session 0xab')
    const sig = ed25519Sign(secretKey, msg)
    assert.equal(ed25519Verify(publicKey, msg, sig), true)
    const badMsg = msg.slice(); badMsg[0] = badMsg[0]! ^ 1
    const badSig = sig.slice(); badSig[10] = badSig[10]! ^ 1
    const other = ed25519KeyPair(seededRandom('other')).publicKey
    assert.equal(ed25519Verify(publicKey, badMsg, sig), false)
    assert.equal(ed25519Verify(publicKey, msg, badSig), false)
    assert.equal(ed25519Verify(other, msg, sig), false)
    assert.equal(ed25519Verify(publicKey, msg, sig.subarray(0, 63)), false)
    assert.throws(() => assertEd25519Signature(publicKey, badMsg, sig, 'key advertisement'), { name: 'InvalidSignatureError', message: /key advertisement/ })
  })

  it('rejects secret keys of the wrong length', () => {
    assert.throws(() => ed25519Sign(new Uint8Array(31), new Uint8Array(0)), { name: 'InvalidCryptoInputError', message: /32 bytes \(seed\) or 64 bytes/ })
  })

  it('ed25519VerifyBatch: in order, stops at the first failure or once enough verified, same answer cached or not', () => {
    const rng = seededRandom('batch')
    const signers = Array.from({ length: 6 }, () => createEd25519Signer(rng(32)))
    const message = rng(100)
    const good = signers.map((s) => ({ publicKey: s.publicKey, signature: s.sign(message) }))
    for (let round = 0; round < 2; round++) { // the second round answers from the memo
      assert.deepEqual(ed25519VerifyBatch(message, good), { valid: 6, failedAt: -1 })
      assert.deepEqual(ed25519VerifyBatch(message, good, 3), { valid: 3, failedAt: -1 })
      const forged = good.map((e, i) => (i === 2 ? { ...e, signature: good[3]!.signature } : e))
      assert.deepEqual(ed25519VerifyBatch(message, forged), { valid: 2, failedAt: 2 })
      assert.deepEqual(ed25519VerifyBatch(message, forged, 2), { valid: 2, failedAt: -1 }, 'enough valid before the bad one')
      assert.deepEqual(ed25519VerifyBatch(rng(100), good), { valid: 0, failedAt: 0 }, 'another message')
      const short = good.map((e, i) => (i === 4 ? { ...e, signature: e.signature.slice(1) } : e))
      assert.deepEqual(ed25519VerifyBatch(message, short), { valid: 4, failedAt: 4 })
      assert.deepEqual(ed25519VerifyBatch(message, short, 4), { valid: 4, failedAt: -1 })
      const offCurve = good.map((e, i) => (i === 1 ? { ...e, publicKey: new Uint8Array(32).fill(0xff) } : e))
      assert.deepEqual(ed25519VerifyBatch(message, offCurve), { valid: 1, failedAt: 1 })
      assert.deepEqual(ed25519VerifyBatch(message, []), { valid: 0, failedAt: -1 })
    }
  })
  it('ed25519VerifyPackedBatch: the same answers as a listed batch, memoized by keysId and signatures, never by the keys it was told', () => {
    const rng = seededRandom('packed-batch')
    const signers = Array.from({ length: 5 }, () => createEd25519Signer(rng(32)))
    const message = rng(80)
    const keys = signers.map((s) => s.publicKey)
    const packed = concatBytes(...signers.map((s) => s.sign(message)))
    let lookups = 0
    const keyAt = (list: Uint8Array[]) => (j: number) => { lookups++; return list[j]! }
    for (let round = 0; round < 2; round++) {
      lookups = 0
      assert.deepEqual(ed25519VerifyPackedBatch(message, packed, Uint8Array.of(1), keyAt(keys), 5), { valid: 5, failedAt: -1 })
      assert.deepEqual(ed25519VerifyPackedBatch(message, packed, Uint8Array.of(1), keyAt(keys), 3), { valid: 3, failedAt: -1 })
      assert.equal(lookups, round === 0 ? 10 : 0, 'the second round answers from the memo without looking up a key')
      const forged = packed.slice()
      forged.set(packed.subarray(3 * 64, 4 * 64), 2 * 64)
      assert.deepEqual(ed25519VerifyPackedBatch(message, forged, Uint8Array.of(1), keyAt(keys), 5), { valid: 2, failedAt: 2 }, 'a changed signature is a new batch')
      assert.deepEqual(ed25519VerifyPackedBatch(rng(80), packed, Uint8Array.of(1), keyAt(keys), 5), { valid: 0, failedAt: 0 }, 'another message')
      // Another key sequence under another keysId is checked afresh, not answered from the memo.
      const swapped = [keys[1]!, keys[0]!, ...keys.slice(2)]
      assert.deepEqual(ed25519VerifyPackedBatch(message, packed, Uint8Array.of(2), keyAt(swapped), 5), { valid: 0, failedAt: 0 })
      const offCurve = [keys[0]!, new Uint8Array(32).fill(0xff), ...keys.slice(2)]
      assert.deepEqual(ed25519VerifyPackedBatch(message, packed, Uint8Array.of(3), keyAt(offCurve), 5), { valid: 1, failedAt: 1 })
      const shortKey = [keys[0]!, keys[1]!, keys[2]!.subarray(1), ...keys.slice(3)]
      assert.deepEqual(ed25519VerifyPackedBatch(message, packed, Uint8Array.of(4), keyAt(shortKey), 5), { valid: 2, failedAt: 2 })
      assert.deepEqual(ed25519VerifyPackedBatch(message, new Uint8Array(0), Uint8Array.of(1), keyAt(keys), 0), { valid: 0, failedAt: -1 })
    }
    assert.throws(() => ed25519VerifyPackedBatch(message, packed.subarray(1), Uint8Array.of(1), keyAt(keys), 5), { name: 'InvalidCryptoInputError', message: /multiple of 64/ })
    // enough is part of the memo key as a 32-bit count: 6.5 or −1 would share another value's entry.
    for (const enough of [6.5, -1, Infinity, 2 ** 32]) {
      assert.throws(() => ed25519VerifyPackedBatch(message, packed, Uint8Array.of(1), keyAt(keys), enough), { name: 'InvalidCryptoInputError', message: /enough must be an integer/ })
      assert.throws(() => ed25519VerifyBatch(message, [], enough), { name: 'InvalidCryptoInputError', message: /enough must be an integer/ })
    }
  })
})
