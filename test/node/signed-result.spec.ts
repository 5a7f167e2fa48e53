/**
 * A member checks a round result before applying it: the aggregator's signature, a quorum of
 * consistency signatures over (session, included), and the bounds every honest sum obeys —
 * so a result with a wrapped weight sum, a coordinate beyond ±clip·Σw, or too few members
 * is rejected even when it is properly signed.
 */
import assert from 'node:assert/strict'
import { createEd25519Signer, seededRandom } from '../../src/crypto/index.ts'
import { consistencyMessageFor, planQuantization } from '../../src/protocol/index.ts'
import { encodeSignedResult, verifySignedResult } from '../../src/round/signed-result.ts'
import type { RoundOutcome } from '../../src/round/signed-result.ts'

const ids = ['m0', 'm1', 'm2', 'm3', 'm4']
const signers = ids.map((id) => createEd25519Signer(seededRandom(`signed-result/${id}`)(32)))
const signingKeys = new Map(ids.map((id, i) => [id, signers[i]!.publicKey]))
const quantization = planQuantization({ clip: 1, maxWeight: 10, members: 5 })
const keysRoot = new Uint8Array(32).fill(5)
// The session id a verifier derives from (round, attempt, aggregator) and the root.
const sessionIdFor = (root: Uint8Array): Uint8Array => root.map((b) => b ^ 1)
const sessionId = sessionIdFor(keysRoot)

function outcome (overrides: Partial<RoundOutcome> = {}): RoundOutcome {
  const included = overrides.included ?? ids.slice(0, 4)
  return {
    round: 2, attempt: 0, aggregator: 'm0', sessionId, keysRoot, included,
    sum: Float64Array.from([1.5, -2, 0.25]), weightSum: 4,
    signatures: included.map((peer) => ({ peer, signature: signers[ids.indexOf(peer)]!.sign(consistencyMessageFor(sessionId, ids, included)) })),
    ...overrides
  }
}

// n = 5, c = 1: two sessions of a round can both gather Q > (n + c + 1)/2 = 3.5 signatures only
// if an honest member signed in both, which its promise record forbids; Q = 4.
const verify = (o: RoundOutcome, minIncluded = 3): RoundOutcome =>
  verifySignedResult(encodeSignedResult(o, signers[0]!), { expectedAggregator: 'm0', signingKeys, dim: 3, quantization, minIncluded, sessionIdFor, quorum: 4 }).outcome

describe('node: a signed round result is checked before it is applied', () => {
  it('an honest result verifies', () => {
    assert.deepEqual(Array.from(verify(outcome()).sum), [1.5, -2, 0.25])
  })

  it('a weight sum outside [|U3|, |U3|·maxWeight] is rejected, signed or not', () => {
    assert.throws(() => verify(outcome({ weightSum: 1 })), { name: 'ResultRejectedError', message: /weight sum 1 is outside \[4, 40\]/ })
    assert.throws(() => verify(outcome({ weightSum: 41 })), /weight sum 41/)
  })

  it('a coordinate beyond ±clip·Σw is rejected', () => {
    assert.throws(() => verify(outcome({ sum: Float64Array.from([1.5, 1e6, 0]) })), { name: 'ResultRejectedError', message: /coordinate 1/ })
  })

  it('a session id that is not the one of (round, attempt, aggregator) for its key root is rejected', () => {
    assert.throws(() => verify(outcome({ keysRoot: new Uint8Array(32).fill(6) })), { name: 'ResultRejectedError', message: /not one of round 2, attempt 0 with aggregator m0/ })
  })

  it('a majority of all members is not enough: the consistency quorum Q > (n + c + 1)/2 is (c corrupt members sign in two sessions)', () => {
    const included = ids.slice(0, 4)
    const three = included.slice(0, 3).map((peer) => ({ peer, signature: signers[ids.indexOf(peer)]!.sign(consistencyMessageFor(sessionId, ids, included)) }))
    assert.throws(() => verify(outcome({ included, signatures: three })), { name: 'ResultRejectedError', message: /3 consistency signatures, a result needs 4/ })
  })

  it('a result over fewer than c + 3 members is rejected', () => {
    assert.throws(() => verify(outcome(), 5), { name: 'ResultRejectedError', message: /includes 4 members; a sum over fewer than 5/ })
  })
})
