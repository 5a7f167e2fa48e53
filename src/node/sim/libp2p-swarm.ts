/**
 * The simulator over real networking: one libp2p host per simulated peer (TCP + Noise + Yamux
 * on 127.0.0.1, in this process), each driving its state machines through the node's own
 * SessionRunner with wall-clock timers. It runs the same scenario as the in-memory swarm
 * (identities, aggregator, inputs, dropout schedule all from the seed), so the two reports
 * differ only in timings: researchers can compare them field by field.
 *
 * It also runs a plain round — members send their quantized, unmasked vectors to the same
 * aggregator over the same connections — the baseline of the secure-vs-plain benchmark.
 */
import { systemClock } from '../clock.ts'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { decodeMessage, decodeSum, encodeInput } from '../../protocol/index.ts'
import type { DecodedSum, ProtocolEvent } from '../../protocol/index.ts'
import { createLogger } from '../logger.ts'
import type { Logger } from '../logger.ts'
import { untilAborted } from '../net/frame-channel.ts'
import { SwarmHost } from '../net/host.ts'
import { SessionRunner } from '../round/session-runner.ts'
import { buildReport, prepareScenario } from '../../sim/scenario.ts'
import type { Scenario, SimulationObserver, SimulationOptions, SimulationReport } from '../../sim/scenario.ts'
import { logDropout, logRoundStart, logSessionEvent } from '../../sim/peer-log.ts'
import { StageProgress } from '../../sim/progress.ts'
import type { ProgressSink } from '../../sim/progress.ts'

import { DEFAULT_LIBP2P_STAGE_MS, MAX_LIBP2P_PEERS } from './libp2p-limits.ts'

export { DEFAULT_LIBP2P_STAGE_MS, MAX_LIBP2P_PEERS }

export class Libp2pSimulationError extends Error {
  static override name = 'Libp2pSimulationError'
  override name = 'Libp2pSimulationError'
}

/** Receives (receiving host index, sending host index, bytes). */
export type SwarmReceiver = (to: number, from: number, data: Uint8Array) => void

/** N libp2p hosts on loopback that know each other's addresses. */
export class LoopbackSwarm {
  /** Set by whoever runs a round on this swarm. */
  receiver: SwarmReceiver = () => {}

  private constructor (readonly hosts: readonly SwarmHost[], readonly peerIds: readonly string[]) {}

  /** One host per identity seed, listening on 127.0.0.1 with an ephemeral port; `logger`: one for all, or host i's. */
  static async start (identitySeeds: readonly Uint8Array[], maxMessageBytes: number, logger: Logger | ((host: number) => Logger) = createLogger({}), progress?: ProgressSink): Promise<LoopbackSwarm> {
    const identities = await Promise.all(identitySeeds.map(async (seed) => {
      const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
      return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() }
    }))
    const peerIds = identities.map((i) => i.peerId)
    const index = new Map(peerIds.map((id, i) => [id, i]))
    const members = new Map(peerIds.map((id) => [id, [] as string[]]))
    const hosts: SwarmHost[] = []
    const ref: { swarm?: LoopbackSwarm } = {} // messages arriving before start() returns are dropped
    try {
      for (const [to, identity] of identities.entries()) {
        hosts.push(await SwarmHost.start({
          identity, members, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, maxMessageBytes,
          logger: typeof logger === 'function' ? logger(to) : logger,
          keepConnected: false, // peers talk to the aggregator only: connect on first send
          onMessage: (from, data) => {
            const i = index.get(from)
            if (i !== undefined) ref.swarm?.receiver(to, i, data)
          }
        }))
        progress?.advance(hosts.length)
      }
      for (const [i, host] of hosts.entries()) {
        for (const [j, other] of hosts.entries()) if (i !== j) await host.learnAddresses(peerIds[j]!, other.addresses)
      }
    } catch (err) {
      await Promise.allSettled(hosts.map((h) => h.stop()))
      throw err
    }
    ref.swarm = new LoopbackSwarm(hosts, peerIds)
    return ref.swarm
  }

  send (from: number, to: number, data: Uint8Array, signal: AbortSignal): Promise<boolean> {
    return this.hosts[from]!.send(this.peerIds[to]!, data, signal)
  }

  /** Opens a connection from every peer to `hub` (so a timed round does not pay for dials). */
  async connectTo (hub: number, signal: AbortSignal, progress?: ProgressSink): Promise<void> {
    // A few at a time: all N handshakes run on this one thread and would each hit the dial timeout.
    const others = this.hosts.map((_, i) => i).filter((i) => i !== hub)
    for (let k = 0; k < others.length; k += 8) {
      await Promise.all(others.slice(k, k + 8).map(async (i) => { await this.hosts[i]!.connect(this.peerIds[hub]!, signal) }))
      progress?.advance(Math.min(others.length, k + 8))
    }
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.hosts.map((h) => h.stop()))
  }
}

