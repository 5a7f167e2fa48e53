/**
 * Model resynchronisation (tasks that keep a model), a small sans-IO machine with its own
 * frames: brings a member onto the model more than half of ALL members hold. It asks every
 * member for (round, model hash) — MODEL_QUERY / MODEL_STATUS — and if a majority agrees on
 * a model this member lacks, fetches it from one holder after another (MODEL_FETCH /
 * MODEL_DATA) and checks its hash. A lying minority can neither stop it nor plant a model. The
 * round to install at is the one `majority` holders of that model claim to have reached, and
 * liars' claims count among them: with few replies a liar can shift it by the rounds the
 * others are apart, which delays a member (its next session mismatches and it resyncs again)
 * but moves no model. A member asking for the model is served at most once per interval
 * (32 bytes in, a whole model out).
 *
 * States: idle → querying (until every member replied or statusReplies passed) → fetching
 * (one holder at a time, modelFetch each) → idle; no majority or no holder answered → a
 * retry after resyncRetry (three tries). A resync asked for while one runs follows it.
 */
import { createHash } from 'node:crypto'
import { toHex as hex } from '../crypto/index.ts'
import type { LogLevel } from './coordinator-io.ts'
import { FrameType } from './wire/round.generated.ts'

export interface ModelSyncTimeouts {
  /** A member is sent the model at most this often. */
  readonly modelFetchInterval: number
  /** How long to collect the others' (round, model hash) replies. */
  readonly statusReplies: number
  /** How long to wait for one holder's model. */
  readonly modelFetch: number
  /** Pause before trying again. */
  readonly resyncRetry: number
}

/** Read-only view of the task's model (the task changes it only through `install`). */
export interface ModelView {
  /** SHA-256 of the current model's bytes. */
  hash (): Uint8Array
  /** The model's bytes if its hash is `hash`. */
  bytesFor (hash: Uint8Array): Uint8Array | undefined
}

export type SyncAction =
  | { readonly kind: 'send', readonly to: string, readonly type: FrameType, readonly round: number, readonly payload: Uint8Array }
  /** Install these bytes (hash checked) as the model at the start of `round`, then call `installed`. */
  | { readonly kind: 'install', readonly round: number, readonly bytes: Uint8Array }
  /** Move to `round`: this member holds the majority's model already. */
  | { readonly kind: 'jump', readonly round: number }
  /** The resync ended without moving this member: make sure a round is running. */
  | { readonly kind: 'idle' }
  | { readonly kind: 'log', readonly level: LogLevel, readonly event: string, readonly fields: Record<string, unknown> }

/** More than half of all members. */
const majority = (members: number): number => Math.floor(members / 2) + 1
const TRIES = 3

type State =
  | { readonly name: 'idle' }
  | { readonly name: 'querying', readonly why: string, readonly tries: number, readonly until: number, readonly own: { round: number, hash: string }, readonly replies: Map<string, { round: number, hash: string }> }
  | { readonly name: 'fetching', readonly why: string, readonly tries: number, readonly hash: string, readonly round: number, readonly agreeing: number, readonly holders: string[], until: number }
  | { readonly name: 'waiting', readonly why: string, readonly tries: number, readonly until: number }

export class ModelSync {
  private state: State = { name: 'idle' }
  private again: string | undefined
  private readonly actions: SyncAction[] = []
  private readonly fetchServed = new Map<string, number>()
  private readonly queryServed = new Map<string, number>()
  /** The round this member is in, as of the last input. */
  private round = 0

  constructor (
    private readonly self: string,
    private readonly members: readonly string[],
    private readonly model: ModelView,
    /** Bytes of a model (float32 weights). */
    private readonly modelBytes: number,
    private readonly timeouts: ModelSyncTimeouts
  ) {}

  get busy (): boolean { return this.state.name === 'querying' || this.state.name === 'fetching' }
  pollAction (): SyncAction | undefined { return this.actions.shift() }
  pollTimeout (): number | undefined { return this.state.name === 'idle' ? undefined : this.state.until }

  /** Starts a resync (or queues one behind the running one); `round`: the round this member is in. */
  resync (why: string, round: number, now: number, tries = TRIES): void {
    this.round = round
    if (this.busy) { this.again = why; return }
    this.log('info', 'model-sync', { why })
    const others = this.members.filter((m) => m !== this.self)
    this.state = { name: 'querying', why, tries, until: now + this.timeouts.statusReplies, own: { round, hash: hex(this.model.hash()) }, replies: new Map() }
    for (const m of others) this.actions.push({ kind: 'send', to: m, type: FrameType.MODEL_QUERY, round, payload: new Uint8Array(0) })
  }

  handleTimeout (round: number, now: number): void {
    this.round = round
    const s = this.state
    if (s.name === 'idle' || now < s.until) return
    if (s.name === 'querying') this.decide(s, now)
    else if (s.name === 'fetching') this.fetchNext(s, now)
    else { this.state = { name: 'idle' }; this.resync(s.why, round, now, s.tries) }
  }

