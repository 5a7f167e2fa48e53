/**
 * The round coordinator: one member's life across rounds, as a pure state machine (frames,
 * inputs and `now` in; actions and one deadline out — coordinator-io.ts). Per round r and
 * attempt a the aggregator is ranking(r)[a] (protocol/ranking.ts). Rules (docs/PROTOCOL.md,
 * "Rounds without a server"):
 * - the aggregator silent past this member's own deadline → next attempt, next aggregator,
 *   fresh keys — unless this member's masked input of the round is out: then it sits the
 *   round out (one masked input per round, recorded before it is sent);
 * - a frame never moves a member to another attempt or round: its own deadline or a
 *   confirmed result does; frames of sessions not begun yet wait in a bounded buffer;
 * - a result counts only for the session it names, with the session's consistency quorum and
 *   within the bounds of an honest sum, and is applied only once a quorum of members echoed
 *   the same digest of it (result-echo.ts);
 * - an input already in an earlier sum is never contributed again.
 * - no round or attempt begins while fewer members than a round needs are reachable (once
 *   the transport reports who it reaches) — unless a member announces that very round: the
 *   member waits for them instead of running attempts that can only abort;
 * - a member without a usable input of its own sits the round out without breaking it: it
 *   still aggregates when its turn comes; after `maxInputFailures` such rounds in a row it
 *   stops (`fatal`) so that its operator notices.
 * States: waiting for members → idle (between rounds, `nextRoundAt`) → in session (round, attempt; waiting for
 * input, running, sitting out, or holding a result waiting for echoes) → applying → idle.
 */
import { toHex as hex } from '../crypto/index.ts'
import type { RandomSource } from '../crypto/index.ts'
import { aggregatorFor, attemptBinding, checkNoiseShare, consistencyQuorum, encodeInput, membersForRound, sessionDuration } from '../protocol/index.ts'
import type { AbortReason, ProtocolEvent, SessionConfig } from '../protocol/index.ts'
import type { CoordinatorAction, CoordinatorConfig, LogLevel, RoundRecord } from './coordinator-io.ts'
import { KEEP_ROUNDS, ResultDesk } from './result-desk.ts'
import { droppedAt } from './dropped-at.ts'
import { Alignment, comparePositions } from './alignment.ts'
import type { Position } from './alignment.ts'
import { FrameBuffer } from './frame-buffer.ts'
import type { BufferedFrame } from './frame-buffer.ts'
import { MemberSession } from './member-session.ts'
import { ModelSync } from './model-sync.ts'
import type { Role, SessionSink } from './member-session.ts'
import { PromiseBook } from './promise-book.ts'
import type { PromiseRecord } from './promise-book.ts'
import { encodeSignedResult } from './signed-result.ts'
import type { RoundOutcome } from './signed-result.ts'
import { Frame, FrameType, Position as PositionFrame } from './wire/round.generated.ts'
import { createHash } from 'node:crypto'

export const FRAME_VERSION = 2

interface Current {
  readonly round: number
  readonly attempt: number
  readonly aggregator: string
  readonly session: MemberSession
  /** Frames for this session that came before it started. */
  readonly early: BufferedFrame[]
  /** Frames delivered in this session: replayed if the same session restarts on a resynchronised model. */
  readonly received: BufferedFrame[]
  inputHash?: string
  /** Left out of this attempt: give up on it at this time if no result comes. */
  sitOutAt?: number
  /** A result of this round waits for echoes until this time. */
  echoWaitAt?: number
}

export class RoundCoordinator {
  private readonly actions: CoordinatorAction[] = []
  private readonly book: PromiseBook
  private readonly quorum: number
  private readonly buffer = new FrameBuffer()
  /** Results: verified, echoed, confirmed, certificates and hints (result-desk.ts). */
  private readonly desk: ResultDesk
  /** Session ids this member took part in, per round: to tell whether a late result included it. */
  private readonly ownSessions = new Map<number, Uint8Array[]>()
  /** Rounds finished without a result (skipped, aborted): a late result is still recorded. */
  private readonly unresolved = new Set<number>()
  private current: Current | undefined
  private lastFinished = -1
  private nextRoundAt: number | undefined
  private behindAt: { at: number, round: number, why: string } | undefined
  private applying: number | undefined
  private stopped = false
  private finishedAll = false
  /** The time of the input being handled. */
  private lastNow = 0
  /** Tasks with a model: its resynchronisation from the majority. */
  private readonly sync: ModelSync | undefined
  /** Where the other members are (alignment.ts): members that drifted out of phase rejoin the largest group. */
  private readonly alignment: Alignment
  /** When each member behind was last told this one's position. */
  private readonly answered = new Map<string, number>()
  /** Members (besides this one) the transport reaches now; undefined until it reports: no gate. */
  private reachableMembers: ReadonlySet<string> | undefined
  /** Members a round needs (membersForRound), this one included. */
  private readonly needed: number
  /** Waiting for enough reachable members before beginning (round, attempt). */
  private awaiting: { round: number, attempt: number, since: number, reported: number } | undefined
  /** The round to stop before (config.rounds, or set from config.moreRounds at start). */
  private endRound: number | undefined
  /** Whether a round ended (with a result or not) in this run: until then a catch-up moves endRound too. */
  private settledInRun = false
  /** Whether this run has begun any round (the start-up wait applies only before the first). */
  private begunInRun = false
  /** Consecutive rounds without a usable input of this member's own, and the last such round. */
  private inputFailures = { count: 0, round: -1 }

