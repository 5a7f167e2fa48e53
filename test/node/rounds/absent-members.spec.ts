/**
 * Who was absent from a round, and where, as real SwarmNodes (NodeSwarm, virtual clock) log
 * it. The aggregator's `aggregated` record names who dropped at which stage (peer ids and
 * stage names only): a member that never came up sent no share keys (`share`); one killed
 * once it had shared its keys, before its masked input arrived, is `masked`. And
 * `secagg logs --summary` over the members' files (their log records and round records put
 * in their directories as node.log and rounds/<r>.json) names the member that was not up for
 * round 0 as absent at the share stage and marks the member that was restarted.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { aggregatorFor } from '../../../src/protocol/ranking.ts'
import { cli } from '../../helpers/cli.ts'

const EPOCH = Date.UTC(2026, 10, 23, 10, 0, 0)

/** What the node would have written to DIR/node.log and DIR/rounds/ (virtual ms after EPOCH). */
function writeMemberFiles (swarm: NodeSwarm, i: number): void {
  const lines = swarm.logs[i]!.map((e) => JSON.stringify({ time: new Date(EPOCH + e.at).toISOString(), level: e.level, event: e.event, ...e.fields }) + '\n')
  writeFileSync(join(swarm.dirs[i]!, 'node.log'), lines.join(''))
  mkdirSync(join(swarm.dirs[i]!, 'rounds'), { recursive: true })
  for (const [round, record] of swarm.stores[i]!.rounds) writeFileSync(join(swarm.dirs[i]!, 'rounds', `${round}.json`), JSON.stringify(record))
}

/** Seven members; two that do not aggregate round 0 are picked, and all but the first started. */
async function sevenWithoutOne (seed: string, rounds: number): Promise<{ swarm: NodeSwarm, aggregator: number, down: number, other: number }> {
  const swarm = await NodeSwarm.create({ members: 7, seed, dim: 4, rounds, protocol: { maxCorrupt: 0 } })
  const aggregator = swarm.ids.indexOf(aggregatorFor(swarm.consortium.hash, 0, 0, swarm.ids))
  const [down, other] = [...swarm.ids.keys()].filter((i) => i !== aggregator) as [number, number]
  for (let i = 0; i < 7; i++) if (i !== down) await swarm.start(i)
  return { swarm, aggregator, down, other }
}

describe('absent members: the aggregated record and the logs summary', function () {
  this.timeout(120_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('seven members: one never started (share), one killed after sharing its keys (masked)', async () => {
    const { swarm: s, aggregator, down: absent, other: victim } = await sevenWithoutOne('aggregated-dropouts', 1)
    swarm = s
    const sentMasked = (): boolean => s.events(victim, 'stage').some((e) => e.fields.round === 0 && e.fields.role === 'participant' && e.fields.stage === 'masked')
    await s.runUntil(sentMasked, 60_000, 'the victim to reach the masked stage')
    await s.kill(victim) // its masked input is still in flight and is lost with it
    await s.runUntil(() => s.events(aggregator, 'aggregated').length > 0, 120_000, 'the aggregator\'s result')
    const record = s.events(aggregator, 'aggregated')[0]!.fields
    assert.deepEqual(Object.keys(record).sort(), ['attempt', 'droppedAfterSharing', 'droppedAt', 'included', 'round'])
    assert.equal(record.included, 5)
    assert.deepEqual(record.droppedAt, { share: [s.ids[absent]], masked: [s.ids[victim]] })
  })

  it('a member down for round 0 is absent (share); a restarted member is marked where it restarted', async () => {
    const { swarm: s, aggregator, down: late, other: restarted } = await sevenWithoutOne('logs-summary-swarm', 3)
    swarm = s
    await s.runUntil(() => s.roundFile(restarted, 0) !== undefined, 60_000, 'round 0')
    await s.kill(restarted)
    await s.start(restarted)
    await s.start(late)
    await s.runUntil(() => [...s.ids.keys()].every((i) => s.roundFile(i, 2) !== undefined), 600_000, 'round 2 everywhere')
    for (let i = 0; i < 7; i++) writeMemberFiles(s, i)
    const { code, out, err } = await cli('logs', ...s.dirs, '--summary')
    assert.equal(code, 0, err)
    const lines = out.trim().split('\n')
    const label = (i: number): string => `m${i}`
    const round0 = lines.find((l) => l.startsWith('round 0: '))
    assert.match(round0 ?? '', new RegExp(`^round 0: aggregator ${label(aggregator)}; result over 6 members; weight sum 6; absent: ${label(late)} \\(share\\)$`), out)
    const marker = lines.findIndex((l) => l.startsWith(`-- ${label(restarted)} restarted at `))
    // It restarted as round 0 ended there: after round 0's line, before round 1's (the tie goes to the restart).
    assert.ok(marker > lines.indexOf(round0!) && marker < lines.findIndex((l) => l.startsWith('round 1: ')), out)
    assert.match(lines[marker]!, /\(pid \d+, \/memory\/\S+, next round 1\) --$/)
    assert.ok(!lines.some((l) => l.startsWith(`-- ${label(late)} restarted`)), 'a first start is not a restart')
    assert.match(out, /^round 2: aggregator m\d; result over 7 members; weight sum 7$/m)
  })
})
