/**
 * What a simulator needs to know about a message a machine sent: its kind (to apply the
 * dropout schedule) and, for unmask-shares, which shares it reveals (the trace the tests
 * check: never both kinds for one member). Memoized per encoded buffer, since a broadcast is
 * one encoding sent to many.
 *
 * Only this summary is kept, not the decoded message: the memo is keyed by the buffer, and a
 * participant holds its encoded unmask-shares for the rest of the session (to answer a
 * repeated request), so a memoized decoded message — every share with its root, signature
 * and proof — stayed alive with it (26,000 proof arrays mid-round at n = 3,000). Keyed by
 * buffer identity, as before: the machines never rewrite a buffer they have sent.
 */
import { decodeMessage } from '../protocol/index.ts'

/** A sent message the simulator cannot account for: the trace would be wrong, so the run stops. */
export class SimulationTraceError extends Error {
  static override name = 'SimulationTraceError'
  override name = 'SimulationTraceError'
}

export interface SentSummary {
  readonly kind: string
  /** Revealed shares as 2 · (owner's scenario index) + (1 for the self-mask share, 0 for the masking key share). */
  readonly released?: readonly number[]
}

export class SentSummaries {
  private readonly memo = new WeakMap<Uint8Array, SentSummary>()

  constructor (private readonly limits: { maxPeers: number, vectorWords: number }, private readonly indexOf: ReadonlyMap<string, number>) {}

  of (data: Uint8Array): SentSummary {
    let summary = this.memo.get(data)
    if (summary === undefined) {
      const decoded = decodeMessage(data, this.limits)
      if (!decoded.ok) summary = { kind: 'abort' }
      else if (decoded.message.kind === 'unmask-shares') {
        summary = { kind: 'unmask-shares', released: decoded.message.shares.map((share) => 2 * this.ownerIndex(share.owner) + (share.selfMask ? 1 : 0)) }
      } else summary = { kind: decoded.message.kind }
      this.memo.set(data, summary)
    }
    return summary
  }

  /** An owner outside the scenario would otherwise be filed as peer 0 (NaN >> 1) in the trace. */
  private ownerIndex (owner: string): number {
    const index = this.indexOf.get(owner)
    if (index === undefined) throw new SimulationTraceError(`unmask-shares names ${owner}, who is not a simulated peer`)
    return index
  }
}
