/**
 * An input is never summed twice, however many rounds apart: an attacker review found the
 * promise book kept only the last 64 input hashes, so periodic statistics (an input that comes
 * back every 65 rounds) were summed again, and an aggregator that left the victim out of the
 * repeat round subtracted the two sums and read its input exactly. Every hash is kept now.
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { aggregatorFor } from '../../../src/protocol/index.ts'
import { Frame } from '../../../src/round/wire/round.generated.ts'

describe('attack: an input repeated after 64 rounds is not summed twice', function () {
  this.timeout(300_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('period-65 inputs: the aggregator of round 65 drops the victim and cannot recover its input (the repeat is sat out)', async () => {
    const n = 7
    const period = 65
    const rounds = period + 1
    swarm = await NodeSwarm.create({
      members: n, seed: 'repeat-65', dim: 3, rounds, protocol: { maxCorrupt: 1 }, roundIntervalMs: 50,
      input: (m, r) => [1.5 * (m + 1) + 0.25 * (r % period), -0.75 * m + 0.125 * (r % period), 2 + m - 0.5 * (r % period)]
    })
    const s = swarm
    const M = aggregatorFor(s.consortium.hash, period, 0, s.ids) // corrupt aggregator of the repeat round
    const victim = s.ids.findIndex((id) => id !== M)
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      return f.round === BigInt(period) && from === s.ids[victim] && to === M ? undefined : data
    }
    for (let i = 0; i < n; i++) await s.start(i)
    const others = s.ids.map((_, i) => i).filter((i) => i !== victim)
    await s.runUntil(() => others.every((i) => s.roundFile(i, period) !== undefined), 4_000_000, 'round 65 at every other member')
    const m = s.ids.indexOf(M)
    const first = s.roundFile(m, 0)!
    const repeat = s.roundFile(m, period)!
    assert.ok(first.sum !== undefined && (first.included as string[]).includes(s.ids[victim]!), 'round 0 summed everyone')
    const repeated = others.filter((i) => s.roundFile(i, period)?.sum !== undefined && s.events(i, 'input-unchanged').every((e) => e.fields.round !== period))
    if (repeat.sum !== undefined) {
      const recovered = (first.sum as number[]).map((x, j) => x - (repeat.sum as number[])[j]!)
      const truth = s.inputOf(victim, 0)
      const exact = recovered.every((x, j) => Math.abs(x - truth[j]!) < 1e-3)
      assert.ok(!exact, `round 0 minus round ${period} = [${recovered.map((x) => x.toFixed(4)).join(', ')}] is the victim's input [${truth.join(', ')}]: ${repeated.length} members contributed their round-0 input a second time`)
    }
  })
})
