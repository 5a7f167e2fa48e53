/**
 * Everything that is signed, encrypted or derived, in one place, each bound to its session
 * (docs/PROTOCOL.md, "Session binding") and to a purpose label so no value can be replayed as another.
 */
import { computeSessionId, deriveKey, encodeFields, x25519Agree } from '../crypto/index.ts'
import { memberBitmap } from './member-bitmap.ts'
import { PROTOCOL_VERSION, sortedIds } from './session-config.ts'

export interface AdvertisedKeys {
  readonly peer: string
  readonly encryptionKey: Uint8Array
  readonly maskingKey: Uint8Array
  readonly signature: Uint8Array
}

/** Step 0: the bytes a member signs to vouch for its two fresh public keys. */
export function advertisedKeysMessage (preSessionId: Uint8Array, peer: string, encryptionKey: Uint8Array, maskingKey: Uint8Array): Uint8Array {
  return encodeFields(['secagg/advertise-keys', preSessionId, peer, encryptionKey, maskingKey])
}

/**
 * The leaf of member slot `index` (1-based member index) in the key commitment: the entry a
 * member advertised, signature included, or "absent" for a member outside U1.
 */
export function keyLeafContent (index: number, keys: AdvertisedKeys | undefined): Uint8Array {
  return keys === undefined
    ? encodeFields(['secagg/key-leaf/absent', index])
    : encodeFields(['secagg/key-leaf', index, keys.peer, keys.encryptionKey, keys.maskingKey, keys.signature])
}

/**
 * The session id: the pre-session id plus the Merkle root over every member slot's advertised
 * keys (U1). A participant that sees only its neighbours' entries still binds to the whole
 * set: each entry it gets comes with a proof against this root.
 */
export function computeRoundSessionId (preSessionId: Uint8Array, keysRoot: Uint8Array): Uint8Array {
  return computeSessionId({ parameters: ['session', PROTOCOL_VERSION, preSessionId, keysRoot], parties: [] })
}

/** What the aggregator signs to commit to one key list: equivocating on it leaves evidence. */
export function keyRootMessage (preSessionId: Uint8Array, keysRoot: Uint8Array): Uint8Array {
  return encodeFields(['secagg/key-root', preSessionId, keysRoot])
}

export type ShareKind = 'self-mask' | 'masking'

/**
 * Step 1: the leaf content of one dealt share in its dealer's share commitment
 * (share-commitment.ts): the dealer signs the root over all of them once, and each share is
 * forwarded at unmasking with its proof, so the aggregator can drop a wrong share and name
 * the holder that sent it.
 */
export function shareLeafContent (sessionId: Uint8Array, dealer: string, holder: string, index: number, kind: ShareKind, value: Uint8Array): Uint8Array {
  return encodeFields(['secagg/share-leaf', sessionId, dealer, holder, index, kind, value])
}

/** Step 1: the leaf of a slot whose neighbour is outside U1 (no share dealt). */
export function absentShareLeafContent (sessionId: Uint8Array, dealer: string, slot: number): Uint8Array {
  return encodeFields(['secagg/share-leaf/absent', sessionId, dealer, slot])
}

/** Step 1: what a dealer signs to commit to every share it deals in this session. */
export function shareRootMessage (sessionId: Uint8Array, dealer: string, root: Uint8Array): Uint8Array {
  return encodeFields(['secagg/share-root', sessionId, dealer, root])
}

const orderedPair = (u: string, v: string): [string, string] => (u < v ? [u, v] : [v, u])

/** Step 1: the AEAD key shared by u and v, from their c keys. */
export function shareEncryptionKey (sessionId: Uint8Array, secretKey: Uint8Array, peerPublicKey: Uint8Array, u: string, v: string): Uint8Array {
  return deriveKey({ ikm: x25519Agree(secretKey, peerPublicKey), purpose: 'share-encryption', context: [sessionId, ...orderedPair(u, v)], salt: sessionId })
}

/** Step 1: associated data of the box from → to. */
export function shareBoxAssociatedData (sessionId: Uint8Array, from: string, to: string): Uint8Array {
  return encodeFields(['secagg/share-box', sessionId, from, to])
}

/** Step 2: the pairwise mask seed s_uv, from the s keys. */
export function pairwiseMaskSeed (sessionId: Uint8Array, secretKey: Uint8Array, peerPublicKey: Uint8Array, u: string, v: string): Uint8Array {
  return deriveKey({ ikm: x25519Agree(secretKey, peerPublicKey), purpose: 'pairwise-mask', context: [sessionId, ...orderedPair(u, v)], salt: sessionId })
}

/** Step 2: the self-mask PRG seed from b_u (b is never used raw as a key). */
export function selfMaskSeed (sessionId: Uint8Array, b: Uint8Array, u: string): Uint8Array {
  return deriveKey({ ikm: b, purpose: 'self-mask', context: [sessionId, u], salt: sessionId })
}

/**
 * Step 3: the bytes each survivor signs: the session and U3 as a bitmap over the sorted member
 * list (member-bitmap.ts), which names the same set for every party of the session.
 */
export function consistencyMessage (sessionId: Uint8Array, survivors: Uint8Array): Uint8Array {
  return encodeFields(['secagg/consistency-check', sessionId, survivors])
}

/** The consistency message over a U3 given as ids (the aggregator, result certificates). */
export function consistencyMessageFor (sessionId: Uint8Array, memberIds: readonly string[], survivors: Iterable<string>): Uint8Array {
  return consistencyMessage(sessionId, memberBitmap(sortedIds(memberIds), survivors))
}
