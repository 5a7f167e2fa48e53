/**
 * Byte helpers shared by the primitives: unambiguous field encoding for KDF info strings,
 * associated data and transcript hashes, plus constant-time comparison.
 */
import { timingSafeEqual } from 'node:crypto'
import { InvalidCryptoInputError } from './errors.ts'

const textEncoder = new TextEncoder()

/** A field of a domain-separated encoding. Numbers must be unsigned 53-bit safe integers. */
export type EncodableField = string | number | bigint | Uint8Array

/** Big-endian unsigned 32-bit encoding. */
export function u32be (value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidCryptoInputError(`expected an unsigned 32-bit integer, got ${value}`)
  }
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value, false)
  return out
}

function fieldBytes (field: EncodableField): { tag: number, bytes: Uint8Array } {
  if (typeof field === 'string') return { tag: 1, bytes: textEncoder.encode(field) }
  if (field instanceof Uint8Array) return { tag: 2, bytes: field }
  const value = typeof field === 'bigint' ? field : BigInt(field)
  if (typeof field === 'number' && !Number.isSafeInteger(field)) {
    throw new InvalidCryptoInputError(`expected a safe integer field, got ${field}`)
  }
  if (value < 0n || value >= 1n << 64n) {
    throw new InvalidCryptoInputError(`integer field out of the unsigned 64-bit range: ${value}`)
  }
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, value, false)
  return { tag: 3, bytes }
}

/**
 * Encodes a list of fields as tag ‖ u32 length ‖ bytes for each, so that no two different
 * lists encode to the same bytes (the usual pitfall of concatenating labels).
 */
export function encodeFields (fields: readonly EncodableField[]): Uint8Array {
  const parts = fields.map(fieldBytes)
  const total = parts.reduce((sum, p) => sum + 5 + p.bytes.length, 0)
  const out = new Uint8Array(total)
  let offset = 0
  for (const { tag, bytes } of parts) {
    out[offset] = tag
    out.set(u32be(bytes.length), offset + 1)
    out.set(bytes, offset + 5)
    offset += 5 + bytes.length
  }
  return out
}

/** Concatenates byte arrays. */
export function concatBytes (...chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const c of chunks) { out.set(c, offset); offset += c.length }
  return out
}

/** Constant-time equality for secrets and MACs; false on length mismatch. */
export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Throws a typed error unless `bytes` has exactly `length` bytes. */
export function assertLength (bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidCryptoInputError(`${what} must be a Uint8Array`)
  }
  if (bytes.length !== length) {
    throw new InvalidCryptoInputError(`${what} must be ${length} bytes, got ${bytes.length}`)
  }
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

export function fromHex (hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new InvalidCryptoInputError('hex string has odd length or non-hex characters')
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}
