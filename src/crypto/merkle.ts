/**
 * A binary Merkle tree over a fixed number of slots (RFC 6962 §2.1 style domain separation:
 * 0x00 for leaves, 0x01 for inner nodes), padded to a power of two with a constant leaf.
 * One root commits to every slot and to the slot count (hashed in last, so a padding slot is
 * never a slot); a proof of log2(slots) hashes shows one slot's content without the others.
 * Positions are fixed, so no slot can hold two different leaves.
 */
import { hash } from 'node:crypto'
import { InvalidCryptoInputError } from './errors.ts'

export const MERKLE_HASH_BYTES = 32
const MAX_SLOTS = 1 << 20

/**
 * SHA-256 of the concatenated parts, one-shot: a tree hashes many short inputs (65 bytes per
 * node), where a `createHash` object per call costs more than the hash itself.
 */
function sha256 (...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const input = new Uint8Array(length)
  let offset = 0
  for (const p of parts) { input.set(p, offset); offset += p.length }
  const digest = hash('sha256', input, 'buffer')
  input.fill(0) // a leaf's content may hold a secret share: no copy outlives the hash
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

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
  let w: number
  try { w = width(slots) } catch { return false }
  if (!Number.isInteger(slot) || slot < 0 || slot >= slots || proof.length !== Math.log2(w)) return false
  let node = leaf
  let i = slot
  for (const sibling of proof) {
    if (sibling.length !== MERKLE_HASH_BYTES) return false
    node = (i & 1) === 0 ? sha256(NODE, node, sibling) : sha256(NODE, sibling, node)
    i >>= 1
  }
  node = sha256(ROOT, countBytes(slots), node)
  return node.length === root.length && node.every((b, k) => b === root[k])
}
