import assert from 'node:assert/strict'
import { findGraphParameters, hararyGraph } from '../../src/protocol/index.ts'
import type { AdversaryModel } from '../../src/protocol/index.ts'

// Published points: the (n = 1,000, 5%/5%, semi-honest -> k = 30, t = 17) and fcp's
// graph_parameter_finder_test.cc (degree must match; threshold at most the listed one).
const POINTS: Array<[number, number, number, AdversaryModel, number, number]> = [
  [1000, 0.05, 0.05, 'semi-honest', 30, 17],
  [100, 0.45, 0.45, 'semi-honest', 92, 46],
  [1000, 0.45, 0.45, 'semi-honest', 822, 417],
  [10, 0.33, 0.33, 'semi-honest', 8, 4],
  [100, 0.33, 0.33, 'semi-honest', 68, 34],
  [1000, 0.33, 0.33, 'semi-honest', 286, 150],
  [10000, 0.33, 0.33, 'semi-honest', 422, 221],
  [100, 0.3, 0.3, 'semi-malicious', 92, 62],
  [1000, 0.3, 0.3, 'semi-malicious', 872, 584],
  [100, 0.05, 0.33, 'semi-honest', 28, 6],
  [1000, 0.05, 0.33, 'semi-honest', 72, 24],
  [1000, 0.05, 0.33, 'semi-malicious', 398, 223],
  [1000, 0.33, 0.05, 'semi-honest', 78, 60],
  [100, 0.33, 0.05, 'semi-malicious', 42, 37]
]

describe('protocol/graph-parameters (SecAgg+ k and t)', () => {
  for (const [n, corrupt, dropout, adversary, k, t] of POINTS) {
    it(`n=${n}, corrupt ${corrupt}, dropout ${dropout}, ${adversary} -> k=${k}, t≤${t}`, () => {
      const p = findGraphParameters({ peers: n, corruptRate: corrupt, dropoutRate: dropout, adversary })
      assert.equal(p.degree, k)
      assert.ok(p.threshold <= t && p.threshold >= 2)
    })
  }

  it('refuses infeasible rates with a typed error', () => {
    assert.throws(() => findGraphParameters({ peers: 100, corruptRate: 0.5, dropoutRate: 0.5 }), { name: 'ProtocolConfigError', message: /≤ 0.9/ })
  })

  it('builds a k-regular, symmetric Harary graph that depends on the seed', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `m${i}`)
    const g = hararyGraph(ids, 6, new Uint8Array(32).fill(1))
    for (const id of ids) {
      const nb = g.neighbours(id)
      assert.equal(nb.size, 6)
      assert.ok(!nb.has(id))
      for (const v of nb) assert.ok(g.neighbours(v).has(id))
    }
    const other = hararyGraph(ids, 6, new Uint8Array(32).fill(2))
    assert.ok(ids.some((id) => [...g.neighbours(id)].sort().join() !== [...other.neighbours(id)].sort().join()))
  })
})