  constructor (private readonly config: CoordinatorConfig, stored: PromiseRecord | undefined, private readonly rng: RandomSource) {
    this.book = new PromiseBook(stored, rng(32))
    this.quorum = consistencyQuorum(config.members.length, config.maxCorrupt, config.threshold)
    this.desk = new ResultDesk(config, this.quorum, this.book, (r, a, agg) => this.sessionConfig(r, a, agg), {
      log: (level, event, fields) => this.log(level, event, fields),
      send: (to, type, round, attempt, payload, ttl, lasting) => this.send(to, type, round, attempt, payload, ttl, lasting),
      promise: (change) => this.promise(change)
    })
    this.alignment = new Alignment(config.self, Math.max(config.maxCorrupt + 1, config.members.length - config.threshold))
    this.sync = config.model === undefined ? undefined : new ModelSync(config.self, config.members, config.model, 4 * config.dim, config.timeouts)
    this.needed = membersForRound(config.members.length, config.maxCorrupt, config.threshold)
    this.endRound = config.rounds
  }

  // ---- outputs ----

  pollAction (): CoordinatorAction | undefined { return this.actions.shift() }

  /** The earliest time `handleTimeout` has something to do. */
  pollTimeout (): number | undefined {
    const c = this.current
    const times = [this.nextRoundAt, this.behindAt?.at, c?.session.pollTimeout(), c?.sitOutAt, c?.echoWaitAt, this.sync?.pollTimeout(), this.startupDeadline].filter((t): t is number => t !== undefined)
    return times.length === 0 ? undefined : Math.min(...times)
  }

  /** The round this member is in, or about to start. */
  get round (): number { return this.current?.round ?? this.lastFinished + 1 }
  get attempt (): number | undefined { return this.current?.attempt }
  private get idle (): boolean { return !this.stopped && this.current === undefined && this.nextRoundAt === undefined && this.awaiting === undefined && this.applying === undefined && this.sync?.busy !== true }
  /** The round this member stops before, if any. */
  get lastRound (): number | undefined { return this.endRound === undefined ? undefined : this.endRound - 1 }
  /** Members reachable now, this one included (undefined until the transport reports), and how many a round needs. */
  get membership (): { reachable: number | undefined, needed: number, members: number } {
    return { reachable: this.reachableMembers === undefined ? undefined : this.reachableMembers.size + 1, needed: this.needed, members: this.config.members.length }
  }
  /** Frames and sessions held for later (bounded). */
  get buffered (): { sessions: number, frames: number } { return this.buffer.size }

  /** The session every member derives for attempt `attempt` of `round`, aggregated by `aggregator`. */
  sessionConfig (round: number, attempt: number, aggregator: string): SessionConfig {
    const { config } = this
    const extra = config.policy.binding()
    const binding = attemptBinding(config.consortiumHash, attempt)
    return {
      // The task's state (train: the global model's hash) is bound in too: members on
      // different models get different session ids and never mix.
      consortium: extra === undefined ? binding : new Uint8Array(createHash('sha256').update(binding).update(extra).digest()),
      round,
      aggregator,
      members: config.members.map((id) => ({ id, signingKey: config.signingKeys.get(id)! })),
      maxCorrupt: config.maxCorrupt,
      neighbours: config.neighbours,
      threshold: config.threshold,
      vectorLength: config.dim,
      quantization: config.quantization,
      stageTimeouts: config.stageTimeouts
    }
  }

  // ---- inputs ----

  /** Starts at `nextRound` (from the member's progress record and the task's state). */
  start (nextRound: number, now: number): void {
    this.lastFinished = nextRound - 1
    if (this.config.moreRounds !== undefined) this.endRound = nextRound + this.config.moreRounds
    if (this.endRound !== undefined) this.log('info', 'rounds-planned', { first: nextRound, last: this.endRound - 1, ...(this.config.moreRounds !== undefined ? { more: this.config.moreRounds } : {}) })
    if (this.reachedEnd(nextRound)) return
    this.contained('start', now, () => {
      this.beginWhenReady(nextRound, now)
      this.resync('startup: is this member on the model most members hold?', now)
    })
  }

  stop (now: number): void {
    if (this.stopped) return
    this.endSession(now)
    this.stopped = true
    this.nextRoundAt = undefined
    this.behindAt = undefined
    this.awaiting = undefined
  }

  /**
   * The members the transport reaches now (open connections). The first report turns the
   * wait for members on; a report with enough of them begins the round this member waits for.
   */
  reachable (members: readonly string[], now: number): void {
    if (this.stopped) return
    this.contained('reachable', now, () => {
      this.reachableMembers = new Set(members.filter((m) => m !== this.config.self && this.config.signingKeys.has(m)))
      const w = this.awaiting
      if (w === undefined) return
      const count = this.reachableMembers.size + 1
      if (count >= this.needed) {
        this.awaiting = undefined
        this.log('info', 'members-reachable', { round: w.round, attempt: w.attempt, reachable: `${count}/${this.config.members.length}`, needed: this.needed, waitedMs: now - w.since })
        this.begin(w.round, w.attempt, now)
      } else if (count !== w.reported) {
        w.reported = count
        this.logWaiting(w.round, w.attempt)
      }
    })
  }

  receive (from: string, data: Uint8Array, now: number): void {
    if (!this.stopped) this.contained('receive', now, () => this.onFrame(from, data, now))
  }

  handleTimeout (now: number): void {
    if (!this.stopped) this.contained('timeout', now, () => this.onTimeout(now))
  }

  /** The input of (round, attempt) takes time (local training): start the session without it. */
  inputPending (round: number, attempt: number, now: number): void {
    this.contained('input', now, () => {
      const c = this.current
      if (c === undefined || c.round !== round || c.attempt !== attempt || c.session.isStarted) return
      this.startSession(c, now)
    })
  }

