/**
 * What each simulated peer's node would write to its node.log, as the machines run: the same
 * events and fields the round coordinator logs for a session (src/round/coordinator.ts,
 * docs/CLI.md "Events worth knowing"), stamped with the transport's clock (virtual ms on the
 * in-memory swarm). A simulated round has one session (round 0, attempt 0) and no result
 * delivery, so participants log no `round-result`: the aggregator's own result is the round's.
 *
 * Only ids, stages, counts and reasons are logged, never a key, seed, share or input
 * (docs/CRYPTO.md, "What is never logged").
 */
import type { ProtocolEvent, Stage } from '../protocol/index.ts'
import type { Scenario } from './scenario.ts'

export type PeerLogLevel = 'debug' | 'info' | 'warn' | 'error'
export type PeerLogFields = Record<string, string | number | boolean | null>

/** One record of peer `peer`'s log, `atMs` after the round started. */
export type PeerLog = (peer: number, atMs: number, level: PeerLogLevel, event: string, fields: PeerLogFields) => void

type Role = 'participant' | 'aggregator'

/** What every peer logs when the round begins: who aggregates and its own role. */
export function logRoundStart (log: PeerLog, s: Scenario, peer: number, atMs: number): void {
  log(peer, atMs, 'info', 'round-start', { round: s.config.round, attempt: 0, aggregator: s.config.aggregator, role: peer === s.aggregatorIndex ? 'aggregator' : 'participant' })
}

/** A peer the dropout schedule silences: from `stage` on it sends nothing. */
export function logDropout (log: PeerLog, s: Scenario, peer: number, stage: Stage, atMs: number): void {
  log(peer, atMs, 'warn', 'simulated-dropout', { round: s.config.round, attempt: 0, stage, reason: 'the dropout schedule silences this peer from this stage on' })
}

/** One event of one of the peer's machines, as the coordinator logs it. */
export function logSessionEvent (log: PeerLog, s: Scenario, peer: number, role: Role, event: ProtocolEvent, atMs: number): void {
  const session = { round: s.config.round, attempt: 0 }
  switch (event.type) {
    case 'rejected':
      log(peer, atMs, 'warn', 'message-rejected', { ...session, role, peer: event.from, reason: event.reason, detail: event.detail })
      return
    case 'stage':
      log(peer, atMs, 'debug', 'stage', { ...session, role, stage: event.stage })
      return
    case 'result': {
      const r = event.result
      log(peer, atMs, 'info', 'aggregated', { ...session, included: r.included.length, droppedAfterSharing: r.droppedAfterSharing.length })
      log(peer, atMs, 'info', 'round-result', {
        ...session, aggregator: s.config.aggregator, included: r.included.length, weightSum: r.weightSum, includedSelf: r.included.includes(s.ids[peer]!)
      })
      return
    }
    case 'aborted':
      log(peer, atMs, 'warn', role === 'aggregator' ? 'aggregation-aborted' : 'participant-aborted', { ...session, reason: event.reason, detail: event.detail })
      return
    case 'completed':
  }
}
