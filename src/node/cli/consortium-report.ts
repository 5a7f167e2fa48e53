/** What `secagg consortium add` and `check` print about a file's members and rounds. */
import { membersNeeded, roundRequirements } from '../config/round-requirements.ts'
import type { Consortium } from '../config/consortium.ts'

type Membership = Pick<Consortium, 'members' | 'protocol'>

function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/**
 * Lines saying how many members the file still needs, or — once rounds can run — n, c, t,
 * the graph and how many members must be online. `problem` receives what stops rounds
 * from running.
 */
export function requirementLines (c: Membership, problem: (text: string) => void): string[] {
  const n = c.members.length
  const needed = membersNeeded(c)
  if (needed === undefined) {
    problem(`protocol: no number of members gives a safe session with these settings (threshold ${String(c.protocol.threshold)}, maxCorrupt ${String(c.protocol.maxCorrupt ?? 'default')}); see docs/PROTOCOL.md, "The threshold rule"`)
    return []
  }
  if (needed > n) {
    const why = needed === 3 ? '' : ' (protocol.maxCorrupt c needs sums over c + 3 members, a degree k more than k)'
    problem(`${plural(n, 'member')}: ${needed - n} more needed before rounds can run (at least ${needed}${why})`)
    return []
  }
  const r = roundRequirements(c)
  const graph = r.neighbours === 'complete' ? `complete graph, k = ${r.shareholders} shareholders each` : `SecAgg+ degree k = ${r.shareholders}`
  const offline = r.members - r.online
  const sparse = r.neighbours === 'complete' ? '' : `, and each member needs t = ${r.threshold} of its ${r.shareholders} neighbours online`
  return [
    `n = ${r.members} members, maxCorrupt c = ${r.maxCorrupt}${r.maxCorruptIsDefault ? ' (default floor((n - 1)/3))' : ''}, threshold t = ${r.threshold}, ${graph}`,
    `a round needs ${r.online === r.members ? `all ${r.members}` : `${r.online} of the ${r.members}`} members online ` +
      `(t + 1 = ${r.threshold + 1} hold shares, no sum over fewer than c + 3 = ${r.minSurvivors}, Q = ${r.consistencyQuorum} consistency signatures)${sparse}; ` +
      (offline === 0 ? 'no member may be offline' : `${plural(offline, 'member')} may be offline`)
  ]
}
