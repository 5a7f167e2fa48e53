/**
 * The member's libp2p host: TCP + Noise + Yamux, identify and ping, discovery through the
 * consortium's addresses, a bootstrap list and optionally mDNS, and one protocol,
 * /secagg/1.0.0, carrying acknowledged length-prefixed frames on one long-lived stream per
 * member and direction (frame-channel.ts). Only consortium members get
 * through the connection gater, in either direction. Messages above the configured maximum
 * are refused from their announced length, before they are buffered (masked vectors are
 * tens of MB, so the maximum is the consortium's, not libp2p's 4 MB default).
 */
import { bootstrap } from '@libp2p/bootstrap'
import { identify } from '@libp2p/identify'
import { mdns } from '@libp2p/mdns'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { ping } from '@libp2p/ping'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2pOptions } from 'libp2p'
import type { Identity } from '../config/identity.ts'
import { systemClock } from '../clock.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import { DialFailureLog } from './dial-failure-log.ts'
import { asError, FrameChannelError, FrameSender, receiveFrames, untilAborted } from './frame-channel.ts'

export const SECAGG_PROTOCOL = '/secagg/1.0.0'

export interface HostOptions {
  readonly identity: Identity
  /** Member peer id -> known addresses. */
  readonly members: ReadonlyMap<string, readonly string[]>
  readonly listen: readonly string[]
  readonly bootstrap: readonly string[]
  readonly mdns: boolean
  readonly maxMessageBytes: number
  readonly logger: Logger
  readonly onMessage: (from: string, data: Uint8Array) => void
  /** Called when a member connects or disconnects (the node waits for enough members before a round). */
  readonly onMembers?: () => void
  /**
   * Keep a connection to every member: dial members on discovery and redial them with backoff
   * (default true). False: connect only on first send (the simulator's hub-and-spoke rounds).
   */
  readonly keepConnected?: boolean
  /** The node's clock (default: the wall clock); times the dial-failure warnings. */
  readonly clock?: Clock
  /** Told of members connecting and disconnecting and of every frame (the node's monitor, src/node/ops). */
  readonly observer?: HostObserver
  /** libp2p's own metrics (e.g. @libp2p/prometheus-metrics), passed to createLibp2p. */
  readonly metrics?: Libp2pOptions['metrics']
}

export interface HostObserver {
  /** The first connection to `peer` opened (true) or its last one closed (false). */
  connection (peer: string, open: boolean): void
  /** One /secagg frame of `bytes` went to or came from `peer`. */
  frame (direction: 'sent' | 'received', peer: string, bytes: number): void
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms)
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
})

/** Concurrent inbound streams from one member (one is the norm: frames follow each other on it). */
export const MAX_STREAMS_PER_PEER = 8
/** How long a frame may take to arrive once its first byte has (a member cannot hold a half-sent frame's buffer longer). */
const FRAME_DEADLINE_MS = 120_000
/** How long a sender waits for the receiver to acknowledge a frame: the receiver's deadline, and a margin. */
const FRAME_ACK_TIMEOUT_MS = FRAME_DEADLINE_MS + 10_000

export class SwarmHost {
  private readonly stopping = new AbortController()
  private readonly dialFailures: DialFailureLog

  private constructor (private readonly node: Libp2p, private readonly options: HostOptions) {
    const clock = options.clock ?? systemClock
    this.dialFailures = new DialFailureLog(options.logger, () => clock.now())
  }