/** Bytes a masked vector of `dim` coordinates needs on the wire, with room for framing. */
export function messageLimitFor (dim: number, peers: number): number {
  return Math.max(16 * 1024 * 1024, 2 * 4 * (dim + 1) + 256 * peers + 1024 * 1024)
}

export interface SecureRoundOptions {
  /**
   * Members start without their inputs and get them once every live member holds its
   * neighbours' shares: the round of a node whose local training outlasts the key exchange.
   */
  readonly inputsAfterKeys?: boolean
}

export interface SecureRoundSeen {
  readonly events: Array<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }>
  readonly offline: Set<number>
  readonly bytesSent: number[]
  readonly clipped: number
  /** With inputsAfterKeys: when the inputs were given, in ms on the round's clock (events' `at`). */
  readonly inputsAt?: number
}

/**
 * Runs the scenario's secure round on `swarm` (one host per scenario peer). Resolves once the
 * aggregator has a result or aborted and every live participant has finished (or, after the
 * aggregator finished, a participant's longest wait has passed).
 */
export async function runSecureRound (swarm: LoopbackSwarm, s: Scenario, signal: AbortSignal, observer: SimulationObserver = {}, options: SecureRoundOptions = {}): Promise<SecureRoundSeen> {
  const n = s.peers
  const t0 = performance.now()
  const now = (): number => performance.now() - t0
  const events: Array<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }> = []
  const { log, sent, random } = observer
  const stages = observer.progress !== undefined ? new StageProgress(observer.progress, s) : undefined
  const offline = new Set<number>()
  const bytesSent = new Array<number>(n).fill(0)
  const finished = new Set<number>()
  let aggregatorDone = false
  const sends = new AbortController()
  const stop = AbortSignal.any([signal, sends.signal])
  const decodeLimits = { maxPeers: n, vectorWords: s.dim + 1 }
  const kindOf = new WeakMap<Uint8Array, string>()
  const kind = (data: Uint8Array): string => {
    let k = kindOf.get(data)
    if (k === undefined) {
      const d = decodeMessage(data, decodeLimits)
      k = d.ok ? d.message.kind : 'abort'
      kindOf.set(data, k)
    }
    return k
  }
  let roundOver!: () => void
  const over = new Promise<void>((resolve) => { roundOver = resolve })
  // After the aggregator is done, participants still waiting only wait out their deadline.
  const longestWait = 2 * Math.max(...Object.values(s.config.stageTimeouts))
  let grace: NodeJS.Timeout | undefined
  const check = (): void => {
    if (!aggregatorDone && !offline.has(s.aggregatorIndex)) return
    grace ??= setTimeout(roundOver, longestWait + 100)
    if (s.ids.every((_, i) => offline.has(i) || finished.has(i))) roundOver()
  }
  const runners: SessionRunner[] = s.ids.map((self, i) => new SessionRunner({
    config: s.config, self, signer: s.signers[i]!, rng: random?.(i, s.participantRandom(i)) ?? s.participantRandom(i), clock: { ...systemClock, now },
    outbound: (role, to, data) => {
      sent?.(i, to, data)
      if (offline.has(i)) return false
      if (!s.isDropping(i, kind(data))) {
        if (role === 'participant') stages?.participantSent(kind(data))
        return true
      }
      if (log !== undefined) logDropout(log, s, i, s.dropouts.get(i)!, now())
      offline.add(i)
      queueMicrotask(() => { runners[i]!.stop(); check() })
      return false
    },
    send: (to, data) => {
      const j = s.indexOf.get(to)!
      bytesSent[i]! += data.length
      void swarm.send(i, j, data, stop)
    },
    onEvent: (role, event) => {
      events.push({ peer: i, role, event })
      if (log !== undefined) logSessionEvent(log, s, i, role, event, now())
      if (role === 'aggregator') stages?.aggregatorEvent(event)
      if (role === 'aggregator' && (event.type === 'result' || event.type === 'aborted')) aggregatorDone = true
      if (role === 'participant' && (event.type === 'completed' || event.type === 'aborted')) finished.add(i)
      check()
    }
  }))
  // With inputsAfterKeys, members start without their inputs, as a node does while it trains
  // (the coordinator's inputPending), and get them once every live member holds its shares.
  let inputsAt: number | undefined
  const giveInputsWhenReady = (): void => {
    // A member whose participant already ended (aborted) waits for nothing: it does not hold the others back.
    if (inputsAt !== undefined || !runners.every((r, i) => offline.has(i) || finished.has(i) || r.waitingForInput)) return
    inputsAt = now()
    runners.forEach((r, i) => { if (!offline.has(i) && !finished.has(i)) r.provideInput(s.inputOf(i), s.weights[i]!) })
  }
  swarm.receiver = (to, from, data) => {
    if (offline.has(to)) return
    runners[to]!.deliver(s.ids[from]!, data)
    if (options.inputsAfterKeys === true) giveInputsWhenReady()
  }
  if (log !== undefined) s.ids.forEach((_, i) => logRoundStart(log, s, i, now()))
  try {
    runners.forEach((r, i) => {
      if (signal.aborted) return
      if (options.inputsAfterKeys === true) r.start()
      else r.start(s.inputOf(i), s.weights[i]!) // start() encodes each input before the next is drawn
    })
    await untilAborted(over, signal)
  } finally {
    clearTimeout(grace)
    for (const r of runners) r.stop()
    sends.abort()
    swarm.receiver = () => {}
  }
  return { events, offline, bytesSent, clipped: runners.reduce((sum, r) => sum + r.clippedCoordinates, 0), ...(inputsAt !== undefined ? { inputsAt } : {}) }
}

