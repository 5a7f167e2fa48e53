/**
 * Bounded resources: a stale SESSION frame of a dozen bytes makes a member hand its sender a
 * whole certificate (the sum, Q signatures, Q echoes), retried for `resultDelivery`. An
 * attacker review had one member cycle through stale round numbers and receive the same
 * certificate again and again (8.1 MB for 4 KB sent). Now each member gets a given
 * certificate at most once, and a hint at most once per modelFetchInterval.
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { aggregatorFor } from '../../../src/protocol/ranking.ts'
import { Frame, FrameType } from '../../../src/round/wire/round.generated.ts'

const frame = (type: FrameType, round: number, attempt: number, payload: Uint8Array): Uint8Array =>
  Frame.encode({ version: 2, type, round: BigInt(round), attempt, payload: payload as Uint8Array<ArrayBuffer> })

describe('attack: certificate hints cannot amplify tiny stale frames', function () {
  this.timeout(120_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('one member (c = 1) sending stale frames gets each certificate at most once, not once per frame', async () => {
    const n = 5 // maxCorrupt defaults to 1
    const start = 90 // a consortium that has run for a while (progress as stored in state.json)
    const dim = 2000
    swarm = await NodeSwarm.create({ members: n, seed: 'hint-amp', dim, rounds: start + 4 })
    const s = swarm
    for (let i = 0; i < n; i++) s.stores[i]!.saveProgress(start)
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, start) !== undefined && s.roundFile(i, start + 1) !== undefined), 120_000, 'two rounds')
    assert.ok(s.roundFile(0, start)!.sum !== undefined, 'round completed')
    // The attacker M (an ordinary member whose node otherwise runs honestly) and a victim V.
    const M = s.ids.find((id) => id !== aggregatorFor(s.consortium.hash, start + 2, 0, s.ids))!
    const V = s.ids.findIndex((id) => id !== M)
    let bytesIn = 0
    let bytesOut = 0
    let certificates = 0
    s.net.tap = (from, to, data) => {
      if (from === s.ids[V] && to === M) {
        const f = Frame.decode(data)
        if (f.type === FrameType.RESULT) { certificates++; bytesOut += data.length }
      }
      return data
    }
    const coordinator = s.nodes[V]!.coordinator
    await s.runUntil(() => coordinator.attempt !== undefined, 60_000, 'the victim in a session of round start + 2')
    const cycles = 5
    for (let k = 0; k < cycles; k++) {
      for (let r = 0; r < coordinator.round; r++) {
        const f = frame(FrameType.SESSION, r, 0, new Uint8Array([1]))
        bytesIn += f.length
        s.net.send(M, s.ids[V]!, f)
      }
    }
    await s.runUntil(() => false, 200, 'delivery').catch(() => {})
    console.log(`      ${cycles * coordinator.round} stale frames (${bytesIn} bytes) from M -> ${certificates} certificates (${bytesOut} bytes) to M`)
    // At most one copy of each certificate the victim holds (it keeps 8 rounds) would be enough.
    assert.ok(certificates <= 9, `${certificates} certificates sent to one member in answer to ${cycles * coordinator.round} stale frames of ${bytesIn / (cycles * coordinator.round)} bytes (${bytesOut} bytes out for ${bytesIn} in)`)
  })
})
