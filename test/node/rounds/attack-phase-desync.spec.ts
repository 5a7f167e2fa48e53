/**
 * Liveness: members move through attempts on their own deadlines, and a frame of a later
 * session never moves a member by itself. An attacker review showed that one ABORT frame
 * (from the aggregator, bound to its own session: valid) to ONE member, or one partition,
 * split the swarm into groups walking through attempts out of step; with n = 7, c = 1 a
 * session needs 6 members in the same (round, attempt), so no round completed again. Now an
 * ABORT is a failed attempt, not a finished round, and members announce their positions and
 * follow groups of k = max(c + 1, n − t) or wait for the others (src/round/alignment.ts).
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { aggregatorFor, encodeMessage, openSession } from '../../../src/protocol/index.ts'
import { Frame, FrameType } from '../../../src/round/wire/round.generated.ts'

const sessionFrame = (round: number, attempt: number, payload: Uint8Array): Uint8Array =>
  Frame.encode({ version: 2, type: FrameType.SESSION, round: BigInt(round), attempt, payload: payload as Uint8Array<ArrayBuffer> })

/** Rounds after `from` whose result every listed member holds. */
function completedAfter (s: NodeSwarm, members: number[], from: number, rounds: number): number[] {
  const out: number[] = []
  for (let r = from; r < rounds; r++) if (members.every((i) => s.roundFile(i, r)?.sum !== undefined)) out.push(r)
  return out
}

describe('attack: members knocked out of phase find each other again', function () {
  this.timeout(300_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('one corrupt aggregator (c = 1) sends a valid ABORT to a single member: rounds complete again afterwards', async () => {
    const n = 7
    const rounds = 20
    swarm = await NodeSwarm.create({ members: n, seed: 'ab', dim: 3, rounds, protocol: { maxCorrupt: 1 } }) // t = 5, Q = 5: one dropout tolerated
    const s = swarm
    const R = 2
    const M = aggregatorFor(s.consortium.hash, R, 0, s.ids) // corrupt; its node otherwise runs honestly
    const victim = s.ids.find((id) => id !== M)!
    let aborted = false
    s.net.tap = (from, to, data) => {
      if (from !== M) return data
      const f = Frame.decode(data)
      if (f.type !== FrameType.SESSION || f.round !== BigInt(R) || f.attempt !== 0) return data
      if (!aborted) {
        aborted = true
        const abort = encodeMessage({ kind: 'abort', binding: openSession(s.nodes[s.ids.indexOf(M)]!.sessionConfig(R, 0, M)).preSessionId, round: R, reason: 'bye' })
        s.net.send(M, victim, sessionFrame(R, 0, abort))
      }
      return to === victim ? data : undefined // M's session of round 2 stays silent to everyone else
    }
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, rounds - 1) !== undefined), 2_000_000, 'the last round everywhere')
    const honest = s.ids.map((_, i) => i).filter((i) => s.ids[i] !== M)
    assert.ok(completedAfter(s, honest, 0, R).length === R, 'rounds before the attack complete')
    const after = completedAfter(s, honest, R + 1, rounds)
    assert.ok(after.length > 0, `no round in ${R + 1}..${rounds - 1} completed after one ABORT to one member (virtual time ${s.clock.now()} ms)`)
  })

  it('a 15 s partition (3 | 4) of seven honest members: rounds complete again after it heals', async () => {
    const n = 7
    const rounds = 20
    swarm = await NodeSwarm.create({ members: n, seed: 'a', dim: 3, rounds, protocol: { maxCorrupt: 1 } })
    const s = swarm
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 1) !== undefined), 60_000, 'round 1')
    s.net.partition([new Set(s.ids.slice(0, 3)), new Set(s.ids.slice(3))])
    const healAt = s.clock.now() + 15_000
    s.clock.setTimeout(() => s.net.partition([]), 15_000)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, rounds - 1) !== undefined), 2_000_000, 'the last round everywhere')
    const all = s.ids.map((_, i) => i)
    // Rounds every member started after the partition healed.
    const firstAfterHeal = Math.max(...all.map((i) => Math.min(...s.events(i, 'round-start').filter((e) => e.at >= healAt).map((e) => e.fields.round as number))))
    assert.ok(firstAfterHeal < rounds - 3, `the partition left too few rounds to judge (${firstAfterHeal})`)
    const after = completedAfter(s, all, firstAfterHeal, rounds)
    assert.ok(after.length > 0, `no round in ${firstAfterHeal}..${rounds - 1} completed after the partition healed (virtual time ${s.clock.now()} ms)`)
  })
})