  /** A MODEL_* frame from a member; `round`: the round this member is in. */
  receive (from: string, type: FrameType, frameRound: number, payload: Uint8Array, round: number, now: number): void {
    this.round = round
    switch (type) {
      case FrameType.MODEL_QUERY: {
        const last = this.queryServed.get(from)
        if (last !== undefined && now - last < this.timeouts.modelFetchInterval / 8) { this.log('debug', 'request-refused', { peer: from, request: 'model query', reason: 'queried again too soon' }); return }
        this.queryServed.set(from, now)
        this.actions.push({ kind: 'send', to: from, type: FrameType.MODEL_STATUS, round, payload: this.model.hash() })
        return
      }
      case FrameType.MODEL_STATUS: {
        if (payload.length !== 32) { this.log('warn', 'message-dropped', { peer: from, reason: 'model status without a 32-byte hash' }); return }
        const s = this.state
        if (s.name !== 'querying') return
        s.replies.set(from, { round: frameRound, hash: hex(payload) })
        if (s.replies.size >= this.members.length - 1) this.decide(s, now)
        return
      }
      case FrameType.MODEL_FETCH: {
        if (payload.length !== 32) { this.log('warn', 'message-dropped', { peer: from, reason: 'model fetch without a 32-byte hash' }); return }
        const last = this.fetchServed.get(from)
        if (last !== undefined && now - last < this.timeouts.modelFetchInterval) { this.log('warn', 'request-refused', { peer: from, request: 'model fetch', reason: `one model per ${this.timeouts.modelFetchInterval} ms per member` }); return }
        this.fetchServed.set(from, now)
        const bytes = this.model.bytesFor(payload)
        if (bytes === undefined) { this.log('debug', 'model-not-held', { peer: from, hash: hex(payload) }); return }
        this.actions.push({ kind: 'send', to: from, type: FrameType.MODEL_DATA, round, payload: bytes })
        return
      }
      case FrameType.MODEL_DATA: {
        const s = this.state
        if (s.name !== 'fetching' || s.holders[0] !== from) return
        // A holder that sends anything but the majority's model is skipped for the next one.
        if (payload.length !== this.modelBytes) { this.log('warn', 'message-dropped', { peer: from, reason: `model data of ${payload.length} bytes, expected ${this.modelBytes}` }); this.fetchNext(s, now); return }
        if (createHash('sha256').update(payload).digest('hex') !== s.hash) { this.log('warn', 'message-dropped', { peer: from, reason: 'model data does not match the hash the majority holds' }); this.fetchNext(s, now); return }
        this.log('info', 'model-synced', { round: s.round, modelHash: s.hash, from, agreeing: s.agreeing })
        this.actions.push({ kind: 'install', round: s.round, bytes: payload })
        this.finish(false, now)
        return
      }
      default:
    }
  }

  private decide (s: Extract<State, { name: 'querying' }>, now: number): void {
    // Votes by model; among the holders of the majority's model, the latest round any of
    // them is in is where to go (rounds that aborted leave the model as it was).
    const votes = new Map<string, Array<{ peer: string, round: number }>>()
    const vote = (peer: string, round: number, hash: string): void => { votes.set(hash, [...(votes.get(hash) ?? []), { peer, round }]) }
    vote(this.self, s.own.round, s.own.hash)
    for (const [peer, r] of s.replies) vote(peer, r.round, r.hash)
    const [hash, group] = [...votes].sort((a, b) => b[1].length - a[1].length)[0]!
    const need = majority(this.members.length)
    if (group.length < need) {
      this.log('warn', 'model-sync-no-majority', { replies: s.replies.size, largestGroup: group.length, need })
      this.retry(s, now)
      return
    }
    // The round at least a majority of all members has reached: one member claiming a far
    // later round cannot push this one there.
    const round = group.map((g) => g.round).sort((a, b) => b - a)[need - 1]!
    if (group.some((g) => g.peer === this.self)) {
      if (round <= s.own.round) {
        this.log('info', 'model-sync-current', { round: s.own.round, modelHash: s.own.hash, agreeing: group.length })
        this.finish(true, now)
        return
      }
      this.log('info', 'catching-up', { from: `${s.own.round}`, to: `${round}`, reason: 'the members on this model are in a later round' })
      this.actions.push({ kind: 'jump', round })
      this.finish(false, now)
      return
    }
    const holders = group.filter((g) => g.peer !== this.self).sort((a, b) => b.round - a.round).map((g) => g.peer)
    const fetching: State = { name: 'fetching', why: s.why, tries: s.tries, hash, round, agreeing: group.length, holders: [undefined as unknown as string, ...holders], until: now }
    this.state = fetching
    this.fetchNext(fetching, now)
  }

  /** Asks the next holder for the model, or gives up on this try. */
  private fetchNext (s: Extract<State, { name: 'fetching' }>, now: number): void {
    s.holders.shift()
    const next = s.holders[0]
    if (next === undefined) {
      this.log('warn', 'model-sync-failed', { reason: 'no member holding the majority model sent it' })
      this.retry(s, now)
      return
    }
    s.until = now + this.timeouts.modelFetch
    this.actions.push({ kind: 'send', to: next, type: FrameType.MODEL_FETCH, round: s.round, payload: Buffer.from(s.hash, 'hex') })
  }

  private retry (s: { why: string, tries: number }, now: number): void {
    if (s.tries > 1 && this.again === undefined) {
      this.state = { name: 'waiting', why: s.why, tries: s.tries - 1, until: now + this.timeouts.resyncRetry }
      return
    }
    this.finish(true, now)
  }

  private finish (idle: boolean, now: number): void {
    this.state = { name: 'idle' }
    const again = this.again
    this.again = undefined
    if (again !== undefined) { this.resync(again, this.round, now); return }
    if (idle) this.actions.push({ kind: 'idle' })
  }

  private log (level: LogLevel, event: string, fields: Record<string, unknown>): void {
    this.actions.push({ kind: 'log', level, event, fields })
  }
}
