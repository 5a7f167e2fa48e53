/**
 * One consortium member's node: runs round after round of secure aggregation over the
 * libp2p host, with no server. Per round r and attempt a the aggregator is ranking(r)[a]
 * (protocol/ranking.ts). Rules (docs/PROTOCOL.md, "Rounds without a server"):
 * - the aggregator silent past its deadline → next attempt, next member, fresh keys — unless
 *   this member's masked input of the round is out: then it sits the round out;
 * - a frame never moves a member to another attempt or round: its own deadline or a
 *   verified result does;
 * - a result counts only for the session it names, with consistency signatures from more
 *   than half of all members and within the honest bounds.
 * Progress, results and promises live on disk; per-round secrets only in memory.
 */
import { bytesEqual, createEd25519Signer, systemRandom, toHex as hex } from '../crypto/index.ts'
import type { RandomSource } from '../crypto/index.ts'
import { computeRoundSessionId, consistencyQuorum, encodeInput, minimumSurvivors, openSession, planQuantization, sessionDuration } from '../protocol/index.ts'
import type { QuantizationPlan } from '../protocol/index.ts'
import type { AbortReason, ProtocolEvent, SessionConfig } from '../protocol/index.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { ConsortiumFileError, sessionParameters, stageTimeoutsOf } from './config/consortium.ts'
import type { LoadedConsortium, SessionParameters } from './config/consortium.ts'
import type { Identity } from './config/identity.ts'
import { loadState, saveRoundRecord, saveState } from './config/node-dir.ts'
import type { NodeConfig } from './config/node-dir.ts'
import type { Logger } from './logger.ts'
import { SwarmHost } from './net/host.ts'
import { systemClock } from './clock.ts'
import type { Clock, TimerHandle } from './clock.ts'
import { aggregatorFor, attemptBinding } from '../protocol/ranking.ts'
import { encodeSignedResult, verifySignedResult } from './round/signed-result.ts'
import type { RoundOutcome } from './round/signed-result.ts'
import { SessionRunner } from './round/session-runner.ts'
import { PromiseStore } from './round/promises.ts'
import { ModelSync } from './round/model-sync.ts'
import type { Role } from './round/session-runner.ts'
import { Frame, FrameType } from './wire/node.generated.ts'
import type { RoundTask } from './task/round-task.ts'
import { createHash } from 'node:crypto'

export interface SwarmNodeOptions {
  readonly dir: string
  readonly identity: Identity
  readonly consortium: LoadedConsortium
  readonly config: NodeConfig
  readonly listen: readonly string[]
  readonly bootstrap: readonly string[]
  readonly mdns: boolean
  /** Stop after this many rounds in total (counting rounds finished before a restart). */
  readonly rounds?: number
  readonly logger: Logger
  /** What the rounds are for (vector-sum or train). */
  readonly task: RoundTask
  /**
   * Injected parts (js-libp2p's components): the clock (default: the wall clock) and the
   * transport (default: a libp2p SwarmHost). The multi-round simulator passes a virtual clock
   * and in-memory links.
   */
  readonly components?: { readonly clock?: Clock, readonly createHost?: HostFactory, readonly rng?: RandomSource }
  /** Overrides of the node's own deadlines. */
  readonly timeouts?: Partial<SwarmNodeTimeouts>
}

/** The transport a node needs: send one frame to a member, and stop. */
export interface NodeHost {
  readonly addresses: string[]
  send(peer: string, data: Uint8Array, signal: AbortSignal): Promise<boolean>
  stop(): Promise<void>
}

export type HostFactory = (onMessage: (from: string, data: Uint8Array) => void) => Promise<NodeHost>

const FRAME_VERSION = 1
/**
 * Frames of later sessions kept until this member gets there: attempts move on every
 * member's own deadline, so a peer is at most a step or two ahead; and per sender and
 * session only as many frames as one session has steps.
 */
const BUFFER_ATTEMPTS_AHEAD = 2
const BUFFER_FRAMES_PER_SENDER = 6

