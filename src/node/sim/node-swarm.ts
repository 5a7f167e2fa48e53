/**
 * Whole multi-round swarms of real SwarmNodes on one virtual clock, over in-memory links:
 * every member runs the node's own round logic (attempts, failover, results, persistence in
 * its member directory), but waiting out a deadline costs no wall time, every run is
 * reproducible from its seed, and a test can kill, restart (from the member's directory),
 * partition, tap or impersonate members. Attack tests on the round rules run here in
 * milliseconds instead of as processes on the wall clock.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { randomInt, seededRandom } from '../../crypto/index.ts'
import type { RandomSource } from '../../crypto/index.ts'
import { parseConsortium } from '../config/consortium.ts'
import type { LoadedConsortium } from '../config/consortium.ts'
import type { Identity } from '../config/identity.ts'
import { nodeConfigSchema } from '../config/node-dir.ts'
import { createLogger } from '../logger.ts'
import type { Fields, Level, Logger } from '../logger.ts'
import { SwarmNode } from '../swarm-node.ts'
import type { NodeHost } from '../swarm-node.ts'
import { VectorSumTask } from '../task/vector-sum-task.ts'
import type { RoundTask } from '../task/round-task.ts'
import { SimulatedModelTask } from './model-task.ts'
import { VirtualClock } from './virtual-clock.ts'
import { MemoryStore } from '../store/memory-store.ts'
import { DirectoryStore } from '../store/member-store.ts'
import type { MemberStore } from '../store/member-store.ts'

export interface LoggedEvent { readonly at: number, readonly level: Level, readonly event: string, readonly fields: Fields }

/** What a tap may do with one frame in flight: pass it (possibly rewritten) or drop it. */
export type Tap = (from: string, to: string, data: Uint8Array) => Uint8Array | undefined

export interface NodeSwarmOptions {
  readonly members: number
  readonly seed: string
  readonly dim: number
  readonly rounds: number
  readonly stageMs?: number
  readonly roundIntervalMs?: number
  readonly latencyMs?: number
  /** Extra random delay per frame, up to this many ms (seeded): frames overtake each other. */
  readonly jitterMs?: number
  /** Extra consortium `protocol` fields (maxCorrupt, threshold, ...). */
  readonly protocol?: Record<string, unknown>
  /** Member i's input for round r (default: distinct per member and round). */
  readonly input?: (member: number, round: number) => readonly number[]
  /** vector-sum (default), or 'model': a global model moved by every result and resynchronised like the train task's. */
  readonly task?: 'vector-sum' | 'model'
  /**
   * Keep each member's files in its directory as `secagg start` does: node.log (virtual time
   * from the swarm's creation), state.json, promises.json and rounds/<r>.json, instead of in
   * memory — slower (fsync), for tests that read what a member leaves on disk.
   */
  readonly memberFiles?: boolean
  /** Wraps each member's random source (e.g. to record what its machines draw). */
  readonly random?: (member: number, rng: RandomSource) => RandomSource
}

/** In-memory links between the members' hosts, on the virtual clock. */
class MemoryNetwork {
  private readonly inboxes = new Map<string, (from: string, data: Uint8Array) => void>()
  readonly down = new Set<string>()
  private cut: ReadonlyArray<ReadonlySet<string>> = []
  private readonly retrying = new Map<string, Set<() => void>>()
  /** Each host's "members changed" callback: told (on the clock, like a connection event) when one comes, goes, or is cut off. */
  private readonly watchers = new Map<string, () => void>()
  tap: Tap | undefined

  constructor (private readonly clock: VirtualClock, private readonly latencyMs: number, private readonly jitterMs: number, private readonly rng: RandomSource) {}

  host (peer: string, onMessage: (from: string, data: Uint8Array) => void, onMembers: () => void): NodeHost {
    this.inboxes.set(peer, onMessage)
    this.watchers.set(peer, onMembers)
    this.membersChanged()
    return {
      addresses: [`/memory/${peer}`],
      send: async (to, data, signal) => this.sendRetrying(peer, to, data, signal),
      connectedMembers: () => [...this.inboxes.keys()].filter((p) => p !== peer && !this.down.has(p) && this.reachable(peer, p)),
      stop: async () => {
        if (this.inboxes.get(peer) === onMessage) this.inboxes.delete(peer)
        if (this.watchers.get(peer) === onMembers) this.watchers.delete(peer)
        this.membersChanged()
      }
    }
  }

  /** Splits the members into groups that cannot reach each other (heal with []). */
  partition (groups: ReadonlyArray<ReadonlySet<string>>): void {
    this.cut = groups
    this.membersChanged()
  }

  private membersChanged (): void {
    for (const [peer, watcher] of this.watchers) this.clock.setTimeout(() => { if (this.watchers.get(peer) === watcher) watcher() }, this.latencyMs)
  }

  private reachable (a: string, b: string): boolean {
    if (this.cut.length === 0) return true
    return this.cut.some((g) => g.has(a) && g.has(b))
  }

