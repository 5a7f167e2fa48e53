/**
 * ATTACK (an attacker review): the reachability gate counts the victim's OWN connections to
 * members, but a session only needs the victim to reach the aggregator (everything else is
 * relayed by it). n = 7, c = 2 (t = 5, Q = 6, membersForRound = 6): the two corrupt members X
 * and Y keep following the protocol with everyone except the honest victim H, whose
 * connections they refuse (here: a network cut between {X, Y} and H only). H then reaches 5
 * of 7 < 6 and, after every round it finishes, waits (`waiting-for-members`) at the gate;
 * the others run the round with X and Y without it. It only gets back in when alignment
 * moves it to the next round (begin() without the gate), so it is left out of about every
 * other round; a round in which H is the aggregator also fails (expected: X and Y refuse it).
 * The cut alone does not keep H out (it is in the round it reaches by realigning): the
 * gate, counting H's own connections, did. Now a POSITION for the round H waits for (the
 * honest members announce each session they begin) lets it begin at once. (Tried and held: the start-up `fatal` — the
 * realignment begins a round before the start-up wait runs out, once the others progress.)
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'

const n = 7

async function setup (seed: string, rounds: number): Promise<{ s: NodeSwarm, H: number, X: number, Y: number }> {
  const s = await NodeSwarm.create({ members: n, seed, dim: 3, rounds, protocol: { maxCorrupt: 2 } })
  const [H, X, Y] = [0, 1, 2]
  const all = new Set(s.ids)
  const withoutH = new Set([...all].filter((p) => p !== s.ids[H]))
  const withoutXY = new Set([...all].filter((p) => p !== s.ids[X] && p !== s.ids[Y]))
  s.net.partition([withoutH, withoutXY])
  return { s, H, X, Y }
}

describe('attack (review): c corrupt members refusing one honest member\'s connections do not gate it out', function () {
  this.timeout(300_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('the victim is never held at the gate while the others run its round, and is in round 1 after its own attempt failed', async () => {
    const { s, H } = await setup('gate-exclude', 4)
    swarm = s
    for (let i = 0; i < n; i++) await s.start(i)
    const others = [1, 2, 3, 4, 5, 6]
    try {
      await s.runUntil(() => others.every((i) => s.roundFile(i, 3) !== undefined), 300_000, 'round 3 at the others')
    } catch (err) { console.log('      ', (err as Error).message) }
    const rows = [0, 1, 2, 3].map((r) => {
      const o = s.roundFile(1, r)
      const h = s.roundFile(H, r)
      return { round: r, others: o?.sum !== undefined ? `result over ${(o.included as string[]).length}, victim included: ${(o.included as string[]).includes(s.ids[H]!)}` : String(o?.reason), victim: h === undefined ? 'no record' : h.sum !== undefined ? `applied (includedSelf ${String(h.includedSelf)})` : String(h.reason) }
    })
    for (const row of rows) console.log('      ', JSON.stringify(row))
    console.log('       victim waiting-for-members events:', s.events(H, 'waiting-for-members').length, 'realigned:', s.events(H, 'realigned').length)
    // The gate no longer keeps H out: it records no round as skipped for want of members,
    // and every wait at the gate ends with H beginning that round (the others announced it).
    const skipped = [0, 1, 2, 3].filter((r) => /waiting for members/.test(String(s.roundFile(H, r)?.reason)))
    assert.deepEqual(skipped, [], `the victim skipped rounds ${skipped.join(', ')} at the gate`)
    for (const wait of s.events(H, 'waiting-for-members')) {
      const begun = s.events(H, 'round-start').some((e) => e.fields.round === wait.fields.round && e.at >= wait.at)
      assert.ok(begun, `the victim waited at the gate for round ${String(wait.fields.round)} and never began it`)
    }
    // Round 1 is the one the gate used to cost H (its own attempt failed; it skipped the
    // round instead of following the honest aggregator of attempt 1).
    assert.ok((s.roundFile(1, 1)?.included as string[] | undefined)?.includes(s.ids[H]!), 'the victim is in round 1, aggregated by an honest member after its own attempt failed')
    // Not the gate: H hears only 5 of the Q = 6 echoes of a result directly (X and Y refuse
    // it), so it confirms a round late, from a certificate, and misses the start of the next.
  })
})
