import assert from 'node:assert/strict'
import { decodeMessage, encodeMessage } from '../../src/protocol/index.ts'
import type { Message, ProtocolEvent } from '../../src/protocol/index.ts'
import { drainEvents, drainOutbound, makeSession } from '../helpers/session.ts'

const binding = new Uint8Array(32)
const samples: Message[] = [
  { kind: 'advertise-keys', binding, round: 3, keys: { peer: 'p01', encryptionKey: new Uint8Array(32), maskingKey: new Uint8Array(32), signature: new Uint8Array(64) } },
  { kind: 'share-keys', binding, round: 3, boxes: [] },
  { kind: 'masked-input', binding, round: 3, vector: new Uint32Array(5) },
  { kind: 'consistency-signature', binding, round: 3, signature: new Uint8Array(64) },
  { kind: 'unmask-shares', binding, round: 3, shares: [] }
]

function rejections (events: ProtocolEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'rejected' ? [e.reason] : []))
}

describe('protocol: every state rejects illegal input without changing state', () => {
  it('participant in each stage: non-aggregator sender, garbage, other session, participant-bound kinds', () => {
    const h = makeSession(3)
    const p = h.participants[1]!
    p.setInput([0, 0, 0, 0], 1, 0)
    p.start(0)
    drainOutbound(p); drainEvents(p)
    const stageBefore = p.stage
    p.receive('p02', encodeMessage(samples[1]!), 1)
    p.receive('p00', Uint8Array.of(1, 2, 3, 255), 1)
    const root = new Uint8Array(32)
    p.receive('p00', encodeMessage({ kind: 'key-list', binding, round: 3, keys: [], root, signature: new Uint8Array(64) }), 1)
    p.receive('p00', encodeMessage({ kind: 'key-list', binding, round: 4, keys: [], root, signature: new Uint8Array(64) }), 1)
    for (const m of samples) p.receive('p00', encodeMessage(m), 1)
    assert.equal(p.stage, stageBefore)
    const reasons = rejections(drainEvents(p))
    assert.deepEqual(reasons.slice(0, 4), ['not-from-aggregator', 'malformed', 'session-mismatch', 'session-mismatch'])
    assert.equal(reasons.length, 4 + samples.length)
    assert.equal(drainOutbound(p).length, 0)
  })

  it('aggregator: non-members, other sessions, wrong-stage kinds, duplicates, bad signatures', () => {
    const h = makeSession(3)
    const a = h.aggregator
    a.start(0)
    a.receive('mallory', encodeMessage(samples[0]!), 1)
    for (const m of samples) a.receive('p01', encodeMessage(m), 1) // binding of another session
    const p = h.participants[1]!
    p.start(0)
    const adv = drainOutbound(p)[0]!.data
    a.receive('p02', adv, 1) // p01's keys sent by p02
    a.receive('p01', adv, 1)
    a.receive('p01', adv, 1)
    const reasons = rejections(drainEvents(a))
    assert.equal(reasons[0], 'non-member')
    assert.ok(reasons.slice(1, 1 + samples.length).every((r) => r === 'session-mismatch' || r === 'unexpected-message'))
    assert.deepEqual(reasons.slice(-2), ['malformed', 'duplicate'])
    assert.equal(a.stage, 'advertise')
  })

  it('the codec rejects wrong sizes, extra fields, duplicate peers and wrong versions with typed reasons', () => {
    const limits = { maxPeers: 8, vectorWords: 5 }
    const bad: Array<[Message, string]> = [
      [{ kind: 'masked-input', binding, round: 0, vector: new Uint32Array(4) }, 'wrong-length'],
      [{ kind: 'survivor-list', binding, round: 0, survivors: new Uint8Array(0) }, 'malformed'],
      [{ kind: 'unmask-request', binding, round: 0, survivors: Uint8Array.of(3), signers: Uint8Array.of(3), signatures: new Uint8Array(64) }, 'malformed'],
      [{ kind: 'unmask-request', binding, round: 0, survivors: Uint8Array.of(3), signers: Uint8Array.of(1, 0), signatures: new Uint8Array(64) }, 'malformed'],
      [{ kind: 'consistency-signature', binding, round: 0, signature: new Uint8Array(63) }, 'malformed'],
      [{ kind: 'unmask-shares', binding, round: 0, shares: [{ owner: 'a', selfMask: true, value: new Uint8Array(32), signature: new Uint8Array(64), root: new Uint8Array(32), proof: [new Uint8Array(32)] }] }, 'malformed'],
      [{ kind: 'unmask-shares', binding, round: 0, shares: [{ owner: 'a', selfMask: true, value: new Uint8Array(33), signature: new Uint8Array(63), root: new Uint8Array(32), proof: [new Uint8Array(32)] }] }, 'malformed'],
      [{ kind: 'unmask-shares', binding, round: 0, shares: [{ owner: 'a', selfMask: true, value: new Uint8Array(33), signature: new Uint8Array(64), root: new Uint8Array(31), proof: [new Uint8Array(32)] }] }, 'malformed'],
      [{ kind: 'unmask-shares', binding, round: 0, shares: [{ owner: 'a', selfMask: true, value: new Uint8Array(33), signature: new Uint8Array(64), root: new Uint8Array(32), proof: [] }] }, 'malformed'],
      [{ kind: 'unmask-shares', binding, round: 0, shares: [{ owner: 'a', selfMask: true, value: new Uint8Array(33), signature: new Uint8Array(64), root: new Uint8Array(32), proof: [new Uint8Array(33)] }] }, 'malformed'],
      [{ kind: 'share-keys', binding, round: 0, boxes: [{ peer: 'a', ciphertext: new Uint8Array(300) }] }, 'malformed'],
      [{ kind: 'key-list', binding, round: 0, keys: [], root: new Uint8Array(31), signature: new Uint8Array(64) }, 'malformed'],
      [{ kind: 'share-keys', binding, round: 0, boxes: [{ peer: 'a', ciphertext: new Uint8Array(10) }] }, 'malformed'],
      [{ kind: 'survivor-list', binding: new Uint8Array(31), round: 0, survivors: Uint8Array.of(1) }, 'malformed']
    ]
    for (const [m, reason] of bad) {
      const r = decodeMessage(encodeMessage(m), limits)
      assert.equal(r.ok, false)
      if (!r.ok) assert.equal(r.reason, reason, r.detail)
    }
    // A member set over 8 members is one byte: two bytes cannot be one.
    const tooMany = decodeMessage(encodeMessage({ kind: 'survivor-list', binding, round: 0, survivors: Uint8Array.of(0xff, 1) }), limits)
    assert.equal(tooMany.ok, false)
    const ok = decodeMessage(encodeMessage({ kind: 'survivor-list', binding, round: 7, survivors: Uint8Array.of(5) }), limits)
    assert.ok(ok.ok && ok.message.kind === 'survivor-list' && ok.message.round === 7)
  })
})
