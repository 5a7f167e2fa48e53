/** What `secagg consortium add` and `check` print about a file's members and rounds. */
import { membersNeeded, roundRequirements } from '../config/round-requirements.ts'
import type { RoundRequirements } from '../config/round-requirements.ts'
import type { Consortium } from '../config/consortium.ts'

type Membership = Pick<Consortium, 'members' | 'protocol'>

function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** Why this file needs more than 3 members, when it does. */
function whyMore (c: Membership): string {
  const { maxCorrupt, neighbours } = c.protocol
  if (maxCorrupt !== undefined && maxCorrupt > 0) return `; protocol.maxCorrupt c = ${maxCorrupt}: no sum over fewer than c + 3 members`
  if (typeof neighbours === 'number') return `; protocol.neighbours k = ${neighbours} needs more than k members`
  const { threshold } = c.protocol
  return typeof threshold === 'number' ? `; protocol.threshold t = ${threshold}: each member needs t others to hold its shares` : ''
}

/** The session parameters at the current size, or why there are none (ProtocolConfigError's message). */
function currentRequirements (c: Membership): RoundRequirements | string {
  if (c.members.length < 3) return MIN_MEMBERS
  try {
    return roundRequirements(c)
  } catch (err) {
    if ((err as Error).name !== 'ProtocolConfigError') throw err
    return (err as Error).message
  }
}

const MIN_MEMBERS = 'a consortium needs at least 3 members'

/**
 * Lines saying — once rounds can run — n, c, t, the graph and how many members must be
 * online. `problem` receives what stops rounds from running: too few members (and how many
 * more), or protocol settings that admit no safe session.
 */
export function requirementLines (c: Membership, problem: (text: string) => void): string[] {
  const n = c.members.length
  const r = currentRequirements(c)
  if (typeof r === 'string') {
    const needed = membersNeeded(c)
    if (needed !== undefined && needed > n) {
      problem(`${plural(n, 'member')}: ${needed - n} more needed before rounds can run (at least ${needed}${needed === 3 ? '' : whyMore(c)})`)
    } else {
      problem(`protocol: ${r === MIN_MEMBERS ? 'no number of members gives a safe session with these settings' : r} (docs/PROTOCOL.md, "The threshold rule")`)
    }
    return []
  }
  const graph = r.neighbours === 'complete' ? `complete graph, k = ${r.shareholders} shareholders each` : `SecAgg+ degree k = ${r.shareholders}`
  const offline = r.members - r.online
  const sparse = r.neighbours === 'complete' ? '' : `, and each member needs t = ${r.threshold} of its ${r.shareholders} neighbours online`
  return [
    `n = ${r.members} members, maxCorrupt c = ${r.maxCorrupt}${r.maxCorruptIsDefault ? ' (default floor((n - 1)/3))' : ''}, threshold t = ${r.threshold}, ${graph}`,
    `a round needs ${r.online === r.members ? `all ${r.members}` : `${r.online} of the ${r.members}`} members online ` +
      `(t + 1 = ${r.threshold + 1}: each member needs t others to hold its shares; c + 3 = ${r.minSurvivors}: the smallest sum revealed; ` +
      `Q = ${r.consistencyQuorum} consistency signatures)${sparse}; ` +
      (offline === 0 ? 'no member may be offline' : `${plural(offline, 'member')} may be offline`)
  ]
}
