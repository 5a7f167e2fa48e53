/**
 * The synchronous pump for one session in memory: participants talk to the aggregator and
 * back, with no latency, on a virtual clock that jumps to the next deadline whenever nothing
 * moves. State tests, attack tests and benchmarks drive their sessions through it; hooks let
 * them rewrite, drop or take over messages in either direction.
 */
import { drainMachine } from '../protocol/index.ts'
import type { ProtocolEvent, SansIoMachine } from '../protocol/index.ts'

export interface StarSession {
  readonly aggregator: SansIoMachine
  readonly participants: readonly SansIoMachine[]
  /** participants[i]'s id. */
  readonly ids: readonly string[]
  /** The aggregator's id as participants see it (default: ids[0]). */
  readonly aggregatorId?: string
}

export interface StarHooks {
  /** Rewrite, drop (undefined) or take over a participant → aggregator message. */
  readonly up?: (from: string, data: Uint8Array, now: number) => Uint8Array | undefined
  /** Rewrite, drop (undefined) or take over an aggregator → participant message. */
  readonly down?: (to: string, data: Uint8Array, now: number) => Uint8Array | undefined
  /** Without it, events stay queued in the machines for the caller to poll. */
  readonly onEvent?: (peer: string, role: 'participant' | 'aggregator', event: ProtocolEvent) => void
  /** Nothing moved: true after injecting messages yourself (go on without a timeout), 'stop' to end here. */
  readonly quiet?: (now: number) => boolean | 'stop'
  /** Stop as soon as this holds (checked after every exchange). */
  readonly until?: () => boolean
  /** Whose deadlines move the clock: only the aggregator's (stragglers are closed by it) or everyone's. */
  readonly clock?: 'aggregator' | 'all'
  readonly maxSteps?: number
}

/** Runs until every machine is quiet (or `until`); returns the virtual time reached. */
export function pumpStar (s: StarSession, hooks: StarHooks = {}, start = 1): number {
  let now = start
  const aggregatorId = s.aggregatorId ?? s.ids[0]!
  const onEvent = hooks.onEvent
  for (let step = 0; step < (hooks.maxSteps ?? 100); step++) {
    let moved = 0
    s.participants.forEach((p, i) => {
      const from = s.ids[i]!
      drainMachine(p, {
        ...(onEvent !== undefined ? { event: (e: ProtocolEvent) => onEvent(from, 'participant', e) } : {}),
        send: (o) => {
          moved++
          const data = hooks.up ? hooks.up(from, o.data, now) : o.data
          if (data !== undefined) s.aggregator.receive(from, data, now)
        }
      })
    })
    drainMachine(s.aggregator, {
      ...(onEvent !== undefined ? { event: (e: ProtocolEvent) => onEvent(aggregatorId, 'aggregator', e) } : {}),
      send: (o) => {
        moved++
        const data = hooks.down ? hooks.down(o.to, o.data, now) : o.data
        const i = s.ids.indexOf(o.to)
        if (data !== undefined && i >= 0) s.participants[i]!.receive(aggregatorId, data, now)
      }
    })
    if (hooks.until?.() === true) return now
    if (moved > 0) continue
    const quiet = hooks.quiet?.(now)
    if (quiet === 'stop') return now
    if (quiet === true) continue
    const machines = hooks.clock === 'all' ? [s.aggregator, ...s.participants] : [s.aggregator]
    const deadlines = machines.map((m) => m.pollTimeout()).filter((d): d is number => d !== undefined)
    if (deadlines.length === 0) return now
    now = Math.max(now, Math.min(...deadlines))
    for (const m of machines) m.handleTimeout(now)
  }
  return now
}
