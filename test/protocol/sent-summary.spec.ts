import assert from 'node:assert/strict'
import { encodeMessage } from '../../src/protocol/index.ts'
import type { RevealedShare } from '../../src/protocol/index.ts'
import { prepareScenario } from '../../src/sim/scenario.ts'
import { SentSummaries } from '../../src/sim/sent-summary.ts'

describe('sim/sent-summary (what the simulators keep of a sent message)', () => {
  const s = prepareScenario({ peers: 5, dim: 2 })
  const limits = { maxPeers: 5, vectorWords: 3 }
  const share = (owner: string, selfMask: boolean): RevealedShare => ({
    owner, selfMask, value: new Uint8Array(33), signature: new Uint8Array(64), root: new Uint8Array(32), proof: [new Uint8Array(32), new Uint8Array(32)]
  })

  it('codes each revealed share as 2 · owner index + kind, and memoizes per buffer', () => {
    const summaries = new SentSummaries(limits, s.indexOf)
    const data = encodeMessage({ kind: 'unmask-shares', binding: new Uint8Array(32), round: 0, shares: [share(s.ids[1]!, true), share(s.ids[3]!, false)] })
    const summary = summaries.of(data)
    assert.deepEqual(summary, { kind: 'unmask-shares', released: [2 * s.indexOf.get(s.ids[1]!)! + 1, 2 * s.indexOf.get(s.ids[3]!)!] })
    assert.equal(summaries.of(data), summary)
    assert.deepEqual(summaries.of(Uint8Array.of(0xff, 0xff)), { kind: 'abort' })
  })

  it('refuses an owner outside the scenario instead of filing its share under peer 0', () => {
    const summaries = new SentSummaries(limits, s.indexOf)
    const data = encodeMessage({ kind: 'unmask-shares', binding: new Uint8Array(32), round: 0, shares: [share('not-a-simulated-peer', false)] })
    assert.throws(() => summaries.of(data), { name: 'SimulationTraceError', message: /not-a-simulated-peer, who is not a simulated peer/ })
  })
})