  /** The input of (round, attempt), or why there is none. */
  provideInput (round: number, attempt: number, input: { vector: ArrayLike<number>, weight: number, noise?: Int32Array } | Error, now: number): void {
    this.contained('input', now, () => {
      const c = this.current
      if (c === undefined || c.round !== round || c.attempt !== attempt) return
      if (input instanceof Error) { this.withoutInput(c, input, now); return }
      let words
      try {
        // The unchanged-input rule compares what the member contributes, not its fresh noise:
        // hashed without the noise share, which is only checked here (the participant adds it).
        checkNoiseShare(this.config.quantization, input.vector.length, input.noise)
        words = encodeInput({ ...this.config.quantization, noise: undefined }, input.vector, input.weight).words
      } catch (err) {
        // An input the consortium's settings cannot carry (a weight above maxWeight, a wrong
        // length) is this member's own input failing: it sits the round out like any other.
        this.withoutInput(c, err as Error, now)
        return
      }
      this.inputFailures = { count: 0, round: -1 }
      const hash = this.book.inputHash(words)
      if (this.book.contributed(hash)) {
        // A second sum over an unchanged input, next to one without it, reveals it.
        this.log('warn', 'input-unchanged', { round, reason: 'this input was already in an earlier sum; the member sits this round out (give the task a new input)' })
        this.finishRound(round, { round, attempt, aggregator: c.aggregator, aborted: true, reason: 'sat out: input unchanged since an earlier round' }, now)
        return
      }
      c.inputHash = hash
      if (c.session.isStarted) c.session.provideInput(input.vector, input.weight, now, this.sink(c, now), input.noise)
      else this.startSession(c, now, input)
      const clipped = c.session.participant.clippedCoordinates
      if (clipped > 0 && this.current === c) this.log('warn', 'input-clipped', { round, coordinates: clipped, clip: this.config.quantization.clip })
    })
  }

  /** A promise record could not be written: nothing that depended on it may be sent. */
  persistFailed (error: Error, now: number): void {
    for (let i = this.actions.length - 1; i >= 0; i--) if (this.actions[i]!.kind === 'send') this.actions.splice(i, 1)
    const c = this.current
    this.log('error', 'promise-not-recorded', { round: c?.round, attempt: c?.attempt, error: error.message })
    if (c !== undefined) this.finishRound(c.round, { round: c.round, attempt: c.attempt, aggregator: c.aggregator, aborted: true, reason: `could not record a promise: ${error.message}` }, now)
  }

  /** The task applied the result of `round` (fields for its record), or failed to. */
  applied (round: number, record: RoundRecord, outcome: Record<string, unknown> | Error, now: number): void {
    if (this.applying === round) this.applying = undefined
    if (outcome instanceof Error) {
      this.log('error', 'result-not-applied', { round, error: outcome.message })
      this.finishRound(round, { ...record, aborted: true, reason: `result could not be applied: ${outcome.message}` }, now)
    } else {
      this.finishRound(round, { ...record, ...outcome }, now)
    }
  }

  /** The task installed the model of an `install` action (or could not). */
  installed (round: number, outcome: Error | undefined, now: number): void {
    this.contained('installed', now, () => {
      if (outcome !== undefined) {
        this.log('error', 'model-not-installed', { round, error: outcome.message })
        this.ensureRunning(now)
        return
      }
      this.jumpTo(round, true, now)
    })
  }

  /**
   * The resync moved this member's state to the start of `round` (`installed`: a new state was
   * just installed for it). Frames of the session it was in on its old state count now if it
   * is the same session: the others bound them to the state just installed.
   */
  private jumpTo (round: number, installed: boolean, now: number): void {
    const c = this.current
    const same = installed && c !== undefined && c.round === round
    const replay = same ? [...c.received] : []
    const attempt = same ? c.attempt : 0
    if (round > this.lastFinished + 1) this.catchUp(round - this.lastFinished - 1)
    this.nextRoundAt = undefined
    this.endSession(now)
    this.applying = undefined
    this.actions.push({ kind: 'save-progress', nextRound: round })
    this.lastFinished = round - 1
    if (this.reachedEnd(round)) return
    this.begin(round, attempt, now, replay)
  }

  /** After a resync that changed nothing: an idle member starts the next round rather than wait forever. */
  private ensureRunning (now: number): void {
    if (!this.idle) return
    const next = this.lastFinished + 1
    if (this.reachedEnd(next)) return
    this.beginWhenReady(next, now)
  }

  /** Tasks with a model: asks the majority which model and round are current (model-sync.ts). */
  private resync (why: string, now: number): void {
    if (this.sync === undefined || this.stopped) return
    this.sync.resync(why, this.round, now)
    this.drainSync(now)
  }

  private drainSync (now: number): void {
    const sync = this.sync
    if (sync === undefined) return
    for (let a = sync.pollAction(); a !== undefined; a = sync.pollAction()) {
      switch (a.kind) {
        case 'send': this.send(a.to, a.type, a.round, 0, a.payload, this.config.timeouts.resultDelivery); break
        case 'log': this.log(a.level, a.event, a.fields); break
        case 'install': this.actions.push({ kind: 'install', round: a.round, bytes: a.bytes }); break
        case 'jump': this.jumpTo(a.round, false, now); break
        case 'idle': this.ensureRunning(now)
      }
    }
  }

  // ---- the rules ----

