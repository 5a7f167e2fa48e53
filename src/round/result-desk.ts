/**
 * Everything the coordinator does with round results besides deciding what they mean:
 * verifying a RESULT frame (signed-result.ts), echoing its digest once per round and
 * counting the members' echoes (result-echo.ts, echo-tally.ts), holding results until Q
 * echoes confirm one, keeping the confirmed ones with their echoes (certificates) and
 * handing them, rate-limited, to members that are behind.
 */
import { toHex as hex } from '../crypto/index.ts'
import { aggregatorFor, computeRoundSessionId, minimumSurvivors, openSession } from '../protocol/index.ts'
import type { SessionConfig } from '../protocol/index.ts'
import type { CoordinatorConfig, LogLevel } from './coordinator-io.ts'
import { EchoTally } from './echo-tally.ts'
import type { PromiseBook, PromiseRecord } from './promise-book.ts'
import { echoValid, resultDigest, signEcho } from './result-echo.ts'
import { verifySignedResult } from './signed-result.ts'
import type { RoundOutcome } from './signed-result.ts'
import { FrameType, ResultEcho, SignedResult } from './wire/round.generated.ts'

/** Where the desk's effects go (the coordinator's action queue). */
export interface DeskOutbox {
  log (level: LogLevel, event: string, fields: Record<string, unknown>): void
  send (to: string, type: FrameType, round: number, attempt: number, payload: Uint8Array, ttl: number, lasting: boolean): void
  /** Records a promise before anything after it leaves. */
  promise (change: () => PromiseRecord): void
}

interface PendingResult { readonly outcome: RoundOutcome, readonly digest: Uint8Array, readonly payload: Uint8Array, readonly from: string }

/** Rounds of results, echoes and certificates kept for late results and hints. */
export const KEEP_ROUNDS = 8
/** Results held per round while echoes come in: an honest session has one; more is equivocation. */
const PENDING_PER_ROUND = 4
/** (round, attempt)s whose aggregator is cached. */
const SESSION_CACHE = 32

export class ResultDesk {
  private readonly echoes = new EchoTally()
  private readonly pending = new Map<number, PendingResult[]>()
  private readonly certificates = new Map<number, { attempt: number, payload: Uint8Array }>()
  /** Per member: the latest certificate round it was handed, and when. */
  private readonly hinted = new Map<string, { round: number, at: number }>()
  /** The aggregator of recent (round, attempt)s: ranking the members costs O(n log n). */
  private readonly aggregators = new Map<string, string>()

  constructor (
    private readonly config: CoordinatorConfig,
    private readonly quorum: number,
    private readonly book: PromiseBook,
    private readonly sessionConfig: (round: number, attempt: number, aggregator: string) => SessionConfig,
    private readonly out: DeskOutbox
  ) {}

  hasPending (round: number): boolean { return (this.pending.get(round)?.length ?? 0) > 0 }

  /** Echo counts per (attempt, digest) of `round`, for logs. */
  echoSummary (round: number): Record<string, number> { return this.echoes.summary(round) }

  /**
   * A RESULT frame: verified, held, echoed (once per round). Returns false when it was
   * rejected. `ownSessionId`: the session this member is in for (round, attempt), if any.
   */
  receive (from: string, round: number, attempt: number, payload: Uint8Array, ownSessionId: Uint8Array | undefined): boolean {
    let verified
    try {
      verified = verifySignedResult(payload, {
        expectedAggregator: () => this.aggregator(round, attempt),
        // Not cached: the pre-session id binds the task's state (the model hash), which moves.
        sessionIdFor: (root) => computeRoundSessionId(openSession(this.sessionConfig(round, attempt, this.aggregator(round, attempt))).preSessionId, root),
        signingKeys: this.config.signingKeys,
        dim: this.config.dim,
        quantization: this.config.quantization,
        minIncluded: minimumSurvivors(this.config.maxCorrupt),
        quorum: this.quorum,
        ...(ownSessionId !== undefined ? { ownSessionId } : {})
      })
    } catch (err) {
      this.out.log('warn', 'result-rejected', { peer: from, round, attempt, reason: (err as Error).message })
      return false
    }
    const { outcome, echoes } = verified
    if (outcome.round !== round || outcome.attempt !== attempt) { this.out.log('warn', 'result-rejected', { peer: from, round, reason: 'frame and result disagree on round/attempt' }); return false }
    const digest = resultDigest(outcome)
    for (const e of echoes) if (e.digest.length === 32 && echoValid(e, round, attempt, this.config.signingKeys)) this.echoes.add(round, attempt, e)
    const known = this.pending.get(round) ?? []
    if (!known.some((p) => p.outcome.attempt === attempt && hex(p.digest) === hex(digest))) {
      const rival = known.find((p) => p.outcome.attempt === attempt)
      if (rival !== undefined) {
        // Two results of one session, both signed by its aggregator: proof that it equivocated.
        this.out.log('error', 'aggregator-equivocated', { round, attempt, aggregator: outcome.aggregator, digests: [hex(rival.digest), hex(digest)], from: [rival.from, from] })
      }
      const entry = { outcome, digest, payload: SignedResult.encode({ ...SignedResult.decode(payload), echoes: [] }), from }
      if (known.length < PENDING_PER_ROUND) this.pending.set(round, [...known, entry])
      // Full (an aggregator flooding variants): a result that comes with a quorum of echoes
      // — a certificate — still gets in; it is the one the others applied.
      else if (this.echoes.matching(round, attempt, digest).length >= this.quorum) this.pending.set(round, [entry])
      else return true
      for (const r of this.pending.keys()) if (r < round - KEEP_ROUNDS) this.pending.delete(r)
    }
    this.echo(round, attempt, digest)
    return true
  }

