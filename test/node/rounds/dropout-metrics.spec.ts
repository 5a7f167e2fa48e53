/**
 * The dropout metric from what real SwarmNodes log (NodeSwarm, virtual clock): the
 * aggregator's records, fed to the node monitor as its logger would, count a member that
 * never came up at the share stage and one killed after sharing its keys at the masked stage.
 */
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { NodeMonitor } from '../../../src/node/ops/node-monitor.ts'
import { nodeMetrics } from '../../../src/node/ops/node-metrics.ts'
import { aggregatorFor } from '../../../src/protocol/ranking.ts'

describe('dropout metrics from a real aggregator\'s log', function () {
  this.timeout(120_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('one member never started (share), one killed before its masked input arrived (masked)', async () => {
    const s = swarm = await NodeSwarm.create({ members: 7, seed: 'dropout-metrics', dim: 4, rounds: 1, protocol: { maxCorrupt: 0 } })
    const aggregator = s.ids.indexOf(aggregatorFor(s.consortium.hash, 0, 0, s.ids))
    const [absent, victim] = [...s.ids.keys()].filter((i) => i !== aggregator) as [number, number]
    for (let i = 0; i < 7; i++) if (i !== absent) await s.start(i)
    await s.runUntil(() => s.events(victim, 'stage').some((e) => e.fields.round === 0 && e.fields.role === 'participant' && e.fields.stage === 'masked'), 60_000, 'the victim to reach the masked stage')
    await s.kill(victim)
    await s.runUntil(() => s.events(aggregator, 'aggregated').length > 0, 120_000, 'the aggregator\'s result')

    const monitor = new NodeMonitor({ self: s.ids[aggregator]!, consortium: 'sim', members: s.ids.map((peerId) => ({ peerId })) })
    const registry = new Registry()
    monitor.listen(nodeMetrics(registry, 6))
    for (const e of s.logs[aggregator]!) monitor.onLog(e.level, e.event, e.fields)
    const dropouts = (await registry.getSingleMetricAsString('secagg_dropouts_total')).split('\n').filter((l) => !l.startsWith('#')).sort()
    assert.deepEqual(dropouts, [
      `secagg_dropouts_total{stage="masked",member="${s.ids[victim]}"} 1`,
      `secagg_dropouts_total{stage="share",member="${s.ids[absent]}"} 1`
    ])
    assert.equal(monitor.status().counters.aggregated, 1)
  })
})
