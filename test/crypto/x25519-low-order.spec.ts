import assert from 'node:assert/strict'
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js'
import fc from 'fast-check'
import { isLowOrderX25519Point, x25519Agree, x25519KeyPair, seededRandom, X25519_KEY_BYTES } from '../../src/crypto/index.ts'

// Curve25519 over GF(p), p = 2^255 − 19, Montgomery form v^2 = u^3 + A·u^2 + u.
const P = (1n << 255n) - 19n
const A = 486662n
const A24 = 121665n
const mod = (a: bigint): bigint => ((a % P) + P) % P

function modPow (base: bigint, exp: bigint): bigint {
  let r = 1n
  let b = mod(base)
  let e = exp
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P
    b = (b * b) % P
    e >>= 1n
  }
  return r
}

/** Euler's criterion: is the curve equation's right-hand side a square (point on the curve, not the twist)? */
const onCurve = (u: bigint): boolean => {
  const rhs = mod(u * u * u + A * u * u + u)
  return rhs === 0n || modPow(rhs, (P - 1n) / 2n) === 1n
}

/**
 * An independent RFC 7748 §5 Montgomery ladder over BigInt: k·u for a raw (unclamped) scalar,
 * in projective (X : Z) form; Z = 0 is the point at infinity.
 */
function ladderXZ (k: bigint, u: bigint): [bigint, bigint] {
  const x1 = mod(u)
  let x2 = 1n; let z2 = 0n; let x3 = x1; let z3 = 1n
  let swap = 0n
  const bits = k === 0n ? 0 : k.toString(2).length
  for (let t = bits - 1; t >= 0; t--) {
    const kt = (k >> BigInt(t)) & 1n
    swap ^= kt
    if (swap) { [x2, x3] = [x3, x2]; [z2, z3] = [z3, z2] }
    swap = kt
    const a = mod(x2 + z2); const aa = mod(a * a)
    const b = mod(x2 - z2); const bb = mod(b * b)
    const e = mod(aa - bb)
    const c = mod(x3 + z3); const d = mod(x3 - z3)
    const da = mod(d * a); const cb = mod(c * b)
    x3 = mod((da + cb) ** 2n)
    z3 = mod(x1 * mod((da - cb) ** 2n))
    x2 = mod(aa * bb)
    z2 = mod(e * (aa + A24 * e))
  }
  if (swap) { [x2, x3] = [x3, x2]; [z2, z3] = [z3, z2] }
  return [x2, z2]
}

/** k·u as X25519 encodes it: the affine u, with the point at infinity sent to 0. */
function ladder (k: bigint, u: bigint): bigint {
  const [x, z] = ladderXZ(k, u)
  return mod(x * modPow(z, P - 2n))
}

/** Is k·u the point at infinity? */
const isIdentity = (k: bigint, u: bigint): boolean => ladderXZ(k, u)[1] === 0n

/** X25519 with RFC 7748 clamping and top-bit masking, from the reference ladder. */
function referenceX25519 (scalar: Uint8Array, uBytes: Uint8Array): bigint {
  const s = scalar.slice()
  s[0]! &= 248
  s[31]! &= 127
  s[31]! |= 64
  return ladder(decodeLE(s), decodeLE(uBytes) & ((1n << 255n) - 1n))
}

const decodeLE = (b: Uint8Array): bigint => {
  let x = 0n
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!)
  return x
}
const encodeLE = (x: bigint): Uint8Array => {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn)
  return out
}
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

const ORDER8_A = 325606250916557431795983626356110631294008115727848805560023387167927233504n
const ORDER8_B = 39382357235489614581723060781553021112529911719440698176882885853963445705823n

/** The five canonical small-order u-coordinates with the order of their point. */
const CANONICAL: ReadonlyArray<{ name: string, u: bigint, order: bigint }> = [
  { name: 'u = 0 (order 2)', u: 0n, order: 2n },
  { name: 'u = 1 (order 4, curve)', u: 1n, order: 4n },
  { name: 'u = p − 1 (order 4, twist)', u: P - 1n, order: 4n },
  { name: 'order-8 point A', u: ORDER8_A, order: 8n },
  { name: 'order-8 point B', u: ORDER8_B, order: 8n }
]

/** Every 32-byte encoding of a canonical u: u, u + p when it fits in 255 bits, and each with bit 255 set. */
function encodings (u: bigint): Array<{ label: string, bytes: Uint8Array }> {
  const values: Array<[string, bigint]> = [['canonical', u]]
  if (u + P < (1n << 255n)) values.push(['u + p', u + P])
  const out: Array<{ label: string, bytes: Uint8Array }> = []
  for (const [label, v] of values) {
    out.push({ label, bytes: encodeLE(v) })
    out.push({ label: `${label}, bit 255 set`, bytes: encodeLE(v | (1n << 255n)) })
  }
  return out
}

const FLAGGED = CANONICAL.flatMap((c) => encodings(c.u).map((e) => ({ ...e, label: `${c.name}: ${e.label}`, u: c.u })))

