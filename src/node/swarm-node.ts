/**
 * One consortium member's node: the driver of its round coordinator (src/round/coordinator.ts,
 * where every rule lives). It wires the coordinator to its components (js-libp2p's
 * components/init pattern) — the transport, the clock, the randomness, the member's store and
 * the logger — and to the task: it runs the coordinator's actions in order and keeps one timer
 * for its next deadline.
 */
import { createEd25519Signer, systemRandom, toHex as hex } from '../crypto/index.ts'
import type { RandomSource } from '../crypto/index.ts'
import { sessionDuration } from '../protocol/index.ts'
import type { SessionConfig } from '../protocol/index.ts'
import { RoundCoordinator } from '../round/coordinator.ts'
import type { CoordinatorAction, CoordinatorTimeouts } from '../round/coordinator-io.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { ConsortiumFileError, sessionParameters, stageTimeoutsOf } from './config/consortium.ts'
import { consortiumQuantization } from './config/consortium-quantization.ts'
import type { LoadedConsortium } from './config/consortium.ts'
import type { Identity } from './config/identity.ts'
import type { Fields, Logger } from './logger.ts'
import { SwarmHost } from './net/host.ts'
import type { HostOptions } from './net/host.ts'
import { clockTimeout, systemClock } from './clock.ts'
import type { Clock, TimerHandle } from './clock.ts'
import { DirectoryStore } from './store/member-store.ts'
import type { MemberStore } from './store/member-store.ts'
import type { RoundTask } from './task/round-task.ts'

export interface SwarmNodeOptions {
  readonly dir: string
  readonly identity: Identity
  readonly consortium: LoadedConsortium
  readonly listen: readonly string[]
  readonly bootstrap: readonly string[]
  readonly mdns: boolean
  /** Stop before this round (an absolute round number; the simulator's fixed schedules). */
  readonly rounds?: number
  /** Or stop after this many more rounds (`secagg start --rounds N`; coordinator-io.ts, moreRounds). */
  readonly moreRounds?: number
  /** Stop (fatal) after this many consecutive rounds without a usable input of its own. */
  readonly maxInputFailures?: number
  readonly logger: Logger
  /** What the rounds are for (vector-sum or train). */
  readonly task: RoundTask
  /** Injected parts; defaults: the wall clock, a libp2p SwarmHost, the system RNG, the member directory. */
  readonly components?: { readonly clock?: Clock, readonly createHost?: HostFactory, readonly rng?: RandomSource, readonly store?: MemberStore }
  /** Overrides of the node's own deadlines. */
  readonly timeouts?: Partial<SwarmNodeTimeouts>
  /** Observers of the libp2p host (the operator's monitor and metrics, src/node/ops). */
  readonly hostHooks?: Pick<HostOptions, 'observer' | 'metrics'>
}

/** The transport a node needs: send one frame to a member, and stop. */
export interface NodeHost {
  readonly addresses: string[]
  send(peer: string, data: Uint8Array, signal: AbortSignal): Promise<boolean>
  /** The members it has a connection to now (the node waits for enough of them before a round). */
  connectedMembers(): string[]
  stop(): Promise<void>
}

/** `onMembers`: called whenever the set of connected members may have changed. */
export type HostFactory = (onMessage: (from: string, data: Uint8Array) => void, onMembers: () => void) => Promise<NodeHost>

/** The node's own deadlines (ms), besides the consortium's stage timeouts. */
export type SwarmNodeTimeouts = Omit<CoordinatorTimeouts, 'echoWait'> & { readonly echoWait?: number }

export const DEFAULT_NODE_TIMEOUTS: SwarmNodeTimeouts = {
  modelFetchInterval: 4_000, behindWait: 5_000, statusReplies: 3_000, modelFetch: 15_000, resyncRetry: 5_000, resultDelivery: 30_000
}

/** Consecutive rounds without a usable input of its own before a node stops (`secagg start --max-input-failures`). */
export const DEFAULT_MAX_INPUT_FAILURES = 3

