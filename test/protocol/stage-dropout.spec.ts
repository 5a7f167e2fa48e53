/**
 * Dropout at each stage, alone and combined (complete graph and SecAgg+). What must hold:
 * a peer that dropped before its masked input arrived is not in the sum, a peer whose masked
 * input arrived is (even if it vanished afterwards), the sum matches the plaintext sum over
 * `included`, and for each peer the aggregator got only the share kind that fits its fate.
 */
import assert from 'node:assert/strict'
import { runSimulation } from '../../src/sim/memory-swarm.ts'
import type { SimulationOptions } from '../../src/sim/memory-swarm.ts'
import type { Stage } from '../../src/protocol/index.ts'

const INPUT_STAGES: readonly Stage[] = ['advertise', 'share', 'masked'] // dropping here keeps x_u out of the sum

function simulate (options: Partial<SimulationOptions> & { dropout: Map<Stage, number> }) {
  const { report, trace } = runSimulation({ peers: 10, dim: 16, neighbours: 'complete', seed: 'stage-dropout', ...options })
  const dropped = new Map<number, Stage>()
  for (const [stage, peers] of Object.entries(report.droppedAt)) for (const p of peers!) dropped.set(p, stage as Stage)
  return { report, trace, dropped }
}

function checkCompleted (r: ReturnType<typeof simulate>, peers: number): void {
  const { report, trace, dropped } = r
  assert.equal(report.aborted, false, `round aborted: ${report.reason}`)
  const expectedIncluded = Array.from({ length: peers }, (_, i) => i).filter((i) => !INPUT_STAGES.includes(dropped.get(i)!))
  assert.deepEqual(report.included, expectedIncluded)
  assert.equal(report.weightSum, expectedIncluded.length)
  assert.ok(report.maxAbsError! < 1e-3, `max error ${report.maxAbsError}`)
  for (let i = 0; i < peers; i++) {
    const kinds = [...(trace.releasedKinds.get(i) ?? [])]
    const stage = dropped.get(i)
    if (stage === 'advertise' || stage === 'share') assert.deepEqual(kinds, [], `peer ${i} never shared, nothing of it can be revealed`)
    else if (stage === 'masked') assert.deepEqual(kinds, ['masking'], `peer ${i} shared but sent no input: only its masking key is rebuilt`)
    else assert.deepEqual(kinds, ['self-mask'], `peer ${i}'s input is in the sum: only its self-mask seed is rebuilt`)
  }
}

describe('protocol: dropout at each stage, alone and combined', () => {
  for (const stage of ['advertise', 'share', 'masked', 'consistency', 'unmask'] as const) {
    it(`${stage}: 3 of 10 drop (complete graph, t = 6) — the round completes over the right peers`, () => {
      const r = simulate({ dropout: new Map([[stage, 3]]) })
      assert.equal(r.report.droppedAt[stage]!.length, 3)
      checkCompleted(r, 10)
    })
  }

  it('all five stages combined: one peer each (complete graph, n = 13, t = 7)', () => {
    // 12 advertise, 11 share, 10 mask, 9 sign, 8 answer the unmask request: each secret has
    // exactly t = 7 holders among the others.
    const r = simulate({ peers: 13, dropout: new Map(['advertise', 'share', 'masked', 'consistency', 'unmask'].map((s) => [s as Stage, 1])) })
    assert.equal(r.report.threshold, 7)
    assert.equal(r.report.included.length, 10)
    checkCompleted(r, 13)
  })

  it('all five stages combined, one too many: n = 10, t = 6 leaves 5 unmask answers — abort', () => {
    const { report, trace } = simulate({ dropout: new Map(['advertise', 'share', 'masked', 'consistency', 'unmask'].map((s) => [s as Stage, 1])) })
    assert.equal(report.aborted, true)
    assert.equal(report.reason, 'not-enough-shares')
    for (const kinds of trace.releasedKinds.values()) assert.ok(kinds.size <= 1)
  })

  it('all five stages combined under SecAgg+ (n = 40, k = 12, t = 7)', () => {
    const r = simulate({ peers: 40, neighbours: 12, threshold: 7, maxCorrupt: 0, dropout: new Map(['advertise', 'share', 'masked', 'consistency', 'unmask'].map((s) => [s as Stage, 1])) })
    assert.equal(r.report.neighbours, 12)
    checkCompleted(r, 40)
  })

  it('one stage too many: 5 of 10 drop at masked (t = 6) — abort, nothing revealed', () => {
    const { report, trace } = simulate({ dropout: new Map([['masked', 5]]) })
    assert.equal(report.aborted, true)
    assert.equal(report.reason, 'not-enough-peers')
    assert.deepEqual(report.included, [])
    assert.equal(trace.releasedKinds.size, 0)
  })

  it('combined past the threshold: 2 at share + 2 at consistency + 2 at unmask (t = 6 of 10) — abort, no peer has both shares out', () => {
    const { report, trace } = simulate({ dropout: new Map([['share', 2], ['consistency', 2], ['unmask', 2]]) })
    // U3 has 8 peers but only 6 sign and at most 4 answer the unmask request: fewer than t shares.
    assert.equal(report.aborted, true)
    for (const kinds of trace.releasedKinds.values()) assert.ok(kinds.size <= 1)
  })

  it('the aggregator itself dropping (--drop-aggregator) ends the round for everyone with a typed reason', () => {
    const { report } = simulate({ peers: 6, dropout: new Map([['masked', 6]]), dropAggregator: true })
    assert.equal(report.aborted, true)
    assert.ok(report.reason !== null)
  })
})
