/**
 * The shares one participant holds for its neighbours (N(u) ∩ U2): each opened box — the
 * s^SK share, the b share, the dealer's share root, its signature and the path above the
 * holder's pair of leaves — copied into one buffer owned by this table, and wiped with it.
 *
 * Why one buffer: a participant holds k boxes for the whole session. As k separate buffers
 * with views into each, the bookkeeping cost more memory than the shares (about 800 bytes per
 * ~300-byte box: at n = 10,000 in one process, 500 MB and millions of objects for the garbage
 * collector to trace); here it is one buffer and one offset per neighbour.
 */
import { ED25519_SIGNATURE_BYTES, MERKLE_HASH_BYTES, SHAMIR_SHARE_BYTES } from '../crypto/index.ts'

const S = SHAMIR_SHARE_BYTES
const SIG = ED25519_SIGNATURE_BYTES
const H = MERKLE_HASH_BYTES

/** One neighbour's entry, as views into the table (valid until the table is wiped). */
export interface HeldShares {
  readonly masking: Uint8Array
  readonly selfMask: Uint8Array
  readonly root: Uint8Array
  readonly rootSignature: Uint8Array
  /** The path above the holder's pair of leaves, hash by hash. */
  readonly path: Uint8Array[]
}

export class HeldShareTable {
  private readonly bytes: Uint8Array
  private readonly entries = new Map<string, { offset: number, length: number }>()
  private used = 0

  /** Room for `count` opened boxes of at most `maxLength` bytes each. */
  constructor (count: number, maxLength: number) {
    this.bytes = new Uint8Array(count * maxLength)
  }

  /** Copies an opened box in (the caller wipes its own copy). */
  add (owner: string, plain: Uint8Array): void {
    this.bytes.set(plain, this.used)
    this.entries.set(owner, { offset: this.used, length: plain.length })
    this.used += plain.length
  }

  get size (): number { return this.entries.size }
  has (owner: string): boolean { return this.entries.has(owner) }
  owners (): IterableIterator<string> { return this.entries.keys() }

  get (owner: string): HeldShares | undefined {
    const e = this.entries.get(owner)
    if (e === undefined) return undefined
    const box = this.bytes.subarray(e.offset, e.offset + e.length)
    const pathBytes = box.subarray(2 * S + H + SIG)
    return {
      masking: box.subarray(0, S),
      selfMask: box.subarray(S, 2 * S),
      root: box.subarray(2 * S, 2 * S + H),
      rootSignature: box.subarray(2 * S + H, 2 * S + H + SIG),
      path: Array.from({ length: pathBytes.length / H }, (_, j) => pathBytes.subarray(j * H, (j + 1) * H))
    }
  }

  /** Zeroes every share (the secrets) and forgets the entries. */
  wipe (): void {
    this.bytes.fill(0)
    this.entries.clear()
  }
}
