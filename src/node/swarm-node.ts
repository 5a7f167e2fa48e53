/**
 * One consortium member's node: runs round after round of secure aggregation over the
 * libp2p host, with no server. Per round r and attempt a the aggregator is ranking(r)[a]
 * (round/ranking.ts). Rules (PROTOCOL-NOTES, "Serverless rounds"):
 * - the aggregator silent past its deadline → next attempt, next member, fresh keys;
 * - a member signs at most one ConsistencyCheck per round: once it has signed, a failing
 *   attempt ends the round for it (skipped) instead of starting another;
 * - a result counts only with consistency signatures from more than half of all members.
 * Progress (the next round) and results live on disk; per-round secrets only in memory.
 */
import { bytesEqual, createEd25519Signer, systemRandom, toHex as hex } from '../crypto/index.ts'
import { completeGraphThreshold, planQuantization, sessionDuration } from '../protocol/index.ts'
import type { AbortReason, ProtocolEvent, SessionConfig } from '../protocol/index.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { ConsortiumFileError, stageTimeoutsOf } from './config/consortium.ts'
import type { LoadedConsortium } from './config/consortium.ts'
import type { Identity } from './config/identity.ts'
import { loadState, readVectorInput, saveRoundRecord, saveState } from './config/node-dir.ts'
import type { NodeConfig } from './config/node-dir.ts'
import type { Logger } from './logger.ts'
import { SwarmHost } from './net/host.ts'
import { aggregatorFor, attemptBinding } from './round/ranking.ts'
import { encodeSignedResult, quorum, verifySignedResult } from './round/signed-result.ts'
import type { RoundOutcome } from './round/signed-result.ts'
import { SessionRunner } from './round/session-runner.ts'
import type { Role } from './round/session-runner.ts'
import { Frame, FrameType } from './wire/node.ts'

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
}

const FRAME_VERSION = 1
const MAX_ATTEMPTS_AHEAD = 64

interface Current { round: number, attempt: number, aggregator: string, runner: SessionRunner, sends: AbortController, sessionId?: Uint8Array, sitOut?: NodeJS.Timeout }

export class SwarmNode {
  private host: SwarmHost | undefined
  private current: Current | undefined
  private readonly members: string[]
  private readonly signingKeys: Map<string, Uint8Array>
  private readonly signer
  private readonly signedConsistency = new Set<number>()
  private readonly buffered = new Map<string, Array<{ from: string, payload: Uint8Array }>>()
  private readonly finished: { promise: Promise<void>, resolve: () => void }
  /** Recent results, to hand a member that is behind the result of the round it is stuck in. */
  private readonly recentResults = new Map<number, { attempt: number, payload: Uint8Array }>()
  private readonly hinted = new Set<string>()
  /** Session ids this member took part in, per round: to tell whether a late result included it. */
  private readonly ownSessions = new Map<number, Uint8Array[]>()
  /** Rounds left for a later one before their result arrived: a late result is still recorded. */
  private readonly leftEarly = new Set<number>()
  private lastFinished = -1
  /** RESULT deliveries in flight: a node that is done still finishes handing its result out. */
  private readonly resultSends = new Set<Promise<boolean>>()
  private stopped = false
  private nextRoundTimer: NodeJS.Timeout | undefined

  constructor (private readonly options: SwarmNodeOptions) {
    this.members = options.consortium.file.members.map((m) => m.peerId)
    if (!this.members.includes(options.identity.peerId)) {
      throw new ConsortiumFileError(`this member (${options.identity.peerId}) is not listed in ${options.consortium.path}; add it to "members"`)
    }
    this.signingKeys = new Map(this.members.map((id) => [id, peerIdFromString(id).publicKey!.raw]))
    this.signer = createEd25519Signer(options.identity.privateKey.raw)
    let resolve!: () => void
    this.finished = { promise: new Promise<void>((r) => { resolve = r }), resolve }
  }

  get peerId (): string { return this.options.identity.peerId }
  get addresses (): string[] { return this.host?.addresses ?? [] }
  /** Resolves when --rounds are done or the node is stopped. */
  get done (): Promise<void> { return this.finished.promise }