  /** Begins (round, attempt) — once enough members are reachable (reachable()) or announce it. */
  private beginWhenReady (round: number, now: number, attempt = 0): void {
    if (this.stopped) return
    const reachable = this.reachableMembers
    if (reachable === undefined || reachable.size + 1 >= this.needed) { this.begin(round, attempt, now); return }
    this.endSession(now)
    this.awaiting = { round, attempt, since: now, reported: reachable.size + 1 }
    this.logWaiting(round, attempt)
  }

  private logWaiting (round: number, attempt: number): void {
    const reachable = this.reachableMembers ?? new Set<string>()
    const missing = this.config.members.filter((m) => m !== this.config.self && !reachable.has(m))
    this.log('info', 'waiting-for-members', {
      round, ...(attempt > 0 ? { attempt } : {}), reachable: `${reachable.size + 1}/${this.config.members.length}`, needed: this.needed, missing,
      reason: `a round needs ${this.needed} of the ${this.config.members.length} members; this one reaches ${reachable.size + 1} (itself included)`
    })
  }

  /** Before the first round of this run: the time to give up waiting for the members. */
  private get startupDeadline (): number | undefined {
    const wait = this.config.timeouts.startupWait
    return this.awaiting === undefined || this.begunInRun || wait === undefined ? undefined : this.awaiting.since + wait
  }

  /** This member's input of the round failed (unreadable, invalid): sit the round out, never break it. */
  private withoutInput (c: Current, error: Error, now: number): void {
    const { round, attempt } = c
    if (this.inputFailures.round !== round) this.inputFailures = { count: this.inputFailures.count + 1, round }
    const failures = this.inputFailures.count
    this.log('error', 'input-unavailable', { round, attempt, error: error.message, consecutive: failures, reason: 'this member sits the round out; the others go on without its input' + (c.aggregator === this.config.self ? ' and it still aggregates' : '') })
    const max = this.config.maxInputFailures
    if (max !== undefined && failures >= max) {
      this.fatal(`no usable input of this member's own for ${failures} round${failures === 1 ? '' : 's'} in a row (last: ${error.message}); fix the input and restart`, now)
      return
    }
    c.session.withdraw(now, this.sink(c, now))
    // Withdrawing starts the aggregator if this member aggregates: the frames that came early
    // (the participants' keys) are its to read, or the others lose the attempt.
    this.deliverEarly(c, now)
    // Wait for the round's result (or its failure) with the others rather than run ahead.
    if (this.current === c) c.sitOutAt = now + 1.5 * sessionDuration(this.config.stageTimeouts)
  }

  private fatal (reason: string, now: number): void {
    this.log('error', 'node-failed', { round: this.round, reason })
    this.actions.push({ kind: 'fatal', reason })
    this.stop(now)
  }

  private begin (round: number, attempt: number, now: number, replay: readonly BufferedFrame[] = []): void {
    if (this.stopped) return
    this.awaiting = undefined
    this.begunInRun = true
    this.endSession(now)
    const aggregator = aggregatorFor(this.config.consortiumHash, round, attempt, this.config.members)
    const maskedIn = this.book.maskedIn(round)
    if (maskedIn !== undefined) {
      // One masked input per round: a second session over the same input (another attempt,
      // or the same one after a restart) would let an aggregator subtract two sums (the
      // difference attack). Sit the rest of the round out.
      this.log('warn', 'round-skipped', { round, attempt, reason: `this member's input of round ${round} already went to attempt ${maskedIn}` })
      this.finishRound(round, { round, attempt, aggregator, aborted: true, reason: `skipped: input already sent in attempt ${maskedIn}` }, now)
      return
    }
    const session = new MemberSession(this.sessionConfig(round, attempt, aggregator), this.config.self, this.config.signer, this.rng)
    this.current = { round, attempt, aggregator, session, early: [...replay, ...this.buffer.take(round, attempt)], received: [] }
    this.log('info', 'round-start', { round, attempt, aggregator, role: aggregator === this.config.self ? 'aggregator' : 'participant' })
    this.announce({ round, attempt })
    this.actions.push({ kind: 'need-input', round, attempt })
  }

  private startSession (c: Current, now: number, input?: { vector: ArrayLike<number>, weight: number, noise?: Int32Array }): void {
    c.session.start(now, this.sink(c, now), input)
    this.deliverEarly(c, now)
  }

  /** Frames that came before the session started, handed to it now that it has. */
  private deliverEarly (c: Current, now: number): void {
    for (const f of c.early.splice(0)) if (this.current === c) this.deliverTo(c, f, now)
  }

  private sink (c: Current, now: number): SessionSink {
    const ttl = sessionDuration(this.config.stageTimeouts)
    return {
      open: () => this.current === c && !this.stopped,
      send: (to, data) => this.send(to, FrameType.SESSION, c.round, c.attempt, data, ttl),
      event: (role, event) => this.onSessionEvent(c, role, event, now)
    }
  }

  private deliverTo (c: Current, frame: BufferedFrame, now: number): void {
    if (!c.session.isStarted) { if (c.early.length < 8 * this.config.members.length) c.early.push(frame); return }
    if (this.config.policy.resyncWhenBehind && c.received.length < 4 * this.config.members.length) c.received.push(frame)
    c.session.deliver(frame.from, frame.payload, now, this.sink(c, now))
  }

  private endSession (now: number): void {
    const c = this.current
    if (c === undefined) return
    const sid = c.session.participant.roundSessionId
    if (sid !== undefined) this.ownSessions.set(c.round, [...(this.ownSessions.get(c.round) ?? []), sid])
    for (const r of this.ownSessions.keys()) if (r < c.round - KEEP_ROUNDS) this.ownSessions.delete(r)
    this.current = undefined
    c.session.close(now)
  }