/** The node's own deadlines (ms), besides the consortium's stage timeouts; `init.timeouts` overrides them. */
export interface SwarmNodeTimeouts {
  /** A member is sent the model at most this often (a resync asks each holder once per try). */
  readonly modelFetchInterval: number
  /** Train: how long to wait for our round's result once others are in the next round. */
  readonly behindWait: number
  /** Resync: how long to collect the others' (round, model hash) replies. */
  readonly statusReplies: number
  /** Resync: how long to wait for one holder's model. */
  readonly modelFetch: number
  /** Resync: pause before trying again. */
  readonly resyncRetry: number
  /** How long a RESULT, hint or model frame keeps being retried. */
  readonly resultDelivery: number
}

export const DEFAULT_NODE_TIMEOUTS: SwarmNodeTimeouts = {
  modelFetchInterval: 4_000, behindWait: 5_000, statusReplies: 3_000, modelFetch: 15_000, resyncRetry: 5_000, resultDelivery: 30_000
}

interface Current {
  round: number, attempt: number, aggregator: string, runner: SessionRunner, sends: AbortController, sessionId?: Uint8Array, sitOut?: TimerHandle
  /** Frames delivered in this session: replayed if the same session restarts on a resynchronised model. */
  received: Array<{ from: string, payload: Uint8Array }>
  /** Salted hash of this member's input, once known. */
  inputHash?: string
}

export class SwarmNode {
  private host: NodeHost | undefined
  private readonly clock: Clock
  private readonly rng: RandomSource
  private readonly timeouts: SwarmNodeTimeouts
  /** c, the graph and t of every session (the consortium file fixes them). */
  private readonly parameters: SessionParameters
  /** The fixed-point plan every session of this consortium uses. */
  private readonly quantization: QuantizationPlan
  /** Consistency signatures a result needs (the sessions' quorum, over all members). */
  private readonly resultQuorum: number
  private current: Current | undefined
  private readonly members: string[]
  private readonly signingKeys: Map<string, Uint8Array>
  private readonly signer
  /** What this member promised per round (one masked input, one signature), on disk. */
  private readonly promises: PromiseStore
  private readonly buffered = new Map<string, Array<{ from: string, payload: Uint8Array }>>()
  private readonly finished: { promise: Promise<void>, resolve: () => void }
  /** Recent results, to hand a member that is behind the result of the round it is stuck in. */
  private readonly recentResults = new Map<number, { attempt: number, payload: Uint8Array }>()
  private readonly hinted = new Set<string>()
  /** Session ids this member took part in, per round: to tell whether a late result included it. */
  private readonly ownSessions = new Map<number, Uint8Array[]>()
  /** Rounds this member finished without a result (skipped, aborted): a late result is still recorded. */
  private readonly unresolved = new Set<number>()
  private lastFinished = -1
  /** RESULT deliveries in flight: a node that is done still finishes handing its result out. */
  private readonly resultSends = new Set<Promise<boolean>>()
  private stopped = false
  private nextRoundTimer: TimerHandle | undefined
  /** Train: the model resynchronisation, with its own frames. */
  private readonly modelSync: ModelSync | undefined
  private behindTimer: TimerHandle | undefined

