/**
 * Liveness (second attacker review): one silent corrupt member plus ONE honest member that
 * sits a round out (its input is unchanged — a hospital with no new data) used to halt the
 * swarm for good. n = 7, c = 1, t = 5 (a session needs 6 members), k = 2: the five left in
 * round R failed over forever (a round was never given up), and the sit-out member waited in
 * R + 1 alone. Now a round is given up after one attempt per member (no masked input of the
 * member is out, so nothing is lost), and round R + 1, with six honest members, completes.
 * Either fault alone is tolerated (controls below).
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { aggregatorFor } from '../../../src/protocol/index.ts'

const n = 7
const rounds = 5
const R = 2

async function run (silentC: boolean, sitOutH: boolean): Promise<{ s: NodeSwarm, honest: number[] }> {
  const probe = await NodeSwarm.create({ members: n, seed: 'stall', dim: 3, rounds, protocol: { maxCorrupt: 1 } })
  const A = probe.ids.indexOf(aggregatorFor(probe.consortium.hash, R, 0, probe.ids))
  await probe.teardown()
  const [H, C] = [0, 1, 2, 3, 4, 5, 6].filter((i) => i !== A) as [number, number]
  const s = await NodeSwarm.create({
    members: n, seed: 'stall', dim: 3, rounds, protocol: { maxCorrupt: 1 },
    // H's data for round R is unchanged since R − 1: it sits R out (input-unchanged).
    input: (m, r) => Array.from({ length: 3 }, (_, j) => (m + 1) * (j % 2 === 0 ? 1 : -1) + (sitOutH && m === H && r === R ? R - 1 : r) / 8 + j / 16)
  })
  // C (corrupt) goes silent once round R starts: it drops every frame it would send.
  if (silentC) s.net.tap = (from, _to, data) => (from === s.ids[C] && s.roundFile(C, R - 1) !== undefined ? undefined : data)
  for (let i = 0; i < n; i++) await s.start(i)
  const honest = [0, 1, 2, 3, 4, 5, 6].filter((i) => i !== C)
  try {
    await s.runUntil(() => honest.every((i) => s.roundFile(i, rounds - 1) !== undefined), 300_000, 'the last round at every honest member')
  } catch { /* asserted below */ }
  return { s, honest }
}

describe('attack: a silent corrupt member plus one honest sit-out cannot halt the later rounds', function () {
  this.timeout(300_000)
  const swarms: NodeSwarm[] = []
  afterEach(async () => { for (const s of swarms.splice(0)) await s.teardown() })

  it('control: the corrupt member silent, nobody sits out: later rounds complete', async () => {
    const { s, honest } = await run(true, false)
    swarms.push(s)
    assert.ok(honest.every((i) => s.roundFile(i, R + 1)?.sum !== undefined))
  })

  it('control: one honest member sits round R out, nobody silent: later rounds complete', async () => {
    const { s, honest } = await run(false, true)
    swarms.push(s)
    assert.ok(honest.every((i) => s.roundFile(i, R + 1)?.sum !== undefined))
  })

  it('both: round R + 1 (six honest members, enough for a session) still completes', async () => {
    const { s, honest } = await run(true, true)
    swarms.push(s)
    const where = honest.map((i) => { const n = s.nodes[i]!.coordinator; return `${i}@${n.round}/${n.attempt}` })
    const waits = honest.map((i) => s.events(i, 'waiting-for-members').length)
    const failovers = honest.map((i) => s.events(i, 'aggregator-failover').length)
    assert.ok(honest.every((i) => s.roundFile(i, R + 1)?.sum !== undefined),
      `after ${s.clock.now()} ms of virtual time no honest member is past round ${R}: positions ${where.join(' ')}, waiting-for-members ${waits}, failovers ${failovers}`)
  })
})