  private onTimeout (now: number): void {
    const giveUpAt = this.startupDeadline
    if (giveUpAt !== undefined && now >= giveUpAt) {
      const { reachable, needed, members } = this.membership
      this.fatal(`only ${reachable ?? 1} of ${members} members reachable after waiting ${this.config.timeouts.startupWait} ms; a round needs ${needed}. Check that the others run and that their addresses in the consortium file are right`, now)
      return
    }
    if (this.behindAt !== undefined && now >= this.behindAt.at) {
      const { round, why } = this.behindAt
      this.behindAt = undefined
      if (this.current === undefined || this.current.round <= round) this.resync(why, now)
    }
    if (this.sync !== undefined) {
      const at = this.sync.pollTimeout()
      if (at !== undefined && now >= at) { this.sync.handleTimeout(this.round, now); this.drainSync(now) }
    }
    if (this.nextRoundAt !== undefined && now >= this.nextRoundAt) {
      this.nextRoundAt = undefined
      this.beginWhenReady(this.lastFinished + 1, now)
    }
    const c = this.current
    if (c === undefined) return
    const deadline = c.session.pollTimeout()
    if (deadline !== undefined && now >= deadline) c.session.handleTimeout(now, this.sink(c, now))
    if (this.current === c && c.sitOutAt !== undefined && now >= c.sitOutAt) {
      c.sitOutAt = undefined
      this.failover(c, 'sat out an attempt that produced no result', now)
    }
    if (this.current === c && c.echoWaitAt !== undefined && now >= c.echoWaitAt) {
      c.echoWaitAt = undefined
      const seen = this.desk.echoSummary(c.round)
      this.log('warn', 'result-unconfirmed', { round: c.round, attempt: c.attempt, echoes: seen, need: this.quorum })
      this.finishRound(c.round, { round: c.round, attempt: c.attempt, aggregator: c.aggregator, aborted: true, reason: `a result arrived but fewer than ${this.quorum} members echoed it` }, now)
    }
  }

  private onFrame (from: string, data: Uint8Array, now: number): void {
    if (!this.config.signingKeys.has(from)) { this.log('warn', 'message-dropped', { peer: from, reason: 'not a member' }); return }
    let frame
    try {
      frame = Frame.decode(data)
    } catch (err) {
      this.log('warn', 'message-dropped', { peer: from, reason: `undecodable frame: ${(err as Error).message}` })
      return
    }
    if (frame.version !== FRAME_VERSION) { this.log('warn', 'message-dropped', { peer: from, reason: `frame version ${frame.version}, this node speaks ${FRAME_VERSION}` }); return }
    if (frame.round > BigInt(Number.MAX_SAFE_INTEGER) || frame.attempt > 1_000_000) { this.log('warn', 'message-dropped', { peer: from, reason: 'round or attempt out of range' }); return }
    const round = Number(frame.round)
    const attempt = frame.attempt
    switch (frame.type) {
      case FrameType.RESULT: this.onResult(from, round, attempt, frame.payload, now); return
      case FrameType.ECHO: this.onEcho(from, round, attempt, frame.payload, now); return
      case FrameType.POSITION: this.onPosition(from, round, attempt, frame.payload, now); return
      case FrameType.SESSION: this.onSessionFrame(from, round, attempt, frame.payload, now); return
      case FrameType.MODEL_QUERY: case FrameType.MODEL_STATUS: case FrameType.MODEL_FETCH: case FrameType.MODEL_DATA:
        if (this.sync === undefined) { this.log('warn', 'message-dropped', { peer: from, reason: 'model frame, but this consortium\'s task keeps no model' }); return }
        this.sync.receive(from, frame.type, round, frame.payload, this.round, now)
        this.drainSync(now)
        return
      default: this.log('warn', 'message-dropped', { peer: from, reason: `unknown frame type ${frame.type}` })
    }
  }

  private onSessionFrame (from: string, round: number, attempt: number, payload: Uint8Array, now: number): void {
    const c = this.current
    if (c === undefined) { // between rounds: keep it for the session about to begin
      if (round > this.lastFinished && FrameBuffer.withinReach(round, attempt, this.lastFinished + 1, -1)) this.keep(round, attempt, { from, payload })
      return
    }
    if (round === c.round && attempt === c.attempt) { this.deliverTo(c, { from, payload }, now); return }
    if (round < c.round || (round === c.round && attempt < c.attempt)) {
      this.log('debug', 'message-dropped', { peer: from, reason: `stale: round ${round} attempt ${attempt}, now at ${c.round}/${c.attempt}` })
      this.desk.hint(from, round, now)
      return
    }
    // Later attempts and the next round wait in the bounded buffer until this member gets
    // there on its own deadline or with a confirmed result: a frame never moves it (another
    // member's say-so would let an aggregator restart a round over the same inputs), and a
    // far-off round number costs nothing.
    if (!FrameBuffer.withinReach(round, attempt, c.round, c.attempt)) {
      this.log('debug', 'message-dropped', { peer: from, reason: `round ${round} attempt ${attempt} is too far ahead of ${c.round}/${c.attempt}` })
      return
    }
    this.keep(round, attempt, { from, payload })
    if (round > c.round && this.config.policy.resyncWhenBehind && this.behindAt === undefined) {
      // Train: the result of our round is most likely still on its way (streams are not
      // ordered) and must be applied before the next round can start from the same state.
      // Wait for it; if it does not come, fetch the state the majority holds instead.
      this.behindAt = { at: now + Math.min(this.config.timeouts.behindWait, sessionDuration(this.config.stageTimeouts)), round: c.round, why: `round ${round} started without this member having round ${c.round}'s result` }
    }
  }

