/**
 * The aggregator's recorded steps (SimulationObserver.aggregatorCall), given to a fresh
 * aggregator, reach the simulated run's result: what the scale bench relies on to time the
 * aggregator's own work.
 */
import assert from 'node:assert/strict'
import { runSimulation } from '../../src/sim/memory-swarm.ts'
import type { AggregatorCall } from '../../src/sim/memory-swarm.ts'
import { runSimulationParallel } from '../../src/sim/parallel-swarm.ts'
import { replayAggregator } from '../../src/sim/aggregator-replay.ts'
import { prepareScenario } from '../../src/sim/scenario.ts'
import { decodeMessage } from '../../src/protocol/index.ts'

const kindOf = (data: Uint8Array): string => {
  const d = decodeMessage(data, { maxPeers: 30, vectorWords: 51 })
  return d.ok ? d.message.kind : 'undecodable'
}

describe('sim/aggregator-replay', () => {
  const options = { peers: 30, dim: 50, dropout: new Map([['masked', 2]] as const), seed: 'replay' }

  it('a fresh aggregator given the recorded calls ends with the run\'s sum, and a call left out changes the outcome', () => {
    const calls: AggregatorCall[] = []
    const { report } = runSimulation({ ...options, emitSum: true }, { aggregatorCall: (c) => calls.push(c) })
    assert.equal(report.aborted, false)
    assert.equal(calls[0]!.kind, 'start')
    assert.ok(calls.some((c) => c.kind === 'timeout'), 'the dropouts leave the aggregator waiting out a deadline')
    const s = prepareScenario(options)
    const result = replayAggregator(s.aggregator(), calls).find((e) => e.type === 'result')
    assert.ok(result?.type === 'result')
    assert.deepEqual(result.result.included.map((id) => s.indexOf.get(id)), report.included)
    assert.deepEqual(Array.from(result.result.sum), report.sum)
    // Without the last masked input it received, the replay does not reach that result: the
    // members' consistency signatures cover a survivor list that now has one member too many.
    const lastMasked = calls.findLastIndex((c) => c.kind === 'receive' && kindOf(c.data) === 'masked-input')
    assert.ok(lastMasked > 0)
    const events = replayAggregator(prepareScenario(options).aggregator(), calls.filter((_, i) => i !== lastMasked))
    assert.ok(!events.some((e) => e.type === 'result'), 'no result from a replay that lost a masked input')
  })

  it('the parallel simulator runs on one thread when the aggregator\'s calls are recorded, so they come in the sequential order', async () => {
    const sequential: AggregatorCall[] = []
    const parallel: AggregatorCall[] = []
    runSimulation(options, { aggregatorCall: (c) => sequential.push(c) })
    await runSimulationParallel(options, { aggregatorCall: (c) => parallel.push(c) }, { workers: 2 })
    assert.deepEqual(parallel.map((c) => [c.kind, c.now, c.kind === 'receive' ? c.from : '']), sequential.map((c) => [c.kind, c.now, c.kind === 'receive' ? c.from : '']))
  })
})
