/**
 * Model resynchronisation (train task), with its own frames: brings a member onto the model
 * more than half of ALL members hold (the same majority that makes a result count). It asks
 * every member for (round, model hash) — MODEL_QUERY / MODEL_STATUS — and if a majority agrees
 * on a model this member lacks, fetches it from one holder after another (MODEL_FETCH /
 * MODEL_DATA) and checks its hash. A single lying member can neither stop it nor plant a
 * model, nor push this member into a round the majority has not reached; a member asking for
 * the model is served at most once per interval (32 bytes in, a whole model out).
 */
import { createHash } from 'node:crypto'
import { toHex as hex } from '../../crypto/index.ts'
import { sleep } from '../clock.ts'
import type { Clock, TimerHandle } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { StateSync } from '../task/round-task.ts'
import { FrameType } from '../../round/wire/round.generated.ts'
/** More than half of all members: the model majority of a resync. */
const quorum = (members: number): number => Math.floor(members / 2) + 1

export interface ModelSyncTimeouts {
  readonly modelFetchInterval: number
  readonly statusReplies: number
  readonly modelFetch: number
  readonly resyncRetry: number
}

/** What the resync needs from its node. */
export interface ModelSyncContext {
  readonly self: string
  readonly members: readonly string[]
  readonly state: StateSync
  /** Bytes of a model (float32 weights). */
  readonly modelBytes: number
  readonly clock: Clock
  readonly logger: Logger
  readonly timeouts: ModelSyncTimeouts
  /** The round this member is in (or about to start). */
  roundNow (): number
  send (to: string, type: FrameType, round: number, payload: Uint8Array): void
  /** Move to `round`; `installed`: a new model was just installed for it. */
  jumpTo (round: number, installed: boolean): void
  /** The resync ended without moving this member: make sure a round is running. */
  idle (): void
  stopped (): boolean
  /** Runs `fn` after `ms` with failures contained. */
  timer (what: string, fn: () => void, ms: number): TimerHandle
}

export class ModelSync {
  private syncing = false
  private again: string | undefined
  private retryTimer: TimerHandle | undefined
  private readonly statusReplies = new Map<string, { round: number, hash: string }>()
  private readonly fetchServed = new Map<string, number>()
  private readonly queryServed = new Map<string, number>()
  private waiter: { hash: string, from: string, resolve: (d: { round: number, bytes: Uint8Array } | undefined) => void } | undefined

  constructor (private readonly ctx: ModelSyncContext) {}

  get busy (): boolean { return this.syncing }

  stop (): void { this.ctx.clock.clearTimeout(this.retryTimer) }

  /** A MODEL_* frame from a member. */
  onFrame (from: string, type: FrameType, round: number, payload: Uint8Array): void {
    const { logger, state, clock, timeouts } = this.ctx
    switch (type) {
      case FrameType.MODEL_QUERY: {
        const last = this.queryServed.get(from)
        if (last !== undefined && clock.now() - last < timeouts.modelFetchInterval / 8) {
          logger.debug('request-refused', { peer: from, request: 'model query', reason: 'queried again too soon' })
          return
        }
        this.queryServed.set(from, clock.now())
        this.ctx.send(from, FrameType.MODEL_STATUS, this.ctx.roundNow(), state.hash())
        return
      }
      case FrameType.MODEL_STATUS:
        if (payload.length !== 32) { logger.warn('message-dropped', { peer: from, reason: 'model status without a 32-byte hash' }); return }
        if (this.syncing) this.statusReplies.set(from, { round, hash: hex(payload) })
        return
      case FrameType.MODEL_FETCH: {
        if (payload.length !== 32) { logger.warn('message-dropped', { peer: from, reason: 'model fetch without a 32-byte hash' }); return }
        const last = this.fetchServed.get(from)
        if (last !== undefined && clock.now() - last < timeouts.modelFetchInterval) {
          logger.warn('request-refused', { peer: from, request: 'model fetch', reason: `one model per ${timeouts.modelFetchInterval} ms per member` })
          return
        }
        this.fetchServed.set(from, clock.now())
        const bytes = state.bytesFor(payload)
        if (bytes === undefined) { logger.debug('model-not-held', { peer: from, hash: hex(payload) }); return }
        this.ctx.send(from, FrameType.MODEL_DATA, this.ctx.roundNow(), bytes)
        return
      }
      case FrameType.MODEL_DATA: {
        const w = this.waiter
        if (w === undefined || w.from !== from) return
        // A holder that sends anything but the majority's model is skipped for the next one.
        if (payload.length !== this.ctx.modelBytes) { logger.warn('message-dropped', { peer: from, reason: `model data of ${payload.length} bytes, expected ${this.ctx.modelBytes}` }); w.resolve(undefined); return }
        if (hex(createHash('sha256').update(payload).digest()) !== w.hash) { logger.warn('message-dropped', { peer: from, reason: 'model data does not match the hash the majority holds' }); w.resolve(undefined); return }
        w.resolve({ round, bytes: payload })
        return
      }
      default:
    }
  }