  constructor (private readonly options: SwarmNodeOptions) {
    this.members = options.consortium.file.members.map((m) => m.peerId)
    if (!this.members.includes(options.identity.peerId)) {
      throw new ConsortiumFileError(`this member (${options.identity.peerId}) is not listed in ${options.consortium.path}; add it to "members"`)
    }
    this.signingKeys = new Map(this.members.map((id) => [id, peerIdFromString(id).publicKey!.raw]))
    this.signer = createEd25519Signer(options.identity.privateKey.raw)
    this.clock = options.components?.clock ?? systemClock
    this.rng = options.components?.rng ?? systemRandom
    this.timeouts = { ...DEFAULT_NODE_TIMEOUTS, ...options.timeouts }
    const { protocol } = options.consortium.file
    this.parameters = sessionParameters(options.consortium.file)
    this.quantization = planQuantization({ clip: protocol.clip, maxWeight: protocol.maxWeight, members: this.members.length })
    this.resultQuorum = consistencyQuorum(this.members.length, this.parameters.maxCorrupt, this.parameters.threshold)
    const state = options.task.sync
    this.modelSync = state === undefined
      ? undefined
      : new ModelSync({
        self: this.peerId, members: this.members, state, modelBytes: 4 * options.task.dim, clock: this.clock, logger: options.logger, timeouts: this.timeouts,
        roundNow: () => this.current?.round ?? this.lastFinished + 1, // the round this member is in, or about to start
        send: (to, type, round, payload) => this.sendFrame(to, type, round, 0, payload, AbortSignal.timeout(this.timeouts.resultDelivery)),
        jumpTo: (round, installed) => {
          // Messages of the session this member was in on its old model (rejected then) count
          // now: the others bound them to the model just installed.
          const c = this.current
          const same = installed && c !== undefined && c.round === round
          this.restartAt(round, same ? c.received : [], same ? c.attempt : 0)
        },
        idle: () => this.ensureRunning(),
        stopped: () => this.stopped,
        timer: (what, fn, ms) => this.timer(what, fn, ms)
      })
    this.promises = new PromiseStore(options.dir)
    let resolve!: () => void
    this.finished = { promise: new Promise<void>((r) => { resolve = r }), resolve }
  }

  get peerId (): string { return this.options.identity.peerId }
  get addresses (): string[] { return this.host?.addresses ?? [] }
  /** Resolves when --rounds are done or the node is stopped. */
  get done (): Promise<void> { return this.finished.promise }

