import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  shamirSplit, shamirCombine, splitFieldElement, splitFieldElementAt, combineFieldShares, primeField, seededRandom, SHAMIR_PRIME, MAX_SHARES, SHAMIR_SHARE_BYTES
} from '../../src/crypto/index.ts'
import type { RandomSource, Share } from '../../src/crypto/index.ts'

function modPow (base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n
  let b = base % m
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return result
}

/** Miller–Rabin with the first 40 primes as bases. */
function isProbablePrime (n: bigint): boolean {
  const bases = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n, 73n, 79n, 83n, 89n, 97n, 101n, 103n, 107n, 109n, 113n, 127n, 131n, 137n, 139n, 149n, 151n, 157n, 163n, 167n, 173n]
  let d = n - 1n
  let r = 0
  while ((d & 1n) === 0n) { d >>= 1n; r++ }
  outer: for (const a of bases) {
    let x = modPow(a, d, n)
    if (x === 1n || x === n - 1n) continue
    for (let i = 1; i < r; i++) {
      x = (x * x) % n
      if (x === n - 1n) continue outer
    }
    return false
  }
  return true
}

function pick<T> (rng: RandomSource, items: readonly T[], count: number): T[] {
  const pool = items.slice()
  const out: T[] = []
  for (let i = 0; i < count; i++) out.push(pool.splice(rng(1)[0]! % pool.length, 1)[0]!)
  return out
}