  async start (): Promise<void> {
    const { consortium, logger } = this.options
    this.host = await SwarmHost.start({
      identity: this.options.identity,
      members: new Map(consortium.file.members.map((m) => [m.peerId, m.addresses])),
      listen: this.options.listen,
      bootstrap: this.options.bootstrap,
      mdns: this.options.mdns,
      maxMessageBytes: consortium.file.protocol.maxMessageBytes,
      logger,
      onMessage: (from, data) => this.onMessage(from, data)
    })
    logger.info('node-started', { peer: this.peerId, addresses: this.host.addresses, consortium: consortium.file.consortium, consortiumHash: hex(consortium.hash) })
    const { nextRound } = loadState(this.options.dir)
    this.lastFinished = nextRound - 1
    if (this.options.rounds !== undefined && nextRound >= this.options.rounds) { this.finished.resolve(); return }
    this.begin(nextRound, 0)
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.nextRoundTimer)
    this.endSession()
    await Promise.race([Promise.allSettled([...this.resultSends]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
    await this.host?.stop()
    this.finished.resolve()
  }

  /** How long one attempt can take when every stage runs to its deadline. */
  private get sessionSpan (): number {
    return sessionDuration(stageTimeoutsOf(this.options.consortium.file))
  }

  private sessionConfig (round: number, attempt: number, aggregator: string): SessionConfig {
    const { protocol, task } = this.options.consortium.file
    if (task.type !== 'vector-sum') throw new Error(`task ${task.type} is not available in this build; use "vector-sum"`)
    const n = this.members.length
    return {
      consortium: attemptBinding(this.options.consortium.hash, attempt),
      round,
      aggregator,
      members: this.members.map((id) => ({ id, signingKey: this.signingKeys.get(id)! })),
      threshold: protocol.threshold === 'majority' ? completeGraphThreshold(n) : protocol.threshold,
      neighbours: protocol.neighbours,
      vectorLength: task.dim,
      quantization: planQuantization({ clip: protocol.clip, maxWeight: protocol.maxWeight, members: n }),
      stageTimeouts: stageTimeoutsOf(this.options.consortium.file)
    }
  }

  private begin (round: number, attempt: number): void {
    if (this.stopped) return
    this.endSession()
    const { logger } = this.options
    const aggregator = aggregatorFor(this.options.consortium.hash, round, attempt, this.members)
    const task = this.options.consortium.file.task
    const config = this.sessionConfig(round, attempt, aggregator)
    const sends = new AbortController()
    const runner = new SessionRunner({
      config, self: this.peerId, signer: this.signer, rng: systemRandom,
      send: (to, data) => this.sendFrame(to, FrameType.SESSION, round, attempt, data, sends.signal),
      onEvent: (role, event) => this.onSessionEvent(round, attempt, role, event)
    })
    this.current = { round, attempt, aggregator, runner, sends }
    logger.info('round-start', { round, attempt, aggregator, role: aggregator === this.peerId ? 'aggregator' : 'participant' })
    let input
    try {
      input = readVectorInput(this.options.dir, this.options.config, task.type === 'vector-sum' ? task.dim : 0)
    } catch (err) {
      logger.error('input-unavailable', { round, error: (err as Error).message })
      this.finishRound(round, { round, attempt, aborted: true, reason: 'input-unavailable' })
      return
    }
    runner.start(input.vector, input.weight)
    if (runner.participant.clippedCoordinates > 0) logger.warn('input-clipped', { round, coordinates: runner.participant.clippedCoordinates, clip: this.options.consortium.file.protocol.clip })
    const key = `${round}/${attempt}`
    for (const m of this.buffered.get(key) ?? []) runner.deliver(m.from, m.payload)
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
    clearTimeout(c.sitOut)
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
    if (frame.type !== FrameType.SESSION) { logger.warn('message-dropped', { peer: from, reason: `unknown frame type ${frame.type}` }); return }
    const c = this.current
    if (c === undefined) { // between rounds: keep it for the session about to begin
      if (round > this.lastFinished) this.buffer(round, attempt, from, frame.payload)
      return
    }
    if (round === c.round && attempt === c.attempt) { c.runner.deliver(from, frame.payload); return }
    if (round < c.round || (round === c.round && attempt < c.attempt)) {
      logger.debug('message-dropped', { peer: from, reason: `stale: round ${round} attempt ${attempt}, now at ${c.round}/${c.attempt}` })
      // The sender is behind (e.g. restarted): hand it that round's result once so it catches up.
      const result = this.recentResults.get(round)
      if (result !== undefined && !this.hinted.has(`${from}/${round}`)) {
        this.hinted.add(`${from}/${round}`)
        this.sendFrame(from, FrameType.RESULT, round, result.attempt, result.payload, AbortSignal.timeout(30_000))
      }
      return
    }
    if (round === c.round && attempt > c.attempt + MAX_ATTEMPTS_AHEAD) { logger.warn('message-dropped', { peer: from, reason: `attempt ${attempt} too far ahead` }); return }
    this.buffer(round, attempt, from, frame.payload)
    // A later round: the sender finished ours, follow it. A later attempt of our round: follow
    // only its aggregator, so one member that fell out of an attempt cannot push everyone into
    // a new one; participants' early messages wait in the buffer until we get there ourselves.
    if (round > c.round || from === aggregatorFor(this.options.consortium.hash, round, attempt, this.members)) {
      logger.info('catching-up', { from: `${c.round}/${c.attempt}`, to: `${round}/${attempt}`, peer: from })
      // The result of the round we leave may still be on its way (streams are not ordered):
      // it is recorded when it arrives.
      if (round > c.round) for (let r = c.round; r < round; r++) if (r > this.lastFinished) this.leftEarly.add(r)
      for (const r of this.leftEarly) if (r < round - 8) this.leftEarly.delete(r)
      this.begin(round, attempt)
    }
  }

  private buffer (round: number, attempt: number, from: string, payload: Uint8Array): void {
    const key = `${round}/${attempt}`
    const queue = this.buffered.get(key) ?? []
    if (queue.length < 4 * this.members.length) queue.push({ from, payload })
    this.buffered.set(key, queue)
  }

  private onSessionEvent (round: number, attempt: number, role: Role, event: ProtocolEvent): void {
    const { logger } = this.options
    const c = this.current
    if (c === undefined || c.round !== round || c.attempt !== attempt) return
    switch (event.type) {
      case 'rejected':
        logger.warn('message-rejected', { round, attempt, role, peer: event.from, reason: event.reason, detail: event.detail })
        return
      case 'stage':
        logger.debug('stage', { round, attempt, role, stage: event.stage })
        if (role === 'participant' && event.stage === 'consistency') this.signedConsistency.add(round)
        if (role === 'participant' && event.stage === 'done') this.failover(round, attempt, 'no result before the participant\'s unmask deadline')
        return
      case 'completed':
        return
      case 'result': {
        const r = event.result
        const need = quorum(this.members.length)
        if (r.signatures.length < need) {
          logger.warn('round-skipped', { round, attempt, reason: `${r.signatures.length} consistency signatures, a result needs ${need} of ${this.members.length} members` })
          return
        }
        const outcome: RoundOutcome = {
          round, attempt, aggregator: this.peerId, sessionId: r.sessionId, included: r.included,
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
    c.sitOut = setTimeout(() => this.failover(round, attempt, 'sat out an attempt that produced no result'), 1.5 * this.sessionSpan)
  }

  private failover (round: number, attempt: number, why: string): void {
    const c = this.current
    if (c === undefined || c.round !== round || c.attempt !== attempt) return
    const { logger } = this.options
    if (this.signedConsistency.has(round)) {
      logger.warn('round-skipped', { round, attempt, aggregator: c.aggregator, reason: `${why}; this member already signed a consistency check this round` })
      this.finishRound(round, { round, attempt, aggregator: c.aggregator, aborted: true, reason: 'skipped: no result after this member signed' })
      return
    }
    const next = aggregatorFor(this.options.consortium.hash, round, attempt + 1, this.members)
    logger.warn('aggregator-failover', { round, attempt, silent: c.aggregator, next, why })
    this.begin(round, attempt + 1)
  }

  private onResult (from: string, round: number, attempt: number, payload: Uint8Array): void {
    const { logger } = this.options
    const c = this.current
    const late = this.leftEarly.has(round) && (c === undefined || round < c.round)
    if (!late && (round <= this.lastFinished || (c !== undefined && round < c.round))) { logger.debug('result-ignored', { round, reason: 'already past this round' }); return }
    const task = this.options.consortium.file.task
    let outcome
    try {
      outcome = verifySignedResult(payload, {
        expectedAggregator: aggregatorFor(this.options.consortium.hash, round, attempt, this.members),
        signingKeys: this.signingKeys,
        dim: task.type === 'vector-sum' ? task.dim : 0,
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
    const tookPart = own.some((s) => bytesEqual(s, outcome.sessionId)) && outcome.included.includes(this.peerId)
    logger.info('round-result', { round, attempt, aggregator: outcome.aggregator, included: outcome.included.length, weightSum: outcome.weightSum, includedSelf: tookPart, ...(late ? { late: true } : {}) })
    const record = {
      round, attempt, aggregator: outcome.aggregator, sessionId: hex(outcome.sessionId), included: [...outcome.included].sort(),
      weightSum: outcome.weightSum, sum: Array.from(outcome.sum), consistencySignatures: outcome.signatures.length, includedSelf: tookPart
    }
    if (late) {
      // Only the record: this member is already in a later round.
      this.leftEarly.delete(round)
      saveRoundRecord(this.options.dir, round, record)
      return
    }
    this.finishRound(round, record)
  }

  private finishRound (round: number, record: object): void {
    const { dir, logger } = this.options
    saveRoundRecord(dir, round, record)
    saveState(dir, { nextRound: round + 1 })
    this.lastFinished = Math.max(this.lastFinished, round)
    this.endSession()
    if (this.options.rounds !== undefined && round + 1 >= this.options.rounds) {
      logger.info('rounds-done', { rounds: this.options.rounds })
      this.finished.resolve()
      return
    }
    this.nextRoundTimer = setTimeout(() => this.begin(round + 1, 0), this.options.consortium.file.timeouts.roundIntervalMs)
  }
}
