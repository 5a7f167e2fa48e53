/**
 * Some of one simulated round's state machines, stepped one event at a time, each step
 * written down as a StepRecord: the machine's events and messages (with each message's kind,
 * whether the dropout schedule silenced it, and the shares an unmask message releases) and its
 * next deadline. The parallel simulator (parallel-swarm.ts) runs one host per worker thread
 * and one on the main thread; the main thread then applies the records — the link jitter,
 * sequence numbers, timeouts, byte counts, logs — in the sequential run's global order, so a
 * run's outcome does not depend on which thread stepped which machine.
 */
import { drainMachine } from '../protocol/index.ts'
import type { Aggregator, Participant, ProtocolEvent, SansIoMachine } from '../protocol/index.ts'
import { EventQueue } from './event-queue.ts'
import type { Scenario } from './scenario.ts'
import { SentSummaries } from './sent-summary.ts'

/** One entry of the simulator's queue: a message to deliver or a deadline to check. */
export interface QueuedEvent {
  readonly time: number
  readonly seq: number
  readonly kind: 'deliver' | 'timeout'
  readonly target: number
  readonly toAggregator: boolean
  readonly from: string
  readonly data?: Uint8Array
}

/** One message a step handed out; `data` only when it reaches the network. */
export interface SendRecord {
  readonly to: string
  readonly kind: string
  readonly data?: Uint8Array
  /** unmask-shares: the owners whose shares it releases, as 2·owner + (self-mask share ? 1 : 0). */
  readonly released?: readonly number[]
}

/** What one step of one machine did, in drain order (events, then messages). */
export interface StepRecord {
  readonly peer: number
  readonly aggregator: boolean
  readonly time: number
  /** CPU ms inside the machine (its own work; the simulator's decoding excluded). */
  readonly cpuMs: number
  readonly events: readonly ProtocolEvent[]
  readonly sends: readonly SendRecord[]
  /** The machine's deadline after the step (pollTimeout). */
  readonly deadline: number | undefined
}

/** The sequential simulator's rule: a silenced peer receives nothing, except its own aggregator while it still runs. */
export function deliverySkipped (offline: ReadonlySet<number>, ev: QueuedEvent, aggregatorIndex: number): boolean {
  return offline.has(ev.target) && !(ev.toAggregator && ev.target === aggregatorIndex && !offline.has(aggregatorIndex))
}

/** A step record's key for per-machine state: the participant's index, or `peers` for the aggregator. */
export function machineKey (s: Scenario, peer: number, aggregator: boolean): number {
  return aggregator ? s.peers : peer
}

export class MachineHost {
  private readonly participants = new Map<number, Participant>()
  private readonly aggregator: Aggregator | undefined
  /** Which of this host's peers the dropout schedule has silenced (only its own machines' sends decide). */
  private readonly offline = new Set<number>()
  /** The deadline last put on the queue per machine, as the main thread tracks it. */
  private readonly scheduled = new Map<number, number>()
  private readonly summaries: SentSummaries

  constructor (private readonly s: Scenario, peers: Iterable<number>, withAggregator: boolean, built?: (count: number) => void) {
    let count = 0
    for (const i of peers) {
      this.participants.set(i, s.participant(i))
      built?.(++count)
    }
    this.aggregator = withAggregator ? s.aggregator() : undefined
    this.summaries = new SentSummaries({ maxPeers: s.peers, vectorWords: s.dim + 1 }, s.indexOf)
  }

  get clippedCoordinates (): number {
    let sum = 0
    for (const p of this.participants.values()) sum += p.clippedCoordinates
    return sum
  }

  startAggregator (): StepRecord {
    const a = this.aggregator!
    return this.run(a, this.s.aggregatorIndex, true, 0, () => a.start(0))
  }

  startParticipant (i: number): StepRecord {
    const p = this.participants.get(i)!
    const input = this.s.inputOf(i) // drawn outside the timed step: the member's machine is given it
    return this.run(p, i, false, 0, () => { p.setInput(input, this.s.weights[i]!, 0, this.s.noiseOf(i)); p.start(0) })
  }

  /** One queued event, or undefined where the sequential loop does nothing (a stale deadline, a silenced target). */
  step (ev: QueuedEvent): StepRecord | undefined {
    const machine: SansIoMachine = ev.toAggregator ? this.aggregator! : this.participants.get(ev.target)!
    if (ev.kind === 'timeout') {
      if (machine.pollTimeout() !== ev.time) return undefined
      return this.run(machine, ev.target, ev.toAggregator, ev.time, () => machine.handleTimeout(ev.time))
    }
    if (deliverySkipped(this.offline, ev, this.s.aggregatorIndex)) return undefined
    return this.run(machine, ev.target, ev.toAggregator, ev.time, () => machine.receive(ev.from, ev.data!, ev.time))
  }

  /**
   * Steps this host's share of one conservative window [start, end): `events` (in queue order)
   * and every deadline of its own machines that falls inside the window. Nothing another
   * machine sends can land before `end`, so these are all the events of this host's machines
   * before `end`. A new deadline's sequence number is unknown here — the main thread numbers
   * it when it replays this step — but it is larger than every number already queued
   * (`nextSeq` on), and only its order against this machine's other events matters.
   */
  runWindow (events: readonly QueuedEvent[], end: number, nextSeq: number): StepRecord[] {
    const queue = new EventQueue<QueuedEvent>()
    for (const ev of events) queue.push(ev)
    const records: StepRecord[] = []
    for (let ev = queue.pop(); ev !== undefined; ev = queue.pop()) {
      const record = this.step(ev)
      if (record === undefined) continue
      records.push(record)
      const deadline = this.reschedule(record)
      if (deadline !== undefined && deadline < end) queue.push({ time: deadline, seq: nextSeq++, kind: 'timeout', target: ev.target, toAggregator: ev.toAggregator, from: '' })
    }
    return records
  }

  /** Tracks a step's deadline as the main thread will; returns it when it is newly queued. */
  reschedule (record: StepRecord): number | undefined {
    const key = machineKey(this.s, record.peer, record.aggregator)
    if (record.deadline === undefined || this.scheduled.get(key) === record.deadline) return undefined
    this.scheduled.set(key, record.deadline)
    return record.deadline
  }

  private run (machine: SansIoMachine, peer: number, aggregator: boolean, now: number, work: () => void): StepRecord {
    const start = performance.now()
    work()
    const cpuMs = performance.now() - start
    const events: ProtocolEvent[] = []
    const sends: SendRecord[] = []
    drainMachine(machine, { event: (e) => events.push(e), send: (out) => sends.push(this.sendRecord(peer, out.to, out.data)) })
    return { peer, aggregator, time: now, cpuMs, events, sends, deadline: machine.pollTimeout() }
  }

  private sendRecord (peer: number, to: string, data: Uint8Array): SendRecord {
    const { kind, released } = this.summaries.of(data)
    if (this.offline.has(peer) || this.s.isDropping(peer, kind)) {
      this.offline.add(peer)
      return { to, kind }
    }
    return released !== undefined ? { to, kind, data, released } : { to, kind, data }
  }
}
