/**
 * Property over seeded schedules of kills, restarts and partitions in a multi-round swarm of
 * real nodes on a virtual clock: whatever happens, every member that holds a result for a
 * round holds the same one (at most one result per round), every result is the exact sum of
 * the included members' inputs of that round, and no member ever sends two masked inputs in
 * one round.
 */
import assert from 'node:assert/strict'
import { randomInt, seededRandom } from '../../../src/crypto/index.ts'
import { decodeMessage } from '../../../src/protocol/index.ts'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { Frame, FrameType } from '../../../src/round/wire/round.generated.ts'

/** 100 in npm test; AGREEMENT_SCHEDULES=2000 for a long run. */
const SCHEDULES = Number(process.env.AGREEMENT_SCHEDULES ?? 100)

describe('property: kills, restarts and partitions never split a round\'s result', function () {
  this.timeout(300_000)

  it(`${SCHEDULES} seeded schedules: one result per round, exact, one masked input per member and round`, async () => {
    let completedRounds = 0
    let disturbed = 0
    for (let k = 0; k < SCHEDULES; k++) {
      const rng = seededRandom(`agreement/${k}`)
      const n = 5 + randomInt(rng, 3) // 5..7, c = 0: one or two dropouts tolerated
      const rounds = 4
      const swarm = await NodeSwarm.create({ members: n, seed: `agreement-${k}`, dim: 3, rounds, protocol: { maxCorrupt: 0 }, stageMs: 500, roundIntervalMs: 50 })
      try {
        const masked = new Map<string, number>()
        swarm.net.tap = (from, _to, data) => {
          const f = Frame.decode(data)
          if (f.type === FrameType.SESSION) {
            const m = decodeMessage(f.payload, { maxPeers: n, vectorWords: 4 })
            if (m.ok && m.message.kind === 'masked-input') {
              const key = `${from}/${f.round}`
              masked.set(key, (masked.get(key) ?? 0) + 1)
            }
          }
          return data
        }
        for (let i = 0; i < n; i++) await swarm.start(i)
        // Up to three disturbances at random virtual times: kill (and later restart) a member,
        // or partition the swarm for a while.
        const events = randomInt(rng, 4)
        for (let e = 0; e < events; e++) {
          const at = 200 + randomInt(rng, 6000)
          const victim = randomInt(rng, n)
          if (randomInt(rng, 2) === 0) {
            swarm.clock.setTimeout(() => { void swarm.kill(victim) }, at)
            swarm.clock.setTimeout(() => { if (swarm.nodes[victim] === undefined) void swarm.start(victim) }, at + 500 + randomInt(rng, 4000))
          } else {
            const side = new Set(swarm.ids.filter(() => randomInt(rng, 2) === 0))
            swarm.clock.setTimeout(() => swarm.net.partition([side, new Set(swarm.ids.filter((id) => !side.has(id)))]), at)
            swarm.clock.setTimeout(() => swarm.net.partition([]), at + 500 + randomInt(rng, 4000))
          }
          disturbed++
        }
        // Every member reaches the last round (or gives up on it) eventually.
        await swarm.runUntil(() => swarm.ids.every((_, i) => swarm.roundFile(i, rounds - 1) !== undefined && swarm.nodes[i] !== undefined), 600_000, `schedule ${k}: the last round everywhere`)
        for (const [key, count] of masked) assert.ok(count <= 1, `schedule ${k}: ${key} sent ${count} masked inputs`)
        for (let r = 0; r < rounds; r++) {
          const results = swarm.ids.map((_, i) => swarm.roundFile(i, r)).filter((f) => f?.sum !== undefined)
          if (results.length === 0) continue
          completedRounds++
          for (const f of results) {
            assert.deepEqual([f!.sessionId, f!.sum, f!.included], [results[0]!.sessionId, results[0]!.sum, results[0]!.included], `schedule ${k}, round ${r}: two different results`)
          }
          const included = results[0]!.included as string[]
          const expected = [0, 1, 2].map((j) => swarm.ids.reduce((sum, id, i) => sum + (included.includes(id) ? swarm.inputOf(i, r)[j]! : 0), 0))
          ;(results[0]!.sum as number[]).forEach((x, j) => assert.ok(Math.abs(x - expected[j]!) < 1e-4, `schedule ${k}, round ${r}: sum[${j}] = ${x}, expected ${expected[j]}`))
        }
      } finally {
        await swarm.teardown()
      }
    }
    assert.ok(completedRounds > SCHEDULES * 2 && disturbed > SCHEDULES, `completed rounds ${completedRounds}, disturbances ${disturbed}`)
  })
})
