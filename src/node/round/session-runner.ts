/**
 * Runs one member's session (src/round/member-session.ts) on a clock: one timer for the next
 * deadline of its machines, messages to others handed to `send`. The libp2p simulator
 * (`secagg simulate --libp2p`) uses it; the node itself runs sessions through its round
 * coordinator.
 */
import type { Ed25519Signer, RandomSource } from '../../crypto/index.ts'
import type { ProtocolEvent, SessionConfig } from '../../protocol/index.ts'
import { MemberSession } from '../../round/member-session.ts'
import type { Role, SessionSink } from '../../round/member-session.ts'
import { systemClock } from '../clock.ts'
import type { Clock, TimerHandle } from '../clock.ts'

export type { Role } from '../../round/member-session.ts'

export interface SessionRunnerOptions {
  readonly config: SessionConfig
  readonly self: string
  readonly signer: Ed25519Signer
  readonly rng: RandomSource
  readonly send: (to: string, data: Uint8Array) => void
  readonly onEvent: (role: Role, event: ProtocolEvent) => void
  readonly clock?: Clock
  /** Consulted for every outbound message, local ones included; false suppresses it. */
  readonly outbound?: (role: Role, to: string, data: Uint8Array) => boolean
}

export class SessionRunner {
  private readonly session: MemberSession
  private readonly clock: Clock
  private readonly sink: SessionSink
  private timer: TimerHandle | undefined
  private stopped = false

  constructor (options: SessionRunnerOptions) {
    this.session = new MemberSession(options.config, options.self, options.signer, options.rng)
    this.clock = options.clock ?? systemClock
    this.sink = {
      open: () => !this.stopped,
      send: options.send,
      event: options.onEvent,
      ...(options.outbound !== undefined ? { filter: options.outbound } : {})
    }
  }

  /** Coordinates of the input clipped to ±clip. */
  get clippedCoordinates (): number { return this.session.participant.clippedCoordinates }

  start (input?: ArrayLike<number>, weight?: number): void {
    this.session.start(this.clock.now(), this.sink, input === undefined ? undefined : { vector: input, weight: weight ?? 1 })
    this.schedule()
  }

  /** The input, for a session started without one (`start()`): masking starts at once if the keys are exchanged. */
  provideInput (input: ArrayLike<number>, weight = 1): void {
    if (this.stopped) return
    this.session.provideInput(input, weight, this.clock.now(), this.sink)
    this.schedule()
  }

  /** Keys exchanged, only the input missing (Participant.waitingForInput). */
  get waitingForInput (): boolean { return !this.stopped && this.session.participant.waitingForInput }

  deliver (from: string, data: Uint8Array): void {
    if (this.stopped) return
    this.session.deliver(from, data, this.clock.now(), this.sink)
    this.schedule()
  }

  /** Ends the session: the timer cleared, the participant's secrets erased at once. */
  stop (): void {
    this.stopped = true
    this.clock.clearTimeout(this.timer)
    this.session.close(this.clock.now())
  }

  private schedule (): void {
    this.clock.clearTimeout(this.timer)
    const deadline = this.session.pollTimeout()
    if (deadline === undefined || this.stopped) return
    this.timer = this.clock.setTimeout(() => {
      if (this.stopped) return
      this.session.handleTimeout(this.clock.now(), this.sink)
      this.schedule()
    }, Math.max(0, deadline - this.clock.now()))
  }
}
