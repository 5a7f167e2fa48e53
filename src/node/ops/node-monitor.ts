/**
 * The operator's view of a running node, built from what the node already reports: every log
 * record (the coordinator logs each decision — round-start, stage, round-result,
 * aggregator-failover, participant-aborted, aggregation-aborted, aggregated; the task logs
 * round-metrics, the driver node-started), every round record as it is written (a round ends
 * exactly when rounds/<r>.json is written; the log has no single "round ended" event), and
 * the host's connection and frame events.
 *
 * It keeps ids, counts, stages and reasons only: log fields never carry secrets
 * (src/node/logger.ts), and of a round record it reads the outcome fields, never the sum.
 * `status()` is what `secagg status` prints; a listener (the Prometheus metrics) is told each
 * change as it happens, with labels from bounded sets.
 */
import { STAGES } from '../../protocol/reasons.ts'
import type { Stage } from '../../protocol/reasons.ts'
import type { Fields, Level } from '../logger.ts'
import type { CurrentRound, LastResult, MemberRef, NodeCounters, NodeStatus } from './node-status.ts'
import { abortReasonOf, failoverReasonOf, roundEndOf } from './reason-kinds.ts'
import type { FailoverReason, RoundEndReason, RoundOutcomeKind } from './reason-kinds.ts'

export type Role = 'participant' | 'aggregator'
/** Where the aggregator lost a member: before sharing its keys, its masked input, its consistency signature. */
export type DropoutStage = 'share' | 'masked' | 'consistency'
export type Direction = 'sent' | 'received'

/** Told every change as it happens (labels are bounded: kinds, roles, stages, member ids). */
export interface MonitorListener {
  roundEnded?(outcome: RoundOutcomeKind | 'late-result', reason: RoundEndReason): void
  roundStarted?(round: number): void
  failover?(reason: FailoverReason): void
  sessionAborted?(role: Role, reason: string): void
  dropout?(stage: DropoutStage, member: string): void
  stageTimed?(role: Role, stage: Stage, seconds: number): void
  connectedChanged?(count: number): void
  frame?(direction: Direction, member: string, bytes: number): void
  validation?(accuracy: number): void
}

export interface NodeMonitorInit {
  readonly self: string
  readonly consortium: string
  readonly members: readonly MemberRef[]
  /** Wall-clock ms (injected for tests). */
  readonly now?: () => number
}

/** The stages of an `aggregated` record's `droppedAt` (src/round/dropped-at.ts). */
const DROPOUT_STAGES: readonly DropoutStage[] = ['share', 'masked', 'consistency']

/** Rounds whose end is remembered, to tell a late result from a first end. */
const KEEP_ENDED = 64

const counter0: NodeCounters = {
  completed: 0, skipped: 0, aborted: 0, failovers: 0, participantAborts: 0, aggregationAborts: 0, aggregated: 0,
  framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0
}

export class NodeMonitor {
  private readonly now: () => number
  private readonly startedAt: number
  private readonly members: ReadonlyMap<string, MemberRef>
  private readonly listeners: MonitorListener[] = []
  private addresses: readonly string[] = []
  private readonly connected = new Set<string>()
  private current: CurrentRound | undefined
  private nextRound: number | undefined
  private waiting: NodeStatus['waiting']
  private failed: string | undefined
  private lastResult: LastResult | undefined
  private readonly ended = new Map<number, RoundOutcomeKind>()
  private readonly counters: { -readonly [K in keyof NodeCounters]: number } = { ...counter0 }
  private validation: { round: number, accuracy: number } | undefined
  /** Per role: the stage it is in and since when (ms), for the stage-duration histogram. */
  private readonly stageClock = new Map<Role, { round: number, attempt: number, stage: Stage, at: number }>()
  metricsAddress: string | undefined

  constructor (private readonly init: NodeMonitorInit) {
    this.now = init.now ?? Date.now
    this.startedAt = this.now()
    this.members = new Map(init.members.map((m) => [m.peerId, m.name !== undefined ? { peerId: m.peerId, name: m.name } : { peerId: m.peerId }]))
  }