describe('crypto/shamir', () => {
  it('uses the prime 2^256 + 297, larger than any 32-byte secret', () => {
    assert.equal(SHAMIR_PRIME, (1n << 256n) + 297n)
    assert.ok(isProbablePrime(SHAMIR_PRIME))
    for (let k = 1n; k < 297n; k += 2n) assert.ok(!isProbablePrime((1n << 256n) + k), `2^256+${k} must be composite`)
    assert.equal(SHAMIR_SHARE_BYTES, 33)
  })

  it('rebuilds the secret from any t of n shares', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 25 }), fc.integer({ min: 0, max: 20 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (secret, t, extra, seed) => {
      const n = t + extra
      const rng = seededRandom(seed)
      const shares = shamirSplit(secret, t, n, rng)
      assert.equal(shares.length, n)
      const subset = pick(rng, shares, t + (extra > 0 ? rng(1)[0]! % (extra + 1) : 0))
      assert.deepEqual(shamirCombine(subset, t), secret)
    }), { numRuns: 150 })
  })

  it('rebuilds many secrets held by the same holders, in any order of arrival (memoized coefficients)', () => {
    const rng = seededRandom('same-holders')
    const t = 40
    const holders = pick(rng, Array.from({ length: 90 }, (_, i) => i + 1), 60)
    for (let k = 0; k < 30; k++) {
      const secret = rng(32)
      const all = shamirSplit(secret, t, 90, rng)
      // Each secret's shares arrive from the same holders, in a different order each time;
      // every third one from a different subset, so cached and fresh coefficients are both used.
      const from = k % 3 === 0 ? pick(rng, holders, t) : holders
      const shares = pick(rng, all.filter((s) => from.includes(s.index)), from.length)
      assert.deepEqual(shamirCombine(shares, t), secret, `secret ${k}`)
      // A wrong value among the t used is never hidden by a cached coefficient.
      const bad = shares.slice(0, t).map((s, i) => i === k % t ? { index: s.index, value: rng(SHAMIR_SHARE_BYTES).map((b, j) => j === 0 ? 0 : b) } : s)
      assert.notDeepEqual((() => { try { return shamirCombine(bad, t) } catch { return null } })(), secret)
    }
  })

  it('refuses a share index at or above the field prime (index p would hand out f(0), the secret)', () => {
    const f7 = primeField(7n)
    assert.throws(() => splitFieldElementAt(5n, 2, [7, 1], seededRandom('p'), f7), { name: 'InvalidShareError', message: /not below the field prime 7/ })
    assert.equal(splitFieldElementAt(5n, 2, [6, 1], seededRandom('p'), f7).length, 2)
  })

  it('t − 1 shares are consistent with every secret (exact enumeration over F_11, t = 3)', () => {
    // For each secret, run split over every coefficient pair (a1, a2) by feeding a source
    // whose draw reduces to them (each coefficient is a 17-byte integer mod 11); the
    // (share 1, share 2) pairs must then cover F_11² exactly once.
    const field = primeField(11n)
    for (let secret = 0n; secret < 11n; secret++) {
      const seen = new Map<string, number>()
      for (let a1 = 0; a1 < 11; a1++) {
        for (let a2 = 0; a2 < 11; a2++) {
          const rng: RandomSource = (length) => {
            assert.equal(length, 34, 'both coefficients from one draw of 2 × (1 + 16) bytes')
            const out = new Uint8Array(34)
            out[16] = a1 + 11 // ≡ a1: the reduction, not the raw byte, is the coefficient
            out[33] = a2
            return out
          }
          const shares = splitFieldElement(secret, 3, 4, rng, field)
          const key = `${shares[0]!.value},${shares[1]!.value}`
          seen.set(key, (seen.get(key) ?? 0) + 1)
          assert.equal(combineFieldShares([shares[3]!, shares[1]!, shares[0]!], 3, field), secret)
        }
      }
      assert.equal(seen.size, 121, `secret ${secret}: every pair of two shares appears`)
      for (const count of seen.values()) assert.equal(count, 1)
    }
  })

  it('t − 1 shares of two different secrets are indistinguishable (statistical, F_2^256+297)', () => {
    // The top byte of a share is 0 or 1 (values < 2^256 + 297): compare the distribution of a
    // low byte of share 1 for secret 0 and secret 2^256−1 with t = 2 (one share alone).
    const rng = seededRandom('indistinguishable')
    const counts = [new Array(16).fill(0), new Array(16).fill(0)]
    const secrets = [new Uint8Array(32), new Uint8Array(32).fill(0xff)]
    for (let i = 0; i < 4000; i++) {
      for (const s of [0, 1]) counts[s]![shamirSplit(secrets[s]!, 2, 2, rng)[0]!.value[32]! & 15]++
    }
    for (const c of counts) {
      const chi2 = c.reduce((acc: number, o: number) => acc + (o - 250) ** 2 / 250, 0)
      assert.ok(chi2 < 37.7, `chi-square ${chi2} over 15 degrees of freedom (p < 0.001 bound)`) // a fixed seed: deterministic
    }
  })

  it('handles n = 10,000 shares', () => {
    const rng = seededRandom('big-n')
    const secret = rng(32)
    const shares = shamirSplit(secret, 3, 10_000, rng)
    assert.equal(shares[9_999]!.index, 10_000)
    assert.deepEqual(shamirCombine([shares[9_999]!, shares[4_321]!, shares[0]!], 3), secret)
  })

  describe('rejects bad input with typed errors naming the problem', () => {
    const rng = seededRandom('bad')
    const secret = rng(32)
    const shares = shamirSplit(secret, 3, 5, rng)

    it('bad thresholds and counts', () => {
      assert.throws(() => shamirSplit(secret, 1, 5, rng), { name: 'InvalidThresholdError', message: /t must be an integer ≥ 2/ })
      assert.throws(() => shamirSplit(secret, 6, 5, rng), { name: 'InvalidThresholdError', message: /t = 6 exceeds the share count n = 5/ })
      assert.throws(() => shamirSplit(secret, 2, MAX_SHARES + 1, rng), { name: 'InvalidThresholdError', message: /share count n/ })
      assert.throws(() => shamirSplit(secret, 2.5, 5, rng), { name: 'InvalidThresholdError' })
      assert.throws(() => shamirCombine(shares, 1), { name: 'InvalidThresholdError' })
    })

    it('wrong secret and share lengths', () => {
      assert.throws(() => shamirSplit(new Uint8Array(16), 2, 3, rng), { name: 'InvalidCryptoInputError', message: /secret must be 32 bytes, got 16/ })
      const short: Share[] = [shares[0]!, { index: 2, value: shares[1]!.value.subarray(1) }, shares[2]!]
      assert.throws(() => shamirCombine(short, 3), { name: 'InvalidShareError', message: /share 2 value must be 33 bytes, got 32/ })
    })

    it('index 0, out-of-range and duplicate indices', () => {
      assert.throws(() => shamirCombine([{ index: 0, value: shares[0]!.value }, shares[1]!, shares[2]!], 3), { name: 'InvalidShareError', message: /index must be an integer in \[1, 65535\], got 0/ })
      assert.throws(() => shamirCombine([{ index: 70_000, value: shares[0]!.value }, shares[1]!, shares[2]!], 3), { name: 'InvalidShareError' })
      assert.throws(() => shamirCombine([shares[0]!, shares[1]!, { index: 1, value: shares[2]!.value }], 3), { name: 'DuplicateShareIndexError', message: /index 1/ })
    })

    it('too few shares, values outside the field, inconsistent shares', () => {
      assert.throws(() => shamirCombine(shares.slice(0, 2), 3), { name: 'NotEnoughSharesError', message: /need 3 shares.*got 2/ })
      assert.throws(() => shamirCombine([{ index: 1, value: new Uint8Array(33).fill(0xff) }, shares[1]!, shares[2]!], 3), { name: 'InvalidShareError', message: /not a field element/ })
      // Shamir alone cannot tell a foreign share: a mix rebuilds a wrong secret. The protocol
      // checks every rebuilt masking key against the public key its owner advertised.
      const others = shamirSplit(rng(32), 3, 5, rng)
      assert.notDeepEqual(shamirCombine([shares[0]!, shares[1]!, others[2]!], 3), secret)
      const outside = [{ index: 1, value: Uint8Array.of(1, ...new Uint8Array(32).fill(0xff)) }, shares[1]!, shares[2]!]
      assert.throws(() => shamirCombine(outside, 3), { name: 'InvalidShareError', message: /not a field element/ })
    })
  })
})
