/**
 * The aggregator's `aggregated` log record names who dropped at which stage (peer ids and
 * stage names only), so `secagg logs --summary` can say who was absent from a round and
 * where: a member that never came up sent no share keys (`share`); one killed once it had
 * shared its keys, before its masked input arrived, is `masked`. Real SwarmNodes on a virtual
 * clock (NodeSwarm).
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { aggregatorFor } from '../../../src/protocol/ranking.ts'

describe('the aggregated record names the dropped members by stage', function () {
  this.timeout(120_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('seven members: one never started (share), one killed after sharing its keys (masked)', async () => {
    swarm = await NodeSwarm.create({ members: 7, seed: 'aggregated-dropouts', dim: 4, rounds: 1, protocol: { maxCorrupt: 0 } })
    const s = swarm
    const aggregator = s.ids.indexOf(aggregatorFor(s.consortium.hash, 0, 0, s.ids))
    const [absent, victim] = [...s.ids.keys()].filter((i) => i !== aggregator) as [number, number]
    for (let i = 0; i < 7; i++) if (i !== absent) await s.start(i)
    const sentMasked = (): boolean => s.events(victim, 'stage').some((e) => e.fields.round === 0 && e.fields.role === 'participant' && e.fields.stage === 'masked')
    await s.runUntil(sentMasked, 60_000, 'the victim to reach the masked stage')
    await s.kill(victim) // its masked input is still in flight and is lost with it
    await s.runUntil(() => s.events(aggregator, 'aggregated').length > 0, 120_000, 'the aggregator\'s result')
    const record = s.events(aggregator, 'aggregated')[0]!.fields
    assert.deepEqual(Object.keys(record).sort(), ['attempt', 'droppedAfterSharing', 'droppedAt', 'included', 'round'])
    assert.equal(record.included, 5)
    assert.deepEqual(record.droppedAt, { share: [s.ids[absent]], masked: [s.ids[victim]] })
  })
})