  /**
   * Like the libp2p host: a frame to a member that cannot be reached now (down, cut off) is
   * retried every 250 ms of virtual time until its signal aborts (its deadline passed).
   */
  private sendRetrying (from: string, to: string, data: Uint8Array, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const pending = this.retrying.get(from) ?? new Set<() => void>()
      this.retrying.set(from, pending)
      const settle = (ok: boolean): void => { pending.delete(giveUp); resolve(ok) }
      const giveUp = (): void => settle(false)
      const attempt = (): void => {
        if (!pending.has(giveUp)) return
        if (this.down.has(from) || signal.aborted) { settle(false); return }
        if (this.send(from, to, data)) { settle(true); return }
        this.clock.setTimeout(attempt, 250)
      }
      pending.add(giveUp)
      attempt()
    })
  }

  /** The member is gone (killed): its sends still being retried end at once. */
  kill (peer: string): void {
    this.down.add(peer)
    for (const giveUp of [...this.retrying.get(peer) ?? []]) giveUp()
    this.watchers.delete(peer)
    this.membersChanged()
  }

  send (from: string, to: string, data: Uint8Array): boolean {
    if (this.down.has(from) || this.down.has(to) || !this.reachable(from, to)) return false
    const passed = this.tap === undefined ? data : this.tap(from, to, data)
    if (passed === undefined) return true // the sender cannot tell a dropped frame
    const copy = Uint8Array.from(passed)
    this.clock.setTimeout(() => {
      if (this.down.has(to) || this.down.has(from)) return
      this.inboxes.get(to)?.(from, copy)
    }, this.latencyMs + (this.jitterMs > 0 ? randomInt(this.rng, this.jitterMs + 1) : 0))
    return true
  }
}

export class NodeSwarm {
  readonly clock = new VirtualClock()
  readonly net: MemoryNetwork
  readonly ids: string[]
  readonly dirs: string[]
  readonly logs: LoggedEvent[][]
  readonly nodes: Array<SwarmNode | undefined>
  /** Each member's task, as last started. */
  readonly tasks: Array<RoundTask | undefined>
  /** Each member's store: it survives kills and restarts, like a member directory. */
  readonly stores: MemoryStore[]
  private readonly root: string
  /** Starts per member: each (re)start draws from its own seeded stream. */
  private readonly starts: number[] = []
  /** Wall time the virtual clock's 0 stands for, in node.log. */
  private readonly createdAt = Date.now()

  private constructor (
    readonly options: NodeSwarmOptions,
    private readonly identities: Identity[],
    readonly consortium: LoadedConsortium,
    root: string
  ) {
    this.root = root
    this.net = new MemoryNetwork(this.clock, options.latencyMs ?? 5, options.jitterMs ?? 0, seededRandom(`node-swarm/${options.seed}/links`))
    this.ids = identities.map((i) => i.peerId)
    this.dirs = this.ids.map((_, i) => join(root, `m${i}`))
    this.logs = this.ids.map(() => [])
    this.nodes = this.ids.map(() => undefined)
    this.tasks = this.ids.map(() => undefined)
    this.stores = this.ids.map(() => new MemoryStore())
  }

  static async create (options: NodeSwarmOptions): Promise<NodeSwarm> {
    const rng = seededRandom(`node-swarm/${options.seed}`)
    const identities: Identity[] = []
    for (let i = 0; i < options.members; i++) {
      const privateKey = await generateKeyPairFromSeed('Ed25519', rng(32))
      identities.push({ privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() })
    }
    const text = JSON.stringify({
      consortium: `simulated/${options.seed}`,
      members: identities.map((i) => ({ peerId: i.peerId })),
      protocol: { clip: 100, maxWeight: 10, ...options.protocol },
      timeouts: { stageMs: options.stageMs ?? 1000, roundIntervalMs: options.roundIntervalMs ?? 100 },
      task: { type: 'vector-sum', dim: options.dim }
    })
    const root = mkdtempSync(join(tmpdir(), 'secagg-node-swarm-'))
    const swarm = new NodeSwarm(options, identities, parseConsortium(Buffer.from(text), 'consortium.json'), root)
    const input = options.input ?? ((m: number, r: number) => Array.from({ length: options.dim }, (_, j) => (m + 1) * (j % 2 === 0 ? 1 : -1) + r / 8 + j / 16))
    swarm.dirs.forEach((dir, m) => {
      mkdirSync(join(dir, 'inputs'), { recursive: true })
      for (let r = 0; r < options.rounds; r++) writeFileSync(join(dir, 'inputs', `${r}.json`), JSON.stringify({ vector: input(m, r), weight: 1 }))
    })
    return swarm
  }

  /** Member i's identity (a test playing a malicious member signs with it). */
  identity (i: number): Identity { return this.identities[i]! }

  /** Member i's input of round r, as written to its directory. */
  inputOf (i: number, round: number): number[] {
    return (JSON.parse(readFileSync(join(this.dirs[i]!, 'inputs', `${round}.json`), 'utf8')) as { vector: number[] }).vector
  }

