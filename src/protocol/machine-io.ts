/**
 * The sans-IO surface shared by both roles (the h11 / quinn-proto shape): the driver feeds
 * messages and `now` in, then drains outbound messages, the next deadline and events.
 */
import type { AbortReason, RejectReason, Stage } from './reasons.ts'
import type { DecodedSum } from './quantize.ts'

export interface Outbound {
  readonly to: string
  readonly data: Uint8Array
}

export interface RoundResult extends DecodedSum {
  /** U3: the peers whose inputs are in the sum, sorted. */
  readonly included: readonly string[]
  /** U2 \ U3: shared keys but their masked input never counted. */
  readonly droppedAfterSharing: readonly string[]
  readonly sessionId: Uint8Array
  /**
   * The Merkle root over U1's keys: with the pre-session id of (round, aggregator, ...) it
   * gives the session id, so anyone can check a result belongs to the session it names.
   */
  readonly keysRoot: Uint8Array
  /** The consistency signatures over (sessionId, included) the aggregator collected (U4). */
  readonly signatures: ReadonlyArray<{ readonly peer: string, readonly signature: Uint8Array }>
}

export type ProtocolEvent =
  | { readonly type: 'stage', readonly stage: Stage, readonly at: number }
  | { readonly type: 'rejected', readonly from: string, readonly reason: RejectReason, readonly detail: string }
  | { readonly type: 'aborted', readonly reason: AbortReason, readonly detail: string, readonly at: number }
  | { readonly type: 'result', readonly result: RoundResult, readonly at: number }
  | { readonly type: 'completed', readonly at: number }

export interface SansIoMachine {
  receive(from: string, data: Uint8Array, now: number): void
  handleTimeout(now: number): void
  pollOutbound(): Outbound | undefined
  pollTimeout(): number | undefined
  pollEvent(): ProtocolEvent | undefined
  readonly stage: Stage
}

/**
 * Queues and stage bookkeeping; subclasses implement the protocol in onReceive/onTimeout.
 * Nothing a peer sends may throw into the driver: any exception out of a subclass (a bug, or
 * an input no check foresaw) is contained here and ends the session with 'internal-error'.
 */
export abstract class MachineBase {
  private readonly outbound: Outbound[] = []
  private readonly events: ProtocolEvent[] = []
  protected deadline: number | undefined
  private currentStage: Stage = 'advertise'

  get stage (): Stage { return this.currentStage }

  receive (from: string, data: Uint8Array, now: number): void {
    if (!this.finished) this.guard(now, () => this.onReceive(from, data, now))
  }

  handleTimeout (now: number): void {
    if (this.finished || this.deadline === undefined || now < this.deadline) return
    this.guard(now, () => this.onTimeout(now))
  }

  /** Runs one step; an exception ends the session with 'internal-error' instead of escaping. */
  protected guard (now: number, step: () => void): void {
    try {
      step()
    } catch (err) {
      this.contain(err, now)
    }
  }

  protected abstract onReceive (from: string, data: Uint8Array, now: number): void
  protected abstract onTimeout (now: number): void
  /** Ends the session with a typed reason; must erase every secret. */
  protected abstract abort (reason: AbortReason, detail: string, now: number): void

  private contain (err: unknown, now: number): void {
    if (this.finished) return
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    try {
      this.abort('internal-error', detail, now)
    } catch {
      this.enterStage('aborted', now, undefined)
      this.emit({ type: 'aborted', reason: 'internal-error', detail, at: now })
    }
  }

  pollOutbound (): Outbound | undefined { return this.outbound.shift() }
  pollTimeout (): number | undefined { return this.deadline }
  pollEvent (): ProtocolEvent | undefined { return this.events.shift() }

  protected send (to: string, data: Uint8Array): void { this.outbound.push({ to, data }) }
  protected emit (event: ProtocolEvent): void { this.events.push(event) }
  protected get finished (): boolean { return this.currentStage === 'done' || this.currentStage === 'aborted' }

  protected enterStage (stage: Stage, now: number, timeout: number | undefined): void {
    this.currentStage = stage
    this.deadline = stage === 'done' || stage === 'aborted' || timeout === undefined ? undefined : now + timeout
    this.emit({ type: 'stage', stage, at: now })
  }

  protected reject (from: string, reason: RejectReason, detail: string): void {
    this.emit({ type: 'rejected', from, reason, detail })
  }
}
