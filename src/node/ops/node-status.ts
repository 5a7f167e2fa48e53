/**
 * What `secagg status` shows: a snapshot of a running node, as the control socket sends it
 * (JSON). Ids, counts, stages and reasons only — never a seed, share, key or input.
 */
import type { RoundOutcomeKind } from './reason-kinds.ts'

export interface MemberRef { readonly peerId: string, readonly name?: string }

export interface CurrentRound {
  readonly round: number
  readonly attempt: number
  readonly role: string
  readonly aggregator: string
  /** This member's (participant's) stage, once its session began. */
  readonly stage?: string
  /** The aggregator's own stage, when this member aggregates the attempt. */
  readonly aggregatorStage?: string
  /** ISO time the attempt began. */
  readonly since: string
}

export interface LastResult {
  readonly round: number
  readonly attempt?: number
  readonly outcome: RoundOutcomeKind
  /** The full reason of a skipped or aborted round, as in rounds/<r>.json. */
  readonly reason?: string
  readonly aggregator?: string
  readonly included?: number
  readonly weightSum?: number
  readonly includedSelf?: boolean
  readonly at: string
}

export interface NodeCounters {
  readonly completed: number
  readonly skipped: number
  readonly aborted: number
  readonly failovers: number
  readonly participantAborts: number
  readonly aggregationAborts: number
  readonly aggregated: number
  readonly framesSent: number
  readonly framesReceived: number
  readonly bytesSent: number
  readonly bytesReceived: number
}

export interface NodeStatus {
  readonly peer: string
  /** Empty until the host listens (`node-started`). */
  readonly addresses: readonly string[]
  readonly consortium: string
  readonly pid: number
  readonly startedAt: string
  readonly uptimeMs: number
  readonly members: { readonly total: number, readonly connected: readonly MemberRef[] }
  readonly current?: CurrentRound
  /** The round this node waits to begin when it is between rounds. */
  readonly nextRound?: number
  /** Too few members reachable for a round: it begins once enough are (`waiting-for-members`). */
  readonly waiting?: { readonly round: number, readonly reachable: string, readonly needed: number, readonly missing: readonly MemberRef[], readonly since: string }
  /** Why the node gave up (`node-failed`); it is stopping. */
  readonly failed?: string
  readonly lastResult?: LastResult
  readonly counters: NodeCounters
  /** Train task: the global model's validation accuracy on this member's split, after `round`. */
  readonly validation?: { readonly round: number, readonly accuracy: number }
  /** The Prometheus endpoint, when `--metrics` is on. */
  readonly metrics?: string
}
