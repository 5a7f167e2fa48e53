/**
 * `secagg simulate --task train` with distributed DP, end to end on a tiny synthetic set: every
 * round reports the ε spent so far and its survivors, the secure sum differs from the plain
 * noiseless sum of the clipped updates by the expected noise, and the run stops — reported,
 * not crashed — before a round that could exceed the budget.
 */
import assert from 'node:assert/strict'
import { cli } from '../helpers/cli.ts'
import { runTrainingSimulation } from '../../src/sim/federated-training.ts'

const tiny = { dataset: { kind: 'synthetic' as const, count: 120, size: 16 }, peers: 4, partition: { kind: 'iid' as const }, seed: '3' }

describe('privacy: simulate --task train with DP', function () {
  this.timeout(300_000)

  it('4 peers, 2 rounds: ε per round for its survivors, noise of the calibrated size, in seconds', async () => {
    const started = performance.now()
    const report = await runTrainingSimulation({ ...tiny, rounds: 2, privacy: { clip: 0.5, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 20 } })
    const seconds = (performance.now() - started) / 1000
    assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`)
    assert.equal(report.rounds.length, 2)
    let last = 0
    for (const r of report.rounds) {
      const p = r.privacy!
      assert.equal(r.aborted, false)
      assert.equal(p.survivors, 4)
      assert.ok(p.epsilon > last, `ε grows: ${p.epsilon}`)
      last = p.epsilon
      // n = 4, t = 3: four shares carry σ·C·√(4/3) on the sum.
      assert.ok(Math.abs(p.expectedNoiseStddev - 0.5 * Math.sqrt(4 / 3)) < 1e-3, `expected noise ${p.expectedNoiseStddev}`)
      assert.ok(Math.abs(p.observedNoiseRms / p.expectedNoiseStddev - 1) < 0.05, `observed ${p.observedNoiseRms} vs ${p.expectedNoiseStddev}`)
      assert.ok(Math.abs(p.effectiveNoiseMultiplier - Math.sqrt(4 / 3)) < 0.01)
    }
    assert.equal(report.privacy!.epsilon, last)
    assert.equal(report.privacy!.stopped, undefined)
  })

  it('stops before the round that would exceed the budget, and says why', async () => {
    const report = await runTrainingSimulation({ ...tiny, rounds: 4, privacy: { clip: 0.5, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 7 } })
    assert.equal(report.rounds.length, 2)
    assert.equal(report.privacy!.stopped!.round, 2)
    assert.match(report.privacy!.stopped!.reason, /one more round would spend ε = .* > epsilonBudget 7/)
    assert.ok(report.privacy!.epsilon <= 7)
  })

  it('the CLI flags: all four or none, named errors', async () => {
    const partial = await cli('simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '4', '--rounds', '1', '--dp-clip', '1')
    assert.equal(partial.code, 2)
    assert.match(partial.err, /needs all of --dp-clip, --dp-noise, --dp-delta and --dp-budget \(missing --dp-noise, --dp-delta, --dp-budget\)/)
    const bad = await cli('simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '4', '--rounds', '1', '--dp-clip', '1', '--dp-noise', '0', '--dp-delta', '2', '--dp-budget', '5')
    assert.equal(bad.code, 2)
    assert.match(bad.err, /--dp-noise: must be > 0.*--dp-delta: must be < 1/)
    const plain = await cli('simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '4', '--rounds', '1', '--plain', '--dp-clip', '1', '--dp-noise', '1', '--dp-delta', '1e-5', '--dp-budget', '9')
    assert.match(plain.err, /--plain has no secure sum/)
  })
})
