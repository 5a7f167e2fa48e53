/**
 * Real `secagg start` processes on 127.0.0.1 (issue 4): rounds with the vector-sum task,
 * a member killed with SIGKILL mid-run, and the aggregator killed. Every test stops its
 * processes in afterEach, even when it fails.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cli } from '../helpers/cli.ts'
import { aggregatorFor } from '../../src/protocol/ranking.ts'
import { TestSwarm } from '../helpers/swarm-processes.ts'

const DIM = 6

async function cliOutput (...argv: string[]): Promise<string> {
  const { code, out, err } = await cli(...argv)
  assert.equal(code, 0, err)
  return out
}

function expectSum (swarm: TestSwarm, round: number, members: number[]): void {
  const files = members.map((i) => swarm.roundFile(i, round))
  files.forEach((f, k) => assert.ok(f !== undefined, `member ${members[k]} has no file for round ${round}`))
  const first = files[0]!
  for (const f of files) assert.deepEqual(f, { ...first, includedSelf: f!.includedSelf }, 'every member holds the same result')
  const included = first.included as string[]
  const expected = new Array<number>(DIM).fill(0)
  for (const m of swarm.members) if (included.includes(m.peerId)) m.vectors[round]!.forEach((x, j) => { expected[j]! += x })
  ;(first.sum as number[]).forEach((x, j) => assert.ok(Math.abs(x - expected[j]!) < 1e-4, `round ${round} sum[${j}] = ${x}, expected ${expected[j]}`))
  assert.equal(first.weightSum, included.length)
}

describe('swarm: secagg start processes on loopback', function () {
  this.timeout(180_000)
  let swarm: TestSwarm
  beforeEach(() => { swarm = new TestSwarm() })
  afterEach(async () => { await swarm.teardown() })

  it('five members, three rounds of vector-sum: every member\'s round file holds the same exact sum', async () => {
    // A long AdvertiseKeys deadline costs nothing when everyone is there and keeps a member
    // slow to start in round 0.
    await swarm.init(5, DIM, 1500, { stages: { advertise: 15_000 } })
    for (let i = 0; i < 5; i++) swarm.start(i, 3)
    for (let i = 0; i < 5; i++) assert.equal(await swarm.waitExit(i, 120_000), 0)
    for (let r = 0; r < 3; r++) {
      expectSum(swarm, r, [0, 1, 2, 3, 4])
      assert.equal((swarm.roundFile(0, r)!.included as string[]).length, 5)
    }
  })

  it('kill -9 of a member: the others finish the round; restarted, it rejoins a later round', async () => {
    // A pause between rounds leaves the restarted member (its start takes seconds on a loaded
    // machine) rounds to rejoin before the others are done.
    await swarm.init(5, DIM, 1500, { roundIntervalMs: 1000 })
    for (let i = 0; i < 5; i++) swarm.start(i, 8)
    await swarm.waitFor(() => swarm.roundFile(0, 0) !== undefined, 60_000, 'round 0')
    const victim = 4
    swarm.kill9(victim)
    await swarm.waitFor(() => [0, 1, 2, 3].every((i) => swarm.roundFile(i, 2) !== undefined), 90_000, 'round 2 without the killed member')
    swarm.start(victim, 8)
    for (let i = 0; i < 5; i++) assert.equal(await swarm.waitExit(i, 150_000), 0)
    const rejoined = [3, 4, 5, 6, 7].some((r) => (swarm.roundFile(victim, r)?.included as string[] | undefined)?.includes(swarm.members[victim]!.peerId))
    assert.ok(rejoined, 'the restarted member is included in a later round')
    for (let r = 0; r < 8; r++) {
      const holders = [0, 1, 2, 3].filter((i) => swarm.roundFile(i, r)?.sum !== undefined)
      if (holders.length > 0) expectSum(swarm, r, holders)
    }
  })

  it('kill -9 of the aggregator: the next member in the ranking takes over; no member waits forever', async () => {
    // A pause between rounds makes the kill land before the victim's turn to aggregate, even
    // on a loaded machine (a 6-coordinate round is over in tens of ms, faster than polling).
    // Five members (c = 0, t = 3): the four left keep t others each.
    await swarm.init(5, DIM, 1500, { roundIntervalMs: 1500 })
    const hash = createHash('sha256').update(readFileSync(swarm.consortiumPath)).digest()
    const ids = swarm.members.map((m) => m.peerId)
    const aggregator = ids.indexOf(aggregatorFor(hash, 1, 0, ids))
    for (let i = 0; i < 5; i++) swarm.start(i, 4)
    await swarm.waitFor(() => swarm.roundFile(aggregator, 0) !== undefined, 60_000, 'round 0 at the victim')
    swarm.kill9(aggregator) // it was to aggregate round 1, attempt 0
    const others = [0, 1, 2, 3, 4].filter((i) => i !== aggregator)
    for (const i of others) assert.equal(await swarm.waitExit(i, 150_000), 0)
    assert.ok(others.some((i) => /aggregator-failover/.test(swarm.log(i))), 'a failover was logged')
    // What an operator sees: `secagg logs --summary` names the silent aggregator and its successor.
    const survivor = others.find((i) => /aggregator-failover/.test(swarm.log(i)))!
    const summary = await cliOutput('logs', '--dir', swarm.members[survivor]!.dir, '--summary')
    const victimTail = swarm.members[aggregator]!.peerId.slice(-8)
    assert.match(summary, new RegExp(`round 1: aggregator …${victimTail} → `), summary)
    assert.match(summary, new RegExp(`failover attempt 0: ${swarm.members[aggregator]!.peerId} → `))
    for (let r = 1; r < 4; r++) {
      const holders = others.filter((i) => swarm.roundFile(i, r)?.sum !== undefined)
      if (holders.length > 0) expectSum(swarm, r, holders)
    }
    assert.ok([2, 3].some((r) => swarm.roundFile(others[0]!, r)?.sum !== undefined), 'a later round completes without the killed aggregator')
    const round1 = others.map((i) => swarm.roundFile(i, 1)).find((f) => f?.sum !== undefined)
    if (round1 !== undefined) assert.equal(round1.aggregator, aggregatorFor(hash, 1, 1, ids), 'round 1 was completed by the next member in the ranking')
  })
})
