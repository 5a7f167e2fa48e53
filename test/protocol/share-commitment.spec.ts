import assert from 'node:assert/strict'
import fc from 'fast-check'
import { seededRandom } from '../../src/crypto/index.ts'
import { openSession } from '../../src/protocol/index.ts'
import { commitShares, shareProof, shareProofLength, verifyShare } from '../../src/protocol/share-commitment.ts'
import type { DealtShares } from '../../src/protocol/share-commitment.ts'
import { makeSession } from '../helpers/session.ts'

describe('protocol/share-commitment (one signed root over every share a dealer deals)', () => {
  const sid = new Uint8Array(32).fill(7)

  function deal (n: number, neighbours: number | 'complete', dealerIndex: number, present: (i: number) => boolean, seed = 'deal'): {
    session: ReturnType<typeof openSession>, dealer: string, dealt: Map<string, DealtShares>, commitment: ReturnType<typeof commitShares>
  } {
    const h = makeSession(n, { neighbours, maxCorrupt: 0, ...(neighbours === 'complete' ? {} : { threshold: 3 }) })
    const session = openSession(h.config)
    const dealer = h.ids[dealerIndex]!
    const rng = seededRandom(seed)
    const holders = [...session.graph.neighbours(dealer)].filter((_, i) => present(i))
    const dealt = new Map(holders.map((v) => [v, { masking: rng(33), selfMask: rng(33) }]))
    return { session, dealer, dealt, commitment: commitShares(session, sid, dealer, dealt) }
  }

  it('every dealt share verifies with its proof, on complete and SecAgg+ graphs, with holders missing from U1', () => {
    fc.assert(fc.property(fc.integer({ min: 5, max: 30 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, sparse, d, mask) => {
      const { session, dealer, dealt, commitment } = deal(n, sparse && n > 6 ? 4 : 'complete', d % n, (i) => ((mask >> (i % 30)) & 1) === 1 || i === 0)
      for (const [holder, s] of dealt) {
        const path = commitment.pairPath(holder)
        assert.equal(path.length, shareProofLength(session, dealer) - 1)
        assert.ok(verifyShare(session, sid, dealer, holder, 'masking', s.masking, commitment.root, shareProof(session, sid, dealer, holder, 'masking', s.selfMask, path)))
        assert.ok(verifyShare(session, sid, dealer, holder, 'self-mask', s.selfMask, commitment.root, shareProof(session, sid, dealer, holder, 'self-mask', s.masking, path)))
      }
    }), { numRuns: 60 })
  })

  it('refuses a share under another kind, holder, dealer, session or value, and a proof of the wrong length', () => {
    const { session, dealer, dealt, commitment } = deal(9, 'complete', 0, () => true)
    const [[holder, s], [other, t]] = [...dealt] as [[string, DealtShares], [string, DealtShares]]
    const path = commitment.pairPath(holder)
    const proof = shareProof(session, sid, dealer, holder, 'masking', s.selfMask, path)
    assert.ok(verifyShare(session, sid, dealer, holder, 'masking', s.masking, commitment.root, proof))
    assert.ok(!verifyShare(session, sid, dealer, holder, 'self-mask', s.masking, commitment.root, proof), 'kind')
    assert.ok(!verifyShare(session, sid, dealer, other, 'masking', s.masking, commitment.root, proof), 'holder')
    assert.ok(!verifyShare(session, sid, other, holder, 'masking', s.masking, commitment.root, proof), 'dealer')
    assert.ok(!verifyShare(session, new Uint8Array(32), dealer, holder, 'masking', s.masking, commitment.root, proof), 'session')
    assert.ok(!verifyShare(session, sid, dealer, holder, 'masking', t.masking, commitment.root, proof), 'value')
    assert.ok(!verifyShare(session, sid, dealer, holder, 'masking', s.masking, commitment.root, proof.slice(1)), 'short proof')
    assert.ok(!verifyShare(session, sid, dealer, dealer, 'masking', s.masking, commitment.root, proof), 'a dealer holds no share of its own')
    assert.ok(!verifyShare(session, sid, dealer, 'zz', 'masking', s.masking, commitment.root, proof), 'non-member')
  })

  it('the root binds every share: changing any one share changes the root', () => {
    const a = deal(7, 'complete', 2, () => true, 'same')
    const b = deal(7, 'complete', 2, () => true, 'same')
    assert.deepEqual(a.commitment.root, b.commitment.root)
    const [holder, s] = [...b.dealt][3]!
    b.dealt.set(holder, { ...s, selfMask: s.selfMask.map((x, i) => (i === 0 ? x ^ 1 : x)) })
    assert.notDeepEqual(commitShares(b.session, sid, b.dealer, b.dealt).root, a.commitment.root)
  })
})
