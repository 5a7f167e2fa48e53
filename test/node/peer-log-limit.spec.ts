/**
 * Log records another peer's traffic triggers, bounded per peer and for all peers together
 * (src/node/peer-log-limit.ts), on an injected clock: a member sending junk as fast as it can
 * must not bury the log or fill the disk, and nothing about the node's own events changes.
 */
import assert from 'node:assert/strict'
import type { Fields, Level, Logger } from '../../src/node/logger.ts'
import { limitPeerRecords } from '../../src/node/peer-log-limit.ts'

interface Logged { readonly level: Level, readonly event: string, readonly fields: Fields | undefined }

function capturingLogger (into: Logged[]): Logger {
  const log = (level: Level) => (event: string, fields?: Fields): void => { into.push({ level, event, fields }) }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

const LIMITS = { burst: 5, refillMs: 1000, sharedBurst: 20, sharedRefillMs: 100, maxPeers: 8, noticeMs: 60_000 }

describe('node/peer-log-limit', () => {
  it('a flooding peer: its burst is written, one warning says the rest is held back, and its next record after the refill carries the count', () => {
    let t = 0
    const logged: Logged[] = []
    const log = limitPeerRecords(capturingLogger(logged), () => t, LIMITS)
    for (let i = 0; i < 1000; i++) log.warn('message-dropped', { peer: 'mallory', reason: `junk ${i}` })
    assert.deepEqual(logged.map((l) => l.event), [...Array(5).fill('message-dropped'), 'peer-records-held-back'])
    assert.equal(logged[5]!.fields!.peer, 'mallory')
    assert.match(String(logged[5]!.fields!.why), /more than 5 log records at once and one per 1 s/)
    t = 1000
    log.warn('message-dropped', { peer: 'mallory', reason: 'junk again' })
    assert.deepEqual(logged.at(-1), { level: 'warn', event: 'message-dropped', fields: { peer: 'mallory', reason: 'junk again', heldBack: 995 } })
    t = 1500
    log.debug('message-dropped', { peer: 'mallory', reason: 'stale' })
    assert.equal(logged.length, 7, 'half a token: held back, and no second notice within a minute')
    for (t = 2000; t < 60_000; t += 1000) for (let i = 0; i < 100; i++) log.warn('message-dropped', { peer: 'mallory' })
    assert.equal(logged.length, 7 + 58, 'a sustained flood: one record per refill, nothing else')
    t = 61_000
    for (let i = 0; i < 3; i++) log.warn('message-dropped', { peer: 'mallory' })
    // Two seconds' tokens: two records (the first with the count), then a minute after the first notice, the next.
    assert.deepEqual(logged.slice(-3).map((l) => [l.event, l.fields?.heldBack]), [['message-dropped', 99], ['message-dropped', undefined], ['peer-records-held-back', undefined]])
  })

  it('other peers keep their own budget; records without a peer and errors always pass', () => {
    let t = 0
    const logged: Logged[] = []
    const log = limitPeerRecords(capturingLogger(logged), () => t, LIMITS)
    for (let i = 0; i < 50; i++) log.warn('stream-refused', { peer: 'mallory' })
    log.info('member-connected', { peer: 'alice' })
    log.info('round-finished', { round: 3 })
    log.error('store-failed', { peer: 'mallory', reason: 'disk full' })
    assert.deepEqual(logged.slice(-3).map((l) => [l.event, l.fields?.peer]), [['member-connected', 'alice'], ['round-finished', undefined], ['store-failed', 'mallory']])
    t = 3000
    for (let i = 0; i < 4; i++) log.warn('stream-refused', { peer: 'mallory' })
    assert.equal(logged.filter((l) => l.event === 'stream-refused').length, 8, '5 at once, then 3 tokens after 3 s')
  })

  it('fresh identities cannot add up: all peers together are held to the shared rate, with one notice', () => {
    let t = 0
    const logged: Logged[] = []
    const log = limitPeerRecords(capturingLogger(logged), () => t, LIMITS)
    for (let i = 0; i < 10_000; i++) log.warn('connection-refused', { peer: `sybil-${i}`, why: 'not a consortium member' })
    const refused = logged.filter((l) => l.event === 'connection-refused')
    const notices = logged.filter((l) => l.event === 'peer-records-held-back')
    assert.equal(refused.length, 20)
    assert.equal(notices.length, 1)
    assert.equal(notices[0]!.fields!.peer, undefined)
    t = 100
    log.warn('connection-refused', { peer: 'sybil-x' })
    assert.equal(logged.at(-1)!.fields!.heldBackAllPeers, 9980)
  })

  it('a stream of new identities cannot buy a record each with its held-back notices: those draw on the shared budget too', () => {
    let t = 0
    const logged: Logged[] = []
    const log = limitPeerRecords(capturingLogger(logged), () => t, LIMITS)
    // Each identity spends its own burst and then earns a per-peer notice: 1,000 notices, unbounded.
    for (let i = 0; i < 1000; i++) for (let j = 0; j < LIMITS.burst + 1; j++) log.warn('connection-refused', { peer: `sybil-${i}` })
    assert.equal(logged.length, LIMITS.sharedBurst + 1, 'the shared burst (the first identities\' notices in it), and one notice for all peers')
    for (t = 100; t <= 10_000; t += 100) {
      for (let i = 0; i < 100; i++) for (let j = 0; j < LIMITS.burst + 1; j++) log.warn('connection-refused', { peer: `sybil-${t}-${i}` })
    }
    assert.equal(logged.length, LIMITS.sharedBurst + 1 + 10_000 / LIMITS.sharedRefillMs, 'ten seconds later: one more record per refill of the shared bucket, notices included')
  })

  it('strangers refused at the door do not crowd out the records members cause', () => {
    let t = 0
    const logged: Logged[] = []
    const log = limitPeerRecords(capturingLogger(logged), () => t, LIMITS, (peer) => peer.startsWith('member-'))
    for (; t < 10_000; t += 10) {
      for (let i = 0; i < 10; i++) log.warn('connection-refused', { peer: `stranger-${t}-${i}` })
      if (t % 1000 === 0) log.warn('message-rejected', { peer: 'member-m', reason: 'invalid-share' })
    }
    assert.equal(logged.filter((l) => l.event === 'message-rejected').length, 10, 'every record a member caused is written')
    const strangers = logged.filter((l) => l.event === 'connection-refused').length
    assert.ok(strangers <= LIMITS.sharedBurst + 10_000 / LIMITS.sharedRefillMs, `${strangers} stranger records`)
    const notice = logged.find((l) => l.event === 'peer-records-held-back')
    assert.match(String(notice?.fields?.why), /^peers outside the consortium together/)
    // Without the member list everyone shares one budget, and the member's records are lost.
    const lost: Logged[] = []
    const one = limitPeerRecords(capturingLogger(lost), () => t, LIMITS)
    for (let i = 0; i < 100; i++) one.warn('connection-refused', { peer: `stranger-${i}` })
    one.warn('message-rejected', { peer: 'member-m' })
    assert.equal(lost.filter((l) => l.event === 'message-rejected').length, 0)
  })

  it('tracks at most maxPeers buckets: the least recently seen peer is forgotten first', () => {
    const t = 0
    const logged: Logged[] = []
    const log = limitPeerRecords(capturingLogger(logged), () => t, { ...LIMITS, sharedBurst: 1000 })
    for (let i = 0; i < 6; i++) log.warn('message-dropped', { peer: 'mallory' }) // mallory's bucket is empty
    for (let i = 0; i < 7; i++) log.warn('message-dropped', { peer: `p${i}` }) // 8 peers tracked: mallory is the oldest, still kept
    log.warn('message-dropped', { peer: 'mallory' })
    assert.equal(logged.filter((l) => l.fields?.peer === 'mallory' && l.event === 'message-dropped').length, 5, 'still limited')
    for (let i = 7; i < 20; i++) log.warn('message-dropped', { peer: `p${i}` })
    log.warn('message-dropped', { peer: 'mallory' })
    assert.equal(logged.filter((l) => l.fields?.peer === 'mallory' && l.event === 'message-dropped').length, 6, 'forgotten, so a fresh bucket: the shared bucket still bounds the total')
  })
})
