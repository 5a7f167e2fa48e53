/**
 * The multi-round simulator: real SwarmNodes on a virtual clock over in-memory links. Rounds,
 * failover and restarts behave as over libp2p, deterministically and in milliseconds.
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'

function expectExactSum (swarm: NodeSwarm, round: number, holders: number[]): void {
  const files = holders.map((i) => swarm.roundFile(i, round))
  files.forEach((f, k) => assert.ok(f?.sum !== undefined, `member ${holders[k]} has no sum for round ${round}`))
  const included = files[0]!.included as string[]
  for (const f of files) assert.deepEqual(f!.sum, files[0]!.sum, 'every member holds the same result')
  const expected = new Array<number>(swarm.options.dim).fill(0)
  swarm.ids.forEach((id, i) => { if (included.includes(id)) swarm.inputOf(i, round).forEach((x, j) => { expected[j]! += x }) })
  ;(files[0]!.sum as number[]).forEach((x, j) => assert.ok(Math.abs(x - expected[j]!) < 1e-4, `round ${round} sum[${j}] = ${x}, expected ${expected[j]}`))
}

describe('node swarm on a virtual clock', function () {
  this.timeout(60_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('five members, three rounds: every member holds the same exact sum of that round\'s inputs', async () => {
    swarm = await NodeSwarm.create({ members: 5, seed: 'three-rounds', dim: 4, rounds: 3, protocol: { maxCorrupt: 0 } })
    for (let i = 0; i < 5; i++) await swarm.start(i)
    await swarm.runUntil(() => [0, 1, 2, 3, 4].every((i) => swarm!.roundFile(i, 2) !== undefined), 120_000, 'round 2 everywhere')
    for (let r = 0; r < 3; r++) {
      expectExactSum(swarm, r, [0, 1, 2, 3, 4])
      assert.equal((swarm.roundFile(0, r)!.included as string[]).length, 5)
    }
  })

  it('the aggregator killed before its round: the next in the ranking completes it', async () => {
    swarm = await NodeSwarm.create({ members: 5, seed: 'kill-aggregator', dim: 3, rounds: 3, protocol: { maxCorrupt: 0 } })
    for (let i = 0; i < 5; i++) await swarm.start(i)
    await swarm.runUntil(() => swarm!.roundFile(0, 0) !== undefined, 60_000, 'round 0')
    const aggregator1 = swarm.events(0, 'round-start').find((e) => e.fields.round === 0)!.fields.aggregator as string
    void aggregator1
    const victim = swarm.ids.indexOf(swarm.events(0, 'round-start').find((e) => e.fields.round === 0)!.fields.aggregator as string)
    await swarm.kill(victim)
    const others = [0, 1, 2, 3, 4].filter((i) => i !== victim)
    await swarm.runUntil(() => others.every((i) => swarm!.roundFile(i, 2) !== undefined), 600_000, 'round 2 without the killed member')
    for (let r = 1; r < 3; r++) {
      const holders = others.filter((i) => swarm!.roundFile(i, r)?.sum !== undefined)
      if (holders.length > 0) expectExactSum(swarm, r, holders)
    }
    assert.ok([1, 2].some((r) => swarm!.roundFile(others[0]!, r)?.sum !== undefined))
  })
})