  listen (listener: MonitorListener): void { this.listeners.push(listener) }

  private tell (each: (l: MonitorListener) => void): void { for (const l of this.listeners) each(l) }

  /** One log record (every level: debug `stage` events time the stages). */
  onLog (_level: Level, event: string, fields: Fields = {}): void {
    const f = fields as Record<string, unknown>
    switch (event) {
      case 'node-started':
        if (Array.isArray(f.addresses)) this.addresses = f.addresses.filter((a): a is string => typeof a === 'string')
        return
      case 'round-start': return this.roundStart(f)
      case 'waiting-for-members':
        if (typeof f.round === 'number' && typeof f.needed === 'number') {
          const missing = Array.isArray(f.missing) ? f.missing.flatMap((id) => this.members.get(String(id)) ?? []) : []
          this.waiting = { round: f.round, reachable: String(f.reachable), needed: f.needed, missing, since: this.waiting?.since ?? new Date(this.now()).toISOString() }
        }
        return
      case 'members-reachable':
        this.waiting = undefined
        return
      case 'node-failed':
        this.failed = String(f.reason)
        return
      case 'stage': return this.stage(f)
      case 'round-result':
        // Confirmed: the session is over (its stages end here), the task applies the result.
        if (this.current !== undefined && this.current.round === f.round && f.late !== true) {
          this.endStages(this.now())
          this.current = { ...this.current, stage: 'applying the result' }
        }
        return
      case 'aggregator-failover':
        this.counters.failovers++
        this.tell((l) => l.failover?.(failoverReasonOf(f.why)))
        return
      case 'participant-aborted':
        this.counters.participantAborts++
        this.tell((l) => l.sessionAborted?.('participant', abortReasonOf(f.reason)))
        return
      case 'aggregation-aborted':
        this.counters.aggregationAborts++
        this.tell((l) => l.sessionAborted?.('aggregator', abortReasonOf(f.reason)))
        return
      case 'aggregated':
        this.counters.aggregated++
        for (const stage of DROPOUT_STAGES) {
          const dropped = (typeof f.droppedAt === 'object' && f.droppedAt !== null ? f.droppedAt as Record<string, unknown> : {})[stage]
          for (const id of Array.isArray(dropped) ? dropped as unknown[] : []) if (typeof id === 'string' && this.members.has(id)) this.tell((l) => l.dropout?.(stage, id))
        }
        return
      case 'round-metrics':
        if (typeof f.accuracy === 'number' && typeof f.round === 'number') {
          this.validation = { round: f.round, accuracy: f.accuracy }
          const accuracy = f.accuracy
          this.tell((l) => l.validation?.(accuracy))
        }
    }
  }

  private roundStart (f: Record<string, unknown>): void {
    if (typeof f.round !== 'number' || typeof f.attempt !== 'number') return
    const at = this.now()
    this.current = {
      round: f.round, attempt: f.attempt, role: String(f.role), aggregator: String(f.aggregator), since: new Date(at).toISOString()
    }
    this.nextRound = undefined
    this.waiting = undefined
    this.endStages(at)
    const round = f.round
    this.tell((l) => l.roundStarted?.(round))
  }

  private stage (f: Record<string, unknown>): void {
    const { round, attempt, role, stage } = f
    if (typeof round !== 'number' || typeof attempt !== 'number' || (role !== 'participant' && role !== 'aggregator') || typeof stage !== 'string') return
    const at = this.now()
    const before = this.stageClock.get(role)
    if (before !== undefined && before.round === round && before.attempt === attempt) this.timed(role, before, at)
    if ((STAGES as readonly string[]).includes(stage)) this.stageClock.set(role, { round, attempt, stage: stage as Stage, at })
    else this.stageClock.delete(role) // done or aborted: nothing more to time
    const c = this.current
    if (c !== undefined && c.round === round && c.attempt === attempt) {
      this.current = role === 'participant' ? { ...c, stage } : { ...c, aggregatorStage: stage }
    }
  }

