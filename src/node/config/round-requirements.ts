/**
 * What a consortium file implies for its rounds, derived exactly as every session derives
 * it (sessionParameters; docs/PROTOCOL.md, "The threshold rule"): c, the graph, t, and how
 * many members must be online for a round to end in a sum. `secagg consortium add` and
 * `check` print it, so an operator knows before starting how many members may be offline.
 */
import { consistencyQuorum, membersForRound, minimumSurvivors, shareholderCount } from '../../protocol/index.ts'
import { sessionParameters } from './consortium.ts'
import type { Consortium } from './consortium.ts'

type Membership = Pick<Consortium, 'members' | 'protocol'>

export interface RoundRequirements {
  readonly members: number
  /** c, and whether it is the default ⌊(n − 1)/3⌋ (it then grows with the consortium). */
  readonly maxCorrupt: number
  readonly maxCorruptIsDefault: boolean
  readonly threshold: number
  readonly neighbours: number | 'complete'
  /** k: the members holding shares of each member's secrets (n − 1 on the complete graph). */
  readonly shareholders: number
  /** No sum over fewer members is unmasked: c + 3, never fewer than 3. */
  readonly minSurvivors: number
  /** Q: consistency signatures over one survivor list before any share is revealed. */
  readonly consistencyQuorum: number
  /**
   * The fewest members online for a round to end in a sum: the aggregator's share stage
   * needs t + 1 (each member needs t others to hold its shares), the masked stage at least
   * c + 3 inputs and Q signers (src/protocol/aggregator.ts). On a SecAgg+ graph each member
   * also needs t of its own k neighbours online.
   */
  readonly online: number
}

/** Throws ProtocolConfigError when the file's protocol settings admit no safe session. */
export function roundRequirements (c: Membership): RoundRequirements {
  const n = c.members.length
  const { maxCorrupt, neighbours, threshold } = sessionParameters(c)
  const minSurvivors = minimumSurvivors(maxCorrupt)
  const quorum = consistencyQuorum(n, maxCorrupt, threshold)
  return {
    members: n,
    maxCorrupt,
    maxCorruptIsDefault: c.protocol.maxCorrupt === undefined,
    threshold,
    neighbours,
    shareholders: shareholderCount(n, neighbours),
    minSurvivors,
    consistencyQuorum: quorum,
    // The same number a running node waits for before it begins a round.
    online: membersForRound(n, maxCorrupt, threshold)
  }
}

/** Members a consortium grows to before its search for a workable size gives up. */
const SEARCH_SPAN = 256

/**
 * The fewest members (at least the current count) with which this file's protocol settings
 * give a safe session, or undefined when none up to SEARCH_SPAN more does (an explicit
 * threshold too small for the growing consortium, for instance).
 */
export function membersNeeded (c: Membership): number | undefined {
  const placeholder = { peerId: '', addresses: [] }
  // An even degree k needs more than k members (the file is refused otherwise).
  const least = Math.max(3, c.members.length, typeof c.protocol.neighbours === 'number' ? c.protocol.neighbours + 1 : 0)
  for (let n = least; n <= least + SEARCH_SPAN; n++) {
    try {
      sessionParameters({ members: Array.from({ length: n }, () => placeholder), protocol: c.protocol })
      return n
    } catch (err) {
      if ((err as Error).name !== 'ProtocolConfigError') throw err
    }
  }
  return undefined
}
