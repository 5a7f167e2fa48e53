/**
 * What an operator meets first, on the virtual clock: a member started before the others
 * waits for them; a round with too few members is recorded as skipped and the member waits;
 * a member with a broken input file sits its rounds out without breaking them (still
 * aggregating when its turn comes) and stops after a few; `--rounds N` means N more rounds.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { aggregatorFor } from '../../../src/protocol/index.ts'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'

describe('operations: start-up, missing members, broken inputs, --rounds', function () {
  this.timeout(120_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('a member started before the others waits for them (no round alone), then runs every round with them', async () => {
    const s = swarm = await NodeSwarm.create({ members: 3, seed: 'early-start', dim: 3, rounds: 3 })
    await s.start(0)
    await s.runUntil(() => false, 10_000, 'ten seconds alone').catch(() => {})
    assert.equal(s.events(0, 'round-start').length, 0, 'no round is begun alone')
    assert.equal(s.roundFile(0, 0), undefined, 'no round is recorded as aborted')
    const waiting = s.events(0, 'waiting-for-members')
    assert.equal(waiting.length, 1, 'one line while nothing changes')
    assert.equal(waiting[0]!.fields.reachable, '1/3')
    assert.equal(waiting[0]!.fields.needed, 3)
    await s.start(1)
    await s.start(2)
    await s.runUntil(() => [0, 1, 2].every((i) => s.roundFile(i, 2) !== undefined), 120_000, 'three rounds everywhere')
    for (let r = 0; r < 3; r++) for (const i of [0, 1, 2]) assert.equal((s.roundFile(i, r)!.included as string[]).length, 3, `member ${i} round ${r}`)
    assert.ok(s.events(0, 'members-reachable').length >= 1)
  })

  it('the start-up wait is bounded: alone past it, the node stops with a reason naming the count and the fix', async () => {
    const s = swarm = await NodeSwarm.create({ members: 3, seed: 'nobody-came', dim: 3, rounds: 3 })
    const node = await s.start(0, { startupWait: 30_000 })
    await s.runUntil(() => node.failed !== undefined, 60_000, 'the start-up wait to run out')
    assert.match(node.failed!, /only 1 of 3 members reachable after waiting 30000 ms; a round needs 3/)
    assert.equal(s.events(0, 'round-start').length, 0)
  })

  it('too few members left: the members wait (waiting-for-members) instead of cycling through every aggregator or burning rounds, and resume when they return', async () => {
    // n = 5, c = 0: t = 3, a round needs 4 members.
    const s = swarm = await NodeSwarm.create({ members: 5, seed: 'members-leave', dim: 3, rounds: 4, protocol: { maxCorrupt: 0 } })
    for (let i = 0; i < 5; i++) await s.start(i)
    await s.runUntil(() => [0, 1, 2, 3, 4].every((i) => s.roundFile(i, 0) !== undefined), 60_000, 'round 0')
    await s.kill(3)
    await s.kill(4)
    await s.runUntil(() => s.events(0, 'waiting-for-members').length > 0, 120_000, 'member 0 to wait')
    const skipped = [...s.stores[0]!.rounds.values()].filter((r) => /skipped: waiting for members \(3 of 5 reachable, a round needs 4\)/.test(String(r.reason)))
    const failovers = s.events(0, 'aggregator-failover').length
    assert.ok(failovers <= 1, `at most the one failover that found the members gone, got ${failovers}`)
    assert.ok(skipped.length <= 1, 'at most the round under way is skipped; no round is begun without the members')
    const rounds = s.stores[0]!.rounds.size
    await s.runUntil(() => false, 60_000, 'a minute without them').catch(() => {})
    assert.equal(s.stores[0]!.rounds.size, rounds, 'no rounds burnt while waiting')
    await s.start(3)
    await s.start(4)
    await s.runUntil(() => [0, 1, 2, 3, 4].every((i) => s.roundFile(i, 3)?.sum !== undefined || s.nodes[i] === undefined), 300_000, 'round 3 with everyone back')
    assert.ok(s.roundFile(0, 3)?.sum !== undefined, 'the last round completes once the members are back')
  })

  it('a broken input file: the member sits out but still aggregates its round (attempt 0 completes for the others), and stops after three rounds of it', async () => {
    const s = swarm = await NodeSwarm.create({ members: 5, seed: 'broken-input', dim: 3, rounds: 5, protocol: { maxCorrupt: 0 } })
    // The member that aggregates round 0's first attempt has a truncated input in every round.
    const bad = s.ids.indexOf(aggregatorFor(s.consortium.hash, 0, 0, s.ids))
    for (let r = 0; r < 5; r++) writeFileSync(join(s.dirs[bad]!, 'inputs', `${r}.json`), '{"vector": [1, 2')
    for (let i = 0; i < 5; i++) await s.start(i)
    const others = [0, 1, 2, 3, 4].filter((i) => i !== bad)
    await s.runUntil(() => [bad, ...others].every((i) => s.roundFile(i, 0) !== undefined), 60_000, 'round 0')
    for (const i of others) {
      const r0 = s.roundFile(i, 0)!
      assert.equal(r0.attempt, 0, `member ${i}: round 0 completed in its first attempt, aggregated by the member without an input`)
      assert.equal(r0.aggregator, s.ids[bad])
      assert.deepEqual(r0.included, others.map((j) => s.ids[j]).sort())
    }
    assert.equal(s.roundFile(bad, 0)!.includedSelf, false)
    const failed = s.events(bad, 'input-unavailable')[0]!
    assert.match(String(failed.fields.error), /inputs\/0\.json/, 'the error names the input file')
    await s.runUntil(() => s.nodes[bad]!.failed !== undefined, 120_000, 'the member with the broken input to give up')
    assert.match(s.nodes[bad]!.failed!, /no usable input of this member's own for 3 rounds in a row/)
    await s.kill(bad)
    await s.runUntil(() => others.every((i) => s.roundFile(i, 4) !== undefined), 300_000, 'round 4 among the others')
    for (const i of others) assert.ok(s.roundFile(i, 4)?.sum !== undefined, `member ${i} completes round 4 without the member that stopped`)
  })

  it('--rounds N means N more rounds: a member restarted with more = 2 after round 1 runs rounds 2 and 3', async () => {
    const s = swarm = await NodeSwarm.create({ members: 3, seed: 'more-rounds', dim: 3, rounds: 2 })
    for (let i = 0; i < 3; i++) await s.start(i)
    await s.runUntil(() => [0, 1, 2].every((i) => s.roundFile(i, 1) !== undefined), 120_000, 'rounds 0 and 1')
    for (let i = 0; i < 3; i++) await s.kill(i)
    for (let i = 0; i < 3; i++) for (const r of [2, 3, 4]) writeFileSync(join(s.dirs[i]!, 'inputs', `${r}.json`), JSON.stringify({ vector: [i, r, 1], weight: 1 }))
    for (let i = 0; i < 3; i++) await s.start(i, { more: 2 })
    const planned = s.events(0, 'rounds-planned').at(-1)!
    assert.deepEqual([planned.fields.first, planned.fields.last], [2, 3], 'the node says which rounds it will run')
    await s.runUntil(() => [0, 1, 2].every((i) => s.roundFile(i, 3) !== undefined), 120_000, 'rounds 2 and 3')
    for (const i of [0, 1, 2]) assert.ok(s.roundFile(i, 3)?.sum !== undefined)
    await s.runUntil(() => s.events(0, 'rounds-done').length === 2, 60_000, 'the second run to end')
    assert.equal(s.roundFile(0, 4), undefined, 'and no fifth round')
  })
})