  /** A round record as it is written (rounds/<r>.json): the round ended here. */
  onRoundRecord (round: number, record: Record<string, unknown>): void {
    const end = roundEndOf(record)
    const first = !this.ended.has(round)
    if (first) {
      this.counters[end.outcome]++
      this.ended.set(round, end.outcome)
      for (const r of this.ended.keys()) if (r < round - KEEP_ENDED) this.ended.delete(r)
    }
    // A second record of a round: the result arrived after this member had given it up.
    this.tell((l) => l.roundEnded?.(first ? end.outcome : 'late-result', end.reason))
    if (this.lastResult === undefined || round >= this.lastResult.round) {
      const included = Array.isArray(record.included) ? record.included.length : undefined
      this.lastResult = {
        round, outcome: end.outcome, at: new Date(this.now()).toISOString(),
        ...(typeof record.attempt === 'number' ? { attempt: record.attempt } : {}),
        ...(typeof record.aggregator === 'string' ? { aggregator: record.aggregator } : {}),
        ...(included !== undefined ? { included } : {}),
        ...(typeof record.weightSum === 'number' ? { weightSum: record.weightSum } : {}),
        ...(typeof record.includedSelf === 'boolean' ? { includedSelf: record.includedSelf } : {}),
        ...(typeof record.reason === 'string' ? { reason: record.reason } : {})
      }
    }
    if (this.current !== undefined && this.current.round <= round) {
      this.current = undefined
      this.endStages(this.now())
      this.nextRound = round + 1
    }
  }

  private timed (role: Role, from: { readonly stage: Stage, readonly at: number }, at: number): void {
    const seconds = (at - from.at) / 1000
    this.tell((l) => l.stageTimed?.(role, from.stage, seconds))
  }

  /**
   * The attempt ended (a new attempt began, or the round ended): the stages still open end now.
   * A participant's unmask stage usually ends this way — the confirmed result closes its session.
   */
  private endStages (at: number): void {
    for (const [role, open] of this.stageClock) this.timed(role, open, at)
    this.stageClock.clear()
  }

  /** The host opened its first, or closed its last, connection to `peer`. */
  onConnection (peer: string, open: boolean): void {
    if (!this.members.has(peer) || peer === this.init.self) return
    const had = this.connected.has(peer)
    if (open === had) return
    if (open) this.connected.add(peer)
    else this.connected.delete(peer)
    const count = this.connected.size
    this.tell((l) => l.connectedChanged?.(count))
  }

  /** One /secagg frame of `bytes` went to or came from `peer`. */
  onFrame (direction: Direction, peer: string, bytes: number): void {
    if (direction === 'sent') { this.counters.framesSent++; this.counters.bytesSent += bytes } else { this.counters.framesReceived++; this.counters.bytesReceived += bytes }
    if (this.members.has(peer)) this.tell((l) => l.frame?.(direction, peer, bytes))
  }

  status (): NodeStatus {
    const now = this.now()
    const current = this.current
    return {
      peer: this.init.self,
      addresses: this.addresses,
      consortium: this.init.consortium,
      pid: process.pid,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeMs: now - this.startedAt,
      members: { total: this.members.size, connected: [...this.connected].sort().map((id) => this.members.get(id)!) },
      ...(current !== undefined ? { current } : {}),
      ...(this.nextRound !== undefined ? { nextRound: this.nextRound } : {}),
      ...(this.waiting !== undefined ? { waiting: this.waiting } : {}),
      ...(this.failed !== undefined ? { failed: this.failed } : {}),
      ...(this.lastResult !== undefined ? { lastResult: this.lastResult } : {}),
      counters: { ...this.counters },
      ...(this.validation !== undefined ? { validation: { ...this.validation } } : {}),
      ...(this.metricsAddress !== undefined ? { metrics: this.metricsAddress } : {})
    }
  }
}