export class SwarmNode {
  private host: NodeHost | undefined
  private readonly clock: Clock
  private readonly store: MemberStore
  readonly coordinator: RoundCoordinator
  private timer: TimerHandle | undefined
  private readonly resultSends = new Set<Promise<boolean>>()
  private stopped = false
  private failure: string | undefined
  private readonly finished: { promise: Promise<void>, resolve: () => void }

  constructor (private readonly options: SwarmNodeOptions) {
    const { consortium, identity, task } = options
    const members = consortium.file.members.map((m) => m.peerId)
    if (!members.includes(identity.peerId)) throw new ConsortiumFileError(`this member (${identity.peerId}) is not listed in ${consortium.path}; add it to "members"`)
    let resolve!: () => void
    this.finished = { promise: new Promise<void>((r) => { resolve = r }), resolve: () => resolve() }
    this.clock = options.components?.clock ?? systemClock
    this.store = options.components?.store ?? new DirectoryStore(options.dir)
    const timeouts = { ...DEFAULT_NODE_TIMEOUTS, ...options.timeouts }
    const stageTimeouts = stageTimeoutsOf(consortium.file)
    this.coordinator = new RoundCoordinator({
      self: identity.peerId, members, signer: createEd25519Signer(identity.privateKey.raw),
      signingKeys: new Map(members.map((id) => [id, peerIdFromString(id).publicKey!.raw])),
      consortiumHash: consortium.hash, ...sessionParameters(consortium.file), dim: task.dim,
      quantization: consortiumQuantization(consortium.file, task.dim),
      stageTimeouts, roundIntervalMs: consortium.file.timeouts.roundIntervalMs, ...(options.rounds !== undefined ? { rounds: options.rounds } : {}),
      ...(options.moreRounds !== undefined ? { moreRounds: options.moreRounds } : {}), maxInputFailures: options.maxInputFailures ?? DEFAULT_MAX_INPUT_FAILURES,
      timeouts: { ...timeouts, echoWait: timeouts.echoWait ?? sessionDuration(stageTimeouts) }, policy: task,
      ...(task.sync !== undefined ? { model: task.sync } : {})
    }, this.store.loadPromises(), options.components?.rng ?? systemRandom)
  }

  get peerId (): string { return this.options.identity.peerId }
  get addresses (): string[] { return this.host?.addresses ?? [] }
  /** Resolves when --rounds are done, the node is stopped, or it failed (`failed`). */
  get done (): Promise<void> { return this.finished.promise }
  /** Why the node gave up (its own input kept failing, the members never came), if it did. */
  get failed (): string | undefined { return this.failure }
  sessionConfig (round: number, attempt: number, aggregator: string): SessionConfig { return this.coordinator.sessionConfig(round, attempt, aggregator) }

