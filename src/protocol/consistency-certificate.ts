/**
 * Checking a consistency certificate — Q signatures over one U3 (docs/PROTOCOL.md, "Consistency
 * check"; Bonawitz et al., CCS'17, §4, ConsistencyCheck) — as it arrives: the signers as a
 * member bitmap, their signatures as one buffer in member order.
 *
 * Every survivor receives the same certificate. The check is memoized under a hash of the
 * signatures, the signers and the session's key table (ed25519VerifyPackedBatch), so members
 * that share a process — the simulator's n members — pay one hash of the certificate each
 * instead of building a Q-entry key list each: O(Q) object work per participant was the
 * round's O(n²) term.
 */
import { createHash } from 'node:crypto'
import { ED25519_SIGNATURE_BYTES, ed25519VerifyPackedBatch, u32be } from '../crypto/index.ts'
import type { BatchVerification } from '../crypto/index.ts'
import { InvalidInputError } from './errors.ts'
import { bitmapCount, bitmapPositions } from './member-bitmap.ts'
import type { Session } from './session-config.ts'

const keyTables = new WeakMap<Session, Uint8Array>()

/** SHA-256 over the session's signing keys in member order: with the signers' bitmap it names their key sequence. */
function keyTableDigest (session: Session): Uint8Array {
  let digest = keyTables.get(session)
  if (digest === undefined) {
    const hash = createHash('sha256').update('secagg/consistency-key-table/v1').update(u32be(session.memberIds.length))
    for (const id of session.memberIds) {
      const key = session.signingKeys.get(id)!
      hash.update(u32be(key.length)).update(key)
    }
    keyTables.set(session, digest = new Uint8Array(hash.digest()))
  }
  return digest
}

/**
 * Verifies the signatures of `signers` (a member bitmap already checked against the session)
 * over `message` in member order, stopping at the first that fails or once `enough` verified.
 * `failedAt` indexes the signers in member order (`bitmapPositions(signers)[failedAt]`).
 */
export function verifyConsistencyCertificate (session: Session, message: Uint8Array, signers: Uint8Array, signatures: Uint8Array, enough: number): BatchVerification {
  // The codec enforces this for messages from the network; checked again because the memo
  // key names the signers by bitmap and a shorter signature list would check fewer of them.
  if (signatures.length !== bitmapCount(signers) * ED25519_SIGNATURE_BYTES) {
    throw new InvalidInputError(`${bitmapCount(signers)} signers need ${bitmapCount(signers) * ED25519_SIGNATURE_BYTES} signature bytes, got ${signatures.length}`)
  }
  const keysId = new Uint8Array(32 + signers.length)
  keysId.set(keyTableDigest(session), 0)
  keysId.set(signers, 32)
  let positions: number[] | undefined
  return ed25519VerifyPackedBatch(message, signatures, keysId, (j) => {
    positions ??= bitmapPositions(signers)
    return session.signingKeys.get(session.memberIds[positions[j]!]!)!
  }, enough)
}