/**
 * The baseline: every peer quantizes its input exactly as the secure round does and sends
 * the words unmasked to the aggregator, which adds them. No keys, shares or masks.
 */
export async function runPlainRound (swarm: LoopbackSwarm, s: Scenario, signal: AbortSignal): Promise<DecodedSum> {
  const plan = s.config.quantization
  const hub = s.aggregatorIndex
  const sum = new Uint32Array(s.dim + 1)
  const arrived = new Set<number>()
  let resolve!: () => void
  const all = new Promise<void>((r) => { resolve = r })
  const add = (from: number, words: Uint32Array): void => {
    if (arrived.has(from) || words.length !== sum.length) return
    arrived.add(from)
    for (let j = 0; j < sum.length; j++) sum[j] = (sum[j]! + words[j]!) >>> 0
    if (arrived.size === s.peers) resolve()
  }
  swarm.receiver = (to, from, data) => {
    if (to !== hub || data.byteLength % 4 !== 0) return
    const aligned = data.byteOffset % 4 === 0 ? data : new Uint8Array(data) // a copy: Buffer#slice is a view
    add(from, new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4))
  }
  const sends = new AbortController()
  try {
    for (let i = 0; i < s.peers; i++) {
      const { words } = encodeInput(plan, s.inputOf(i), s.weights[i]!)
      const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength)
      if (i === hub) add(i, words)
      else void swarm.send(i, hub, bytes, AbortSignal.any([signal, sends.signal]))
    }
    await untilAborted(all, signal)
  } finally {
    sends.abort()
    swarm.receiver = () => {}
  }
  return decodeSum(plan, sum)
}

/** `secagg simulate --transport libp2p`: the scenario on N real libp2p hosts on 127.0.0.1. */
export async function runLibp2pSimulation (options: SimulationOptions, signal: AbortSignal = new AbortController().signal, observer: SimulationObserver & { readonly hostLogger?: (peer: number) => Logger } = {}): Promise<{ report: SimulationReport }> {
  if (options.peers > MAX_LIBP2P_PEERS) throw new Libp2pSimulationError(`--transport libp2p runs at most ${MAX_LIBP2P_PEERS} peers in one process, got ${options.peers}; use --transport memory for larger swarms`)
  const wallStart = performance.now()
  const { progress } = observer
  const s = prepareScenario(options, DEFAULT_LIBP2P_STAGE_MS)
  progress?.stage('start hosts', s.peers, 'hosts')
  const swarm = await LoopbackSwarm.start(s.identitySeeds, messageLimitFor(s.dim, s.peers), observer.hostLogger, progress)
  // The host's records name libp2p peer ids; this one ties each to the peer's name in the round.
  swarm.hosts.forEach((host, i) => observer.hostLogger?.(i).info('node-started', { peer: swarm.peerIds[i], name: s.ids[i], addresses: host.addresses }))
  try {
    // Members of a running consortium are already connected: dial before the clock starts,
    // so stage times measure the protocol, not TCP + Noise handshakes.
    progress?.stage('connect', s.peers - 1, 'peers')
    await swarm.connectTo(s.aggregatorIndex, AbortSignal.any([signal, AbortSignal.timeout(30_000)]), progress)
    const seen = await runSecureRound(swarm, s, signal, observer)
    progress?.stage('report', 0)
    const report = buildReport(s, {
      events: seen.events, offline: seen.offline, bytesSent: seen.bytesSent, clippedCoordinates: seen.clipped,
      wallMs: Math.round(performance.now() - wallStart)
    }, options.emitSum === true, 'libp2p')
    return { report }
  } finally {
    await swarm.stop()
  }
}