  /**
   * Starts (or restarts, from its directory) member i's node: with the swarm's `rounds` as the
   * last round, or like `secagg start` with `more` rounds from where it is and a start-up wait.
   */
  async start (i: number, run: { more?: number, startupWait?: number } = {}): Promise<SwarmNode> {
    const peer = this.ids[i]!
    this.net.down.delete(peer)
    const config = nodeConfigSchema.parse({ listen: [], vectorFile: 'inputs/{round}.json' })
    const logger = this.logger(i)
    const task = this.options.task === 'model' ? new SimulatedModelTask(this.dirs[i]!, i, this.options.dim) : new VectorSumTask(this.dirs[i]!, config, this.options.dim)
    this.tasks[i] = task
    const node = new SwarmNode({
      dir: this.dirs[i]!, identity: this.identities[i]!, consortium: this.consortium, listen: [], bootstrap: [], mdns: false,
      ...(run.more !== undefined ? { moreRounds: run.more } : { rounds: this.options.rounds }), logger, task,
      ...(run.startupWait !== undefined ? { timeouts: { startupWait: run.startupWait } } : {}),
      components: { store: this.store(i), clock: this.clock, rng: this.random(i), createHost: async (onMessage, onMembers) => this.net.host(peer, onMessage, onMembers) }
    })
    this.nodes[i] = node
    await node.start()
    return node
  }

  /** Like kill -9: the member vanishes mid-step; only what it wrote to disk survives. */
  async kill (i: number): Promise<void> {
    this.net.kill(this.ids[i]!)
    const node = this.nodes[i]
    this.nodes[i] = undefined
    await node?.stop()
  }

  /**
   * Schedules one seeded disturbance at a random time in [200, 200 + withinMs): a member killed
   * (like kill -9) and restarted from its store 0.5–4.5 s later, or the swarm split in two
   * random sides that heal 0.5–4.5 s later.
   */
  disturb (rng: RandomSource, withinMs: number): void {
    const at = 200 + randomInt(rng, withinMs)
    const victim = randomInt(rng, this.ids.length)
    if (randomInt(rng, 2) === 0) {
      this.clock.setTimeout(() => { void this.kill(victim) }, at)
      this.clock.setTimeout(() => { if (this.nodes[victim] === undefined) void this.start(victim) }, at + 500 + randomInt(rng, 4000))
    } else {
      const side = new Set(this.ids.filter(() => randomInt(rng, 2) === 0))
      this.clock.setTimeout(() => this.net.partition([side, new Set(this.ids.filter((id) => !side.has(id)))]), at)
      this.clock.setTimeout(() => this.net.partition([]), at + 500 + randomInt(rng, 4000))
    }
  }

  /**
   * Advances the virtual clock until `done()` holds, letting promises settle between timers.
   * Throws when `maxMs` of virtual time pass first or nothing is left to run.
   */
  async runUntil (done: () => boolean, maxMs: number, what: string): Promise<void> {
    const end = this.clock.now() + maxMs
    for (;;) {
      for (let k = 0; k < 3; k++) await new Promise((resolve) => setImmediate(resolve))
      if (done()) return
      if (this.clock.now() > end) throw new Error(`virtual time ran out (${maxMs} ms) waiting for ${what}`)
      if (!this.clock.step()) {
        await new Promise((resolve) => setImmediate(resolve))
        if (done()) return
        if (this.clock.size === 0) throw new Error(`nothing left to run while waiting for ${what}`)
      }
    }
  }

  /** Member i's record of a round (rounds/<r>.json in a member directory). */
  roundFile (i: number, round: number): Record<string, unknown> | undefined {
    if (this.options.memberFiles !== true) return this.stores[i]!.rounds.get(round)
    const path = join(this.dirs[i]!, 'rounds', `${round}.json`)
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> : undefined
  }

  events (i: number, event: string): LoggedEvent[] {
    return this.logs[i]!.filter((e) => e.event === event)
  }

  async teardown (): Promise<void> {
    for (let i = 0; i < this.nodes.length; i++) await this.kill(i)
    rmSync(this.root, { recursive: true, force: true })
  }

  /** Each (re)start draws from its own seeded stream. */
  private random (i: number): RandomSource {
    const rng = seededRandom(`node-swarm/${this.options.seed}/member-${i}/start-${this.starts[i] = (this.starts[i] ?? 0) + 1}`)
    return this.options.random?.(i, rng) ?? rng
  }

  private store (i: number): MemberStore {
    return this.options.memberFiles === true ? new DirectoryStore(this.dirs[i]!) : this.stores[i]!
  }

  private logger (i: number): Logger {
    const file = this.options.memberFiles === true ? createLogger({ file: join(this.dirs[i]!, 'node.log'), now: () => new Date(this.createdAt + this.clock.now()) }) : undefined
    const log = (level: Level) => (event: string, fields: Fields = {}): void => {
      this.logs[i]!.push({ at: this.clock.now(), level, event, fields })
      file?.[level](event, fields)
    }
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
  }
}
