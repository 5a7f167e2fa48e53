/**
 * `dial-failed` warnings, at most one per member per interval: an operator must see that a
 * member is unreachable, but a member that is down is redialled every few seconds
 * (host.ts, keepConnected) and one warning per dial would bury everything else in the log.
 * The first failure is logged at once, later ones at most once per interval with the number
 * held back since the last warning; a connection resets the member, so the next outage is
 * reported at once again. Time comes from the injected `now` (the node's clock).
 */
import type { Logger } from '../logger.ts'

export const DIAL_WARNING_INTERVAL_MS = 60_000

interface PeerFailures {
  /** When the last warning for this member was logged. */
  warnedAt: number
  /** Failures since that warning, not logged. */
  suppressed: number
  /** Failures since the member was last reachable. */
  total: number
}

export class DialFailureLog {
  private readonly peers = new Map<string, PeerFailures>()

  constructor (private readonly logger: Logger, private readonly now: () => number, private readonly intervalMs = DIAL_WARNING_INTERVAL_MS) {}

  failed (peer: string, error: string): void {
    const t = this.now()
    const state = this.peers.get(peer)
    if (state !== undefined && t - state.warnedAt < this.intervalMs) {
      state.suppressed++
      state.total++
      return
    }
    const suppressed = state?.suppressed ?? 0
    const total = (state?.total ?? 0) + 1
    this.peers.set(peer, { warnedAt: t, suppressed: 0, total })
    this.logger.warn('dial-failed', {
      peer, error, failures: total,
      ...(suppressed > 0 ? { suppressed, why: `${suppressed} more failed dial(s) to this member since the last warning were not logged (at most one warning per ${this.intervalMs / 1000} s)` } : {})
    })
  }

  /** The member is reachable again: how many dials had failed since it last was (0 if none). */
  connected (peer: string): number {
    const total = this.peers.get(peer)?.total ?? 0
    this.peers.delete(peer)
    return total
  }
}
