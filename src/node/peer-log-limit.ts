/**
 * Log records another peer's traffic triggers, bounded per peer. Every refused stream,
 * dropped frame or refused connection names the peer that caused it, and each record is a
 * synchronous append to node.log: a member sending junk as fast as its link allows made a
 * node write ~200 KiB/s of log, burying everything else and filling the operator's disk.
 *
 * Records with a string `peer` field draw on that peer's bucket (a burst, refilled at a
 * steady rate) and on one bucket shared by its group, so fresh identities (anyone can make
 * one to be refused a connection) cannot add up to more than the shared rate. Consortium
 * members and everyone else are two groups with a shared bucket each: strangers refused at
 * the door cannot use up the budget of the records members cause — the `message-rejected`
 * that names a member who sent an invalid share must still reach the log. A record held back
 * gives a `peer-records-held-back` warning (per peer, or one for the group when its shared
 * bucket is empty; at most one a minute each, so a sustained flood costs one record per
 * refill and a notice a minute). A per-peer notice is itself a record of the group: it draws
 * on the shared bucket, or a stream of new identities would each buy one. The next record
 * that passes carries `heldBack` (this peer's records not written since) or
 * `heldBackAllPeers` (its group's). Records without a peer (the node's own events) and errors
 * always pass. Time comes from the injected `now`.
 */
import type { Fields, Logger } from './logger.ts'

export interface PeerLogLimits {
  /** Records one peer may cause at once, and per `refillMs` after that. */
  readonly burst: number
  readonly refillMs: number
  /** The same for all peers together. */
  readonly sharedBurst: number
  readonly sharedRefillMs: number
  /** Peers tracked at most; the least recently seen is forgotten first. */
  readonly maxPeers: number
  /** At most one held-back notice per peer (and one for all peers) per this many ms. */
  readonly noticeMs: number
}

/** 50 records at once, then one a second per peer; 500 at once, then 20 a second in all. */
export const DEFAULT_PEER_LOG_LIMITS: PeerLogLimits = { burst: 50, refillMs: 1000, sharedBurst: 500, sharedRefillMs: 50, maxPeers: 4096, noticeMs: 60_000 }

class Bucket {
  tokens: number
  at: number
  heldBack = 0
  noticedAt = Number.NEGATIVE_INFINITY
  constructor (readonly capacity: number, readonly refillMs: number, now: number) {
    this.tokens = capacity
    this.at = now
  }

  take (now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) / this.refillMs)
      this.at = now
    }
    if (this.tokens < 1) return false
    this.tokens--
    return true
  }
}

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * `isMember` names the consortium's members (their records get a shared budget of their own);
 * without it every peer is in one group.
 */
export function limitPeerRecords (logger: Logger, now: () => number, limits: PeerLogLimits = DEFAULT_PEER_LOG_LIMITS, isMember?: (peer: string) => boolean): Logger {
  const peers = new Map<string, Bucket>()
  const members = new Bucket(limits.sharedBurst, limits.sharedRefillMs, now())
  const others = new Bucket(limits.sharedBurst, limits.sharedRefillMs, now())
  const write = (level: Level, event: string, fields?: Fields): void => {
    const peer = fields?.peer
    if (level === 'error' || typeof peer !== 'string') return logger[level](event, fields)
    const t = now()
    const shared = isMember?.(peer) === true ? members : others
    let bucket = peers.get(peer)
    if (bucket === undefined) {
      if (peers.size >= limits.maxPeers) peers.delete(peers.keys().next().value!)
      bucket = new Bucket(limits.burst, limits.refillMs, t)
    } else {
      peers.delete(peer) // re-inserted below: the map's order is least recently seen first
    }
    peers.set(peer, bucket)
    if (!bucket.take(t)) {
      bucket.heldBack++
      if (t - bucket.noticedAt >= limits.noticeMs && shared.take(t)) {
        bucket.noticedAt = t
        logger.warn('peer-records-held-back', {
          peer, event,
          why: `this peer causes more than ${limits.burst} log records at once and one per ${limits.refillMs / 1000} s; the count comes with its next record`
        })
      }
      return
    }
    if (!shared.take(t)) {
      shared.heldBack++
      if (t - shared.noticedAt >= limits.noticeMs) {
        shared.noticedAt = t
        logger.warn('peer-records-held-back', {
          event,
          why: `${shared === members ? 'members' : isMember === undefined ? 'peers' : 'peers outside the consortium'} together cause more than ${limits.sharedBurst} log records at once and one per ${limits.sharedRefillMs} ms; the count comes with the next such record that is written`
        })
      }
      return
    }
    const extra: Fields = {}
    if (bucket.heldBack > 0) extra.heldBack = bucket.heldBack
    if (shared.heldBack > 0) extra.heldBackAllPeers = shared.heldBack
    bucket.heldBack = 0
    shared.heldBack = 0
    logger[level](event, Object.keys(extra).length > 0 ? { ...fields, ...extra } : fields)
  }
  return {
    debug: (e, f) => write('debug', e, f),
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f)
  }
}
