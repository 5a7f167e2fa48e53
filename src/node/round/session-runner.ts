/**
 * Drives one session's state machines (this member's participant, plus the aggregator when
 * this member aggregates) with real time: wall-clock `now`, one timer per machine for its
 * next deadline, messages to self delivered in place, others handed to `send`.
 */
import type { Ed25519Signer, RandomSource } from '../../crypto/index.ts'
import { Aggregator, Participant } from '../../protocol/index.ts'
import { systemClock } from '../clock.ts'
import type { Clock, TimerHandle } from '../clock.ts'
import type { ProtocolEvent, SansIoMachine, SessionConfig } from '../../protocol/index.ts'

export type Role = 'participant' | 'aggregator'

export interface SessionRunnerOptions {
  readonly config: SessionConfig
  readonly self: string
  readonly signer: Ed25519Signer
  readonly rng: RandomSource
  readonly send: (to: string, data: Uint8Array) => void
  readonly onEvent: (role: Role, event: ProtocolEvent) => void
  readonly clock?: Clock
  /**
   * Consulted for every outbound message, local ones included; false suppresses it. The
   * libp2p simulator uses it to make a peer go silent at its scheduled dropout stage.
   */
  readonly outbound?: (role: Role, to: string, data: Uint8Array) => boolean
}

export class SessionRunner {
  readonly participant: Participant
  readonly aggregator: Aggregator | undefined
  private readonly timers = new Map<Role, TimerHandle>()
  private readonly local: Array<{ role: Role, from: string, data: Uint8Array }> = []
  private stopped = false
  private readonly clock: Clock

  constructor (private readonly options: SessionRunnerOptions) {
    this.participant = new Participant(options.config, { id: options.self, signer: options.signer }, options.rng)
    this.aggregator = options.config.aggregator === options.self ? new Aggregator(options.config, { id: options.self, signer: options.signer }) : undefined
    this.clock = options.clock ?? systemClock
  }

  private now (): number { return this.clock.now() }

  start (input?: ArrayLike<number>, weight?: number): void {
    const now = this.now()
    this.aggregator?.start(now)
    if (input !== undefined) this.participant.setInput(input, weight ?? 1, now)
    this.participant.start(now)
    this.pump()
  }

  /**
   * The input of a session started without one (local training runs while the keys are
   * exchanged; the participant waits for it up to the masked-stage deadline).
   */
  provideInput (input: ArrayLike<number>, weight: number): void {
    if (this.stopped) return
    this.participant.setInput(input, weight, this.now())
    this.pump()
  }

  /** A message from the network: to our aggregator if we aggregate, else to our participant. */
  deliver (from: string, data: Uint8Array): void {
    if (this.stopped) return
    const machine = this.aggregator ?? this.participant
    machine.receive(from, data, this.now())
    this.pump()
  }

  /** Ends the session: timers cleared, and the participant's secrets erased at once. */
  stop (): void {
    this.stopped = true
    for (const t of this.timers.values()) this.clock.clearTimeout(t)
    this.timers.clear()
    this.participant.close(this.now())
  }

  private pump (): void {
    for (let guard = 0; guard < 100_000 && !this.stopped; guard++) {
      this.drain('participant', this.participant)
      if (this.aggregator !== undefined) this.drain('aggregator', this.aggregator)
      const next = this.local.shift()
      if (next === undefined) return
      const machine = next.role === 'aggregator' ? this.aggregator! : this.participant
      machine.receive(next.from, next.data, this.now())
    }
  }

  /**
   * Events first, then messages: the node records a promise (e.g. "my masked input of this
   * round goes to this attempt") on the stage event, durably, before the message leaves; if
   * it cannot, it stops the runner and the message is never sent.
   */
  private drain (role: Role, machine: SansIoMachine): void {
    const self = this.options.self
    for (let e = machine.pollEvent(); e !== undefined; e = machine.pollEvent()) {
      if (!this.stopped) this.options.onEvent(role, e)
    }
    for (let o = machine.pollOutbound(); o !== undefined; o = machine.pollOutbound()) {
      if (this.stopped || this.options.outbound?.(role, o.to, o.data) === false) continue
      if (o.to === self) this.local.push({ role: role === 'participant' ? 'aggregator' : 'participant', from: self, data: o.data })
      else this.options.send(o.to, o.data)
    }
    this.schedule(role, machine)
  }

  private schedule (role: Role, machine: SansIoMachine): void {
    this.clock.clearTimeout(this.timers.get(role))
    this.timers.delete(role)
    const deadline = machine.pollTimeout()
    if (deadline === undefined || this.stopped) return
    this.timers.set(role, this.clock.setTimeout(() => {
      if (this.stopped) return
      machine.handleTimeout(this.now())
      this.pump()
    }, Math.max(0, deadline - this.now())))
  }
}
