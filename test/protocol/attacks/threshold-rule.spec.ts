/**
 * The threshold rule (docs/PROTOCOL.md): safe iff 2t > k + X, X the corrupt shareholders of a
 * member (the aggregator and c colluders on the complete graph). Both sides of the boundary
 * are run as real attacks, and every unsafe configuration is refused with the fix named.
 */
import assert from 'node:assert/strict'
import {
  assertSafeThreshold, chooseGraph, consistencyQuorum, defaultMaxCorrupt, findGraphParameters, minimumSafeThreshold, minimumSurvivors
} from '../../../src/protocol/index.ts'
import { makeSession } from '../../helpers/session.ts'
import { matchesInput, runAttack } from '../../helpers/adversary.ts'

/**
 * n = 7: aggregator A, colluder C, honest v, g1, g2, h1, h2. v, g1 and g2 are shown
 * U3 = {A, C, v, g1, g2} (they release v's self-mask share); h1 and h2 are shown
 * {A, C, h1, h2, g1} (v "dropped": they release v's masking-key share).
 */
function splitAttack (threshold: number, maxCorrupt: number): { recovered: boolean, events: string[] } {
  const h = makeSession(7, { threshold, maxCorrupt }, 'boundary')
  const [A, C, v, g1, g2, h1, h2] = h.ids as [string, string, string, string, string, string, string]
  const first = [A, C, v, g1, g2]
  const run = runAttack(h, {
    corrupt: new Set([C]),
    survivorList: (to) => ([v, g1, g2].includes(to) ? first : [A, C, h1, h2, g1])
  })
  const events = [...run.events.values()].flat().flatMap((e) => (e.type === 'aborted' ? [e.reason] : e.type === 'completed' ? ['completed'] : []))
  return { recovered: matchesInput(run.recoverInput(v), run.inputs.get(v)!), events }
}

describe('threshold rule: 2t > k + X, and the consistency quorum', () => {
  it('one below the share bound (n = 7, one real colluder, t = 4): the members shown the second list refuse for lack of signatures', () => {
    // t = 4 is what c = 0 allows; the real coalition is the aggregator plus one colluder. The
    // shares alone would let the attack through (2t = 8 ≤ k + X = 6 + 2); the consistency
    // quorum Q = 5 > (n + c + 1)/2 stops it: the second list gathers only 4 signatures.
    const { recovered, events } = splitAttack(4, 0)
    assert.ok(!recovered)
    assert.ok(events.includes('not-enough-signatures'), `events: ${events.join()}`)
  })

  it('at the share bound (n = 7, c = 1, t = 5): the same attack fails and the honest members abort', () => {
    const { recovered, events } = splitAttack(5, 1)
    assert.ok(!recovered)
    assert.ok(events.includes('not-enough-peers'), `events: ${events.join()}`)
  })

  it('the quorum: Q = max(t, ⌊(n + c + 1)/2⌋ + 1), so two lists never both reach it with c + 1 corrupt signers', () => {
    for (let n = 3; n <= 60; n++) {
      for (let c = 0; c + 3 <= n; c++) {
        const t = minimumSafeThreshold({ peers: n, maxCorrupt: c, neighbours: 'complete' })
        const q = consistencyQuorum(n, c, t)
        assert.ok(2 * q - n > c + 1, `n = ${n}, c = ${c}: two quorums of ${q} share only corrupt signers`)
        // On the complete graph the quorum never asks for more survivors than t already does.
        assert.ok(q <= t + 1, `n = ${n}, c = ${c}: Q = ${q} > t + 1 = ${t + 1}`)
      }
    }
    assert.equal(consistencyQuorum(1000, 50, 37), 526)
  })

  it('complete graph: the smallest safe t is ⌊(n + c)/2⌋ + 1, at least 2', () => {
    for (let n = 3; n <= 40; n++) {
      for (let c = 0; c + 3 <= n; c++) {
        const t = minimumSafeThreshold({ peers: n, maxCorrupt: c, neighbours: 'complete' })
        assert.equal(t, Math.max(2, Math.floor((n + c) / 2) + 1), `n = ${n}, c = ${c}`)
        assert.ok(2 * t > (n - 1) + (c + 1))
        assert.ok(2 * (t - 1) <= (n - 1) + (c + 1) || t === 2)
      }
    }
  })

  it('defaults: c = ⌊(n − 1)/3⌋, t from it, sums over at least c + 3 members', () => {
    assert.deepEqual([3, 4, 7, 10, 100].map(defaultMaxCorrupt), [0, 1, 2, 3, 33])
    assert.deepEqual(chooseGraph({ peers: 10, maxCorrupt: 3, neighbours: 'complete' }), { neighbours: 'complete', threshold: 7 })
    assert.equal(minimumSurvivors(0), 3)
    assert.equal(minimumSurvivors(4), 7)
  })

  it('refuses an unsafe threshold, naming the numbers to change', () => {
    assert.throws(() => assertSafeThreshold({ peers: 5, maxCorrupt: 1, neighbours: 'complete', threshold: 3 }),
      (e: Error) => e.name === 'ProtocolConfigError' && /Raise the threshold to ≥ 4, or lower maxCorrupt to 0/.test(e.message))
    assert.throws(() => makeSession(5, { threshold: 3, maxCorrupt: 1 }), { name: 'ProtocolConfigError' })
    assert.throws(() => assertSafeThreshold({ peers: 5, maxCorrupt: 0, neighbours: 'complete', threshold: 5 }), /exceeds the 4 shareholders/)
    assert.throws(() => assertSafeThreshold({ peers: 4, maxCorrupt: 2, neighbours: 'complete', threshold: 3 }), /lower maxCorrupt to ≤ 1/)
    assert.doesNotThrow(() => assertSafeThreshold({ peers: 5, maxCorrupt: 1, neighbours: 'complete', threshold: 4 }))
  })

  it('SecAgg+: the finder with γ = (c + 1)/n, semi-malicious, gives a threshold the rule accepts', () => {
    for (const [n, c] of [[100, 5], [1000, 50], [1000, 100], [300, 30]] as const) {
      const choice = chooseGraph({ peers: n, maxCorrupt: c, neighbours: 'auto' })
      assert.notEqual(choice.neighbours, 'complete', `n = ${n}, c = ${c}`)
      const p = findGraphParameters({ peers: n, corruptRate: (c + 1) / n, dropoutRate: 0.05, adversary: 'semi-malicious' })
      assert.deepEqual(choice, { neighbours: p.degree, threshold: p.threshold })
      assert.doesNotThrow(() => assertSafeThreshold({ peers: n, maxCorrupt: c, neighbours: p.degree, threshold: p.threshold }))
      assert.throws(() => assertSafeThreshold({ peers: n, maxCorrupt: c, neighbours: p.degree, threshold: p.threshold - 1 }), { name: 'ProtocolConfigError' })
    }
  })
})
