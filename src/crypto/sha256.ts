/**
 * SHA-256 (FIPS 180-4 §6.2) for the Merkle trees' short inputs, computed in place: the
 * digest is written into on-heap memory the caller owns, and nothing else is allocated.
 *
 * Why not node:crypto here: every `hash()` returns its 32-byte digest in a fresh off-heap
 * buffer (one malloc, one free by V8's ArrayBuffer sweeper). A participant hashes ~900
 * Merkle nodes a round and the aggregator millions at n = 10,000, and that churn of tiny
 * buffers — not the compression function — was what the hashing cost in a CPU profile
 * (glibc's malloc_consolidate and arena-lock futexes). test/crypto/sha256.spec.ts checks
 * this against node:crypto on every length across several block boundaries.
 */

import { InvalidCryptoInputError } from './errors.ts'

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])
// FIPS 180-4 §5.3.3: the initial hash value.
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])

// Scratch for one hash at a time (the callers are synchronous): the message schedule, the
// state, and the padded final blocks. Wiped after each hash: a leaf may hold a secret share.
const W = new Int32Array(64)
const H = new Int32Array(8)
const TAIL = new Uint8Array(128)
const TAIL_VIEW = new DataView(TAIL.buffer)

/** One 64-byte block at `offset` of `view` into the state H (FIPS 180-4 §6.2.2). */
function compress (view: DataView, offset: number): void {
  for (let t = 0; t < 16; t++) W[t] = view.getInt32(offset + 4 * t, false)
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!
    const w2 = W[t - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0
  }
  let a = H[0]!; let b = H[1]!; let c = H[2]!; let d = H[3]!
  let e = H[4]!; let f = H[5]!; let g = H[6]!; let h = H[7]!
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g; g = f; f = e; e = (d + t1) | 0
    d = c; c = b; b = a; a = (t1 + t2) | 0
  }
  H[0] = (H[0]! + a) | 0; H[1] = (H[1]! + b) | 0; H[2] = (H[2]! + c) | 0; H[3] = (H[3]! + d) | 0
  H[4] = (H[4]! + e) | 0; H[5] = (H[5]! + f) | 0; H[6] = (H[6]! + g) | 0; H[7] = (H[7]! + h) | 0
}

/**
 * SHA-256 of `input` into `out[offset, offset + 32)`. Inputs up to 2^32 bytes (the length
 * is padded as a 64-bit count of bits).
 */
export function sha256Into (input: Uint8Array, out: Uint8Array, offset = 0): void {
  // A typed array drops writes out of bounds silently: a short output would hold half a digest.
  if (!Number.isInteger(offset) || offset < 0 || offset + 32 > out.length) {
    throw new InvalidCryptoInputError(`SHA-256 output needs 32 bytes at offset ${offset} of a ${out.length}-byte array`)
  }
  try {
    digestInto(input, out, offset)
  } finally {
    // A leaf or an HMAC block may hold a secret: wiped even when the input was unreadable.
    TAIL.fill(0)
    W.fill(0)
    H.fill(0)
  }
}

function digestInto (input: Uint8Array, out: Uint8Array, offset: number): void {
  H.set(IV)
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const whole = input.length - (input.length % 64)
  for (let o = 0; o < whole; o += 64) compress(view, o)
  // §5.1.1 padding: 0x80, zeros, then the message length in bits as a 64-bit big-endian integer.
  const rest = input.length - whole
  TAIL.set(input.subarray(whole))
  TAIL[rest] = 0x80
  const tailLength = rest < 56 ? 64 : 128
  TAIL_VIEW.setUint32(tailLength - 8, Math.floor(input.length / 2 ** 29), false)
  TAIL_VIEW.setUint32(tailLength - 4, (input.length * 8) >>> 0, false)
  compress(TAIL_VIEW, 0)
  if (tailLength === 128) compress(TAIL_VIEW, 64)
  for (let i = 0; i < 8; i++) {
    const word = H[i]!
    out[offset + 4 * i] = word >>> 24
    out[offset + 4 * i + 1] = (word >>> 16) & 0xff
    out[offset + 4 * i + 2] = (word >>> 8) & 0xff
    out[offset + 4 * i + 3] = word & 0xff
  }
}
