import assert from 'node:assert/strict'
import { bitmapIds, decodeMessage, encodeMessage, memberBitmap, packSignatures, unpackSignatures } from '../../src/protocol/index.ts'
import type { Message, ProtocolEvent } from '../../src/protocol/index.ts'
import { consistencyMessageFor } from '../../src/protocol/transcript.ts'
import { drainEvents, drainOutbound, makeSession, runHonest } from '../helpers/session.ts'
import type { Harness } from '../helpers/session.ts'

const limits = { maxPeers: 64, vectorWords: 5 }
const decode = (data: Uint8Array): Message => {
  const r = decodeMessage(data, limits)
  if (!r.ok) throw new Error(r.detail)
  return r.message
}

function abortReason (events: ProtocolEvent[]): string | undefined {
  const e = events.find((x) => x.type === 'aborted')
  return e?.type === 'aborted' ? e.reason : undefined
}

/** Runs the honest flow, rewriting unmask requests to `victim` with `rewrite`. */
function withUnmaskRequest (h: Harness, victim: string, rewrite: (m: Extract<Message, { kind: 'unmask-request' }>) => Message): ProtocolEvent[] {
  runHonest(h, (to, data) => {
    const m = decode(data)
    if (to === victim && m.kind === 'unmask-request') return encodeMessage(rewrite(m))
    return data
  })
  return drainEvents(h.participants[h.ids.indexOf(victim)]!)
}

describe('protocol: a deviating aggregator is caught by honest participants', () => {
  it('honest run: every participant completes and the result is the exact weighted sum', () => {
    const h = makeSession(5)
    runHonest(h)
    const result = drainEvents(h.aggregator).find((e) => e.type === 'result')
    assert.ok(result?.type === 'result')
    assert.deepEqual(Array.from(result.result.sum).map((v) => Math.round(v * 1e6) / 1e6), [5, -2.5, 10, 0])
    assert.equal(result.result.weightSum, 10)
    for (const p of h.participants) assert.ok(drainEvents(p).some((e) => e.type === 'completed'))
  })

  it('asking for both shares of one peer (a retry that moves it out of U3): both-shares-requested', () => {
    const h = makeSession(5)
    const victim = h.ids[2]!
    let first: Extract<Message, { kind: 'unmask-request' }> | undefined
    runHonest(h, (to, data) => {
      const m = decode(data)
      if (to === victim && m.kind === 'unmask-request') first = m
      return data
    })
    assert.ok(first)
    const p = h.participants[2]!
    drainOutbound(p); drainEvents(p)
    const moved = { ...first, survivors: memberBitmap(h.ids, bitmapIds(h.ids, first.survivors).filter((v) => v !== h.ids[3])) }
    p.receive(h.ids[0]!, encodeMessage(moved), 100)
    assert.equal(abortReason(drainEvents(p)), 'both-shares-requested')
    assert.equal(drainOutbound(p).length, 0, 'nothing more is released')
  })

  it('an identical retry gets the same shares again', () => {
    const h = makeSession(5)
    const victim = h.ids[2]!
    let first: Uint8Array | undefined
    runHonest(h, (to, data) => { if (to === victim && decode(data).kind === 'unmask-request') first = data; return data })
    const p = h.participants[2]!
    drainOutbound(p); drainEvents(p)
    p.receive(h.ids[0]!, first!, 100)
    const again = drainOutbound(p)
    assert.equal(again.length, 1)
    assert.equal(decode(again[0]!.data).kind, 'unmask-shares')
  })

  it('different survivor lists to different peers: signatures over another list are invalid-signature', () => {
    const h = makeSession(5)
    const victim = h.ids[1]!
    const events = withUnmaskRequest(h, victim, (m) => {
      // What the aggregator would hold if it had shown the others a list without p04.
      const otherList = bitmapIds(h.ids, m.survivors).filter((v) => v !== h.ids[4])
      const signatures = unpackSignatures(h.ids, m).map((s) => ({ peer: s.peer, signature: h.signers[h.ids.indexOf(s.peer)]!.sign(consistencyMessageFor(m.binding, h.ids, otherList)) }))
      return { ...m, ...packSignatures(h.ids, signatures) }
    })
    assert.equal(abortReason(events), 'invalid-signature')
  })

  it('an unmask request whose U3 differs from the signed one: inconsistent-survivor-list', () => {
    const h = makeSession(5)
    const events = withUnmaskRequest(h, h.ids[1]!, (m) => ({ ...m, survivors: memberBitmap(h.ids, bitmapIds(h.ids, m.survivors).slice(1)) }))
    assert.ok(['inconsistent-survivor-list', 'both-shares-requested'].includes(abortReason(events)!))
  })

  it('forged signatures: invalid-signature; dropped signatures: not-enough-signatures', () => {
    const forged = withUnmaskRequest(makeSession(5), 'p01', (m) => ({ ...m, signatures: m.signatures.map((b, i) => (i % 64 === 0 ? b ^ 1 : b)) }))
    assert.equal(abortReason(forged), 'invalid-signature')
    const dropped = withUnmaskRequest(makeSession(5), 'p01', (m) => ({ ...m, ...packSignatures(['p00', 'p01', 'p02', 'p03', 'p04'], unpackSignatures(['p00', 'p01', 'p02', 'p03', 'p04'], m).slice(0, 2)) }))
    assert.equal(abortReason(dropped), 'not-enough-signatures')
  })

  it('a tampered share box: decryption-failed', () => {
    const h = makeSession(4)
    runHonest(h, (to, data) => {
      const m = decode(data)
      if (to !== 'p01' || m.kind !== 'share-inbox') return data
      const boxes = m.boxes.map((b, i) => (i === 0 ? { ...b, ciphertext: b.ciphertext.map((x, j) => (j === 20 ? x ^ 1 : x)) } : b))
      return encodeMessage({ ...m, boxes })
    })
    assert.equal(abortReason(drainEvents(h.participants[1]!)), 'decryption-failed')
  })

  it('a survivor list without this peer: not-included; fewer than c + 3 members: too-few-survivors; fewer than t holders: not-enough-peers', () => {
    const h = makeSession(5) // c = 1, t = 4, sums over ≥ 4 members
    runHonest(h, (to, data) => {
      const m = decode(data)
      if (m.kind !== 'survivor-list') return data
      if (to === 'p01') return encodeMessage({ ...m, survivors: memberBitmap(h.ids, bitmapIds(h.ids, m.survivors).filter((v) => v !== 'p01')) })
      if (to === 'p02') return encodeMessage({ ...m, survivors: memberBitmap(h.ids, ['p02', 'p03', 'p04']) })
      if (to === 'p03') return encodeMessage({ ...m, survivors: memberBitmap(h.ids, ['p00', 'p02', 'p03', 'p04']) })
      return data
    })
    assert.equal(abortReason(drainEvents(h.participants[1]!)), 'not-included')
    assert.equal(abortReason(drainEvents(h.participants[2]!)), 'too-few-survivors')
    assert.equal(abortReason(drainEvents(h.participants[3]!)), 'not-enough-peers')
  })
})
