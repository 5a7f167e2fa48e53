/**
 * The aggregator's recorded steps (SimulationObserver.aggregatorCall), given to a fresh
 * aggregator, take it through the simulated run's events to its result: what the scale bench
 * relies on to time the aggregator's own work.
 */
import assert from 'node:assert/strict'
import { runSimulation } from '../../src/sim/memory-swarm.ts'
import type { AggregatorCall, SimulationOptions } from '../../src/sim/memory-swarm.ts'
import { runSimulationParallel } from '../../src/sim/parallel-swarm.ts'
import { replayAggregator } from '../../src/sim/aggregator-replay.ts'
import { prepareScenario } from '../../src/sim/scenario.ts'
import { decodeMessage } from '../../src/protocol/index.ts'
import type { ProtocolEvent } from '../../src/protocol/index.ts'

const kindOf = (data: Uint8Array): string => {
  const d = decodeMessage(data, { maxPeers: 30, vectorWords: 51 })
  return d.ok ? d.message.kind : 'undecodable'
}

/** The run's calls and the aggregator's events as the simulator saw them. */
function recorded (options: SimulationOptions): { calls: AggregatorCall[], events: ProtocolEvent[], sum?: number[], included: number[] } {
  const calls: AggregatorCall[] = []
  const { report, trace } = runSimulation({ ...options, emitSum: true }, { aggregatorCall: (c) => calls.push(c) })
  const events = trace.events.filter((e) => e.role === 'aggregator' && e.peer === report.aggregator).map((e) => e.event)
  return { calls, events, ...(report.sum !== undefined ? { sum: report.sum } : {}), included: report.included }
}

describe('sim/aggregator-replay', () => {
  const options = { peers: 30, dim: 50, dropout: new Map([['masked', 2]] as const), seed: 'replay' }

  it('a fresh aggregator given the recorded calls goes through the run\'s events to its sum; without one masked input it does not reach it', () => {
    const run = recorded(options)
    assert.equal(run.calls[0]!.kind, 'start')
    assert.ok(run.calls.some((c) => c.kind === 'timeout'), 'the dropouts leave the aggregator waiting out a deadline')
    const s = prepareScenario(options)
    const events = replayAggregator(s.aggregator(), run.calls)
    assert.deepEqual(events, run.events)
    const result = events.find((e) => e.type === 'result')
    assert.ok(result?.type === 'result')
    assert.deepEqual(result.result.included.map((id) => s.indexOf.get(id)), run.included)
    assert.deepEqual(Array.from(result.result.sum), run.sum)
    // The members' consistency signatures cover a survivor list with one member too many.
    const lastMasked = run.calls.findLastIndex((c) => c.kind === 'receive' && kindOf(c.data) === 'masked-input')
    assert.ok(lastMasked > 0)
    const without = replayAggregator(prepareScenario(options).aggregator(), run.calls.filter((_, i) => i !== lastMasked))
    assert.ok(!without.some((e) => e.type === 'result'), 'no result from a replay that lost a masked input')
  })

  it('only calls the simulator made are recorded: every recorded deadline moves the aggregator, also when it drops out itself', () => {
    for (const o of [options, { ...options, dropout: new Map([['consistency', 1]] as const), dropAggregator: true }]) {
      const run = recorded(o)
      const aggregator = prepareScenario(o).aggregator()
      const events: ProtocolEvent[] = []
      for (const call of run.calls) {
        const before = events.length
        replayAggregator(aggregator, [call]).forEach((e) => events.push(e))
        if (call.kind === 'timeout') assert.ok(events.length > before, `the deadline at ${call.now} recorded but nothing happened`)
      }
      assert.deepEqual(events, run.events)
    }
  })

  it('the parallel simulator runs on one thread when the aggregator\'s calls are recorded, so they come in the sequential order', async () => {
    const sequential: AggregatorCall[] = []
    const parallel: AggregatorCall[] = []
    runSimulation(options, { aggregatorCall: (c) => sequential.push(c) })
    await runSimulationParallel(options, { aggregatorCall: (c) => parallel.push(c) }, { workers: 2 })
    assert.deepEqual(parallel.map((c) => [c.kind, c.now, c.kind === 'receive' ? c.from : '']), sequential.map((c) => [c.kind, c.now, c.kind === 'receive' ? c.from : '']))
  })
})
