/**
 * Sets of members on the wire and in transcripts as bitmaps over the session's member list
 * (sorted ids; member index i is bit i − 1, least significant bit first in each byte), and
 * the consistency signatures of one set as one blob in member order.
 *
 * Why not a list of ids: U3 and the consistency certificate go to every survivor. As lists
 * they are O(n) strings per participant to decode, check, sort and hash — O(n²) for a round
 * (at n = 10,000, ~10^8 string operations and a 550 kB message per participant with libp2p
 * peer ids). A bitmap is n/8 bytes that every check reads in O(n/32) words, and a member's
 * bit is found in O(1), so a participant's work stays O(k) plus an n/8-byte scan.
 */
import { ED25519_SIGNATURE_BYTES } from '../crypto/index.ts'
import type { PeerSignature } from './wire/codec.ts'

/** Bytes of a bitmap over `members` members. */
export function bitmapBytes (members: number): number {
  return Math.ceil(members / 8)
}

/** The bitmap of `ids` over the sorted member list; ids outside it are an error of the caller. */
export function memberBitmap (memberIds: readonly string[], ids: Iterable<string>): Uint8Array<ArrayBuffer> {
  const index = new Map(memberIds.map((id, i) => [id, i]))
  const out = new Uint8Array(bitmapBytes(memberIds.length))
  for (const id of ids) {
    const i = index.get(id)
    if (i === undefined) throw new RangeError(`${id} is not a member`)
    out[i >> 3]! |= 1 << (i & 7)
  }
  return out
}

/** Whether member position `i` (0-based, member index − 1) is in the set. */
export function hasMember (bitmap: Uint8Array, i: number): boolean {
  return ((bitmap[i >> 3] ?? 0) & (1 << (i & 7))) !== 0
}

/** Members in the set. */
export function bitmapCount (bitmap: Uint8Array): number {
  let count = 0
  for (let b of bitmap) {
    while (b !== 0) { b &= b - 1; count++ }
  }
  return count
}

/** Positions in the set, ascending (member order). */
export function bitmapPositions (bitmap: Uint8Array): number[] {
  const out: number[] = []
  for (let byte = 0; byte < bitmap.length; byte++) {
    const b = bitmap[byte]!
    if (b === 0) continue
    for (let bit = 0; bit < 8; bit++) if ((b & (1 << bit)) !== 0) out.push(byte * 8 + bit)
  }
  return out
}

/** The ids in the set, in member order. */
export function bitmapIds (memberIds: readonly string[], bitmap: Uint8Array): string[] {
  return bitmapPositions(bitmap).map((i) => memberIds[i]!)
}

/** Why a bitmap cannot be a set of these members (wrong length, bits past the last member), or undefined. */
export function bitmapProblem (members: number, bitmap: Uint8Array): string | undefined {
  if (bitmap.length !== bitmapBytes(members)) return `a member set of ${members} is ${bitmapBytes(members)} bytes, got ${bitmap.length}`
  const spare = bitmap.length * 8 - members
  if (spare > 0 && (bitmap[bitmap.length - 1]! >> (8 - spare)) !== 0) return 'the member set has bits past the last member'
  return undefined
}

/** True when every member of `a` is in `b` (equal lengths). */
export function isSubset (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if ((a[i]! & ~b[i]!) !== 0) return false
  return true
}

/** Consistency signatures as (signers bitmap, signatures in member order). */
export interface PackedSignatures {
  readonly signers: Uint8Array
  readonly signatures: Uint8Array
}

export function packSignatures (memberIds: readonly string[], signatures: Iterable<PeerSignature>): PackedSignatures {
  const byPeer = new Map<string, Uint8Array>()
  for (const s of signatures) byPeer.set(s.peer, s.signature)
  const signers = memberBitmap(memberIds, byPeer.keys())
  const positions = bitmapPositions(signers)
  const blob = new Uint8Array(positions.length * ED25519_SIGNATURE_BYTES)
  positions.forEach((p, j) => blob.set(byPeer.get(memberIds[p]!)!, j * ED25519_SIGNATURE_BYTES))
  return { signers, signatures: blob }
}

export function unpackSignatures (memberIds: readonly string[], packed: PackedSignatures): PeerSignature[] {
  return bitmapPositions(packed.signers).map((p, j) => ({
    peer: memberIds[p]!,
    signature: packed.signatures.subarray(j * ED25519_SIGNATURE_BYTES, (j + 1) * ED25519_SIGNATURE_BYTES)
  }))
}
