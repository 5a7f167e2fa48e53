/**
 * HKDF-SHA256 (RFC 5869) with explicit domain separation. Every key this project derives
 * names its purpose and binds the session and the two parties in the `info` string, so a
 * key for one purpose, session or pair is never reused for another.
 *
 * HMAC (RFC 2104) is computed here over the in-place SHA-256 (sha256.ts) rather than with
 * node:crypto's hkdfSync: a member derives two keys per neighbour a round, and hkdfSync's
 * secret KeyObject and off-heap result cost ~8 µs a key against ~3 µs for the nine
 * compressions themselves. test/crypto/hkdf.spec.ts checks it against RFC 5869's vectors
 * and against hkdfSync.
 */
import { encodeFields } from './bytes.ts'
import type { EncodableField } from './bytes.ts'
import { InvalidCryptoInputError } from './errors.ts'
import { sha256Into } from './sha256.ts'

/** Prefix of every info string, so no other protocol's HKDF output can collide with ours. */
export const KDF_DOMAIN = 'secagg-swarm/v1'

/** Raw RFC 5869 HKDF-SHA256: extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha256 (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new InvalidCryptoInputError(`HKDF-SHA256 output length must be 1..8160 bytes, got ${length}`)
  }
  // RFC 5869 §2.2: an absent salt is HashLen zeros — HMAC pads a short key with zeros anyway.
  const prk = new Uint8Array(HASH_BYTES)
  const block = new Uint8Array(HASH_BYTES)
  const counter = new Uint8Array(1)
  const out = new Uint8Array(length)
  try {
    hmacSha256Into(salt, [ikm], prk)
    // §2.3: T(i) = HMAC(PRK, T(i − 1) ‖ info ‖ i), T(0) empty; the output is T(1) ‖ T(2) ‖ …
    for (let i = 1, offset = 0; offset < length; i++, offset += HASH_BYTES) {
      counter[0] = i
      hmacSha256Into(prk, i === 1 ? [info, counter] : [block, info, counter], block)
      out.set(block.subarray(0, Math.min(HASH_BYTES, length - offset)), offset)
    }
  } catch (err) {
    out.fill(0)
    throw err
  } finally {
    prk.fill(0)
    block.fill(0)
  }
  return out
}

const HASH_BYTES = 32
const BLOCK_BYTES = 64
/** (K ⊕ pad) ‖ message for one HMAC pass; grown for long messages, wiped after each use. */
let padded = new Uint8Array(4 * BLOCK_BYTES)
const hashedKey = new Uint8Array(HASH_BYTES)

/** HMAC-SHA256(key, parts[0] ‖ parts[1] ‖ …) into `out` (RFC 2104 §2; a key over 64 bytes is hashed first). */
function hmacSha256Into (key: Uint8Array, parts: readonly Uint8Array[], out: Uint8Array): void {
  let length = BLOCK_BYTES
  for (const p of parts) length += p.length
  if (padded.length < length) padded = new Uint8Array(length)
  try {
    let k = key
    if (k.length > BLOCK_BYTES) { sha256Into(k, hashedKey); k = hashedKey }
    const inner = padded.subarray(0, length)
    inner.fill(0, 0, BLOCK_BYTES)
    inner.set(k)
    for (let i = 0; i < BLOCK_BYTES; i++) inner[i]! ^= 0x36
    let offset = BLOCK_BYTES
    for (const p of parts) { inner.set(p, offset); offset += p.length }
    sha256Into(inner, out)
    // (K ⊕ opad) ‖ inner hash, in the same scratch.
    const outer = padded.subarray(0, BLOCK_BYTES + HASH_BYTES)
    outer.fill(0, 0, BLOCK_BYTES)
    outer.set(k)
    for (let i = 0; i < BLOCK_BYTES; i++) outer[i]! ^= 0x5c
    outer.set(out, BLOCK_BYTES)
    sha256Into(outer, out)
  } finally {
    // Key-derived pads and the message (key material) never stay in module memory.
    padded.fill(0, 0, Math.min(length, padded.length))
    hashedKey.fill(0)
  }
}

export interface DeriveKeyOptions {
  /** The input key material, e.g. an X25519 shared secret. */
  readonly ikm: Uint8Array
  /** What the key is for, e.g. 'share-encryption' or 'pairwise-mask'. */
  readonly purpose: string
  /** Binding context: session id, round, peer ids... in a fixed order. */
  readonly context: readonly EncodableField[]
  /** Output length in bytes (default 32). */
  readonly length?: number
  /** Optional salt; the session id is a good one. Default: empty (RFC 5869 §2.2, zeros). */
  readonly salt?: Uint8Array
}

/** A domain-separated key: info = encodeFields([KDF_DOMAIN, purpose, ...context]). */
export function deriveKey (options: DeriveKeyOptions): Uint8Array {
  if (options.purpose.length === 0) throw new InvalidCryptoInputError('deriveKey needs a non-empty purpose label')
  const info = encodeFields([KDF_DOMAIN, options.purpose, ...options.context])
  return hkdfSha256(options.ikm, options.salt ?? new Uint8Array(0), info, options.length ?? 32)
}