  private onPosition (from: string, round: number, attempt: number, payload: Uint8Array, now: number): void {
    let at
    try {
      at = PositionFrame.decode(payload).at
    } catch (err) {
      this.log('warn', 'message-dropped', { peer: from, reason: `undecodable position: ${(err as Error).message}` })
      return
    }
    if (at > BigInt(Number.MAX_SAFE_INTEGER)) { this.log('warn', 'message-dropped', { peer: from, reason: 'position time out of range' }); return }
    if (!this.alignment.observe(from, { round, attempt }, Number(at))) return
    const w = this.awaiting
    if (w !== undefined && round === w.round) {
      // Members are running the round this one waits for, so it is not alone, whatever its own
      // connections say: a session needs it to reach the aggregator only, and c members that
      // refuse just its connections must not keep it out of every round (an attacker review).
      // A false claim only starts an attempt that fails at its deadline, as before the wait.
      this.awaiting = undefined
      this.log('info', 'members-reachable', { round, attempt: w.attempt, reachable: `${(this.reachableMembers?.size ?? 0) + 1}/${this.config.members.length}`, needed: this.needed, reason: `${from} announced this round` })
      this.begin(round, w.attempt, now)
    }
    // A member behind may have missed this one's announcement (a partition, a restart):
    // answer it with where this one is — at most once per modelFetchInterval per member.
    const own = this.position
    const last = this.answered.get(from)
    if (comparePositions({ round, attempt }, own) < 0 && (last === undefined || now - last >= this.config.timeouts.modelFetchInterval)) {
      this.answered.set(from, now)
      this.announce(own, [from])
    }
    // A round behind: the certificate of the round it is in lets it catch up at once.
    if (round < own.round) this.desk.hint(from, round, now)
    this.realign(now)
  }

  /** The session this member is in, or the one it begins next (after its last round: one past it). */
  private get position (): Position {
    const c = this.current
    if (c !== undefined) return { round: c.round, attempt: c.attempt }
    if (this.awaiting !== undefined) return { round: this.awaiting.round, attempt: this.awaiting.attempt }
    return { round: this.finishedAll && this.endRound !== undefined ? this.endRound : this.lastFinished + 1, attempt: 0 }
  }

  /** Rejoins the largest group of members if this one drifted out of phase (alignment.ts). */
  private realign (now: number): void {
    if (this.stopped || this.applying !== undefined) return
    const c = this.current
    // A session under way (this member got its key list) is not left for another.
    if (c !== undefined && c.session.isStarted && !['advertise', 'aborted', 'done'].includes(c.session.participant.stage)) return
    const own = this.position
    const to = this.alignment.target(own)
    if (to === undefined) return
    // A task with a model may follow too: if the others are there because they applied a
    // result this member lacks, their sessions are bound to another model, the first one it
    // joins is refused as `session-mismatch`, and that starts a model resync.
    this.log('warn', 'realigned', { from: `${own.round}/${own.attempt}`, to: `${to.round}/${to.attempt}`, reason: 'enough members are in that later session; this member had fallen out of phase' })
    if (to.round > own.round) {
      this.catchUp(to.round - own.round)
      // Recorded as skipped; a certificate that comes later is still recorded (late).
      this.actions.push({ kind: 'save-round', round: own.round, record: { round: own.round, attempt: own.attempt, ...(c !== undefined ? { aggregator: c.aggregator } : {}), aborted: true, reason: `skipped: the members moved on to round ${to.round}` } })
      this.unresolved.add(own.round)
      this.actions.push({ kind: 'save-progress', nextRound: to.round })
      this.lastFinished = own.round
      this.nextRoundAt = undefined
      this.endSession(now)
      if (this.reachedEnd(to.round)) return
    }
    this.begin(to.round, to.attempt, now)
  }

  /** Tells every member (or `to`) which session this one is in now (alignment.ts). */
  private announce (position: Position, to: readonly string[] = this.config.members): void {
    const payload = PositionFrame.encode({ at: BigInt(Math.max(0, Math.floor(this.lastNow))) })
    for (const m of to) if (m !== this.config.self) this.send(m, FrameType.POSITION, position.round, position.attempt, payload, this.config.stageTimeouts.advertise)
  }

  private keep (round: number, attempt: number, frame: BufferedFrame): void {
    if (!this.buffer.add(round, attempt, frame)) this.log('debug', 'message-dropped', { peer: frame.from, reason: `too many frames for session ${round}/${attempt}, not begun here yet` })
  }