  /** Echoes `digest` as the result of `round` to every member — at most one digest per round, recorded first. */
  private echo (round: number, attempt: number, digest: Uint8Array): void {
    const done = this.book.echoedIn(round)
    if (done !== undefined && done.digest !== hex(digest)) {
      this.out.log('warn', 'result-conflict', { round, attempt, echoed: done.digest, now: hex(digest), reason: 'a second result for this round; this member echoed the first' })
      return
    }
    // The same echo again after a restart (Ed25519 is deterministic): counted and resent, not re-recorded.
    if (done === undefined) this.out.promise(() => this.book.echoed(round, attempt, hex(digest)))
    const echo = signEcho(this.config.self, round, attempt, digest, this.config.signer)
    if (this.echoes.add(round, attempt, echo) !== 'new' && done !== undefined) return
    const payload = ResultEcho.encode(echo)
    // Lasting: a member that confirms and stops still hands its echo on, or the others lack it.
    for (const m of this.config.members) if (m !== this.config.self) this.out.send(m, FrameType.ECHO, round, attempt, payload, this.config.timeouts.resultDelivery, true)
  }

  /** An ECHO frame; true when it is a new echo (worth checking for a quorum). */
  receiveEcho (from: string, round: number, attempt: number, payload: Uint8Array): boolean {
    let echo
    try {
      echo = ResultEcho.decode(payload)
    } catch (err) {
      this.out.log('warn', 'message-dropped', { peer: from, reason: `undecodable echo: ${(err as Error).message}` })
      return false
    }
    if (echo.peer !== from || !echoValid(echo, round, attempt, this.config.signingKeys)) { this.out.log('warn', 'message-dropped', { peer: from, reason: 'echo not signed by its sender' }); return false }
    const added = this.echoes.add(round, attempt, echo)
    if (added === 'conflict') this.out.log('warn', 'echo-conflict', { peer: from, round, attempt, reason: 'a member echoed two results of one round' })
    return added === 'new'
  }

  /** The result of `round` that Q members echoed, with its certificate (taken: it is no longer pending). */
  takeConfirmed (round: number, pruneBelow: number): { outcome: RoundOutcome, certificate: Uint8Array } | undefined {
    for (const p of this.pending.get(round) ?? []) {
      const echoes = this.echoes.matching(round, p.outcome.attempt, p.digest)
      if (echoes.length < this.quorum) continue
      this.pending.delete(round)
      this.echoes.prune(pruneBelow)
      const certificate = SignedResult.encode({ ...SignedResult.decode(p.payload), echoes: echoes.slice(0, this.quorum) })
      this.certificates.set(round, { attempt: p.outcome.attempt, payload: certificate })
      for (const r of this.certificates.keys()) if (r < round - KEEP_ROUNDS) this.certificates.delete(r)
      return { outcome: p.outcome, certificate }
    }
    return undefined
  }

  /**
   * A member that is behind (e.g. restarted) gets the certificate of the round it is stuck
   * in — or the latest one, which it jumps past in one step. Per member at most one hint per
   * certificate round, and none more often than every modelFetchInterval: a stale frame of
   * a few bytes must not buy a whole sum each time.
   */
  hint (to: string, round: number, now: number): void {
    const hintRound = this.certificates.has(round) ? round : Math.max(-1, ...this.certificates.keys())
    const cert = this.certificates.get(hintRound)
    if (cert === undefined) return
    const last = this.hinted.get(to)
    if (last !== undefined && (last.round >= hintRound || now - last.at < this.config.timeouts.modelFetchInterval)) return
    this.hinted.set(to, { round: hintRound, at: now })
    this.out.send(to, FrameType.RESULT, hintRound, cert.attempt, cert.payload, this.config.timeouts.resultDelivery, true)
  }

  private aggregator (round: number, attempt: number): string {
    const key = `${round}/${attempt}`
    let id = this.aggregators.get(key)
    if (id === undefined) {
      id = aggregatorFor(this.config.consortiumHash, round, attempt, this.config.members)
      this.aggregators.set(key, id)
      if (this.aggregators.size > SESSION_CACHE) this.aggregators.delete(this.aggregators.keys().next().value!)
    }
    return id
  }
}
