/**
 * Who aggregates, without a server: for round r every member ranks all members by
 * rendezvous hashing H(consortium ‖ r ‖ peer id) (Thaler & Ravishankar's highest-random-weight
 * scheme, lowest hash first). Attempt a of round r is aggregated by ranking[a mod n]: when the
 * aggregator goes silent past its deadline, members move to the next attempt and so to the
 * next member, with fresh keys (docs/PROTOCOL.md, "Rounds without a server").
 */
import { createHash } from 'node:crypto'
import { encodeFields } from '../crypto/index.ts'

export function aggregatorRanking (consortiumHash: Uint8Array, round: number, members: readonly string[]): string[] {
  const score = (peer: string): string => createHash('sha256').update(encodeFields(['secagg/aggregator-rank', consortiumHash, round, peer])).digest('hex')
  return [...members].map((peer) => ({ peer, s: score(peer) })).sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0)).map((x) => x.peer)
}

export function aggregatorFor (consortiumHash: Uint8Array, round: number, attempt: number, members: readonly string[]): string {
  const ranking = aggregatorRanking(consortiumHash, round, members)
  return ranking[attempt % ranking.length]!
}

/** The binding of attempt a: distinct per attempt so a restarted round never reuses a session. */
export function attemptBinding (consortiumHash: Uint8Array, attempt: number): Uint8Array {
  return createHash('sha256').update(encodeFields(['secagg/attempt', consortiumHash, attempt])).digest()
}
