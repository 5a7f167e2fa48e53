/**
 * HKDF-SHA256 (RFC 5869) with explicit domain separation. Every key this project derives
 * names its purpose and binds the session and the two parties in the `info` string, so a
 * key for one purpose, session or pair is never reused for another.
 */
import { hkdfSync } from 'node:crypto'
import { encodeFields } from './bytes.ts'
import type { EncodableField } from './bytes.ts'
import { InvalidCryptoInputError } from './errors.ts'

/** Prefix of every info string, so no other protocol's HKDF output can collide with ours. */
export const KDF_DOMAIN = 'secagg-swarm/v1'

/** Raw RFC 5869 HKDF-SHA256: extract with `salt`, expand with `info` to `length` bytes. */
export function hkdfSha256 (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new InvalidCryptoInputError(`HKDF-SHA256 output length must be 1..8160 bytes, got ${length}`)
  }
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length))
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
