/**
 * Who masks and shares with whom. The complete graph is the original protocol (Bonawitz et
 * al. 2017); SecAgg+ (Bell et al., CCS 2020, §3) uses a k-regular Harary graph H(k, n) over a
 * random permutation of the members, so every peer talks to k neighbours instead of n − 1.
 * The permutation is drawn from the session id, so every party derives the same graph and
 * neither the aggregator nor a coalition chooses it.
 */
import { seededRandom, shuffled } from '../crypto/index.ts'
import { ProtocolConfigError } from './errors.ts'

export interface NeighbourGraph {
  /** Neighbours of a member, excluding itself. */
  neighbours(id: string): ReadonlySet<string>
  /** k, or n − 1 for the complete graph. */
  readonly degree: number
  readonly complete: boolean
}

export function completeGraph (members: readonly string[]): NeighbourGraph {
  const all = new Set(members)
  const cache = new Map<string, ReadonlySet<string>>()
  return {
    degree: members.length - 1,
    complete: true,
    neighbours (id) {
      let set = cache.get(id)
      if (set === undefined) {
        set = new Set([...all].filter((m) => m !== id))
        cache.set(id, set)
      }
      return set
    }
  }
}

/** H(k, n): position p is joined to p ± 1 … p ± k/2 (mod n) in a seeded permutation. */
export function hararyGraph (members: readonly string[], degree: number, seed: Uint8Array): NeighbourGraph {
  const n = members.length
  if (!Number.isInteger(degree) || degree < 2 || degree % 2 !== 0) {
    throw new ProtocolConfigError(`SecAgg+ degree k must be an even integer ≥ 2, got ${degree}`)
  }
  if (degree >= n - 1) return completeGraph(members)
  const order = shuffled(seededRandom(seed), [...members].sort())
  const position = new Map(order.map((id, i) => [id, i]))
  // Built once per member: the aggregator asks for a member's neighbours for every share it
  // checks (n·k times a round), and a fresh k-element set each time dominated it at n = 10,000.
  const cache = new Map<string, ReadonlySet<string>>()
  const none: ReadonlySet<string> = new Set()
  return {
    degree,
    complete: false,
    neighbours (id) {
      let out = cache.get(id)
      if (out !== undefined) return out
      const p = position.get(id)
      if (p === undefined) return none
      const set = new Set<string>()
      for (let d = 1; d <= degree / 2; d++) {
        set.add(order[(p + d) % n]!)
        set.add(order[(p - d + n) % n]!)
      }
      cache.set(id, out = set)
      return out
    }
  }
}
