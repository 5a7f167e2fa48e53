/**
 * Per-stage deadlines: each stage of the aggregator closes at its own timeout, and each
 * participant waits twice its stage's timeout for the aggregator (it may wait out a whole
 * stage for stragglers before answering). `masked` also covers local training.
 */
import assert from 'node:assert/strict'
import { uniformStageTimeouts } from '../../src/protocol/index.ts'
import type { Stage, StageTimeouts } from '../../src/protocol/index.ts'
import { drainOutbound, makeSession } from '../helpers/session.ts'

const TIMEOUTS: StageTimeouts = { advertise: 100, share: 250, masked: 5_000, consistency: 300, unmask: 450 }

describe('protocol: per-stage timeouts', () => {
  it('the aggregator closes each stage at that stage\'s own deadline; participants wait twice as long', () => {
    const h = makeSession(5, { stageTimeouts: TIMEOUTS, maxCorrupt: 0 }) // t = 3: one late peer leaves each of the others 3
    const { aggregator, participants, ids } = h
    const late = ids[4]! // never starts: every stage runs to its deadline for lack of this peer
    aggregator.start(0)
    participants.slice(0, 4).forEach((p) => { p.setInput([0.5, -0.25, 1, 0], 1, 0); p.start(0) })
    assert.equal(participants[0]!.pollTimeout(), 2 * TIMEOUTS.advertise)
    const seen: Array<{ stage: Stage, deadline: number }> = []
    let now = 0
    for (let step = 0; step < 100 && aggregator.stage !== 'done' && aggregator.stage !== 'aborted'; step++) {
      let moved = 0
      participants.forEach((p, i) => { for (const o of drainOutbound(p)) { moved++; aggregator.receive(ids[i]!, o.data, now) } })
      for (const o of drainOutbound(aggregator)) { moved++; if (o.to !== late) participants[ids.indexOf(o.to)]!.receive(ids[0]!, o.data, now) }
      const deadline = aggregator.pollTimeout()
      if (deadline !== undefined && seen.at(-1)?.stage !== aggregator.stage) seen.push({ stage: aggregator.stage, deadline: deadline - now })
      if (moved === 0 && deadline !== undefined) { now = deadline; aggregator.handleTimeout(now) }
    }
    assert.equal(aggregator.stage, 'done')
    assert.deepEqual(seen.map((s) => s.stage), ['advertise', 'share', 'masked', 'consistency', 'unmask'])
    for (const s of seen) assert.equal(s.deadline, TIMEOUTS[s.stage as keyof StageTimeouts], `${s.stage} deadline`)
  })

  it('a participant waiting for its local update gives up only after the masked timeout', () => {
    const h = makeSession(3, { stageTimeouts: TIMEOUTS })
    const { aggregator, participants, ids } = h
    aggregator.start(0)
    participants.forEach((p, i) => { if (i > 0) p.setInput([0, 0, 0, 0], 1, 0); p.start(0) })
    for (let step = 0; step < 6; step++) {
      participants.forEach((p, i) => { for (const o of drainOutbound(p)) aggregator.receive(ids[i]!, o.data, 1) })
      for (const o of drainOutbound(aggregator)) participants[ids.indexOf(o.to)]!.receive(ids[0]!, o.data, 1)
    }
    const trainer = participants[0]!
    assert.equal(trainer.stage, 'share', 'shares received, still training')
    assert.equal(trainer.pollTimeout(), 1 + TIMEOUTS.masked)
    assert.equal(trainer.waitingForInput, true, 'keys exchanged, only the input missing')
    assert.ok(participants.slice(1).every((p) => !p.waitingForInput), 'the others had their inputs and masked at once')
    trainer.setInput([0, 0, 0, 0], 1, 2)
    assert.equal(trainer.waitingForInput, false)
    assert.equal(drainOutbound(trainer).length, 1, 'the masked input goes the moment the input is set')
  })

  it('waitingForInput is false before the shares arrive, even without an input', () => {
    const h = makeSession(3, { stageTimeouts: TIMEOUTS })
    h.aggregator.start(0)
    h.participants.forEach((p) => p.start(0))
    assert.ok(h.participants.every((p) => !p.waitingForInput))
  })

  it('refuses a missing, zero or non-finite stage timeout, naming the stage', () => {
    for (const bad of [{ ...uniformStageTimeouts(10), masked: 0 }, { ...uniformStageTimeouts(10), unmask: Number.NaN }, { advertise: 1 }]) {
      assert.throws(() => makeSession(3, { stageTimeouts: bad as StageTimeouts }), (e: Error) => e.name === 'ProtocolConfigError' && /stageTimeouts\.(masked|unmask|share)/.test(e.message))
    }
  })
})
