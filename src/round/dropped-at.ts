/**
 * Who the aggregator saw drop from a session, by the stage they stopped at, for its
 * `aggregated` log record: peer ids and stage names only, read off the result the protocol
 * already hands the aggregator (included = U3, droppedAfterSharing = U2 \ U3, the consistency
 * signatures = U4; Bonawitz et al. 2017, §4). Lets `secagg logs --summary` say who was absent
 * from a round and where.
 */
import type { RoundResult } from '../protocol/index.ts'

/**
 * `share`: sent no share keys (left at advertise or share, not in U2); `masked`: shared keys
 * but their masked input never counted; `consistency`: in the sum, but sent no consistency
 * signature. Stages with nobody are left out.
 */
export function droppedAt (members: readonly string[], r: RoundResult): Record<string, string[]> {
  const inU2 = new Set([...r.included, ...r.droppedAfterSharing])
  const signed = new Set(r.signatures.map((s) => s.peer))
  const stages: Record<string, string[]> = {
    share: members.filter((m) => !inU2.has(m)),
    masked: [...r.droppedAfterSharing],
    consistency: r.included.filter((m) => !signed.has(m))
  }
  return Object.fromEntries(Object.entries(stages).filter(([, peers]) => peers.length > 0))
}
