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

function checkInteger (field: number | bigint): bigint {
  if (typeof field === 'number' && !Number.isSafeInteger(field)) {
    throw new InvalidCryptoInputError(`expected a safe integer field, got ${field}`)
  }
  const value = typeof field === 'bigint' ? field : BigInt(field)
  if (value < 0n || value >= 1n << 64n) {
    throw new InvalidCryptoInputError(`integer field out of the unsigned 64-bit range: ${value}`)
  }
  return value
}

/** Strings made only of ASCII characters encode as themselves, one byte each. */
function isAscii (text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/**
 * Encodes a list of fields as tag ‖ u32 length ‖ bytes for each, so that no two different
 * lists encode to the same bytes (the usual pitfall of concatenating labels). Tags: 1 UTF-8
 * string, 2 bytes, 3 unsigned 64-bit big-endian integer.
 *
 * Sized first, then written into one buffer: transcripts such as the consistency message
 * carry one field per member (10,000 at the largest sizes simulated), so no per-field
 * allocation.
 */
export function encodeFields (fields: readonly EncodableField[]): Uint8Array {
  const encoded: Array<Uint8Array | undefined> = new Array(fields.length)
  let total = 0
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (typeof field === 'string') {
      if (isAscii(field)) total += 5 + field.length
      else { encoded[i] = textEncoder.encode(field); total += 5 + encoded[i]!.length }
    } else if (field instanceof Uint8Array) {
      if (field.length > 0xffffffff) throw new InvalidCryptoInputError(`field of ${field.length} bytes is too long to encode`)
      total += 5 + field.length
    } else {
      checkInteger(field)
      total += 5 + 8
    }
  }
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  let offset = 0
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (typeof field === 'string') {
      const utf8 = encoded[i]
      out[offset] = 1
      if (utf8 !== undefined) {
        view.setUint32(offset + 1, utf8.length, false)
        out.set(utf8, offset + 5)
        offset += 5 + utf8.length
      } else {
        view.setUint32(offset + 1, field.length, false)
        for (let j = 0; j < field.length; j++) out[offset + 5 + j] = field.charCodeAt(j)
        offset += 5 + field.length
      }
    } else if (field instanceof Uint8Array) {
      out[offset] = 2
      view.setUint32(offset + 1, field.length, false)
      out.set(field, offset + 5)
      offset += 5 + field.length
    } else {
      out[offset] = 3
      view.setUint32(offset + 1, 8, false)
      view.setBigUint64(offset + 5, checkInteger(field), false)
      offset += 13
    }
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