  static async start (options: HostOptions): Promise<SwarmHost> {
    const { members, logger } = options
    const isMember = (peer: PeerId): boolean => members.has(peer.toString())
    const refuse = (direction: string) => (peer: PeerId): boolean => {
      if (isMember(peer)) return false
      logger.warn('connection-refused', { peer: peer.toString(), direction, why: 'not a consortium member' })
      return true
    }
    const node = await createLibp2p({
      privateKey: options.identity.privateKey,
      addresses: { listen: [...options.listen] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // libp2p rate-limits inbound connections per IP (5/s by default); every member may dial
      // at once after a restart, and behind one NAT or on one test machine they share an IP.
      connectionManager: { inboundConnectionThreshold: Math.max(5, 2 * members.size), maxIncomingPendingConnections: Math.max(10, 2 * members.size) },
      connectionGater: {
        denyDialMultiaddr: () => false, // members may sit on private or loopback addresses
        denyDialPeer: refuse('outbound dial'),
        denyInboundEncryptedConnection: refuse('inbound'),
        denyOutboundEncryptedConnection: refuse('outbound')
      },
      peerDiscovery: [
        ...(options.bootstrap.length > 0 ? [bootstrap({ list: [...options.bootstrap] })] : []),
        ...(options.mdns ? [mdns()] : [])
      ],
      services: { identify: identify(), ping: ping() },
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {})
    })
    const host = new SwarmHost(node, options)
    node.addEventListener('peer:connect', (evt) => host.connectionChanged(evt.detail.toString(), true))
    node.addEventListener('peer:disconnect', (evt) => host.connectionChanged(evt.detail.toString(), false))
    for (const [peer, addrs] of members) {
      if (peer !== options.identity.peerId && addrs.length > 0) await host.learnAddresses(peer, addrs)
    }
    // mDNS and bootstrap only report peers; dial the members among them.
    node.addEventListener('peer:discovery', (evt) => {
      const peer = evt.detail.id
      if (options.keepConnected === false || !isMember(peer) || node.getConnections(peer).length > 0) return
      node.dial(peer, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => host.dialFailures.failed(peer.toString(), err.message))
    })
    // A member keeps one stream to us open and opens another only after that one failed, so
    // a few streams per member are plenty; more are refused before any byte is buffered.
    await node.handle(SECAGG_PROTOCOL, (stream, connection) => { void host.receive(stream, connection) }, { maxInboundStreams: MAX_STREAMS_PER_PEER * 2 })
    if (options.keepConnected !== false) void host.keepConnected()
    return host
  }

  get peerId (): string { return this.node.peerId.toString() }
  /** Where a member can be dialled (from the consortium file, or learnt after start). */
  async learnAddresses (peer: string, addrs: readonly string[]): Promise<void> {
    await this.node.peerStore.merge(peerIdFromString(peer), { multiaddrs: addrs.map((a) => multiaddr(a)) })
  }

  /** A member connected (its first connection) or disconnected (its last): the one place that reacts. */
  private connectionChanged (peer: string, open: boolean): void {
    this.options.observer?.connection(peer, open)
    if (open) {
      // However the connection came about (our dial or theirs), a member that was unreachable is back.
      const failures = this.dialFailures.connected(peer)
      if (failures > 0) this.options.logger.info('member-reachable', { peer, afterFailedDials: failures })
    }
    this.options.onMembers?.()
  }

  get addresses (): string[] { return this.node.getMultiaddrs().map((a) => a.toString()) }
  connectedMembers (): string[] { return [...new Set(this.node.getConnections().map((c) => c.remotePeer.toString()))].filter((p) => this.options.members.has(p)) }