  private onSessionEvent (c: Current, role: Role, event: ProtocolEvent, now: number): void {
    const { round, attempt } = c
    switch (event.type) {
      case 'rejected':
        this.log('warn', 'message-rejected', { round, attempt, role, peer: event.from, reason: event.reason, detail: event.detail })
        // The aggregator's session is bound to another state: one of us is off the common one.
        if (role === 'participant' && event.reason === 'session-mismatch') this.resync('the aggregator runs a session bound to another model', now)
        return
      case 'stage':
        this.log('debug', 'stage', { round, attempt, role, stage: event.stage })
        if (role === 'participant' && event.stage === 'masked') this.promise(() => this.book.masked(round, attempt, c.inputHash ?? 'unknown'))
        if (role === 'participant' && event.stage === 'consistency') this.promise(() => this.book.signed(round, attempt))
        if (role === 'participant' && event.stage === 'done') this.failover(c, 'no result before the participant\'s unmask deadline', now)
        return
      case 'completed':
        return
      case 'result': {
        const r = event.result
        if (r.signatures.length < this.quorum) {
          this.log('warn', 'round-skipped', { round, attempt, reason: `${r.signatures.length} consistency signatures, a result needs ${this.quorum} of ${this.config.members.length} members` })
          return
        }
        const outcome: RoundOutcome = {
          round, attempt, aggregator: this.config.self, sessionId: r.sessionId, keysRoot: r.keysRoot, included: r.included,
          sum: r.sum, weightSum: r.weightSum, signatures: r.signatures
        }
        const data = encodeSignedResult(outcome, this.config.signer)
        for (const m of this.config.members) if (m !== this.config.self) this.send(m, FrameType.RESULT, round, attempt, data, 2 * sessionDuration(this.config.stageTimeouts), true)
        this.log('info', 'aggregated', { round, attempt, included: r.included.length, droppedAfterSharing: r.droppedAfterSharing.length, droppedAt: droppedAt(this.config.members, r) })
        this.onResult(this.config.self, round, attempt, data, now)
        return
      }
      case 'aborted':
        if (role === 'aggregator') { this.log('warn', 'aggregation-aborted', { round, attempt, reason: event.reason, detail: event.detail }); return }
        this.onParticipantAbort(c, event.reason, event.detail, now)
    }
  }

  /** Records a promise before anything that depends on it leaves (the record comes first in the actions). */
  private promise (change: () => PromiseRecord): void {
    let record
    try {
      record = change()
    } catch (err) {
      // The book refuses (a second masked input, signature or echo in a round): end the
      // session at once, so the message that would break the promise is never handed out.
      this.log('error', 'promise-refused', { error: (err as Error).message })
      const c = this.current
      if (c !== undefined) this.finishRound(c.round, { round: c.round, attempt: c.attempt, aggregator: c.aggregator, aborted: true, reason: (err as Error).message }, this.lastNow)
      return
    }
    this.actions.push({ kind: 'persist-promises', record })
  }

  private onParticipantAbort (c: Current, reason: AbortReason, detail: string, now: number): void {
    this.log('warn', 'participant-aborted', { round: c.round, attempt: c.attempt, reason, detail })
    // An aggregator's ABORT reaches whom it chooses: it counts as this attempt failing, like a
    // timeout, never as the round ending — or one ABORT to one member splits the swarm.
    if (reason === 'aggregator-aborted' || reason === 'timeout') { this.failover(c, detail, now); return }
    // Left out of this attempt (e.g. joined after the key list): wait for its result or the
    // next attempt's aggregator instead of starting a competing attempt at once.
    c.sitOutAt = now + 1.5 * sessionDuration(this.config.stageTimeouts)
  }

  private failover (c: Current, why: string, now: number): void {
    if (this.current !== c) return
    const { round, attempt } = c
    // A result of this round is waiting for echoes: its own deadline decides.
    if (this.desk.hasPending(round) && c.echoWaitAt !== undefined) return
    const maskedIn = this.book.maskedIn(round)
    if (maskedIn !== undefined) {
      this.log('warn', 'round-skipped', { round, attempt, aggregator: c.aggregator, reason: `${why}; this member's input of this round already went to attempt ${maskedIn}` })
      this.finishRound(round, { round, attempt, aggregator: c.aggregator, aborted: true, reason: 'skipped: no result after this member sent its masked input' }, now)
      return
    }
    if (!this.alignment.mayAdvance({ round, attempt })) {
      // Nearly no other member has reached this attempt yet: running further ahead would only
      // widen the gap (alignment.ts). Begin it again and let the others arrive.
      this.log('info', 'attempt-restarted', { round, attempt, why, reason: 'too few members have reached this attempt yet; it begins again' })
      this.begin(round, attempt, now)
      return
    }
    if (attempt + 1 >= this.config.members.length) {
      // Every member has had its turn as aggregator and no attempt gathered enough members:
      // give the round up (no masked input of this member is out, so nothing is lost) rather
      // than cycle through it forever while the others may be waiting in the next round.
      this.log('warn', 'round-given-up', { round, attempt, why, reason: `${attempt + 1} attempts, one per member, none completed` })
      this.finishRound(round, { round, attempt, aggregator: c.aggregator, aborted: true, reason: `given up after ${attempt + 1} attempts without a result` }, now)
      return
    }
    const next = aggregatorFor(this.config.consortiumHash, round, attempt + 1, this.config.members)
    this.log('warn', 'aggregator-failover', { round, attempt, silent: c.aggregator, next, why })
    // Too few members reachable for any attempt: wait for them (or for the others to announce
    // the next attempt) instead of cycling through every aggregator.
    this.beginWhenReady(round, now, attempt + 1)
  }

  /** Whether a result for `round` can still matter here: the current or a later round, or one given up on. */
  private wants (round: number): 'now' | 'late' | undefined {
    const c = this.current
    if (this.applying === round) return undefined
    if (this.unresolved.has(round) && (c === undefined || round < c.round)) return 'late'
    if (round <= this.lastFinished || (c !== undefined && round < c.round)) return undefined
    return 'now'
  }

  private onResult (from: string, round: number, attempt: number, payload: Uint8Array, now: number): void {
    if (this.wants(round) === undefined) { this.log('debug', 'result-ignored', { round, reason: 'already past this round' }); return }
    const c = this.current
    const own = c !== undefined && c.round === round && c.attempt === attempt ? c.session.participant.roundSessionId : undefined
    if (!this.desk.receive(from, round, attempt, payload, own)) return
    if (!this.confirm(round, now) && c !== undefined && this.current === c && c.round === round && c.echoWaitAt === undefined) c.echoWaitAt = now + this.config.timeouts.echoWait
  }

