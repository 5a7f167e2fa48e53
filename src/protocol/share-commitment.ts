/**
 * A dealer's commitment to every share it deals in step 1: one Merkle tree over two slots per
 * neighbour (the s^SK share, then the b share, in member-index order of N(u)), signed once.
 *
 * Why: shares are verifiable (docs/PROTOCOL.md, "Verifiable shares") so an aggregator can drop a
 * share a holder altered and name the holder. Signing each share costs a dealer 2k signatures
 * and the aggregator one verification per revealed share — at n = 10,000 that is ~10^6
 * Ed25519 operations on the aggregator alone. Committing to all of them under one signed
 * root costs the dealer one signature, and a share is checked with log2(2k) hashes plus the
 * dealer's root signature, which is the same for every holder of that dealer.
 *
 * A leaf hashes the session, dealer, holder, the holder's index, the kind and the share value.
 * The value is a uniformly random field element, so the sibling hashes a holder sees or
 * reveals (including the leaf of the other kind of its own share) disclose nothing about any
 * share value. The slot layout is fixed by the public graph, so one slot cannot hold two leaves.
 */
import { MerkleTree, MerkleVerifier, merkleLeaf, toHex, verifyMerkleProof } from '../crypto/index.ts'
import type { Session } from './session-config.ts'
import { absentShareLeafContent, shareLeafContent } from './transcript.ts'
import type { ShareKind } from './transcript.ts'

/** The two shares a dealer deals one holder. */
export interface DealtShares {
  readonly masking: Uint8Array
  readonly selfMask: Uint8Array
}

export interface ShareCommitment {
  readonly root: Uint8Array
  /**
   * The path above the holder's pair of leaves: together with the leaf of one kind it proves
   * the other (`shareProof`). Sent inside the holder's box.
   */
  pairPath (holder: string): Uint8Array[]
}

interface SlotLayout {
  readonly position: ReadonlyMap<string, number>
  readonly slots: number
}

const layouts = new WeakMap<Session, Map<string, SlotLayout>>()

/** Slot 2p holds the s^SK share of the neighbour at position p of N(dealer) by member index, 2p + 1 its b share. */
function layoutOf (session: Session, dealer: string): SlotLayout {
  let perDealer = layouts.get(session)
  if (perDealer === undefined) layouts.set(session, perDealer = new Map())
  let layout = perDealer.get(dealer)
  if (layout === undefined) {
    const holders = [...session.graph.neighbours(dealer)].sort((a, b) => session.memberIndex.get(a)! - session.memberIndex.get(b)!)
    layout = { position: new Map(holders.map((h, i) => [h, i])), slots: 2 * holders.length }
    // Layouts are small (2k entries) and the neighbour sets are fixed per session.
    perDealer.set(dealer, layout)
  }
  return layout
}

function slotOf (layout: SlotLayout, holder: string, kind: ShareKind): number | undefined {
  const p = layout.position.get(holder)
  return p === undefined ? undefined : 2 * p + (kind === 'self-mask' ? 1 : 0)
}

function leafOf (sessionId: Uint8Array, session: Session, dealer: string, holder: string, kind: ShareKind, value: Uint8Array): Uint8Array {
  const content = shareLeafContent(sessionId, dealer, holder, session.memberIndex.get(holder)!, kind, value)
  const leaf = merkleLeaf(content)
  content.fill(0) // it holds a copy of the share
  return leaf
}

/** Depth of the dealer's tree: the number of hashes in a share's proof. */
export function shareProofLength (session: Session, dealer: string): number {
  return Math.ceil(Math.log2(layoutOf(session, dealer).slots))
}

/** Commits to the shares dealt to `shares`' holders; slots of neighbours outside U1 hold padding. */
export function commitShares (session: Session, sessionId: Uint8Array, dealer: string, shares: ReadonlyMap<string, DealtShares>): ShareCommitment {
  const layout = layoutOf(session, dealer)
  const leaves: Uint8Array[] = new Array<Uint8Array>(layout.slots)
  for (const [holder, p] of layout.position) {
    const dealt = shares.get(holder)
    leaves[2 * p] = dealt === undefined ? absentLeaf(sessionId, dealer, 2 * p) : leafOf(sessionId, session, dealer, holder, 'masking', dealt.masking)
    leaves[2 * p + 1] = dealt === undefined ? absentLeaf(sessionId, dealer, 2 * p + 1) : leafOf(sessionId, session, dealer, holder, 'self-mask', dealt.selfMask)
  }
  const tree = new MerkleTree(leaves)
  return {
    root: tree.root,
    pairPath: (holder) => tree.proof(slotOf(layout, holder, 'masking')!).slice(1)
  }
}

function absentLeaf (sessionId: Uint8Array, dealer: string, slot: number): Uint8Array {
  return merkleLeaf(absentShareLeafContent(sessionId, dealer, slot))
}

/** The proof of one kind of a holder's share: the other kind's leaf, then the pair path. */
export function shareProof (session: Session, sessionId: Uint8Array, dealer: string, holder: string, kind: ShareKind, otherValue: Uint8Array, pairPath: readonly Uint8Array[]): Uint8Array[] {
  const other: ShareKind = kind === 'masking' ? 'self-mask' : 'masking'
  return [leafOf(sessionId, session, dealer, holder, other, otherValue), ...pairPath]
}

/** True when `value` is the `kind` share dealt by `dealer` to `holder` under `root`. Never throws. */
export function verifyShare (session: Session, sessionId: Uint8Array, dealer: string, holder: string, kind: ShareKind, value: Uint8Array, root: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!session.memberIndex.has(dealer) || !session.memberIndex.has(holder)) return false
  const layout = layoutOf(session, dealer)
  const slot = slotOf(layout, holder, kind)
  if (slot === undefined) return false
  return verifyMerkleProof(leafOf(sessionId, session, dealer, holder, kind, value), slot, layout.slots, proof, root)
}

/**
 * verifyShare for many shares of the same dealers: one MerkleVerifier per (dealer, root), so
 * the t shares of a dealer the aggregator checks cost about 2t hashes instead of t·log2(2k).
 * Lives for one round of one machine (the aggregator's), never shared between machines.
 */
export class ShareVerifier {
  private readonly trees = new Map<string, MerkleVerifier>()

  constructor (private readonly session: Session, private readonly sessionId: Uint8Array) {}

  /**
   * True exactly when `value` is the `kind` share dealt by `dealer` to `holder` under `root`;
   * like verifyShare, except that proof hashes above a position already verified are not read
   * (a correct share with a garbled top of its proof is still correct). Never throws.
   */
  verify (dealer: string, holder: string, kind: ShareKind, value: Uint8Array, root: Uint8Array, proof: readonly Uint8Array[]): boolean {
    if (!this.session.memberIndex.has(dealer) || !this.session.memberIndex.has(holder)) return false
    const layout = layoutOf(this.session, dealer)
    const slot = slotOf(layout, holder, kind)
    if (slot === undefined) return false
    const key = `${dealer}\n${toHex(root)}`
    let tree = this.trees.get(key)
    if (tree === undefined) this.trees.set(key, tree = new MerkleVerifier(root, layout.slots))
    return tree.verify(leafOf(this.sessionId, this.session, dealer, holder, kind, value), slot, proof)
  }
}