  /** Starts a resync (or queues one behind the running one). */
  async resync (why: string, tries = 3): Promise<void> {
    const { logger, state, clock, timeouts } = this.ctx
    if (this.ctx.stopped()) return
    if (this.syncing) { this.again = why; return }
    this.syncing = true
    this.statusReplies.clear()
    let retry = false
    try {
      logger.info('model-sync', { why })
      const own = { round: this.ctx.roundNow(), hash: state.hash() }
      const others = this.ctx.members.filter((m) => m !== this.ctx.self)
      for (const m of others) this.ctx.send(m, FrameType.MODEL_QUERY, own.round, new Uint8Array(0))
      const deadline = clock.now() + timeouts.statusReplies
      while (clock.now() < deadline && this.statusReplies.size < others.length && !this.ctx.stopped()) await sleep(clock, 50)
      // Votes by model; among the holders of the majority's model, the latest round any of
      // them is in is where to go (rounds that aborted leave the model as it was).
      const votes = new Map<string, Array<{ peer: string, round: number }>>()
      const vote = (peer: string, round: number, hash: string): void => { votes.set(hash, [...(votes.get(hash) ?? []), { peer, round }]) }
      vote(this.ctx.self, own.round, hex(own.hash))
      for (const [peer, s] of this.statusReplies) vote(peer, s.round, s.hash)
      const [hash, group] = [...votes].sort((a, b) => b[1].length - a[1].length)[0]!
      const need = quorum(this.ctx.members.length)
      if (group.length < need) {
        logger.warn('model-sync-no-majority', { replies: this.statusReplies.size, largestGroup: group.length, need })
        retry = true
        return
      }
      // The round at least a majority of all members has reached: one member claiming a far
      // later round cannot push this one there.
      const round = group.map((g) => g.round).sort((a, b) => b - a)[need - 1]!
      const holders = group.filter((g) => g.peer !== this.ctx.self).sort((a, b) => b.round - a.round).map((g) => g.peer)
      if (group.some((g) => g.peer === this.ctx.self)) {
        if (round <= own.round) { logger.info('model-sync-current', { round: own.round, modelHash: hex(own.hash), agreeing: group.length }); return }
        logger.info('catching-up', { from: `${own.round}`, to: `${round}`, reason: 'the members on this model are in a later round' })
        this.ctx.jumpTo(round, false)
        return
      }
      for (const peer of holders) {
        const got = await new Promise<{ round: number, bytes: Uint8Array } | undefined>((resolve) => {
          const timer = clock.setTimeout(() => { this.waiter = undefined; resolve(undefined) }, timeouts.modelFetch)
          this.waiter = { hash, from: peer, resolve: (d) => { clock.clearTimeout(timer); this.waiter = undefined; resolve(d) } }
          this.ctx.send(peer, FrameType.MODEL_FETCH, round, Buffer.from(hash, 'hex'))
        })
        if (got === undefined) continue
        state.install(round, got.bytes)
        logger.info('model-synced', { round, modelHash: hash, from: peer, agreeing: group.length })
        this.ctx.jumpTo(round, true)
        return
      }
      logger.warn('model-sync-failed', { reason: 'no member holding the majority model sent it' })
      retry = true
    } finally {
      this.syncing = false
      const again = this.again
      this.again = undefined
      if (again !== undefined) void this.resync(again)
      else if (retry && tries > 1 && !this.ctx.stopped()) this.retryTimer = this.ctx.timer('sync-retry', () => { void this.resync(why, tries - 1) }, timeouts.resyncRetry)
      else this.ctx.idle()
    }
  }
}
