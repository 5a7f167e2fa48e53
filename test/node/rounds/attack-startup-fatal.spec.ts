/**
 * Review ops-review, item 1(d): can remote peers trigger `fatal` on honest members? n = 7,
 * c = 2 (membersForRound = 6 > n − c = 5). The two corrupt members stay away (or refuse
 * connections) for the start-up wait after the honest members (re)start — an upgrade, a
 * reboot — and every honest node stops with `node-failed` (exit 1 under `secagg start`,
 * default --startup-wait 600 s). When X and Y come back, nobody is left to run rounds until
 * each operator restarts by hand: a stall that outlasts the attack, where before the gate
 * the honest members kept trying and resumed as soon as X and Y returned.
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'

describe('ATTACK (currently succeeds): c absent members stop every honest node through the start-up wait', function () {
  this.timeout(300_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('ATTACK (currently succeeds): after X and Y return, no honest node runs and no round completes', async () => {
    const s = await NodeSwarm.create({ members: 7, seed: 'startup-fatal', dim: 3, rounds: 2, protocol: { maxCorrupt: 2 } })
    swarm = s
    const honest = [2, 3, 4, 5, 6]
    for (const i of honest) await s.start(i, { startupWait: 30_000 })
    await s.runUntil(() => honest.every((i) => s.events(i, 'node-failed').length > 0), 60_000, 'the honest nodes to fail')
    await s.start(0)
    await s.start(1)
    try { await s.runUntil(() => s.roundFile(0, 0) !== undefined, 120_000, 'round 0 anywhere') } catch (err) { console.log('      ', (err as Error).message) }
    console.log('       honest node-failed:', honest.map((i) => s.events(i, 'node-failed').length).join(','), '| first reason:', String(s.events(2, 'node-failed')[0]?.fields.reason).slice(0, 120))
    assert.ok(honest.some((i) => s.roundFile(i, 0)?.sum !== undefined), 'ATTACK succeeded: two members absent for the start-up wait stopped every honest node; no round after they returned')
  })
})