  private onEcho (from: string, round: number, attempt: number, payload: Uint8Array, now: number): void {
    if (round < this.lastFinished - KEEP_ROUNDS || round > this.round + 1) { this.log('debug', 'message-dropped', { peer: from, reason: `echo for round ${round}, outside the rounds kept` }); return }
    if (this.desk.receiveEcho(from, round, attempt, payload) && this.wants(round) !== undefined) this.confirm(round, now)
  }

  /** Applies (or records) a pending result of `round` once a quorum echoed it; true if one was. */
  private confirm (round: number, now: number): boolean {
    const view = this.wants(round)
    if (view === undefined) return false
    const confirmed = this.desk.takeConfirmed(round, this.lastFinished - KEEP_ROUNDS)
    if (confirmed === undefined) return false
    this.confirmed(confirmed.outcome, view === 'late', now)
    return true
  }

  private confirmed (outcome: RoundOutcome, late: boolean, now: number): void {
    const { round, attempt } = outcome
    const c = this.current
    const own = late ? this.ownSessions.get(round) ?? [] : [c?.session.participant.roundSessionId].filter((s) => s !== undefined)
    const inSession = own.some((s) => hex(s) === hex(outcome.sessionId))
    const includedSelf = inSession && outcome.included.includes(this.config.self)
    this.log('info', 'round-result', { round, attempt, aggregator: outcome.aggregator, included: outcome.included.length, weightSum: outcome.weightSum, includedSelf, ...(late ? { late: true } : {}) })
    const record: RoundRecord = {
      round, attempt, aggregator: outcome.aggregator, sessionId: hex(outcome.sessionId), included: [...outcome.included].sort(),
      consistencySignatures: outcome.signatures.length, echoes: this.quorum, includedSelf
    }
    const decision = this.config.policy.decide(outcome, { late, inSession })
    // A result of the round this member waits to re-enter ends the wait.
    if (!late && this.awaiting !== undefined && this.awaiting.round <= round) this.awaiting = undefined
    if (decision.kind === 'apply' && !late) {
      this.endSession(now)
      this.lastFinished = Math.max(this.lastFinished, round) // a second copy of this result is ignored while it applies
      this.applying = round
      this.actions.push({ kind: 'apply', round, outcome, includedSelf, record })
      return
    }
    const fields = decision.kind === 'apply' ? {} : decision.fields
    if (late) {
      this.unresolved.delete(round)
      this.actions.push({ kind: 'save-round', round, record: { ...record, ...fields } })
      if (decision.kind === 'resync') this.resync(`the late result of round ${round} moved the others' state`, now)
      return
    }
    if (decision.kind === 'resync') {
      // No next round on a stale state: the resync starts the round the majority is in.
      this.actions.push({ kind: 'save-round', round, record: { ...record, ...fields } })
      this.endSession(now)
      this.lastFinished = Math.max(this.lastFinished, round)
      this.resync(`the result of round ${round} comes from a session this member was not in`, now)
      return
    }
    this.finishRound(round, { ...record, ...fields }, now)
  }

  private finishRound (round: number, record: RoundRecord, now: number): void {
    this.settledInRun = true
    if (this.awaiting !== undefined && this.awaiting.round <= round) this.awaiting = undefined
    this.actions.push({ kind: 'save-round', round, record })
    if (record.aborted === true) this.unresolved.add(round)
    for (const r of this.unresolved) if (r < round - KEEP_ROUNDS) this.unresolved.delete(r)
    this.actions.push({ kind: 'save-progress', nextRound: round + 1 })
    this.lastFinished = Math.max(this.lastFinished, round)
    this.endSession(now)
    if (this.reachedEnd(round + 1)) return
    this.nextRoundAt = now + this.config.roundIntervalMs
  }

  /** Jumped `by` rounds forward (realigned, resynchronised): before any round ended here, N more rounds start there. */
  private catchUp (by: number): void {
    if (this.settledInRun || this.config.moreRounds === undefined || this.endRound === undefined) return
    this.endRound += by
    this.log('info', 'rounds-planned', { first: this.endRound - this.config.moreRounds, last: this.endRound - 1, more: this.config.moreRounds, reason: 'caught up with the swarm before finishing a round' })
  }

  private reachedEnd (nextRound: number): boolean {
    const rounds = this.endRound
    if (rounds === undefined || nextRound < rounds) return false
    this.awaiting = undefined // the run is over: no wait may begin a round after it
    if (!this.finishedAll) {
      this.finishedAll = true
      this.log('info', 'rounds-done', { rounds })
      // Members still trying the last round learn that this one has left it (alignment.ts):
      // once k members have, they stop too instead of failing over forever.
      this.announce({ round: rounds, attempt: 0 })
      this.actions.push({ kind: 'done' })
    }
    return true
  }

  private send (to: string, type: FrameType, round: number, attempt: number, payload: Uint8Array, ttl: number, result = false): void {
    const frame = Frame.encode({ version: FRAME_VERSION, type, round: BigInt(round), attempt, payload: payload as Uint8Array<ArrayBuffer> })
    this.actions.push({ kind: 'send', to, frame, ttl, result })
  }

  private log (level: LogLevel, event: string, fields: Record<string, unknown>): void {
    this.actions.push({ kind: 'log', level, event, fields })
  }

  /** Nothing a peer sends can throw out of the coordinator: a failure is reported, not raised. */
  private contained (what: string, now: number, step: () => void): void {
    this.lastNow = now
    try {
      step()
    } catch (err) {
      this.log('error', 'internal-error', { in: what, error: (err as Error).message })
    }
  }
}