  /** Streams being read, per member: bounds the bytes one member can make this node buffer. */
  private readonly reading = new Map<string, number>()

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    const max = this.options.maxMessageBytes
    const open = this.reading.get(from) ?? 0
    if (open >= MAX_STREAMS_PER_PEER) {
      this.options.logger.warn('stream-refused', { peer: from, reason: `${open} streams from this member are already open (at most ${MAX_STREAMS_PER_PEER}, ${MAX_STREAMS_PER_PEER} × ${max} bytes)` })
      stream.abort(new Error('too many concurrent streams'))
      return
    }
    this.reading.set(from, open + 1)
    try {
      const end = await receiveFrames(stream, max, this.stopping.signal, (data) => {
        this.options.observer?.frame('received', from, data.byteLength)
        this.options.onMessage(from, data)
      }, FRAME_DEADLINE_MS)
      if (end.kind === 'failed') this.options.logger.warn('message-dropped', { peer: from, reason: end.error instanceof FrameChannelError ? end.error.message : `${end.error.name}: ${end.error.message}` })
      else await stream.close().catch(() => {})
    } finally {
      const left = (this.reading.get(from) ?? 1) - 1
      if (left > 0) this.reading.set(from, left)
      else this.reading.delete(from)
    }
  }

  /** The channel to each member (frame-channel.ts): being opened, or open until it fails. */
  private readonly senders = new Map<string, { opening: Promise<FrameSender>, sender?: FrameSender }>()

  /**
   * The channel to `peer`; a new stream when there is none or the last one failed. Shared by
   * concurrent sends, and not tied to any one send's signal.
   */
  private senderTo (peer: string): Promise<FrameSender> {
    const current = this.senders.get(peer)
    if (current !== undefined && (current.sender === undefined || current.sender.open)) return current.opening
    const entry: { opening: Promise<FrameSender>, sender?: FrameSender } = {
      opening: this.node.dialProtocol(peerIdFromString(peer), SECAGG_PROTOCOL, { signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(10_000)]) })
        .then((stream) => (entry.sender = new FrameSender(stream, FRAME_ACK_TIMEOUT_MS)))
    }
    this.senders.set(peer, entry)
    entry.opening.catch(() => { if (this.senders.get(peer) === entry) this.senders.delete(peer) })
    return entry.opening
  }

  /**
   * Delivers one message, retrying with backoff while the peer is unreachable, until it is
   * sent or `signal` aborts (the session it belongs to is over). Resolves to whether it went.
   */
  async send (peer: string, data: Uint8Array, signal: AbortSignal): Promise<boolean> {
    // One controller per send, unlinked when it ends: AbortSignal.any() on the host's
    // long-lived stopping signal keeps a few hundred bytes per call alive in Node 22
    // (nodejs/node#54614), and a busy node sends many frames.
    const stopper = new AbortController()
    const stop = stopper.signal
    const onAbort = (): void => stopper.abort()
    if (signal.aborted || this.stopping.signal.aborted) stopper.abort()
    signal.addEventListener('abort', onAbort, { once: true })
    this.stopping.signal.addEventListener('abort', onAbort, { once: true })
    let backoff = 200
    let retriedAtOnce = false
    try {
      while (!stop.aborted) {
        try {
          const sender = await untilAborted(this.senderTo(peer), stop)
          await sender.send(data, stop)
          this.options.observer?.frame('sent', peer, data.byteLength)
          return true
        } catch (err) {
          if (stop.aborted) break
          // The stream had failed before this frame started (a connection gone since the last
          // frame): a new stream is tried at once, without backing off — once per send, so a
          // receiver that breaks every new stream cannot make this loop spin.
          if (err instanceof FrameChannelError && err.unsent && !retriedAtOnce) { retriedAtOnce = true; continue }
          this.options.logger.debug('send-retry', { peer, error: asError(err).message, retryInMs: backoff })
          await sleep(backoff, stop)
          backoff = Math.min(backoff * 2, 3_000)
        }
      }
      return false
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.stopping.signal.removeEventListener('abort', onAbort)
    }
  }

  /** Reconnects to members that went away, with per-member exponential backoff. */
  private async keepConnected (): Promise<void> {
    const nextTry = new Map<string, { at: number, backoff: number }>()
    while (!this.stopping.signal.aborted) {
      const connected = new Set(this.connectedMembers())
      for (const peer of this.options.members.keys()) {
        if (peer === this.peerId || connected.has(peer)) { nextTry.delete(peer); continue }
        const plan = nextTry.get(peer) ?? { at: 0, backoff: 500 }
        if (Date.now() < plan.at) continue
        nextTry.set(peer, { at: Date.now() + plan.backoff, backoff: Math.min(plan.backoff * 2, 30_000) })
        this.node.dial(peerIdFromString(peer), { signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(5_000)]) })
          .then(() => this.options.logger.info('member-connected', { peer }))
          .catch((err: Error) => { if (!this.stopping.signal.aborted) this.dialFailures.failed(peer, err.message) })
      }
      await sleep(500, this.stopping.signal)
    }
  }

  /** Opens a connection to a member now, so later sends find it open. */
  async connect (peer: string, signal: AbortSignal): Promise<void> {
    await this.node.dial(peerIdFromString(peer), { signal: AbortSignal.any([signal, this.stopping.signal]) })
  }

  async stop (): Promise<void> {
    this.stopping.abort()
    await this.node.stop()
  }
}
