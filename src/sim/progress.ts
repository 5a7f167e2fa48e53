/**
 * How a long simulation says what it is doing, without knowing who listens: the simulators
 * call a ProgressSink at every step (a peer finished a stage, a member finished training) and
 * the sink decides what to show and how often. src/sim holds no terminal and no timer; the
 * CLI passes in a renderer (src/node/cli/progress-display.ts), tests pass a recorder.
 */
import { SENT_AT_STAGE } from './scenario.ts'
import type { Scenario } from './scenario.ts'
import { STAGES } from '../protocol/index.ts'
import type { ProtocolEvent, Stage } from '../protocol/index.ts'

export interface ProgressSink {
  /** A stage begins and the previous one ends; `total` units (`unit`: peers, members) are expected to finish it, 0 when not counted. */
  stage(name: string, total: number, unit?: string): void
  /** `done` units of the current stage have finished. Called at every step, so a sink must be cheap and throttle itself. */
  advance(done: number): void
  /** A short note on the current stage (training: the member, its epoch and loss). Called often, like advance. */
  note(text: string): void
  /** Training: round `index` (0-based) of `of` begins. */
  round(index: number, of: number): void
}

/** The messages a participant sends once per stage: its work in that stage is done when it sends one. */
const STAGE_MESSAGES: ReadonlySet<string> = new Set(['advertise-keys', 'share-keys', 'masked-input', 'consistency-signature', 'unmask-shares'])

/**
 * The protocol stages as the machines live them: a stage begins when the aggregator enters
 * it, and a peer has finished it when its participant sends that stage's message (after the
 * dropout schedule let it through). The expected count leaves out the peers the schedule drops
 * at or before the stage, so a stage without surprises ends at total/total.
 */
export class StageProgress {
  private readonly sent = new Map<Stage, number>()
  private current: Stage | undefined

  constructor (private readonly sink: ProgressSink, private readonly scenario: Scenario) {}

  aggregatorEvent (event: ProtocolEvent): void {
    if (event.type !== 'stage') return
    if (event.stage === 'done' || event.stage === 'aborted') {
      this.current = undefined
      return
    }
    this.current = event.stage
    this.sink.stage(event.stage, this.expected(event.stage), 'peers')
    this.sink.advance(this.sent.get(event.stage) ?? 0)
  }

  /** Peer sent a message of `kind` that reached the network. */
  participantSent (kind: string): void {
    if (!STAGE_MESSAGES.has(kind)) return
    const stage = SENT_AT_STAGE[kind]!
    const count = (this.sent.get(stage) ?? 0) + 1
    this.sent.set(stage, count)
    if (stage === this.current) this.sink.advance(count)
  }

  private expected (stage: Stage): number {
    const at = STAGES.indexOf(stage)
    let dropped = 0
    for (const s of this.scenario.dropouts.values()) if (STAGES.indexOf(s) <= at) dropped++
    return this.scenario.peers - dropped
  }
}