  async start (): Promise<void> {
    const { consortium, logger } = this.options
    const onMessage = (from: string, data: Uint8Array): void => this.contained('on-message', () => this.onMessage(from, data))
    const createHost = this.options.components?.createHost
    this.host = createHost !== undefined
      ? await createHost(onMessage)
      : await SwarmHost.start({
        identity: this.options.identity,
        members: new Map(consortium.file.members.map((m) => [m.peerId, m.addresses])),
        listen: this.options.listen,
        bootstrap: this.options.bootstrap,
        mdns: this.options.mdns,
        maxMessageBytes: consortium.file.protocol.maxMessageBytes,
        logger,
        onMessage
      })
    logger.info('node-started', { peer: this.peerId, addresses: this.host.addresses, consortium: consortium.file.consortium, consortiumHash: hex(consortium.hash) })
    const nextRound = Math.max(loadState(this.options.dir).nextRound, this.options.task.resumeRound ?? 0)
    this.lastFinished = nextRound - 1
    if (this.options.rounds !== undefined && nextRound >= this.options.rounds) { this.finished.resolve(); return }
    this.begin(nextRound, 0)
    if (this.modelSync !== undefined) void this.resync('startup: is this member on the model most members hold?')
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.clock.clearTimeout(this.nextRoundTimer)
    this.modelSync?.stop()
    this.clock.clearTimeout(this.behindTimer)
    this.endSession()
    await Promise.race([Promise.allSettled([...this.resultSends]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
    await this.host?.stop()
    this.options.task.close()
    this.finished.resolve()
  }

  /** A timer whose callback cannot crash the process: a failure is logged, not thrown. */
  private timer (what: string, fn: () => void, ms: number): TimerHandle {
    return this.clock.setTimeout(() => this.contained(what, fn), ms)
  }

  /** Runs a step triggered from outside (a frame, a timer); nothing a peer sends can kill the node. */
  private contained (what: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.options.logger.error('internal-error', { in: what, error: (err as Error).message })
    }
  }

  /** How long one attempt can take when every stage runs to its deadline. */
  private get sessionSpan (): number {
    return sessionDuration(stageTimeoutsOf(this.options.consortium.file))
  }

  /** The session every member derives for attempt `attempt` of `round`, aggregated by `aggregator`. */
  sessionConfig (round: number, attempt: number, aggregator: string): SessionConfig {
    const extra = this.options.task.binding()
    const binding = attemptBinding(this.options.consortium.hash, attempt)
    return {
      // The task's state (train: the global model's hash) is bound in too: members on
      // different models get different session ids and never mix.
      consortium: extra === undefined ? binding : createHash('sha256').update(binding).update(extra).digest(),
      round,
      aggregator,
      members: this.members.map((id) => ({ id, signingKey: this.signingKeys.get(id)! })),
      ...this.parameters,
      vectorLength: this.options.task.dim,
      quantization: this.quantization,
      stageTimeouts: stageTimeoutsOf(this.options.consortium.file)
    }
  }

  private begin (round: number, attempt: number, replay: ReadonlyArray<{ from: string, payload: Uint8Array }> = []): void {
    if (this.stopped) return
    this.endSession()
    const { logger } = this.options
    const aggregator = aggregatorFor(this.options.consortium.hash, round, attempt, this.members)
    const maskedIn = this.promises.maskedIn(round)
    if (maskedIn !== undefined) {
      // One masked input per round: a second session over the same input (another attempt,
      // or the same one after a restart) would let an aggregator subtract two sums (the
      // difference attack). Sit the rest of the round out.
      logger.warn('round-skipped', { round, attempt, reason: `this member's input of round ${round} already went to attempt ${maskedIn}` })
      this.finishRound(round, { round, attempt, aggregator, aborted: true, reason: `skipped: input already sent in attempt ${maskedIn}` })
      return
    }
    const config = this.sessionConfig(round, attempt, aggregator)
    const sends = new AbortController()
    const runner = new SessionRunner({
      config, self: this.peerId, signer: this.signer, rng: this.rng,
      clock: { now: () => this.clock.now(), setTimeout: (fn, ms) => this.timer('session', fn, ms), clearTimeout: (h) => this.clock.clearTimeout(h) },
      send: (to, data) => this.sendFrame(to, FrameType.SESSION, round, attempt, data, sends.signal),
      onEvent: (role, event) => this.onSessionEvent(round, attempt, role, event)
    })
    this.current = { round, attempt, aggregator, runner, sends, received: [] }
    logger.info('round-start', { round, attempt, aggregator, role: aggregator === this.peerId ? 'aggregator' : 'participant' })
    const inputFailed = (err: unknown): void => {
      logger.error('input-unavailable', { round, error: (err as Error).message })
      this.finishRound(round, { round, attempt, aborted: true, reason: 'input-unavailable' })
    }
    const clipped = (): void => {
      if (runner.participant.clippedCoordinates > 0) logger.warn('input-clipped', { round, coordinates: runner.participant.clippedCoordinates, clip: this.options.consortium.file.protocol.clip })
    }
    /** False (and the round sat out) when this exact input was already in an earlier sum. */
    const fresh = (vector: ArrayLike<number>, weight: number): boolean => {
      const hash = this.promises.inputHash(encodeInput(this.quantization, vector, weight).words)
      if (this.promises.contributed(hash)) {
        // A second sum over an unchanged input, next to one without it, reveals it.
        logger.warn('input-unchanged', { round, reason: 'this input was already in an earlier sum; the member sits this round out (give the task a new input)' })
        this.finishRound(round, { round, attempt, aggregator, aborted: true, reason: 'sat out: input unchanged since an earlier round' })
        return false
      }
      if (this.current?.runner === runner) this.current.inputHash = hash
      return true
    }
    let input
    try {
      input = this.options.task.input(round)
    } catch (err) {
      inputFailed(err)
      return
    }
    if (input instanceof Promise) {
      // Local training runs while the keys are exchanged; the participant waits for it up to
      // the masked-stage deadline.
      runner.start()
      input.then((ready) => {
        if (this.current?.runner !== runner) return
        try {
          if (!fresh(ready.vector, ready.weight)) return
          runner.provideInput(ready.vector, ready.weight)
          clipped()
        } catch (err) { inputFailed(err) }
      }, (err: unknown) => { if (this.current?.runner === runner && !sends.signal.aborted) inputFailed(err) })
    } else {
      try {
        if (!fresh(input.vector, input.weight)) return
        runner.start(input.vector, input.weight)
        clipped()
      } catch (err) {
        inputFailed(err)
        return
      }
    }
    const key = `${round}/${attempt}`
    for (const m of [...replay, ...(this.buffered.get(key) ?? [])]) this.deliverTo(this.current, m.from, m.payload)
    for (const k of [...this.buffered.keys()]) if (Number(k.split('/')[0]) <= round) this.buffered.delete(k)
  }

  private endSession (): void {
    const c = this.current
    if (c === undefined) return
    const sid = c.runner.participant.roundSessionId
    if (sid !== undefined) this.ownSessions.set(c.round, [...(this.ownSessions.get(c.round) ?? []), sid])
    for (const r of this.ownSessions.keys()) if (r < c.round - 8) this.ownSessions.delete(r)
    c.runner.stop()
    c.sends.abort()
    this.clock.clearTimeout(c.sitOut)
    this.current = undefined
  }

  private sendFrame (to: string, type: FrameType, round: number, attempt: number, payload: Uint8Array, signal: AbortSignal): void {
    const data = Frame.encode({ version: FRAME_VERSION, type, round: BigInt(round), attempt, payload: payload as Uint8Array<ArrayBuffer> })
    const sending = this.host!.send(to, data, signal).then((ok) => {
      if (!ok) this.options.logger.debug('send-abandoned', { to, round, attempt })
      return ok
    })
    if (type === FrameType.RESULT) {
      this.resultSends.add(sending)
      void sending.finally(() => this.resultSends.delete(sending))
    }
  }

  private onMessage (from: string, data: Uint8Array): void {
    const { logger } = this.options
    let frame
    try {
      frame = Frame.decode(data)
    } catch (err) {
      logger.warn('message-dropped', { peer: from, reason: `undecodable frame: ${(err as Error).message}` })
      return
    }
    if (frame.version !== FRAME_VERSION) { logger.warn('message-dropped', { peer: from, reason: `frame version ${frame.version}` }); return }
    if (frame.round > BigInt(Number.MAX_SAFE_INTEGER) || frame.attempt > 1_000_000) { logger.warn('message-dropped', { peer: from, reason: 'round or attempt out of range' }); return }
    const round = Number(frame.round)
    const attempt = frame.attempt
    if (frame.type === FrameType.RESULT) { this.onResult(from, round, attempt, frame.payload); return }
    if (frame.type === FrameType.MODEL_QUERY || frame.type === FrameType.MODEL_STATUS || frame.type === FrameType.MODEL_FETCH || frame.type === FrameType.MODEL_DATA) {
      if (this.modelSync === undefined) { logger.warn('message-dropped', { peer: from, reason: `${frame.type} frame, but this consortium's task keeps no model` }); return }
      this.modelSync.onFrame(from, frame.type, round, frame.payload)
      return
    }
    if (frame.type !== FrameType.SESSION) { logger.warn('message-dropped', { peer: from, reason: `unknown frame type ${frame.type}` }); return }
    const c = this.current
    if (c === undefined) { // between rounds: keep it for the session about to begin
      if (round > this.lastFinished && round <= this.lastFinished + 2 && attempt <= BUFFER_ATTEMPTS_AHEAD) this.buffer(round, attempt, from, frame.payload)
      return
    }
    if (round === c.round && attempt === c.attempt) { this.deliverTo(c, from, frame.payload); return }
    if (round < c.round || (round === c.round && attempt < c.attempt)) {
      logger.debug('message-dropped', { peer: from, reason: `stale: round ${round} attempt ${attempt}, now at ${c.round}/${c.attempt}` })
      // The sender is behind (e.g. restarted): hand it that round's result once — or the latest
      // one held, which it verifies and jumps past in one step — so it catches up.
      const hintRound = this.recentResults.has(round) ? round : Math.max(-1, ...this.recentResults.keys())
      const result = this.recentResults.get(hintRound)
      if (result !== undefined && !this.hinted.has(`${from}/${round}`)) {
        this.hinted.add(`${from}/${round}`)
        if (this.hinted.size > 16 * this.members.length) this.hinted.clear() // bounded: at worst a hint is sent again
        this.sendFrame(from, FrameType.RESULT, hintRound, result.attempt, result.payload, AbortSignal.timeout(this.timeouts.resultDelivery))
      }
      return
    }
    // Later attempts and the next round wait in a bounded buffer until this member gets
    // there on its own deadline or with a verified result: a frame never moves it (another
    // member's say-so would let an aggregator restart a round over the same inputs), and a
    // far-off round number costs nothing.
    if (round > c.round + 1 || (round === c.round && attempt > c.attempt + BUFFER_ATTEMPTS_AHEAD) || (round > c.round && attempt > BUFFER_ATTEMPTS_AHEAD)) {
      logger.debug('message-dropped', { peer: from, reason: `round ${round} attempt ${attempt} is too far ahead of ${c.round}/${c.attempt}` })
      return
    }
    this.buffer(round, attempt, from, frame.payload)
    if (round > c.round && this.options.task.needsSameState) {
      // Train: the result of our round is most likely still on its way (streams are not
      // ordered) and must be applied before the next round can start from the same model.
      // Wait for it; if it does not come, fetch the model the majority holds instead.
      if (this.behindTimer === undefined) {
        const waitingIn = c.round
        this.behindTimer = this.timer('behind', () => {
          this.behindTimer = undefined
          if (this.current === undefined || this.current.round <= waitingIn) void this.resync(`round ${round} started without this member having round ${waitingIn}'s result`)
        }, Math.min(this.timeouts.behindWait, this.sessionSpan))
      }
    }
  }

  private deliverTo (c: Current | undefined, from: string, payload: Uint8Array): void {
    if (c === undefined) return
    if (this.options.task.needsSameState && c.received.length < 4 * this.members.length) c.received.push({ from, payload })
    c.runner.deliver(from, payload)
  }

  private buffer (round: number, attempt: number, from: string, payload: Uint8Array): void {
    const key = `${round}/${attempt}`
    const queue = this.buffered.get(key) ?? []
    // Per sender: junk from one member can neither grow the buffer nor crowd out the others.
    if (queue.filter((m) => m.from === from).length >= BUFFER_FRAMES_PER_SENDER) {
      this.options.logger.debug('message-dropped', { peer: from, reason: `more than ${BUFFER_FRAMES_PER_SENDER} frames for session ${key}, not begun here yet` })
      return
    }
    queue.push({ from, payload })
    this.buffered.set(key, queue)
  }

  private onSessionEvent (round: number, attempt: number, role: Role, event: ProtocolEvent): void {
    const { logger } = this.options
    const c = this.current
    if (c === undefined || c.round !== round || c.attempt !== attempt) return
    switch (event.type) {
      case 'rejected':
        logger.warn('message-rejected', { round, attempt, role, peer: event.from, reason: event.reason, detail: event.detail })
        // The aggregator's session is bound to another model: one of us is off the common one.
        if (role === 'participant' && event.reason === 'session-mismatch' && this.options.task.sync !== undefined) void this.resync('the aggregator runs a session bound to another model')
        return
      case 'stage':
        logger.debug('stage', { round, attempt, role, stage: event.stage })
        if (role === 'participant' && (event.stage === 'masked' || event.stage === 'consistency')) {
          try {
            if (event.stage === 'masked') this.promises.recordMasked(round, attempt, c.inputHash ?? 'unknown')
            else this.promises.recordSigned(round, attempt)
          } catch (err) {
            // Not recorded, not sent: the runner stops before the message leaves.
            logger.error('promise-not-recorded', { round, attempt, stage: event.stage, error: (err as Error).message })
            c.runner.stop()
            this.finishRound(round, { round, attempt, aggregator: c.aggregator, aborted: true, reason: `could not record the ${event.stage} promise: ${(err as Error).message}` })
            return
          }
        }
        if (role === 'participant' && event.stage === 'done') this.failover(round, attempt, 'no result before the participant\'s unmask deadline')
        return
      case 'completed':
        return
      case 'result': {
        const r = event.result
        const need = this.resultQuorum
        if (r.signatures.length < need) {
          logger.warn('round-skipped', { round, attempt, reason: `${r.signatures.length} consistency signatures, a result needs ${need} of ${this.members.length} members` })
          return
        }
        const outcome: RoundOutcome = {
          round, attempt, aggregator: this.peerId, sessionId: r.sessionId, keysRoot: r.keysRoot, included: r.included,
          sum: r.sum, weightSum: r.weightSum, signatures: r.signatures
        }
        const data = encodeSignedResult(outcome, this.signer)
        const resultSends = AbortSignal.timeout(2 * this.sessionSpan)
        for (const m of this.members) if (m !== this.peerId) this.sendFrame(m, FrameType.RESULT, round, attempt, data, resultSends)
        logger.info('aggregated', { round, attempt, included: r.included.length, droppedAfterSharing: r.droppedAfterSharing.length })
        this.onResult(this.peerId, round, attempt, data)
        return
      }
      case 'aborted':
        if (role === 'aggregator') { logger.warn('aggregation-aborted', { round, attempt, reason: event.reason, detail: event.detail }); return }
        this.onParticipantAbort(round, attempt, event.reason, event.detail)
    }
  }

  private onParticipantAbort (round: number, attempt: number, reason: AbortReason, detail: string): void {
    const { logger } = this.options
    logger.warn('participant-aborted', { round, attempt, reason, detail })
    if (reason === 'aggregator-aborted') {
      this.finishRound(round, { round, attempt, aggregator: this.current!.aggregator, aborted: true, reason: detail })
      return
    }
    if (reason === 'timeout') { this.failover(round, attempt, detail); return }
    // Left out of this attempt (e.g. joined after the key list): wait for its result or the
    // next attempt's aggregator instead of starting a competing attempt at once.
    const c = this.current!
    c.sitOut = this.timer('sit-out', () => this.failover(round, attempt, 'sat out an attempt that produced no result'), 1.5 * this.sessionSpan)
  }

  private failover (round: number, attempt: number, why: string): void {
    const c = this.current
    if (c === undefined || c.round !== round || c.attempt !== attempt) return
    const { logger } = this.options
    if (this.promises.maskedIn(round) !== undefined) {
      logger.warn('round-skipped', { round, attempt, aggregator: c.aggregator, reason: `${why}; this member's input of this round already went to attempt ${this.promises.maskedIn(round)}` })
      this.finishRound(round, { round, attempt, aggregator: c.aggregator, aborted: true, reason: 'skipped: no result after this member sent its masked input' })
      return
    }
    const next = aggregatorFor(this.options.consortium.hash, round, attempt + 1, this.members)
    logger.warn('aggregator-failover', { round, attempt, silent: c.aggregator, next, why })
    this.begin(round, attempt + 1)
  }

  private onResult (from: string, round: number, attempt: number, payload: Uint8Array): void {
    const { logger } = this.options
    const c = this.current
    const late = this.unresolved.has(round) && (c === undefined || round < c.round)
    if (!late && (round <= this.lastFinished || (c !== undefined && round < c.round))) { logger.debug('result-ignored', { round, reason: 'already past this round' }); return }
    let outcome
    try {
      const expectedAggregator = aggregatorFor(this.options.consortium.hash, round, attempt, this.members)
      const preSessionId = openSession(this.sessionConfig(round, attempt, expectedAggregator)).preSessionId
      outcome = verifySignedResult(payload, {
        expectedAggregator,
        sessionIdFor: (root) => computeRoundSessionId(preSessionId, root),
        signingKeys: this.signingKeys,
        dim: this.options.task.dim,
        quantization: this.quantization,
        minIncluded: minimumSurvivors(this.parameters.maxCorrupt),
        quorum: this.resultQuorum,
        ...(c !== undefined && c.round === round && c.attempt === attempt && c.runner.participant.roundSessionId !== undefined ? { ownSessionId: c.runner.participant.roundSessionId } : {})
      })
    } catch (err) {
      logger.warn('result-rejected', { peer: from, round, attempt, reason: (err as Error).message })
      return
    }
    if (outcome.round !== round || outcome.attempt !== attempt) { logger.warn('result-rejected', { peer: from, round, reason: 'frame and result disagree on round/attempt' }); return }
    this.recentResults.set(round, { attempt, payload })
    for (const r of this.recentResults.keys()) if (r < round - 8) this.recentResults.delete(r)
    const own = late ? this.ownSessions.get(round) ?? [] : [c?.runner.participant.roundSessionId].filter((s) => s !== undefined)
    const inSession = own.some((s) => bytesEqual(s, outcome.sessionId))
    const tookPart = inSession && outcome.included.includes(this.peerId)
    logger.info('round-result', { round, attempt, aggregator: outcome.aggregator, included: outcome.included.length, weightSum: outcome.weightSum, includedSelf: tookPart, ...(late ? { late: true } : {}) })
    const base = {
      round, attempt, aggregator: outcome.aggregator, sessionId: hex(outcome.sessionId), included: [...outcome.included].sort(),
      consistencySignatures: outcome.signatures.length, includedSelf: tookPart
    }
    const task = this.options.task
    // A task whose state moves with each result (train) may apply only the result of a session
    // it took part in: only then is it certain the session started from its own model.
    const applicable = !late && (!task.needsSameState || inSession)
    if (!applicable) {
      const described = task.describeLate(outcome)
      if (late) this.unresolved.delete(round)
      if (described === undefined) void this.resync(`the result of round ${round} comes from a session this member was not in`)
      const record = { ...base, ...(described ?? { applied: false, reason: 'not in this session: the model is resynchronised from the other members' }) }
      if (late || described === undefined) {
        // Train: no next round on a stale model; the resync starts the round the majority is in.
        saveRoundRecord(this.options.dir, round, record)
        if (!late) { this.endSession(); this.lastFinished = Math.max(this.lastFinished, round) }
        return
      }
      this.finishRound(round, record)
      return
    }
    this.endSession()
    this.lastFinished = Math.max(this.lastFinished, round) // a second copy of this result is ignored while it applies
    void task.apply(outcome, tookPart).then(
      (fields) => this.finishRound(round, { ...base, ...fields }),
      (err: unknown) => { logger.error('result-not-applied', { round, error: (err as Error).message }); this.finishRound(round, { ...base, aborted: true, reason: `result could not be applied: ${(err as Error).message}` }) })
  }

  /** Train: resynchronise this member's model from the majority (round/model-sync.ts). */
  private resync (why: string): Promise<void> {
    return this.modelSync?.resync(why) ?? Promise.resolve()
  }

  private restartAt (round: number, replay: ReadonlyArray<{ from: string, payload: Uint8Array }>, attempt = 0): void {
    this.clock.clearTimeout(this.nextRoundTimer)
    this.nextRoundTimer = undefined
    this.endSession()
    saveState(this.options.dir, { nextRound: round })
    this.lastFinished = round - 1
    if (this.options.rounds !== undefined && round >= this.options.rounds) { this.finished.resolve(); return }
    this.begin(round, attempt, replay)
  }

  /** After a resync that changed nothing: an idle member starts the next round rather than wait forever. */
  private ensureRunning (): void {
    if (this.stopped || this.current !== undefined || this.nextRoundTimer !== undefined || this.modelSync?.busy === true) return
    const next = Math.max(this.lastFinished + 1, this.options.task.resumeRound ?? 0)
    if (this.options.rounds !== undefined && next >= this.options.rounds) { this.finished.resolve(); return }
    this.begin(next, 0)
  }

  private finishRound (round: number, record: object): void {
    const { dir, logger } = this.options
    saveRoundRecord(dir, round, record)
    if ('aborted' in record && record.aborted === true) this.unresolved.add(round)
    for (const r of this.unresolved) if (r < round - 8) this.unresolved.delete(r)
    saveState(dir, { nextRound: round + 1 })
    this.lastFinished = Math.max(this.lastFinished, round)
    this.endSession()
    if (this.options.rounds !== undefined && round + 1 >= this.options.rounds) {
      logger.info('rounds-done', { rounds: this.options.rounds })
      this.finished.resolve()
      return
    }
    this.nextRoundTimer = this.timer('next-round', () => { this.nextRoundTimer = undefined; this.begin(round + 1, 0) }, this.options.consortium.file.timeouts.roundIntervalMs)
  }
}