  async start (): Promise<void> {
    const { consortium, logger } = this.options
    const onMessage = (from: string, data: Uint8Array): void => this.step('message', () => this.coordinator.receive(from, data, this.clock.now()))
    const onMembers = (): void => { if (this.host !== undefined && !this.stopped) this.step('members', () => this.coordinator.reachable(this.host!.connectedMembers(), this.clock.now())) }
    const createHost = this.options.components?.createHost
    this.host = createHost !== undefined
      ? await createHost(onMessage, onMembers)
      : await SwarmHost.start({
        identity: this.options.identity, members: new Map(consortium.file.members.map((m) => [m.peerId, m.addresses])),
        listen: this.options.listen, bootstrap: this.options.bootstrap, mdns: this.options.mdns,
        maxMessageBytes: consortium.file.protocol.maxMessageBytes, logger, onMessage, onMembers, clock: this.clock, ...this.options.hostHooks
      })
    const nextRound = Math.max(this.store.nextRound(), this.options.task.resumeRound ?? 0)
    // pid and resumeRound let `secagg logs --summary` mark and explain a restart.
    logger.info('node-started', { peer: this.peerId, addresses: this.host.addresses, consortium: consortium.file.consortium, consortiumHash: hex(consortium.hash), pid: process.pid, resumeRound: nextRound })
    this.step('start', () => {
      this.coordinator.reachable(this.host!.connectedMembers(), this.clock.now())
      this.coordinator.start(nextRound, this.clock.now())
    })
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.coordinator.stop(this.clock.now())
    this.clock.clearTimeout(this.timer)
    // Results already on their way are still handed out (bounded: at most ten seconds).
    await Promise.race([Promise.allSettled([...this.resultSends]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
    await this.host?.stop()
    this.options.task.close()
    this.finished.resolve()
  }

  /** Feeds the coordinator once, then runs its actions and sets the timer for its next deadline. */
  private step (what: string, feed: () => void): void {
    try {
      feed()
      for (let a = this.coordinator.pollAction(); a !== undefined; a = this.coordinator.pollAction()) this.run(a)
    } catch (err) {
      this.options.logger.error('internal-error', { in: what, error: (err as Error).message })
    }
    this.clock.clearTimeout(this.timer)
    const deadline = this.coordinator.pollTimeout()
    if (deadline !== undefined && !this.stopped) this.timer = this.clock.setTimeout(() => this.step('timeout', () => this.coordinator.handleTimeout(this.clock.now())), Math.max(0, deadline - this.clock.now()))
  }

  private run (a: CoordinatorAction): void {
    const { logger, task } = this.options
    const now = this.clock.now()
    switch (a.kind) {
      case 'send': this.send(a.to, a.frame, a.ttl, a.result); return
      case 'log': logger[a.level](a.event, a.fields as Fields); return
      case 'save-round': this.store.saveRound(a.round, a.record); return
      case 'save-progress': this.store.saveProgress(a.nextRound); return
      case 'persist-promises':
        try { this.store.savePromises(a.record) } catch (err) { this.coordinator.persistFailed(err as Error, now) }
        return
      case 'need-input': {
        let input
        try { input = task.input(a.round) } catch (err) { this.coordinator.provideInput(a.round, a.attempt, err as Error, now); return }
        if (!(input instanceof Promise)) { this.coordinator.provideInput(a.round, a.attempt, input, now); return }
        // Local training runs while the keys are exchanged; the participant waits for it up
        // to the masked-stage deadline.
        this.coordinator.inputPending(a.round, a.attempt, now)
        input.then((ready) => this.step('input', () => this.coordinator.provideInput(a.round, a.attempt, ready, this.clock.now())),
          (err: unknown) => { if (!this.stopped) this.step('input', () => this.coordinator.provideInput(a.round, a.attempt, err as Error, this.clock.now())) })
        return
      }
      case 'apply':
        void task.apply(a.outcome, a.includedSelf).then(
          (fields) => this.step('applied', () => this.coordinator.applied(a.round, a.record, fields, this.clock.now())),
          (err: unknown) => this.step('applied', () => this.coordinator.applied(a.round, a.record, err as Error, this.clock.now())))
        return
      case 'install': {
        let failed: Error | undefined
        try { task.sync!.install(a.round, a.bytes) } catch (err) { failed = err as Error }
        this.coordinator.installed(a.round, failed, now)
        return
      }
      case 'done': this.finished.resolve(); return
      case 'fatal':
        this.failure = a.reason
        this.finished.resolve()
    }
  }

  private send (to: string, frame: Uint8Array, ttl: number, result: boolean): void {
    if (this.host === undefined) return
    const sending = this.host.send(to, frame, clockTimeout(this.clock, ttl)).then((ok) => {
      if (!ok) this.options.logger.debug('send-abandoned', { to })
      return ok
    }, () => false)
    if (result) {
      this.resultSends.add(sending)
      void sending.finally(() => this.resultSends.delete(sending))
    }
  }
}
