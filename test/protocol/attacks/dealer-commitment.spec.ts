/**
 * A corrupt dealer (p02) against its own share commitment: shares in the wrong slot, a
 * holder's slots left absent, kinds swapped, another holder's path, a root signed under
 * another dealer's name — the holder (p04) refuses the box ('invalid-share') and no machine
 * throws. And a dealer that signs a second root for one holder is named by the aggregator,
 * which rebuilds its secret from the shares under the first root. n = 7, t = 5.
 */
import assert from 'node:assert/strict'
import { aeadSeal, seededRandom } from '../../../src/crypto/index.ts'
import { decodeMessage, encodeMessage, openSession } from '../../../src/protocol/index.ts'
import type { Message, ProtocolEvent } from '../../../src/protocol/index.ts'
import type { Box } from '../../../src/protocol/wire/codec.ts'
import { commitShares } from '../../../src/protocol/share-commitment.ts'
import type { DealtShares } from '../../../src/protocol/share-commitment.ts'
import { shareBoxAssociatedData, shareEncryptionKey, shareRootMessage } from '../../../src/protocol/transcript.ts'
import type { AdvertisedKeys } from '../../../src/protocol/transcript.ts'
import { drainEvents, drive, makeSession } from '../../helpers/session.ts'

const N = 7
const A = 'p04'
const B = 'p05'
const decode = (d: Uint8Array): Message => {
  const r = decodeMessage(d, { maxPeers: N, vectorWords: 5 })
  if (!r.ok) throw new Error(r.detail)
  return r.message
}

interface Plan {
  /** The shares committed per holder (undefined: absent slots). */
  committed: (dealt: Map<string, DealtShares>) => Map<string, DealtShares>
  /** What goes into A's box: values, whose path, and the name the root is signed under. */
  boxOfA: (dealt: Map<string, DealtShares>) => { values: DealtShares, pathOf: string, signedAs?: string }
}

function run (plan: Plan): { a: ProtocolEvent[], all: ProtocolEvent[] } {
  const h = makeSession(N, {}, 'dealer-slots')
  const session = openSession(h.config)
  const rng = seededRandom('dealer-slots/values')
  drive(h, {
    up: (from, data) => {
      if (from !== 'p02') return data
      const m = decode(data)
      if (m.kind !== 'share-keys') return data
      const p = h.participants[2] as unknown as { encryptionKeys: { secretKey: Uint8Array }, neighbourKeys: Map<string, AdvertisedKeys>, sessionId: Uint8Array }
      const sid = p.sessionId
      const value = (): Uint8Array => { const v = rng(33); v[0] = 0; return v }
      const dealt = new Map([...p.neighbourKeys.keys()].map((v) => [v, { masking: value(), selfMask: value() }]))
      const commitment = commitShares(session, sid, 'p02', plan.committed(dealt))
      const forA = plan.boxOfA(dealt)
      const sig = h.signers[2]!.sign(shareRootMessage(sid, forA.signedAs ?? 'p02', commitment.root))
      const plain = new Uint8Array([...forA.values.masking, ...forA.values.selfMask, ...commitment.root, ...sig, ...commitment.pairPath(forA.pathOf).flatMap((x) => [...x])])
      const key = shareEncryptionKey(sid, p.encryptionKeys.secretKey, p.neighbourKeys.get(A)!.encryptionKey, 'p02', A)
      const boxes: Box[] = m.boxes.map((b) => (b.peer === A ? { peer: A, ciphertext: aeadSeal(key, plain, shareBoxAssociatedData(sid, 'p02', A), rng) } : b))
      return encodeMessage({ ...m, boxes })
    }
  })
  const a = drainEvents(h.participants[4]!)
  const all = [...a, ...[...h.participants.filter((_, i) => i !== 4), h.aggregator].flatMap((x) => drainEvents(x))]
  return { a, all }
}

const swap = (d: Map<string, DealtShares>, x: string, y: string): Map<string, DealtShares> => {
  const out = new Map(d)
  out.set(x, d.get(y)!); out.set(y, d.get(x)!)
  return out
}

describe('attack: a dealer deviating from its share commitment', () => {
  it('two roots: p04 gets a consistent box under a second signed root; the aggregator names p02 and keeps to one root', () => {
    const r = run({ committed: (d) => d, boxOfA: (d) => ({ values: d.get(A)!, pathOf: A }) })
    // p04 cannot tell (its box is consistent) and reveals; the aggregator holds two roots
    // signed by p02, proof that p02 dealt two sets of shares.
    assert.ok(r.a.some((e) => e.type === 'completed'), JSON.stringify(r.a.filter((e) => e.type !== 'stage')))
    const named = r.all.filter((e) => e.type === 'rejected' && e.from === 'p02' && /two different share roots/.test(e.detail))
    assert.ok(named.length > 0, 'the aggregator names the equivocating dealer')
    // Shares under one root only, never a mix of the two sets: whichever root came first,
    // the round ends with the sum (the honest root's five shares reach t = 5) or a typed abort.
    const end = r.all.find((e) => e.type === 'result' || (e.type === 'aborted' && e.reason !== 'timeout'))
    assert.ok(end !== undefined && (end.type === 'result' || (end.type === 'aborted' && ['not-enough-shares', 'reconstruction-mismatch', 'result-out-of-bounds'].includes(end.reason))), JSON.stringify(end))
    assert.ok(!r.all.some((e) => e.type === 'aborted' && e.reason === 'internal-error'))
  })

  const cases: Array<[string, Plan]> = [
    ["p05's pair in p04's box (p04's path)", { committed: (d) => d, boxOfA: (d) => ({ values: d.get(B)!, pathOf: A }) }],
    ["p05's pair and p05's path in p04's box", { committed: (d) => d, boxOfA: (d) => ({ values: d.get(B)!, pathOf: B }) }],
    ["p04's pair committed in p05's slot (p04 gets p05's path)", { committed: (d) => swap(d, A, B), boxOfA: (d) => ({ values: d.get(A)!, pathOf: B }) }],
    ["p04's pair committed in p05's slot (p04 gets its own path)", { committed: (d) => swap(d, A, B), boxOfA: (d) => ({ values: d.get(A)!, pathOf: A }) }],
    ['kinds swapped in the tree for p04 only', {
      committed: (d) => new Map(d).set(A, { masking: d.get(A)!.selfMask, selfMask: d.get(A)!.masking }),
      boxOfA: (d) => ({ values: d.get(A)!, pathOf: A })
    }],
    ["p04's slots absent, p04 still sent a box", { committed: (d) => { const o = new Map(d); o.delete(A); return o }, boxOfA: (d) => ({ values: d.get(A)!, pathOf: A }) }],
    ['root signed under another dealer\'s name (p03)', { committed: (d) => d, boxOfA: (d) => ({ values: d.get(A)!, pathOf: A, signedAs: 'p03' }) }]
  ]
  for (const [name, plan] of cases) {
    it(`${name} → p04 refuses the box`, () => {
      const r = run(plan)
      assert.ok(r.a.some((e) => e.type === 'aborted' && e.reason === 'invalid-share'), JSON.stringify(r.a.filter((e) => e.type !== 'stage')))
      assert.ok(!r.all.some((e) => e.type === 'aborted' && e.reason === 'internal-error'))
    })
  }
})
