/**
 * One member's side of one session: its participant, plus the aggregator when this member
 * aggregates, with the messages between the two delivered in place. The round coordinator
 * and the libp2p simulator's session runner both drive it. Pure, like the machines
 * it holds: `now` in; events, messages and the next deadline out.
 */
import type { Ed25519Signer, RandomSource } from '../crypto/index.ts'
import { Aggregator, Participant, drainMachine } from '../protocol/index.ts'
import type { ProtocolEvent, SansIoMachine, SessionConfig } from '../protocol/index.ts'

export type Role = 'participant' | 'aggregator'

export interface SessionSink {
  event (role: Role, event: ProtocolEvent): void
  send (to: string, data: Uint8Array): void
  /** False once the sink wants nothing more from this session (it ended it). */
  open (): boolean
  /**
   * Consulted for every outbound message, local ones included; false suppresses it (the
   * libp2p simulator makes a peer go silent at its scheduled dropout stage).
   */
  filter? (role: Role, to: string, data: Uint8Array): boolean
}

export class MemberSession {
  readonly participant: Participant
  readonly aggregator: Aggregator | undefined
  private readonly local: Array<{ role: Role, from: string, data: Uint8Array }> = []
  private started = false
  private closed = false
  /** This member's participant left the session (no input of its own); its aggregator may go on. */
  private withdrawn = false

  constructor (config: SessionConfig, private readonly self: string, signer: Ed25519Signer, rng: RandomSource) {
    this.participant = new Participant(config, { id: self, signer }, rng)
    this.aggregator = config.aggregator === self ? new Aggregator(config, { id: self, signer }) : undefined
  }

  get isStarted (): boolean { return this.started }

  /** Starts both machines; the input may come now or later through `provideInput`. */
  start (now: number, sink: SessionSink, input?: { vector: ArrayLike<number>, weight: number, noise?: Int32Array }): void {
    this.started = true
    this.aggregator?.start(now)
    if (input !== undefined) this.participant.setInput(input.vector, input.weight, now, input.noise)
    this.participant.start(now)
    this.pump(now, sink)
  }

  provideInput (vector: ArrayLike<number>, weight: number, now: number, sink: SessionSink, noise?: Int32Array): void {
    this.participant.setInput(vector, weight, now, noise)
    this.pump(now, sink)
  }

  /**
   * This member has no usable input after all: its participant leaves at once (its secrets
   * erased; to the others it is a dropout, handled like any other), while its aggregator, if
   * it aggregates this session, goes on summing the others' inputs — one member's bad input
   * file must not cost the others their round.
   */
  withdraw (now: number, sink: SessionSink): void {
    if (this.withdrawn) return
    this.withdrawn = true
    this.participant.close(now)
    if (!this.started) {
      this.started = true
      this.aggregator?.start(now)
    }
    this.pump(now, sink)
  }

  /** A message from the network: to our aggregator if we aggregate, else to our participant. */
  deliver (from: string, data: Uint8Array, now: number, sink: SessionSink): void {
    if (this.aggregator !== undefined) this.aggregator.receive(from, data, now)
    else if (!this.withdrawn) this.participant.receive(from, data, now)
    this.pump(now, sink)
  }

  /** The earliest deadline of either machine. */
  pollTimeout (): number | undefined {
    const a = this.withdrawn ? undefined : this.participant.pollTimeout()
    const b = this.aggregator?.pollTimeout()
    return a === undefined ? b : b === undefined ? a : Math.min(a, b)
  }

  handleTimeout (now: number, sink: SessionSink): void {
    if (!this.withdrawn) this.participant.handleTimeout(now)
    this.aggregator?.handleTimeout(now)
    this.pump(now, sink)
  }

  /** Ends the session: the participant's secrets are erased at once. */
  close (now: number): void {
    if (this.closed) return
    this.closed = true
    this.participant.close(now)
  }

  private pump (now: number, sink: SessionSink): void {
    for (let guard = 0; guard < 100_000 && sink.open(); guard++) {
      if (!this.withdrawn) this.drain('participant', this.participant, sink)
      if (this.aggregator !== undefined) this.drain('aggregator', this.aggregator, sink)
      const next = this.local.shift()
      if (next === undefined) return
      if (next.role === 'aggregator') this.aggregator!.receive(next.from, next.data, now)
      else if (!this.withdrawn) this.participant.receive(next.from, next.data, now)
    }
  }

  /**
   * Events first, then messages: the coordinator records a promise (e.g. "my masked input of
   * this round goes to this attempt") on the stage event, before the message leaves; when the
   * record cannot be written, the session is ended and the message never sent.
   */
  private drain (role: Role, machine: SansIoMachine, sink: SessionSink): void {
    drainMachine(machine, {
      open: () => sink.open(),
      event: (e) => sink.event(role, e),
      send: (o) => {
        if (sink.filter?.(role, o.to, o.data) === false) return
        if (o.to === this.self) this.local.push({ role: role === 'participant' ? 'aggregator' : 'participant', from: this.self, data: o.data })
        else sink.send(o.to, o.data)
      }
    })
  }
}
