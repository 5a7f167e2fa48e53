/**
 * The aggregator's commitment to U1's advertised keys: a Merkle tree with one slot per
 * member (in member-index order), so a participant that receives only its neighbours'
 * entries (Bell et al., CCS 2020: per-participant work O(k), not O(n)) can still check that
 * each entry is the one every other participant of this session sees. The root goes into the
 * session id; the aggregator signs it, so two different key lists under its name are evidence.
 */
import { MerkleTree, MerkleVerifier, merkleLeaf, verifyMerkleProof } from '../crypto/index.ts'
import type { Session } from './session-config.ts'
import { keyLeafContent } from './transcript.ts'
import type { AdvertisedKeys } from './transcript.ts'
import type { ProvenKeys } from './wire/codec.ts'

export interface KeyCommitment {
  readonly root: Uint8Array
  /** The entry of `peer` (which must be in U1) with its proof. */
  entry (peer: string): ProvenKeys
}

export function commitKeys (session: Session, keys: ReadonlyMap<string, AdvertisedKeys>): KeyCommitment {
  const leaves = session.memberIds.map((id, i) => merkleLeaf(keyLeafContent(i + 1, keys.get(id))))
  const tree = new MerkleTree(leaves)
  return {
    root: tree.root,
    entry (peer) {
      const k = keys.get(peer)!
      return { peer, encryptionKey: k.encryptionKey, maskingKey: k.maskingKey, signature: k.signature, proof: tree.proof(session.memberIndex.get(peer)! - 1) }
    }
  }
}

/** True when `entry` sits in its member's slot of the tree with this root. */
export function verifyKeyEntry (session: Session, root: Uint8Array, entry: ProvenKeys): boolean {
  const index = session.memberIndex.get(entry.peer)
  if (index === undefined) return false
  return verifyMerkleProof(merkleLeaf(keyLeafContent(index, entry)), index - 1, session.memberIds.length, entry.proof, root)
}

/**
 * verifyKeyEntry for a whole key list under one root: on the complete graph a member checks
 * n − 1 entries of the same tree, about 2n hashes this way instead of n·log2(n).
 */
export class KeyEntryVerifier {
  private readonly tree: MerkleVerifier

  constructor (private readonly session: Session, root: Uint8Array) {
    this.tree = new MerkleVerifier(root, session.memberIds.length)
  }

  /** True exactly when `entry` sits in its member's slot under this root (see MerkleVerifier). */
  verify (entry: ProvenKeys): boolean {
    const index = this.session.memberIndex.get(entry.peer)
    if (index === undefined) return false
    return this.tree.verify(merkleLeaf(keyLeafContent(index, entry)), index - 1, entry.proof)
  }
}