describe('crypto/x25519 isLowOrderX25519Point', () => {
  it('the reference ladder reproduces the RFC 7748 §5.2 first vector (sanity check of the oracle)', () => {
    const k = Uint8Array.from(Buffer.from('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4', 'hex'))
    const u = Uint8Array.from(Buffer.from('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c', 'hex'))
    assert.equal(hexOf(encodeLE(referenceX25519(k, u))), 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552')
  })

  it('the five canonical u-coordinates really are the small-order ones (independent check)', () => {
    for (const { name, u, order } of CANONICAL) {
      assert.ok(isIdentity(order, u), `${name}: ${order}·P must be the identity`)
      // (1·P for u = 0 is the affine point (0, 0) by definition; the x-only ladder degenerates there.)
      if (order > 2n) assert.ok(!isIdentity(order / 2n, u), `${name}: order is exactly ${order}`)
    }
    // Order 8 and the order-4 point u = 1 lie on the curve; u = −1 lies on the twist.
    assert.ok(onCurve(ORDER8_A) && onCurve(ORDER8_B) && onCurve(1n))
    assert.ok(!onCurve(P - 1n))
    // The two order-8 points double to the order-4 point u = 1, which doubles to (0, 0).
    assert.equal(ladder(2n, ORDER8_A), 1n)
    assert.equal(ladder(2n, ORDER8_B), 1n)
    assert.equal(ladder(2n, 1n), 0n)
    assert.equal(ladder(2n, P - 1n), 0n)
    // Their neighbours are not small-order.
    for (const { u } of CANONICAL) {
      for (const n of [mod(u + 1n), mod(u + 2n), mod(u - 2n)]) {
        if (CANONICAL.some((c) => c.u === n)) continue
        assert.ok(!isIdentity(8n, n), `u = ${n}`)
      }
    }
  })

  it('flags each canonical small-order u and all its non-canonical encodings', () => {
    assert.equal(FLAGGED.length, 14, '5 canonical + 5 with bit 255 + (p, p + 1) and their bit-255 forms')
    for (const { label, bytes } of FLAGGED) assert.equal(isLowOrderX25519Point(bytes), true, label)
  })

  it('does not flag near misses of the small-order encodings', () => {
    const misses = [2n, 3n, 18n, P - 2n, P + 2n, P + 18n, ORDER8_A + 1n, ORDER8_A - 1n, ORDER8_B + 1n, ORDER8_B - 1n, 9n, (1n << 255n) - 1n]
    // (1n << 255n) − 1 ≡ 18 (mod p): non-canonical, but not small order.
    for (const u of misses) {
      assert.equal(isLowOrderX25519Point(encodeLE(u)), false, `u = ${u}`)
      assert.equal(isLowOrderX25519Point(encodeLE(u | (1n << 255n))), false, `u = ${u} with bit 255`)
      assert.ok(!isIdentity(8n, mod(u)), `u = ${u} must not be small-order per the reference`)
    }
    // The bytes 0x01 in other positions are not u = 1.
    const shifted = new Uint8Array(32); shifted[1] = 1
    assert.equal(isLowOrderX25519Point(shifted), false)
    const bigEndianOne = new Uint8Array(32); bigEndianOne[31] = 1
    assert.equal(isLowOrderX25519Point(bigEndianOne), false)
  })

  it('every flagged point gives an all-zero X25519 output (reference ladder and @noble/curves) and x25519Agree throws LowOrderPointError', () => {
    const rng = seededRandom('x25519-low-order/scalars')
    for (const { label, bytes } of FLAGGED) {
      for (let trial = 0; trial < 3; trial++) {
        const scalar = rng(32)
        assert.equal(referenceX25519(scalar, bytes), 0n, `${label}: reference ladder`)
        let nobleZero = false
        try {
          const out = nobleX25519.getSharedSecret(scalar, bytes)
          nobleZero = out.every((b) => b === 0)
        } catch {
          nobleZero = true
        }
        assert.ok(nobleZero, `${label}: noble returned a non-zero secret`)
        assert.throws(() => x25519Agree(scalar, bytes), (err: Error) => {
          assert.equal(err.name, 'LowOrderPointError', `${label}: ${err.name}: ${err.message}`)
          return true
        }, label)
      }
    }
  })

  it('does not flag 1,000 real public keys, each of which agrees normally', () => {
    const rng = seededRandom('x25519-low-order/real-keys')
    const me = x25519KeyPair(seededRandom('x25519-low-order/me'))
    for (let i = 0; i < 1000; i++) {
      const { publicKey, secretKey } = x25519KeyPair(rng)
      assert.equal(isLowOrderX25519Point(publicKey), false, hexOf(publicKey))
      if (i < 50) {
        assert.deepEqual(x25519Agree(me.secretKey, publicKey), x25519Agree(secretKey, me.publicKey))
        assert.deepEqual(x25519Agree(me.secretKey, publicKey), nobleX25519.getSharedSecret(me.secretKey, publicKey))
      }
    }
  })

  it('property: on random 32-byte strings it agrees with the reference "8·u = identity" test', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const u = decodeLE(bytes) & ((1n << 255n) - 1n)
      assert.equal(isLowOrderX25519Point(bytes), isIdentity(8n, u))
    }), { numRuns: 300 })
    // Random bytes almost never hit the set; pin the equivalence on the flagged set too.
    for (const { bytes } of FLAGGED) assert.ok(isIdentity(8n, decodeLE(bytes) & ((1n << 255n) - 1n)))
  })

  it('does not modify its input', () => {
    for (const { bytes } of FLAGGED) {
      const copy = bytes.slice()
      isLowOrderX25519Point(bytes)
      assert.deepEqual(bytes, copy)
    }
  })

  it('throws InvalidCryptoInputError on wrong-length input', () => {
    for (const length of [0, 1, 31, 33, 56, 64]) {
      assert.throws(() => isLowOrderX25519Point(new Uint8Array(length)), (err: Error) => err.name === 'InvalidCryptoInputError', `length ${length}`)
    }
    assert.throws(() => isLowOrderX25519Point(Array.from({ length: 32 }, () => 0) as unknown as Uint8Array), (err: Error) => err.name === 'InvalidCryptoInputError')
    assert.equal(X25519_KEY_BYTES, 32)
  })
})
