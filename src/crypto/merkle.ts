/**
 * A binary Merkle tree over a fixed number of slots (RFC 6962 §2.1 style domain separation:
 * 0x00 for leaves, 0x01 for inner nodes), padded to a power of two with a constant leaf.
 * One root commits to every slot and to the slot count (hashed in last, so a padding slot is
 * never a slot); a proof of log2(slots) hashes shows one slot's content without the others.
 * Positions are fixed, so no slot can hold two different leaves.
 */
import { bytesEqual } from './bytes.ts'
import { InvalidCryptoInputError } from './errors.ts'
import { sha256Into } from './sha256.ts'

export const MERKLE_HASH_BYTES = 32
const MAX_SLOTS = 1 << 20

/**
 * SHA-256 of the concatenated parts. A tree hashes many short inputs (65 bytes per node):
 * they are laid out in a scratch buffer and hashed in place (sha256.ts), so a hash allocates
 * only its 32-byte result, on V8's heap.
 */
function sha256 (...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  // Single-threaded: no other hash runs in between.
  const input = length <= scratch.length ? scratch.subarray(0, length) : new Uint8Array(length)
  let offset = 0
  for (const p of parts) { input.set(p, offset); offset += p.length }
  const digest = new Uint8Array(MERKLE_HASH_BYTES)
  sha256Into(input, digest)
  input.fill(0) // a leaf's content may hold a secret share: no copy outlives the hash
  return digest
}
const scratch = new Uint8Array(512)

const LEAF = Uint8Array.of(0)
const NODE = Uint8Array.of(1)
const ROOT = Uint8Array.of(3)

function countBytes (slots: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, slots, false)
  return out
}
const PADDING = sha256(Uint8Array.of(2), new TextEncoder().encode('merkle/padding'))

/** The leaf hash of some slot content. */
export function merkleLeaf (content: Uint8Array): Uint8Array {
  return sha256(LEAF, content)
}

function width (slots: number): number {
  if (!Number.isInteger(slots) || slots < 1 || slots > MAX_SLOTS) throw new InvalidCryptoInputError(`a Merkle tree needs 1..${MAX_SLOTS} slots, got ${slots}`)
  let w = 1
  while (w < slots) w *= 2
  return w
}

/** All levels of the tree, leaves first; built once, then any number of proofs are read off it. */
export class MerkleTree {
  private readonly levels: Uint8Array[][]
  private readonly slots: number

  /** `leaves[i]` is the leaf hash of slot i (from merkleLeaf). */
  constructor (leaves: readonly Uint8Array[]) {
    const w = width(leaves.length)
    this.slots = leaves.length
    let level = Array.from({ length: w }, (_, i) => {
      const leaf = leaves[i] ?? PADDING
      if (leaf.length !== MERKLE_HASH_BYTES) throw new InvalidCryptoInputError(`Merkle leaf ${i} must be ${MERKLE_HASH_BYTES} bytes`)
      return leaf
    })
    this.levels = [level]
    while (level.length > 1) {
      const next: Uint8Array[] = []
      for (let i = 0; i < level.length; i += 2) next.push(sha256(NODE, level[i]!, level[i + 1]!))
      this.levels.push(level = next)
    }
  }

  get root (): Uint8Array { return sha256(ROOT, countBytes(this.slots), this.levels[this.levels.length - 1]![0]!) }

  /** Sibling hashes from the leaf of `slot` up to (excluding) the root. */
  proof (slot: number): Uint8Array[] {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) throw new InvalidCryptoInputError(`no Merkle slot ${slot}`)
    const out: Uint8Array[] = []
    for (let l = 0, i = slot; l < this.levels.length - 1; l++, i >>= 1) out.push(this.levels[l]![i ^ 1]!)
    return out
  }
}

/** True when `proof` shows `leaf` at `slot` of a `slots`-slot tree with this root. Never throws. */
export function verifyMerkleProof (leaf: Uint8Array, slot: number, slots: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  // One proof, nothing to remember: MerkleVerifier's walk without its map and copies (a
  // holder checks one proof per received box, k per round).
  let w: number
  try { w = width(slots) } catch { return false }
  const depth = Math.log2(w)
  if (!Number.isInteger(slot) || slot < 0 || slot >= slots || proof.length !== depth || leaf.length !== MERKLE_HASH_BYTES) return false
  for (const sibling of proof) if (sibling.length !== MERKLE_HASH_BYTES) return false
  let node = leaf
  for (let level = 0, i = slot; level < depth; level++, i >>= 1) {
    const sibling = proof[level]!
    node = (i & 1) === 0 ? sha256(NODE, node, sibling) : sha256(NODE, sibling, node)
  }
  return bytesEqual(sha256(ROOT, countBytes(slots), node), root)
}

/**
 * Checks many proofs against one root. Every node on a proof that verified (its path and the
 * siblings hashed into it) is remembered by position; a later proof stops as soon as it
 * reaches a remembered position, and is valid exactly when its node there is the remembered
 * one — a different node at a committed position would be a SHA-256 collision. So a holder
 * set checking all k leaves of one tree costs about 2k hashes, not k·log2(k): the
 * aggregator checking t shares of each of n dealers, or a member checking a full key list.
 * Holds only hashes (32 bytes per position, at most 2 × the tree width), never leaf content.
 */
export class MerkleVerifier {
  private readonly known = new Map<number, Uint8Array>()
  private readonly depth: number
  private readonly root: Uint8Array

  constructor (root: Uint8Array, private readonly slots: number) {
    // A copy: the caller's buffer (a view into a received frame) may be reused or wiped, and
    // a root changed between two calls would let a proof under another tree in.
    this.root = root.slice()
    let w = 0
    try { w = width(slots) } catch { w = 0 }
    this.depth = w === 0 ? -1 : Math.log2(w)
  }

  /** True when `proof` shows `leaf` at `slot`. Never throws. */
  verify (leaf: Uint8Array, slot: number, proof: readonly Uint8Array[]): boolean {
    if (this.depth < 0 || !Number.isInteger(slot) || slot < 0 || slot >= this.slots || proof.length !== this.depth || leaf.length !== MERKLE_HASH_BYTES) return false
    for (const sibling of proof) if (sibling.length !== MERKLE_HASH_BYTES) return false
    // path[l] is the node at level l on the way up; it is compared with a remembered one first.
    const path: Uint8Array[] = []
    let node = leaf
    let i = slot
    let level = 0
    for (; level <= this.depth; level++, i >>= 1) {
      const remembered = this.known.get(position(level, i))
      if (remembered !== undefined) {
        if (!bytesEqual(node, remembered)) return false
        break
      }
      path.push(node)
      if (level === this.depth) {
        if (!bytesEqual(sha256(ROOT, countBytes(this.slots), node), this.root)) return false
        break
      }
      const sibling = proof[level]!
      node = (i & 1) === 0 ? sha256(NODE, node, sibling) : sha256(NODE, sibling, node)
    }
    // Verified: the nodes below the stopping point and their siblings are committed too.
    for (let l = 0, j = slot; l < path.length; l++, j >>= 1) {
      // Copies: the caller's proof arrays may be reused or wiped after this call.
      this.known.set(position(l, j), path[l]!.slice())
      if (l < this.depth) this.known.set(position(l, j ^ 1), proof[l]!.slice())
    }
    return true
  }
}

/** A tree position as one number: levels ≤ 20 and indices < 2^20 (MAX_SLOTS). */
function position (level: number, index: number): number {
  return level * (MAX_SLOTS * 2) + index
}
